"""Pricing arithmetic, checked against an independent exact-fraction reference."""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction

import pytest

from eaili5.market.snapshot import load_snapshot_tokens
from eaili5.portfolio.pricing import (
    Costs,
    PoolState,
    PricingError,
    basis_removed,
    has_too_many_decimals,
    quote_buy,
    quote_sell,
    share_of_holding,
)

NO_COSTS = Costs(gas_usd=Decimal("0"), slippage_bps=0, min_trade_usd=Decimal("1.00"))
COSTS = Costs(gas_usd=Decimal("0.01"), slippage_bps=50, min_trade_usd=Decimal("1.00"))


def snapshot_pool(symbol: str, price: str) -> PoolState:
    token = next(t for t in load_snapshot_tokens() if t.symbol == symbol)
    return PoolState(
        Decimal(price), token.main_pool.liquidity_usd, token.main_pool.fee_tier_bps, token.decimals
    )


def floor_to(value: Fraction, decimals: int) -> Decimal:
    scaled = math.floor(value * 10**decimals)
    return Decimal(scaled).scaleb(-decimals)


def reference_buy(usd: str, pool: PoolState, costs: Costs) -> Decimal:
    x_in = Fraction(usd) - Fraction(costs.gas_usd)
    a = x_in * (1 - Fraction(pool.fee_tier_bps, 10_000))
    reserve_usd = Fraction(pool.liquidity_usd) / 2
    reserve_tokens = reserve_usd / Fraction(pool.price_usd)
    return floor_to(reserve_tokens * a / (reserve_usd + a), pool.decimals)


def reference_sell(tokens: str, pool: PoolState, costs: Costs) -> Decimal:
    a = Fraction(tokens) * (1 - Fraction(pool.fee_tier_bps, 10_000))
    reserve_usd = Fraction(pool.liquidity_usd) / 2
    reserve_tokens = reserve_usd / Fraction(pool.price_usd)
    return floor_to(reserve_usd * a / (reserve_tokens + a) - Fraction(costs.gas_usd), 2)


def test_textbook_constant_product_without_costs() -> None:
    pool = PoolState(Decimal("1"), Decimal("200"), 0, 6)  # 100 USD and 100 tokens per side
    fill = quote_buy(Decimal("100.00"), pool, NO_COSTS)
    assert fill.token_amount == Decimal("50.000000")  # 100 * 100 / (100 + 100)
    assert fill.price_impact_pct == Decimal("50.000000")
    assert fill.price_impact_usd == Decimal("50.00000000")
    assert fill.pool_fee_usd == 0 and fill.fill_price == Decimal("2")


def test_buy_fee_gas_and_minimum_received() -> None:
    pool = PoolState(Decimal("1"), Decimal("200"), 30, 18)
    fill = quote_buy(Decimal("10.00"), pool, COSTS)
    assert fill.gas_usd == Decimal("0.01")
    assert fill.pool_fee_usd == Decimal("0.02997000")  # 0.3% of 9.99
    # 9.99 - 0.02997 = 9.96003 goes in; 100 * 9.96003 / 109.96003 out
    assert fill.token_amount == reference_buy("10.00", pool, COSTS)
    assert str(fill.token_amount) == "9.057864025682786736"
    # 99.5% of it, rounded down: 9.0125747055543728023...
    assert fill.minimum_received == Decimal("9.012574705554372802")
    assert fill.usd_amount == Decimal("10.00")


@pytest.mark.parametrize(
    ("symbol", "price", "usd"),
    [
        ("USDC", "1.0001", "1.00"),  # 6 decimals, tiny trade
        ("USDC", "0.9998", "99.99"),
        ("WETH", "2935.12", "1.00"),  # 18 decimals
        ("WETH", "2935.12", "100.00"),
        ("cbBTC", "87011.5", "3.33"),  # 8 decimals
        ("Mog", "0.00000030", "100.00"),  # ~333 million tokens to the wei
        ("BALD", "0.0005", "100.00"),  # a 40k pool: big impact
    ],
)
def test_buys_match_the_exact_reference(symbol: str, price: str, usd: str) -> None:
    pool = snapshot_pool(symbol, price)
    fill = quote_buy(Decimal(usd), pool, COSTS)
    assert fill.token_amount == reference_buy(usd, pool, COSTS)
    assert fill.token_amount.as_tuple().exponent >= -pool.decimals  # type: ignore[operator]
    assert fill.minimum_received <= fill.token_amount


def test_huge_memecoin_amount_keeps_every_wei() -> None:
    fill = quote_buy(Decimal("100.00"), snapshot_pool("Mog", "0.00000030"), COSTS)
    assert fill.token_amount > Decimal("329000000")
    assert len(str(fill.token_amount).split(".")[1]) == 18


@pytest.mark.parametrize(
    ("symbol", "price", "tokens"),
    [
        ("USDC", "1.0001", "1.5"),
        ("WETH", "2935.12", "0.034"),
        ("WETH", "2935.12", "0.000341"),  # about a dollar
        ("Mog", "0.00000030", "333000000.123456789012345678"),
        ("BALD", "0.0005", "200000"),
    ],
)
def test_sells_match_the_exact_reference(symbol: str, price: str, tokens: str) -> None:
    pool = snapshot_pool(symbol, price)
    fill = quote_sell(Decimal(tokens), pool, COSTS)
    assert fill.usd_amount == reference_sell(tokens, pool, COSTS)
    assert fill.usd_amount.as_tuple().exponent == -2
    assert fill.minimum_received <= fill.usd_amount


def test_sell_value_is_rounded_down_to_the_cent() -> None:
    pool = PoolState(Decimal("1"), Decimal("200"), 0, 6)
    fill = quote_sell(Decimal("3"), pool, NO_COSTS)  # 100 * 3 / 103 = 2.91262...
    assert fill.usd_amount == Decimal("2.91")
    assert fill.minimum_received == Decimal("2.91")


def test_minimum_trade_is_one_dollar() -> None:
    pool = snapshot_pool("WETH", "3000")
    with pytest.raises(PricingError) as raised:
        quote_buy(Decimal("0.99"), pool, COSTS)
    assert raised.value.code == "too_small"
    quote_buy(Decimal("1.00"), pool, COSTS)
    with pytest.raises(PricingError):
        quote_sell(Decimal("0.0003"), pool, COSTS)  # worth $0.90


def test_an_empty_pool_cannot_trade() -> None:
    with pytest.raises(PricingError) as raised:
        quote_buy(Decimal("5"), PoolState(Decimal("1"), Decimal("0"), 30, 18), COSTS)
    assert raised.value.code == "no_liquidity"


def test_bigger_trades_in_smaller_pools_move_the_price_more() -> None:
    deep = quote_buy(Decimal("100"), snapshot_pool("WETH", "3000"), COSTS)
    shallow = quote_buy(Decimal("100"), snapshot_pool("BALD", "0.0005"), COSTS)
    assert deep.price_impact_pct < Decimal("0.001") < Decimal("0.4") < shallow.price_impact_pct


def test_partial_sells_by_percentage_round_down() -> None:
    assert share_of_holding(Decimal("1.000001"), Decimal("50"), 6) == Decimal("0.500000")
    assert share_of_holding(Decimal("0.333333333333333333"), Decimal("33.3"), 18) == Decimal(
        "0.110999999999999999"
    )
    held = Decimal("123.456789")
    assert share_of_holding(held, Decimal("100"), 6) == held


def test_average_cost_basis_removed_on_sells() -> None:
    assert basis_removed(Decimal("3"), Decimal("10.00"), Decimal("1")) == Decimal("3.33333333")
    assert basis_removed(Decimal("3"), Decimal("10.00"), Decimal("3")) == Decimal("10.00")
    # Selling in three thirds removes exactly the whole basis.
    held, basis, removed = Decimal("3"), Decimal("10.00"), Decimal("0")
    for _ in range(3):
        part = basis_removed(held, basis, Decimal("1"))
        held, basis, removed = held - 1, basis - part, removed + part
    assert removed == Decimal("10.00") and basis == 0


def test_token_amount_precision_check() -> None:
    assert has_too_many_decimals(Decimal("1.0000001"), 6)
    assert not has_too_many_decimals(Decimal("1.000001"), 6)
    assert not has_too_many_decimals(Decimal("5"), 0)
