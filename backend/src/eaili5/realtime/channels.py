"""Channel names and who may subscribe to them.

Public channels anyone may join; private channels only their owner. Later features add
channels here (prices, a token's ticks, a conversation's stream).
"""

from __future__ import annotations

import re

from eaili5.auth.service import Principal

PUBLIC_CHANNELS = frozenset({"system", "prices"})
# Private channels are "<kind>:<user id>" and only that user may join them.
PRIVATE_KINDS = frozenset({"user", "portfolio"})
_TOKEN_ADDRESS = re.compile(r"^0x[0-9a-f]{40}$")
_VALID_NAME = re.compile(r"^[a-z][a-z0-9_-]{0,31}(:[A-Za-z0-9_.-]{1,80})?$")


def authorization_error(channel: str, principal: Principal) -> tuple[str, str] | None:
    """None when `principal` may subscribe to `channel`; otherwise (code, human-readable reason)."""
    if not _VALID_NAME.match(channel):
        return (
            "bad_channel",
            "Channel names look like 'system', 'prices', 'token:<address>' or 'user:<your user id>'.",
        )
    if channel in PUBLIC_CHANNELS:
        return None
    kind, _, owner = channel.partition(":")
    if kind == "token":
        if _TOKEN_ADDRESS.match(owner):
            return None
        return "bad_channel", "Token channels look like 'token:0x' + 40 lowercase hex characters."
    if kind in PRIVATE_KINDS:
        if owner == str(principal.user_id):
            return None
        return "forbidden", "You can only subscribe to your own private channels."
    return "unknown_channel", f"There is no channel called {channel!r}."
