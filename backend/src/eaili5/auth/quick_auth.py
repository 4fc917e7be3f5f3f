"""Farcaster Quick Auth: check the JWT a mini app host hands out, against the issuer's published keys.

The token (`sdk.quickAuth.getToken()`) is signed by the Quick Auth server (`iss` https://auth.farcaster.xyz)
for our domain (`aud`), names the user's FID in `sub` and lives an hour. Its keys are published as a JWKS
(`<issuer>/.well-known/jwks.json`); they are cached for `farcaster_jwks_ttl_seconds` and fetched again
early when a token names a key id we do not know (the issuer rotated), at most once per
`farcaster_jwks_min_refetch_seconds` so forged key ids cannot make us hammer the issuer.

Algorithms: only asymmetric ones (EdDSA, ES256, RS256), and the token's `alg` must be the key's own
(read from the JWKS), so `none` and HMAC tricks (a public key used as an HMAC secret) are refused.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import httpx
import jwt

from eaili5.auth.errors import JwksUnreachable, SignInFailed
from eaili5.core.settings import Settings

logger = logging.getLogger(__name__)

ALLOWED_ALGORITHMS = frozenset({"EdDSA", "ES256", "RS256"})
_REQUIRED_CLAIMS = ["exp", "iat", "iss", "aud", "sub"]
_MAX_FID = 2**63 - 1  # the column is a BIGINT


@dataclass(frozen=True, slots=True)
class QuickAuthIdentity:
    fid: int
    issued_at: int
    expires_at: int


class JwksCache:
    """The issuer's signing keys by key id, fetched over the app's pooled HTTP client."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        url: str,
        *,
        ttl_seconds: float,
        min_refetch_seconds: float,
        timeout_seconds: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.http = http
        self.url = url
        self.ttl = ttl_seconds
        self.min_refetch = min_refetch_seconds
        self.timeout = timeout_seconds
        self.clock = clock
        self._keys: dict[str, jwt.PyJWK] = {}
        self._fetched_at: float | None = None
        self._lock = asyncio.Lock()

    async def key(self, kid: str | None, algorithm: str) -> jwt.PyJWK:
        """The key a token names; `unknown_key` when the issuer does not publish it (after one refetch)."""
        if self._fetched_at is None or self.clock() - self._fetched_at >= self.ttl:
            await self._refresh(stale_ok=True)
        found = self._find(kid, algorithm)
        if found is None and self._may_refetch():
            await self._refresh(stale_ok=False)
            found = self._find(kid, algorithm)
        if found is None:
            raise SignInFailed(
                "unknown_key", "This sign-in was signed with a key Farcaster does not publish."
            )
        return found

    def _find(self, kid: str | None, algorithm: str) -> jwt.PyJWK | None:
        if kid is not None:
            return self._keys.get(kid)
        # No key id: acceptable only when exactly one published key fits the algorithm.
        fitting = [key for key in self._keys.values() if key.algorithm_name == algorithm]
        return fitting[0] if len(fitting) == 1 else None

    def _may_refetch(self) -> bool:
        return self._fetched_at is None or self.clock() - self._fetched_at >= self.min_refetch

    async def _refresh(self, *, stale_ok: bool) -> None:
        """Fetch the keys again. With `stale_ok`, a failed fetch keeps the keys we have, if any:
        a short issuer outage should not sign everyone out of the mini app."""
        before = self._fetched_at
        async with self._lock:
            if self._fetched_at != before:
                return  # another request refreshed while this one waited
            try:
                self._keys = await self._fetch()
            except JwksUnreachable:
                if not (stale_ok and self._keys):
                    raise
                logger.warning("Farcaster JWKS unreachable; using the keys fetched before")
                # Try again after the refetch pause, not a whole TTL later.
                self._fetched_at = self.clock() - self.ttl + self.min_refetch
                return
            self._fetched_at = self.clock()

    async def _fetch(self) -> dict[str, jwt.PyJWK]:
        try:
            response = await self.http.get(
                self.url, timeout=self.timeout, headers={"Accept": "application/json"}
            )
        except httpx.HTTPError as exc:
            logger.warning("Farcaster JWKS unreachable: %s", type(exc).__name__)
            raise JwksUnreachable() from None
        if response.status_code != 200:
            logger.warning("Farcaster JWKS answered %s", response.status_code)
            raise JwksUnreachable()
        try:
            document = response.json()
        except ValueError:
            document = None
        keys = _usable_keys(document.get("keys") if isinstance(document, dict) else None)
        if not keys:
            logger.warning("Farcaster JWKS has no usable signing key")
            raise JwksUnreachable()
        return keys


def _usable_keys(entries: Any) -> dict[str, jwt.PyJWK]:
    """Signing keys with an allowed algorithm, by key id ("" for one without); the rest is skipped."""
    keys: dict[str, jwt.PyJWK] = {}
    for entry in entries if isinstance(entries, list) else []:
        if not isinstance(entry, dict) or entry.get("use", "sig") != "sig":
            continue
        try:
            key = jwt.PyJWK(entry)
        except (jwt.PyJWKError, jwt.InvalidKeyError, ValueError, TypeError):
            continue
        if key.algorithm_name in ALLOWED_ALGORITHMS:
            keys[str(entry.get("kid") or "")] = key
    return keys


class QuickAuthVerifier:
    def __init__(self, jwks: JwksCache, issuer: str, audiences: Iterable[str], leeway_seconds: float) -> None:
        self.jwks = jwks
        self.issuer = issuer
        self.audiences = list(audiences)
        self.leeway = leeway_seconds

    async def verify(self, token: str) -> QuickAuthIdentity:
        """The FID a valid token names; SignInFailed (401) with a reason otherwise; JwksUnreachable (503)."""
        algorithm, kid = _header(token)
        key = await self.jwks.key(kid, algorithm)
        if key.algorithm_name != algorithm:
            raise SignInFailed("bad_algorithm", "This sign-in's algorithm is not its key's algorithm.")
        claims = self._decode(token, key, algorithm)
        return QuickAuthIdentity(_fid(claims.get("sub")), int(claims["iat"]), int(claims["exp"]))

    def _decode(self, token: str, key: jwt.PyJWK, algorithm: str) -> dict[str, Any]:
        try:
            return jwt.decode(
                token,
                key.key,
                algorithms=[algorithm],
                audience=self.audiences,
                issuer=self.issuer,
                leeway=self.leeway,
                # Farcaster's `sub` is the FID as a JSON number; PyJWT only accepts strings, so we check it.
                options={"require": _REQUIRED_CLAIMS, "verify_sub": False},
            )
        except jwt.PyJWTError as exc:
            raise _refusal(exc) from None


def _header(token: str) -> tuple[str, str | None]:
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError:
        raise SignInFailed("malformed_token", "This is not a Farcaster sign-in token.") from None
    algorithm, kid = header.get("alg"), header.get("kid")
    if not isinstance(algorithm, str) or algorithm not in ALLOWED_ALGORITHMS:
        raise SignInFailed("bad_algorithm", "This sign-in uses a signature algorithm we do not accept.")
    if kid is not None and not isinstance(kid, str):
        raise SignInFailed("malformed_token", "This sign-in token names its key oddly.")
    return algorithm, kid


def _fid(subject: Any) -> int:
    """A positive integer (a JSON number, or digits in a string)."""
    if isinstance(subject, str) and subject.isascii() and subject.isdigit() and len(subject) <= 19:
        subject = int(subject)
    if isinstance(subject, bool) or not isinstance(subject, int) or not 0 < subject <= _MAX_FID:
        raise SignInFailed("malformed_token", "This sign-in token does not name a Farcaster ID.")
    return subject


# Most specific first: InvalidSignatureError is a DecodeError, Expired/Immature are decode-time too.
_REFUSALS: list[tuple[type[jwt.PyJWTError], Any, str]] = [
    (jwt.ExpiredSignatureError, "token_expired", "This Farcaster sign-in has expired. Please try again."),
    (jwt.ImmatureSignatureError, "token_not_yet_valid", "This Farcaster sign-in is not valid yet."),
    (jwt.InvalidAudienceError, "audience_mismatch", "This Farcaster sign-in was made for another site."),
    (jwt.InvalidIssuerError, "issuer_mismatch", "This sign-in was not issued by Farcaster."),
    (jwt.InvalidSignatureError, "bad_signature", "This Farcaster sign-in's signature is not valid."),
    (jwt.InvalidAlgorithmError, "bad_algorithm", "This sign-in uses a signature algorithm we do not accept."),
]


def _refusal(exc: jwt.PyJWTError) -> SignInFailed:
    for error, reason, detail in _REFUSALS:
        if isinstance(exc, error):
            return SignInFailed(reason, detail)
    # Missing claims, a non-integer iat, undecodable segments.
    return SignInFailed("malformed_token", "This Farcaster sign-in token is incomplete or damaged.")


def verifier_for(settings: Settings, jwks: JwksCache) -> QuickAuthVerifier:
    return QuickAuthVerifier(
        jwks,
        settings.farcaster_quick_auth_issuer,
        settings.siwe_domain_names,
        settings.farcaster_jwt_leeway_seconds,
    )


def jwks_cache_for(settings: Settings, http: httpx.AsyncClient) -> JwksCache:
    return JwksCache(
        http,
        settings.farcaster_jwks_location,
        ttl_seconds=settings.farcaster_jwks_ttl_seconds,
        min_refetch_seconds=settings.farcaster_jwks_min_refetch_seconds,
        timeout_seconds=settings.farcaster_jwks_timeout_seconds,
    )
