"""Smart wallets on a real EVM: EIP-1271 (deployed) and ERC-6492 (not deployed yet), over loopback JSON-RPC."""

from __future__ import annotations

import os
from typing import Any

import httpx
import pytest
from eth_account import Account
from eth_utils.address import to_checksum_address

from tests.auth.conftest import get_nonce, personal_sign, refused, siwe_message, verify, wallet_overrides
from tests.auth.evm import Chain, wrap_6492
from tests.conftest import auth, new_guest


@pytest.fixture
def settings_overrides(rpc_url: str) -> dict[str, Any]:
    return wallet_overrides(rpc_url)


async def _sign_in_as(
    client: httpx.AsyncClient, token: str, address: str, sign: Any
) -> tuple[httpx.Response, str]:
    nonce = await get_nonce(client, token)
    message = siwe_message(to_checksum_address(address), nonce)
    return await verify(client, token, message, sign(message)), message


async def test_a_deployed_smart_wallet_signs_in_through_eip1271(
    client: httpx.AsyncClient, chain: Chain
) -> None:
    owner = Account.create()
    wallet = chain.deploy_wallet(owner.address)
    token, guest = await new_guest(client)
    response, _ = await _sign_in_as(client, token, wallet, lambda m: personal_sign(owner, m))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["signature_kind"] == "eip1271"
    assert body["address"] == to_checksum_address(wallet) and body["user"]["id"] == guest["id"]
    assert body["user"]["wallet_address"] == to_checksum_address(wallet)


async def test_a_smart_wallet_refuses_a_stranger_key(client: httpx.AsyncClient, chain: Chain) -> None:
    wallet = chain.deploy_wallet(Account.create().address)
    token, _ = await new_guest(client)
    stranger = Account.create()
    response, _ = await _sign_in_as(client, token, wallet, lambda m: personal_sign(stranger, m))
    refused(response, "bad_signature")
    assert (await client.get("/api/me", headers=auth(token))).json()["is_guest"] is True


async def test_an_undeployed_smart_wallet_signs_in_through_erc6492(
    client: httpx.AsyncClient, chain: Chain
) -> None:
    owner = Account.create()
    salt = os.urandom(32)
    wallet = chain.counterfactual_address(owner.address, salt)
    assert chain.code_at(wallet) == b""  # not deployed
    token, _ = await new_guest(client)

    def sign(message: str) -> bytes:
        return wrap_6492(chain, owner.address, salt, personal_sign(owner, message))

    response, _ = await _sign_in_as(client, token, wallet, sign)
    assert response.status_code == 200, response.text
    assert response.json()["signature_kind"] == "erc6492"
    assert response.json()["address"] == to_checksum_address(wallet)
    # The validator only simulated the deployment inside eth_call: nothing was written on chain.
    assert chain.code_at(wallet) == b""


async def test_an_erc6492_signature_by_another_key_is_refused(
    client: httpx.AsyncClient, chain: Chain
) -> None:
    owner, stranger = Account.create(), Account.create()
    salt = os.urandom(32)
    wallet = chain.counterfactual_address(owner.address, salt)
    token, _ = await new_guest(client)
    response, _ = await _sign_in_as(
        client, token, wallet, lambda m: wrap_6492(chain, owner.address, salt, personal_sign(stranger, m))
    )
    refused(response, "bad_signature")


async def test_an_erc6492_signature_for_another_wallet_is_refused(
    client: httpx.AsyncClient, chain: Chain
) -> None:
    """The factory deploys the owner's wallet, but the message claims a different address."""
    owner = Account.create()
    salt = os.urandom(32)
    other_wallet = chain.counterfactual_address(owner.address, os.urandom(32))
    token, _ = await new_guest(client)
    response, _ = await _sign_in_as(
        client, token, other_wallet, lambda m: wrap_6492(chain, owner.address, salt, personal_sign(owner, m))
    )
    refused(response, "bad_signature")


async def test_an_erc6492_signature_works_after_deployment_too(
    client: httpx.AsyncClient, chain: Chain
) -> None:
    """Wallets keep sending the wrapped form for a while after deploying; the validator unwraps it."""
    owner = Account.create()
    salt = os.urandom(32)
    wallet = chain.counterfactual_address(owner.address, salt)
    chain.transact(chain.factory, chain.factory_calldata(owner.address, salt))  # a real deployment
    assert chain.code_at(wallet) != b""
    token, _ = await new_guest(client)
    response, _ = await _sign_in_as(
        client, token, wallet, lambda m: wrap_6492(chain, owner.address, salt, personal_sign(owner, m))
    )
    assert response.status_code == 200, response.text


@pytest.mark.parametrize("settings_overrides", [wallet_overrides("http://127.0.0.1:9")])
async def test_an_unreachable_rpc_is_a_clear_502_and_changes_nothing(client: httpx.AsyncClient) -> None:
    token, _ = await new_guest(client)
    key = Account.create()
    response, message = await _sign_in_as(
        client, token, key.address, lambda m: personal_sign(Account.create(), m)
    )
    assert response.status_code == 502
    assert response.json()["error"] == "UpstreamError" and "Base network" in response.json()["detail"]
    # The nonce was not spent: the same message signed by the right key still works.
    again = await verify(client, token, message, personal_sign(key, message))
    assert again.status_code == 200, again.text
