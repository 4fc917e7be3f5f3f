"""Public names for leaderboards: never a guest's id, never a full wallet address.

Guests get a friendly nickname derived from a hash of their id ("Brave Otter 42"): stable, so a
guest keeps the same name, and not reversible to the id. Wallet users are shown as `0x1234…abcd`.
"""

from __future__ import annotations

import hashlib
import uuid
from typing import Protocol

ADJECTIVES = (
    "Brave", "Calm", "Clever", "Curious", "Daring", "Eager", "Friendly", "Gentle", "Happy", "Honest",
    "Jolly", "Kind", "Lucky", "Mighty", "Nimble", "Patient", "Plucky", "Quick", "Quiet", "Sunny",
    "Swift", "Bold", "Bright", "Cheerful", "Cosy", "Fearless", "Keen", "Merry", "Proud", "Wise",
    "Zippy", "Steady",
)  # fmt: skip
ANIMALS = (
    "Otter", "Panda", "Fox", "Owl", "Koala", "Dolphin", "Tiger", "Rabbit", "Penguin", "Turtle",
    "Badger", "Falcon", "Hedgehog", "Lion", "Llama", "Moose", "Octopus", "Parrot", "Seal", "Squirrel",
    "Whale", "Wolf", "Zebra", "Beaver", "Bison", "Crane", "Gecko", "Heron", "Lynx", "Raccoon",
    "Sparrow", "Walrus",
)  # fmt: skip


class Named(Protocol):
    @property
    def id(self) -> uuid.UUID: ...

    @property
    def wallet_address(self) -> str | None: ...


def guest_nickname(user_id: uuid.UUID) -> str:
    """A deterministic nickname such as "Brave Otter 42" (32 x 32 x 100 = 102,400 names)."""
    digest = hashlib.sha256(b"eaili5-guest-name:" + user_id.bytes).digest()
    adjective = ADJECTIVES[digest[0] % len(ADJECTIVES)]
    animal = ANIMALS[digest[1] % len(ANIMALS)]
    number = int.from_bytes(digest[2:4], "big") % 100
    return f"{adjective} {animal} {number}"


def short_address(address: str) -> str:
    """`0x1234…abcd`: enough to recognise your own wallet, not the whole address."""
    return f"{address[:6]}…{address[-4:]}"


def display_name(user: Named) -> str:
    return short_address(user.wallet_address) if user.wallet_address else guest_nickname(user.id)
