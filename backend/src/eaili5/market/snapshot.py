"""The shipped snapshot of real Base tokens (content/tokens/base-tokens.json)."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources

from eaili5.market.schemas import Token

SNAPSHOT_RESOURCE = ("tokens", "base-tokens.json")


@cache
def load_snapshot_tokens() -> tuple[Token, ...]:
    """Parsed and validated once per process; tokens are frozen, so sharing them is safe."""
    path = resources.files("eaili5.content").joinpath(*SNAPSHOT_RESOURCE)
    document = json.loads(path.read_text(encoding="utf-8"))
    return tuple(Token.model_validate(raw) for raw in document["tokens"])
