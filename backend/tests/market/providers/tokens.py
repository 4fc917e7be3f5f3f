"""Real Base tokens from the shipped snapshot, for fixtures and assertions."""

from __future__ import annotations

from eaili5.market.snapshot import load_snapshot_tokens

TOKENS = load_snapshot_tokens()
BY_SYMBOL = {token.symbol: token for token in TOKENS}
WETH = BY_SYMBOL["WETH"].address
USDC = BY_SYMBOL["USDC"].address
AERO = BY_SYMBOL["AERO"].address
BRETT = BY_SYMBOL["BRETT"].address
DEGEN = BY_SYMBOL["DEGEN"].address
TOSHI = BY_SYMBOL["TOSHI"].address
CBETH = BY_SYMBOL["cbETH"].address
NOT_LISTED = "0x000000000000000000000000000000000000dEaD"
