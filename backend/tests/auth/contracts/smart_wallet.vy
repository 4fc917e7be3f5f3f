#pragma version ^0.4.0
"""A minimal smart wallet for sign-in tests: one owner key; EIP-1271 says yes to the owner's signatures."""

EIP1271_MAGIC_VALUE: constant(bytes4) = 0x1626ba7e
INVALID: constant(bytes4) = 0xffffffff

owner: public(address)


@deploy
def __init__(owner: address):
    self.owner = owner


@external
@view
def isValidSignature(hash: bytes32, signature: Bytes[65]) -> bytes4:
    if len(signature) != 65:
        return INVALID
    r: uint256 = convert(slice(signature, 0, 32), uint256)
    s: uint256 = convert(slice(signature, 32, 32), uint256)
    v: uint256 = convert(slice(signature, 64, 1), uint256)
    if ecrecover(hash, v, r, s) == self.owner:
        return EIP1271_MAGIC_VALUE
    return INVALID
