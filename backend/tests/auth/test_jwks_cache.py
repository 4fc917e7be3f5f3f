"""The Quick Auth key cache against a real loopback JWKS: TTL, one refetch per unknown key id (throttled),
old keys kept through an issuer outage, and unusable keys skipped. A settable clock replaces waiting."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from eaili5.auth.errors import JwksUnreachable, SignInFailed
from eaili5.auth.quick_auth import JwksCache
from tests.auth.quick_auth_server import JwksServer, SigningKey, closed_port_url


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def first() -> SigningKey:
    return SigningKey.ed25519("key-1")


@pytest.fixture
def server(first: SigningKey) -> Iterator[JwksServer]:
    with JwksServer([first]) as running:
        yield running


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient() as client:
        yield client


def _cache(http: httpx.AsyncClient, url: str, clock: Clock, min_refetch: float = 30.0) -> JwksCache:
    return JwksCache(
        http, url, ttl_seconds=600, min_refetch_seconds=min_refetch, timeout_seconds=2, clock=clock
    )


async def test_keys_are_fetched_once_per_ttl(server: JwksServer, http: httpx.AsyncClient) -> None:
    clock = Clock()
    cache = _cache(http, server.url, clock)
    assert (await cache.key("key-1", "EdDSA")).algorithm_name == "EdDSA"
    clock.now += 599
    await cache.key("key-1", "EdDSA")
    assert server.hits == 1
    clock.now += 1
    await cache.key("key-1", "EdDSA")
    assert server.hits == 2


async def test_an_unknown_key_id_refetches_once_then_finds_the_rotated_key(
    server: JwksServer, http: httpx.AsyncClient, first: SigningKey
) -> None:
    clock = Clock()
    cache = _cache(http, server.url, clock)
    await cache.key("key-1", "EdDSA")
    rotated = SigningKey.es256("key-2")
    server.publish(first, rotated)
    clock.now += 31  # past the refetch pause, well inside the TTL
    assert (await cache.key("key-2", "ES256")).algorithm_name == "ES256"
    assert server.hits == 2
    clock.now += 31
    with pytest.raises(SignInFailed) as refused:
        await cache.key("never-published", "EdDSA")
    assert refused.value.reason == "unknown_key"
    assert server.hits == 3  # exactly one refetch for it


async def test_unknown_key_ids_cannot_hammer_the_issuer(server: JwksServer, http: httpx.AsyncClient) -> None:
    clock = Clock()
    cache = _cache(http, server.url, clock)
    await cache.key("key-1", "EdDSA")
    for attempt in range(5):
        with pytest.raises(SignInFailed):
            await cache.key(f"forged-{attempt}", "EdDSA")
    assert server.hits == 1  # inside the 30 s pause: no refetch at all


async def test_an_issuer_outage_keeps_the_keys_we_had(server: JwksServer, http: httpx.AsyncClient) -> None:
    clock = Clock()
    cache = _cache(http, server.url, clock)
    await cache.key("key-1", "EdDSA")
    server.state.status = 503
    clock.now += 600
    assert (await cache.key("key-1", "EdDSA")).algorithm_name == "EdDSA"
    assert server.hits == 2
    clock.now += 31  # tried again after the refetch pause, not a whole TTL later
    await cache.key("key-1", "EdDSA")
    assert server.hits == 3


async def test_unreachable_without_keys_is_jwks_unreachable(http: httpx.AsyncClient) -> None:
    cache = _cache(http, closed_port_url(), Clock())
    with pytest.raises(JwksUnreachable):
        await cache.key("key-1", "EdDSA")


async def test_symmetric_and_broken_keys_are_never_used(server: JwksServer, http: httpx.AsyncClient) -> None:
    hmac_key = SigningKey("hmac", "HS256", None)
    hmac_key.public_jwk = lambda: {  # type: ignore[method-assign]
        "kty": "oct", "k": "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldA", "kid": "hmac", "alg": "HS256"
    }  # fmt: skip
    broken = SigningKey("broken", "EdDSA", None)
    broken.public_jwk = lambda: {"kty": "OKP", "crv": "X448", "x": "AA", "kid": "broken"}  # type: ignore[method-assign]
    server.publish(hmac_key, broken)
    cache = _cache(http, server.url, Clock())
    with pytest.raises(JwksUnreachable):  # nothing usable is as good as nothing published
        await cache.key("hmac", "HS256")


async def test_a_token_without_key_id_needs_exactly_one_fitting_key(
    server: JwksServer, http: httpx.AsyncClient, first: SigningKey
) -> None:
    clock = Clock()
    cache = _cache(http, server.url, clock, min_refetch=0)
    assert (await cache.key(None, "EdDSA")).algorithm_name == "EdDSA"
    server.publish(first, SigningKey.ed25519("key-3"))
    clock.now += 600
    with pytest.raises(SignInFailed) as refused:
        await cache.key(None, "EdDSA")  # two candidates: which one is unknowable
    assert refused.value.reason == "unknown_key"
