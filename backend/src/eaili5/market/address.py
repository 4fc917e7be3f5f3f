"""Ethereum addresses: shape checks and EIP-55 checksums.

Keccak-256 and the EIP-55 spelling come from `eth-utils` (installed with `eth-account`, which wallet
sign-in needs anyway); this module keeps the small, strict API the rest of the code uses.
"""

from __future__ import annotations

import re
from functools import lru_cache

from eth_utils.address import to_checksum_address as _eth_checksum
from eth_utils.crypto import keccak

_HEX_ADDRESS = re.compile(r"^0x[0-9a-fA-F]{40}$")


def keccak256(data: bytes) -> bytes:
    return bytes(keccak(data))


def is_hex_address(value: str) -> bool:
    """`0x` followed by 40 hex digits, any case."""
    return bool(_HEX_ADDRESS.match(value))


@lru_cache(maxsize=4096)
def to_checksum_address(value: str) -> str:
    """The EIP-55 spelling of a hex address. Raises ValueError for anything that is not one.

    Stricter than eth-utils, which also accepts 20 raw bytes or a hex string without `0x`.
    """
    if not is_hex_address(value):
        raise ValueError("an address is 0x followed by 40 hexadecimal characters")
    return str(_eth_checksum(value))


def is_checksum_address(value: str) -> bool:
    """True when `value` is spelled exactly as EIP-55 says (all-lower or all-upper do not count)."""
    return is_hex_address(value) and to_checksum_address(value) == value
