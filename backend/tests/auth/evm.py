"""A real in-process EVM (eth-tester + py-evm) served as Ethereum JSON-RPC on 127.0.0.1.

The app under test reaches it exactly as it reaches Base: `eth_call` over HTTP. The smart wallet and its
CREATE2 factory are compiled from `contracts/*.vy` with vyper at setup, so the EIP-1271 and ERC-6492
paths run against real bytecode, including the ERC-6492 universal validator's deployless call.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import vyper
from eth_abi.abi import encode
from eth_account import Account
from eth_tester import EthereumTester, PyEVMBackend
from eth_tester.exceptions import TransactionFailed
from eth_utils.address import to_checksum_address
from eth_utils.crypto import keccak

from eaili5.auth.erc6492 import ERC6492_MAGIC_SUFFIX

CONTRACTS = Path(__file__).parent / "contracts"
_DEPLOY = keccak(text="deploy(address,bytes32)")[:4]


def compile_contracts() -> tuple[str, str, str]:
    """(wallet blueprint bytecode, wallet runtime-deploy bytecode, factory bytecode)."""
    wallet = vyper.compile_code(
        (CONTRACTS / "smart_wallet.vy").read_text(), output_formats=["bytecode", "blueprint_bytecode"]
    )
    factory = vyper.compile_code((CONTRACTS / "wallet_factory.vy").read_text(), output_formats=["bytecode"])
    return wallet["blueprint_bytecode"], wallet["bytecode"], factory["bytecode"]


@dataclass
class Chain:
    tester: EthereumTester
    funder: str
    factory: str = ""
    wallet_bytecode: str = ""
    calls: list[dict[str, Any]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def deploy(self, bytecode: str) -> str:
        with self.lock:
            tx = self.tester.send_transaction({"from": self.funder, "data": bytecode, "gas": 3_000_000})
            return str(self.tester.get_transaction_receipt(tx)["contract_address"])

    def transact(self, to: str, data: bytes) -> None:
        with self.lock:
            tx = {"from": self.funder, "to": to, "data": "0x" + data.hex(), "gas": 3_000_000}
            receipt = self.tester.get_transaction_receipt(self.tester.send_transaction(tx))
        assert receipt["status"] == 1

    def deploy_wallet(self, owner: str) -> str:
        return self.deploy(self.wallet_bytecode + encode(["address"], [owner]).hex())

    def factory_calldata(self, owner: str, salt: bytes) -> bytes:
        return _DEPLOY + encode(["address", "bytes32"], [owner, salt])

    def counterfactual_address(self, owner: str, salt: bytes) -> str:
        """Where the factory would deploy this wallet (asked by simulating the deploy)."""
        result = self.eth_call({"to": self.factory, "data": "0x" + self.factory_calldata(owner, salt).hex()})
        return str(to_checksum_address("0x" + result[-40:]))

    def code_at(self, address: str) -> bytes:
        with self.lock:
            code = str(self.tester.get_code(to_checksum_address(address)))
        return bytes.fromhex(code.removeprefix("0x"))

    def eth_call(self, call: dict[str, Any]) -> str:
        with self.lock:
            self.calls.append(call)
            return str(self.tester.call({"from": self.funder, **call}, "latest"))


def wrap_6492(chain: Chain, owner: str, salt: bytes, inner_signature: bytes) -> bytes:
    """An ERC-6492 signature: abi.encode(factory, factoryCalldata, signature) ++ magic suffix."""
    wrapped = encode(
        ["address", "bytes", "bytes"], [chain.factory, chain.factory_calldata(owner, salt), inner_signature]
    )
    return wrapped + ERC6492_MAGIC_SUFFIX


def start_chain() -> Chain:
    blueprint_code, wallet_code, factory_code = compile_contracts()
    tester = EthereumTester(PyEVMBackend())
    chain = Chain(tester, tester.get_accounts()[0], wallet_bytecode=wallet_code)
    blueprint = chain.deploy(blueprint_code)
    chain.factory = chain.deploy(factory_code + encode(["address"], [blueprint]).hex())
    return chain


class _RpcHandler(BaseHTTPRequestHandler):
    chain: Chain

    def do_POST(self) -> None:
        request = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        reply = {"jsonrpc": "2.0", "id": request.get("id")}
        if request.get("method") != "eth_call":
            reply["error"] = {"code": -32601, "message": "the method does not exist"}
        else:
            try:
                reply["result"] = self.chain.eth_call(request["params"][0])
            except TransactionFailed:
                reply["error"] = {"code": 3, "message": "execution reverted"}
        body = json.dumps(reply).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_: Any) -> None:
        pass


class RpcServer:
    """JSON-RPC over HTTP on a free loopback port, in a thread (eth-tester is synchronous)."""

    def __init__(self, chain: Chain) -> None:
        handler = type("Handler", (_RpcHandler,), {"chain": chain})
        self.server = HTTPServer(("127.0.0.1", 0), handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> RpcServer:
        self.thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def new_key() -> Any:
    return Account.create()
