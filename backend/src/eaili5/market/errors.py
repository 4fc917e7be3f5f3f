"""Market errors. Providers raise only these (or core errors), never a vendor's own exceptions."""

from __future__ import annotations

from eaili5.core.errors import BadRequest, NotFound, ServiceUnavailable, UpstreamError


class MarketDataUnavailable(UpstreamError):
    """Every source we asked failed or was out of budget; the detail says which and why."""

    kind = "MarketDataUnavailable"


class UnknownToken(NotFound):
    kind = "UnknownToken"

    def __init__(self, address: str) -> None:
        super().__init__(f"We do not know a Base token at {address}.")
        self.address = address


class InvalidAddress(BadRequest):
    kind = "InvalidAddress"

    def __init__(self, address: str, reason: str) -> None:
        super().__init__(f"{address!r} is not a token address: {reason}.")
        self.address = address


class TooManyTokens(BadRequest):
    """Vendors price at most 30 tokens per call; the interface keeps that contract for every provider."""

    kind = "TooManyTokens"

    def __init__(self, requested: int, limit: int) -> None:
        super().__init__(f"Ask for at most {limit} tokens per call (asked for {requested}).")


class InvalidCandleRequest(BadRequest):
    kind = "InvalidCandleRequest"


class InvalidTradesRequest(BadRequest):
    kind = "InvalidTradesRequest"


class NoTradesSource(ServiceUnavailable):
    """This deployment's market sources cannot list trades at all (a configuration, not an outage)."""

    kind = "NoTradesSource"
