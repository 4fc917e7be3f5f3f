"""The SIWE message hash, checked against eth-account (what wallets' libraries compute), and the app's start-up
staying free of eth-account (its import costs each worker over a second of CPU)."""

from __future__ import annotations

import subprocess
import sys

import pytest
from eth_account import Account
from eth_account.messages import _hash_eip191_message, encode_defunct

from eaili5.auth.signatures import personal_sign_hash, recover_eoa

MESSAGES = [
    "",
    "localhost wants you to sign in with your Ethereum account:\n0xAbC…\n\nNonce: abc123",
    "ünïcödé → 漢字 and an emoji 🐳: more bytes than characters",
    "x" * 10_000,
]
MESSAGE_IDS = ["empty", "siwe", "multibyte", "long"]


@pytest.mark.parametrize("message", MESSAGES, ids=MESSAGE_IDS)
def test_the_hash_is_eip_191_as_eth_account_computes_it(message: str) -> None:
    assert personal_sign_hash(message) == bytes(_hash_eip191_message(encode_defunct(text=message)))


@pytest.mark.parametrize("message", MESSAGES, ids=MESSAGE_IDS)
def test_a_wallet_signature_recovers_to_its_address(message: str) -> None:
    wallet = Account.create()
    signed = wallet.sign_message(encode_defunct(text=message))
    assert recover_eoa(personal_sign_hash(message), bytes(signed.signature)) == wallet.address.lower()


def test_the_app_starts_without_importing_eth_account() -> None:
    probe = "import sys, eaili5.app; print(sorted(m for m in sys.modules if m.split('.')[0] in ('eth_account', 'py_ecc')))"
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120
    )
    assert result.stdout.strip() == "[]"
