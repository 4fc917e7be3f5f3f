"""Is this signature the wallet's? A plain key (EOA), a deployed smart wallet (EIP-1271) or a not yet
deployed one (ERC-6492).

Order: a 6492-wrapped signature goes to the universal validator; otherwise a 65-byte signature that
ecrecovers to the address is an EOA's; anything else asks the address's contract `isValidSignature`.
An address with no code answers an empty result there, so a wrong key ends as `bad_signature` too.
"""

from __future__ import annotations

from eth_abi.abi import encode
from eth_keys.datatypes import Signature
from eth_keys.exceptions import BadSignature
from eth_utils.crypto import keccak

from eaili5.auth.erc6492 import ERC6492_MAGIC_SUFFIX, VALIDATOR_CREATION_CODE
from eaili5.auth.errors import SignInFailed
from eaili5.auth.rpc import EthRpc
from eaili5.auth.wallet_schemas import SignatureKind

EIP1271_MAGIC_VALUE = bytes.fromhex("1626ba7e")
_IS_VALID_SIGNATURE = keccak(text="isValidSignature(bytes32,bytes)")[:4]
_SECP256K1_HALF_N = 0x7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF5D576E7357A4501DDFE92F46681B20A0


def personal_sign_hash(message: str) -> bytes:
    """EIP-191 version 0x45: the hash `personal_sign` signs, and smart wallets are asked about.

    The prefix carries the message's length in bytes, in decimal ASCII (eth-account's `encode_defunct`,
    written out here so the app need not import eth-account: see pyproject.toml)."""
    body = message.encode("utf-8")
    return bytes(keccak(b"\x19Ethereum Signed Message:\n" + str(len(body)).encode("ascii") + body))


def bad_signature() -> SignInFailed:
    return SignInFailed("bad_signature", "This signature does not match the wallet in the message.")


def recover_eoa(digest: bytes, signature: bytes) -> str | None:
    """The lowercase address whose key made this 65-byte signature, or None."""
    if len(signature) != 65:
        return None
    r, s, v = signature[:32], signature[32:64], signature[64]
    v = v - 27 if v >= 27 else v
    if v not in (0, 1) or int.from_bytes(s, "big") > _SECP256K1_HALF_N:
        return None  # malleable high-s forms are refused, as ecrecover users should
    try:
        key = Signature(
            vrs=(v, int.from_bytes(r, "big"), int.from_bytes(s, "big"))
        ).recover_public_key_from_msg_hash(digest)
    except (BadSignature, ValueError):
        return None
    return str(key.to_checksum_address()).lower()


async def verify_signature(rpc: EthRpc, address: str, message: str, signature: bytes) -> SignatureKind:
    """The kind of wallet that signed, or SignInFailed('bad_signature')."""
    digest = personal_sign_hash(message)
    if signature.endswith(ERC6492_MAGIC_SUFFIX):
        if await _universal_validator_accepts(rpc, address, digest, signature):
            return "erc6492"
        raise bad_signature()
    if recover_eoa(digest, signature) == address.lower():
        return "eoa"
    if await _contract_accepts(rpc, address, digest, signature):
        return "eip1271"
    raise bad_signature()


async def _contract_accepts(rpc: EthRpc, address: str, digest: bytes, signature: bytes) -> bool:
    data = _IS_VALID_SIGNATURE + encode(["bytes32", "bytes"], [digest, signature])
    result = await rpc.call(data, to=address)
    # A bytes4 return is ABI-padded to 32 bytes; an address without code returns nothing.
    return result is not None and len(result) >= 4 and result[:4] == EIP1271_MAGIC_VALUE


async def _universal_validator_accepts(rpc: EthRpc, address: str, digest: bytes, signature: bytes) -> bool:
    args = encode(["address", "bytes32", "bytes"], [address, digest, signature])
    result = await rpc.call(VALIDATOR_CREATION_CODE + args)
    return result is not None and result[-1:] == b"\x01" and not any(result[:-1])
