"""Per-connection message rate limit: a token bucket kept on the connection itself.

The `limits` library's in-memory storage sweeps expired keys through a worker thread; with
thousands of sockets each pinging, that sweep showed up as 14% of the server's time in the fan-out
profile. A socket's budget is local to its connection anyway, so a bucket on the object is enough.
"""

from __future__ import annotations

import time

from limits import parse


class TokenBucket:
    def __init__(self, limit: str) -> None:
        item = parse(limit)  # "30/second", "100/minute", ... : the same syntax as every other limit
        window = item.get_expiry()
        self.capacity = float(item.amount)
        self.refill_per_second = item.amount / window
        self._tokens = self.capacity
        self._updated = time.monotonic()

    def take(self) -> bool:
        """Spend one token if there is one: True when the message is allowed."""
        now = time.monotonic()
        self._tokens = min(self.capacity, self._tokens + (now - self._updated) * self.refill_per_second)
        self._updated = now
        if self._tokens < 1.0:
            return False
        self._tokens -= 1.0
        return True
