"""The shipped token snapshot: real Base tokens, every fact sourced, every guess labelled."""

from __future__ import annotations

import json
from decimal import Decimal
from importlib import resources
from typing import Any, get_args

import pytest

from eaili5.market.address import is_checksum_address, keccak256, to_checksum_address
from eaili5.market.schemas import VolatilityClass
from eaili5.market.snapshot import load_snapshot_tokens


def _raw_document() -> dict[str, Any]:
    text = resources.files("eaili5.content").joinpath("tokens", "base-tokens.json").read_text("utf-8")
    document: dict[str, Any] = json.loads(text)
    return document


def test_keccak_and_eip55_match_the_published_vectors() -> None:
    assert keccak256(b"").hex() == "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"
    for spelled in (
        "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
        "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
    ):
        assert to_checksum_address(spelled.lower()) == spelled
        assert is_checksum_address(spelled)
    assert not is_checksum_address("0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed")


def test_snapshot_has_at_least_40_tokens_with_unique_checksummed_addresses() -> None:
    tokens = load_snapshot_tokens()
    assert len(tokens) >= 40
    addresses = [token.address for token in tokens]
    assert len({address.lower() for address in addresses}) == len(addresses)
    for token in tokens:
        assert is_checksum_address(token.address), token.symbol
        if token.main_pool.address is not None:
            assert is_checksum_address(token.main_pool.address), token.symbol


def test_every_token_is_well_formed_and_sourced() -> None:
    classes = set(get_args(VolatilityClass))
    for token in load_snapshot_tokens():
        assert isinstance(token.decimals, int) and 0 <= token.decimals <= 18
        assert token.sources, token.symbol
        assert token.volatility_class in classes
        assert isinstance(token.reference_price_usd, Decimal) and token.reference_price_usd > 0
        assert 0 <= token.main_pool.fee_tier_bps <= 10_000


def test_every_class_is_represented() -> None:
    present = {token.volatility_class for token in load_snapshot_tokens()}
    assert present == set(get_args(VolatilityClass))


def test_facts_and_placeholders_are_told_apart() -> None:
    for token in load_snapshot_tokens():
        if not token.price_is_placeholder:
            assert token.price_source and token.price_date, token.symbol
        if token.main_pool.address is None:
            assert token.main_pool.is_placeholder, f"{token.symbol}: an unknown pool must be marked"
    note = _raw_document()["note"]
    assert "sources" in note and "placeholder" in note


@pytest.mark.parametrize("field", ["address", "symbol", "decimals", "sources", "main_pool"])
def test_raw_entries_carry_the_required_fields(field: str) -> None:
    for raw in _raw_document()["tokens"]:
        assert field in raw, raw.get("symbol")
