"""The private realtime channel of a user's portfolio (see docs/websocket.md)."""

from __future__ import annotations


def portfolio_channel(user_id: object) -> str:
    return f"portfolio:{user_id}"
