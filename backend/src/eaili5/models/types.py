"""Exact decimal columns on both backends.

PostgreSQL's NUMERIC is exact. SQLite's NUMERIC affinity keeps only 15 significant digits (it turns
values into floats), which would silently change an 18-decimal token amount. So on SQLite the value
is stored as canonical text, quantized to the column's scale: equality (compare-and-swap updates) stays
exact, and `x >= 0` checks still work (a negative canonical string sorts before '0'). Arithmetic and
sums are done in Python with `Decimal`, never in SQL.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from sqlalchemy import Dialect, Numeric, String, TypeDecorator
from sqlalchemy.types import TypeEngine


class ExactDecimal(TypeDecorator[Decimal]):
    impl = Numeric
    cache_ok = True

    def __init__(self, precision: int, scale: int) -> None:
        super().__init__(precision=precision, scale=scale, asdecimal=True)
        self.precision = precision
        self.scale = scale
        self._quantum = Decimal(1).scaleb(-scale)

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(String(self.precision + 2))
        return dialect.type_descriptor(Numeric(self.precision, self.scale, asdecimal=True))

    def _exact(self, value: Decimal) -> Decimal:
        # Callers quantize with the rounding their rule needs; this only normalises the scale.
        return Decimal(value).quantize(self._quantum, rounding=ROUND_HALF_EVEN)

    def process_bind_param(self, value: Decimal | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        exact = self._exact(value)
        return format(exact, "f") if dialect.name == "sqlite" else exact

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        return None if value is None else self._exact(Decimal(str(value)))
