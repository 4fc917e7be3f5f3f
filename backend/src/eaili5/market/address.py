"""Ethereum addresses: shape checks and EIP-55 checksums.

EIP-55 needs Keccak-256 (the pre-standard SHA-3 padding), which `hashlib` does not offer, so a small
pure-Python Keccak lives here rather than a new dependency. It hashes 40-byte inputs only, a few
hundred microseconds each: fine for validating addresses, not for bulk hashing.
"""

from __future__ import annotations

import re
from functools import lru_cache

_HEX_ADDRESS = re.compile(r"^0x[0-9a-fA-F]{40}$")
_MASK64 = (1 << 64) - 1
_ROUND_CONSTANTS = (
    0x0000000000000001, 0x0000000000008082, 0x800000000000808A, 0x8000000080008000,
    0x000000000000808B, 0x0000000080000001, 0x8000000080008081, 0x8000000000008009,
    0x000000000000008A, 0x0000000000000088, 0x0000000080008009, 0x000000008000000A,
    0x000000008000808B, 0x800000000000008B, 0x8000000000008089, 0x8000000000008003,
    0x8000000000008002, 0x8000000000000080, 0x000000000000800A, 0x800000008000000A,
    0x8000000080008081, 0x8000000000008080, 0x0000000080000001, 0x8000000080008008,
)  # fmt: skip
_ROTATIONS = (
    (0, 36, 3, 41, 18),
    (1, 44, 10, 45, 2),
    (62, 6, 43, 15, 61),
    (28, 55, 25, 21, 56),
    (27, 20, 39, 8, 14),
)
_RATE_BYTES = 136  # Keccak-256: 1088-bit rate


def _rotl(value: int, shift: int) -> int:
    return ((value << shift) | (value >> (64 - shift))) & _MASK64 if shift else value


def _keccak_f(lanes: list[list[int]]) -> None:
    for round_constant in _ROUND_CONSTANTS:
        columns = [lanes[x][0] ^ lanes[x][1] ^ lanes[x][2] ^ lanes[x][3] ^ lanes[x][4] for x in range(5)]
        for x in range(5):
            mix = columns[(x - 1) % 5] ^ _rotl(columns[(x + 1) % 5], 1)
            for y in range(5):
                lanes[x][y] ^= mix
        moved = [[0] * 5 for _ in range(5)]
        for x in range(5):
            for y in range(5):
                moved[y][(2 * x + 3 * y) % 5] = _rotl(lanes[x][y], _ROTATIONS[x][y])
        for x in range(5):
            for y in range(5):
                lanes[x][y] = moved[x][y] ^ (~moved[(x + 1) % 5][y] & moved[(x + 2) % 5][y])
        lanes[0][0] ^= round_constant


def keccak256(data: bytes) -> bytes:
    padded = bytearray(data) + b"\x01" + b"\x00" * (-(len(data) + 1) % _RATE_BYTES)
    padded[-1] |= 0x80
    lanes = [[0] * 5 for _ in range(5)]
    for start in range(0, len(padded), _RATE_BYTES):
        block = padded[start : start + _RATE_BYTES]
        for i in range(_RATE_BYTES // 8):
            lanes[i % 5][i // 5] ^= int.from_bytes(block[8 * i : 8 * i + 8], "little")
        _keccak_f(lanes)
    return b"".join(lanes[i % 5][i // 5].to_bytes(8, "little") for i in range(4))


def is_hex_address(value: str) -> bool:
    """`0x` followed by 40 hex digits, any case."""
    return bool(_HEX_ADDRESS.match(value))


@lru_cache(maxsize=4096)
def to_checksum_address(value: str) -> str:
    """The EIP-55 spelling of a hex address. Raises ValueError for anything that is not one."""
    if not is_hex_address(value):
        raise ValueError("an address is 0x followed by 40 hexadecimal characters")
    lower = value[2:].lower()
    digest = keccak256(lower.encode("ascii")).hex()
    return "0x" + "".join(
        c.upper() if int(d, 16) >= 8 else c for c, d in zip(lower, digest[:40], strict=True)
    )


def is_checksum_address(value: str) -> bool:
    """True when `value` is spelled exactly as EIP-55 says (all-lower or all-upper do not count)."""
    return is_hex_address(value) and to_checksum_address(value) == value
