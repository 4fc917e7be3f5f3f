from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import textstat

from eaili5.market.risk import EXPLANATIONS, RiskThresholds, risk_codes
from eaili5.market.schemas import PriceTick, Token
from eaili5.market.snapshot import load_snapshot_tokens
from tests.conftest import make_settings

LIMITS = RiskThresholds.from_settings(make_settings())
TODAY = date(2026, 11, 26)


def token(symbol: str) -> Token:
    return next(t for t in load_snapshot_tokens() if t.symbol == symbol)


def tick(address: str, **overrides: object) -> PriceTick:
    values: dict[str, object] = {
        "address": address,
        "price_usd": Decimal("1.0"),
        "change_24h_pct": Decimal("1"),
        "volume_24h_usd": Decimal("1000000"),
        "liquidity_usd": Decimal("5000000"),
        "as_of": datetime(2026, 11, 26, tzinfo=UTC),
        "source": "simulated",
        "transactions_24h": 5000,
    }
    values.update(overrides)
    return PriceTick.model_validate(values)


def test_a_healthy_token_has_no_flags() -> None:
    weth = token("WETH")
    assert risk_codes(weth, tick(weth.address, price_usd=Decimal("3000")), TODAY, LIMITS) == []


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"liquidity_usd": Decimal("49999")}, "low_liquidity"),
        ({"change_24h_pct": Decimal("-31")}, "extreme_move"),
        ({"change_24h_pct": Decimal("30")}, "extreme_move"),
        ({"transactions_24h": 12}, "thin_trading"),
        ({"stale": True}, "no_price"),
    ],
)
def test_each_flag_fires_on_its_threshold(overrides: dict[str, object], code: str) -> None:
    weth = token("WETH")
    assert code in risk_codes(weth, tick(weth.address, **overrides), TODAY, LIMITS)


def test_missing_price_is_flagged() -> None:
    assert risk_codes(token("WETH"), None, TODAY, LIMITS) == ["no_price"]


def test_stablecoin_off_its_peg() -> None:
    usdc = token("USDC")
    assert risk_codes(usdc, tick(usdc.address, price_usd=Decimal("0.999")), TODAY, LIMITS) == []
    assert "off_peg" in risk_codes(usdc, tick(usdc.address, price_usd=Decimal("0.97")), TODAY, LIMITS)
    weth = token("WETH")  # only stablecoins have a peg
    assert "off_peg" not in risk_codes(weth, tick(weth.address, price_usd=Decimal("0.5")), TODAY, LIMITS)


def test_new_pool() -> None:
    weth = token("WETH")
    created = weth.main_pool.created_at
    young = date.fromordinal(created.toordinal() + 3)
    assert "new_pool" in risk_codes(weth, tick(weth.address), young, LIMITS)


def test_thresholds_are_settings() -> None:
    strict = RiskThresholds.from_settings(make_settings(risk_low_liquidity_usd=10_000_000))
    weth = token("WETH")
    assert "low_liquidity" in risk_codes(weth, tick(weth.address), TODAY, strict)


@pytest.mark.parametrize("code", sorted(EXPLANATIONS))
def test_explanations_are_written_for_a_ten_year_old(code: str) -> None:
    _, title, explanation = EXPLANATIONS[code]
    assert textstat.flesch_kincaid_grade(explanation) <= 5, explanation
    assert len(explanation.split(".")) <= 4 and title
