"""Wallet sign-in: nonce, verification, the guest → wallet user step, and session rotation.

Verification runs cheapest first (parse, claims, nonce lookup, then the signature, which may need the
network) and consumes the nonce only once everything passed, so a refused attempt changes nothing.
The database work then happens in the request's one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from eaili5.auth import merge
from eaili5.auth.errors import SignInFailed
from eaili5.auth.nonces import NonceStore
from eaili5.auth.rpc import EthRpc
from eaili5.auth.service import Principal, SessionService
from eaili5.auth.signatures import bad_signature, verify_signature
from eaili5.auth.siwe import SUPPORTED_CHAIN_IDS, check_claims, parse_message
from eaili5.auth.wallet_schemas import NonceOut, SignatureKind, VerifyIn
from eaili5.core.errors import Conflict, NotFound
from eaili5.core.state import AppState
from eaili5.market.address import to_checksum_address
from eaili5.models import User
from eaili5.models.base import utcnow

STATEMENT = "Sign in to EAILI5 with this wallet. Signing is free: it sends no transaction and moves no money."


@dataclass(frozen=True, slots=True)
class SignInResult:
    token: str
    expires_at: datetime
    user: User
    address: str
    signature_kind: SignatureKind
    merged_guest: bool
    new_user: bool


class WalletSignIn:
    def __init__(self, state: AppState, sessions: SessionService) -> None:
        self.state = state
        self.settings = state.settings
        self.sessions = sessions
        self.nonces = NonceStore(state.kv, self.settings.siwe_nonce_ttl_seconds)

    async def issue_nonce(self, principal: Principal) -> NonceOut:
        nonce, expires_at = await self.nonces.issue(principal.session_id)
        return NonceOut(
            nonce=nonce,
            expires_at=expires_at,
            domain=self._own_domain(),
            uri=self.settings.public_url.rstrip("/"),
            chain_ids=list(SUPPORTED_CHAIN_IDS),
            statement=STATEMENT,
        )

    def _own_domain(self) -> str:
        """The public URL's host when it is accepted (it is by default), else the first accepted one."""
        own = urlsplit(self.settings.public_url).netloc
        accepted = self.settings.siwe_domain_names
        return own if own in accepted else accepted[0]

    async def verify(
        self, db: AsyncSession, principal: Principal, old_token: str, body: VerifyIn, user_agent: str | None
    ) -> SignInResult:
        message = parse_message(body.message)
        check_claims(
            message,
            domains=self.settings.siwe_domain_names,
            origins=self.settings.siwe_origins,
            now=utcnow(),
            skew=timedelta(seconds=self.settings.siwe_clock_skew_seconds),
        )
        await self.nonces.check(message.nonce, principal.session_id)
        kind = await verify_signature(
            self._rpc(message.chain_id), message.address, body.message, _bytes(body.signature)
        )
        await self.nonces.consume(message.nonce, principal.session_id)
        return await self._sign_in(db, principal, old_token, message.address.lower(), kind, user_agent)

    def _rpc(self, chain_id: int) -> EthRpc:
        return EthRpc(self.state.http, self.settings.rpc_url(chain_id), self.settings.rpc_timeout_seconds)

    async def _sign_in(
        self,
        db: AsyncSession,
        principal: Principal,
        old_token: str,
        address: str,
        kind: SignatureKind,
        user_agent: str | None,
    ) -> SignInResult:
        caller = await db.get(User, principal.user_id)
        if caller is None or not await merge.lock_user(db, caller.id):
            raise NotFound("This user no longer exists.")
        wallet = await db.scalar(select(User).where(User.wallet_address == address))
        new_user = merged = False
        if wallet is None and caller.is_guest:
            caller.wallet_address, wallet, new_user = address, caller, True
        elif wallet is None:
            wallet, new_user = User(wallet_address=address), True  # signed in as another wallet: switch
            db.add(wallet)
        elif caller.is_guest:
            await merge.lock_user(db, wallet.id)
            await merge.merge_guest_into(db, caller.id, wallet.id)
            merged = True
        try:
            await db.flush()
        except IntegrityError:
            raise Conflict("This wallet is signing in somewhere else right now. Please try again.") from None
        token, expires_at = await self.sessions.rotate(
            db, principal, old_token, wallet.id, {"method": "siwe", "signature_kind": kind}, user_agent
        )
        await db.refresh(wallet)
        return SignInResult(token, expires_at, wallet, to_checksum_address(address), kind, merged, new_user)


def _bytes(signature: str) -> bytes:
    try:
        return bytes.fromhex(signature[2:])
    except ValueError:
        raise bad_signature() from None


__all__ = ["STATEMENT", "SignInFailed", "SignInResult", "WalletSignIn"]
