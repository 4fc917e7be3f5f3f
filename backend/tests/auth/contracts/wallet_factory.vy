#pragma version ^0.4.0
"""Deploys smart wallets at counterfactual (CREATE2) addresses, as ERC-6492 factories do."""

blueprint: public(address)


@deploy
def __init__(blueprint: address):
    self.blueprint = blueprint


@external
def deploy(owner: address, salt: bytes32) -> address:
    return create_from_blueprint(self.blueprint, owner, salt=salt)
