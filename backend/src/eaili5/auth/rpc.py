"""A tiny Ethereum JSON-RPC client: only `eth_call`, which smart-wallet sign-in needs.

Vendor failures (unreachable node, timeout, non-JSON, JSON-RPC error objects other than a revert) become
our UpstreamError with a message a person can act on. A revert is an answer, not a failure: it means
"this contract does not accept the signature", so it is returned as None.
"""

from __future__ import annotations

import itertools
import logging
from typing import Any

import httpx

from eaili5.core.errors import UpstreamError

logger = logging.getLogger(__name__)
_ids = itertools.count(1)
_UNREACHABLE = (
    "We could not reach the Base network to check this smart-wallet signature. Please try again in a moment."
)


class EthRpc:
    def __init__(self, http: httpx.AsyncClient, url: str, timeout_seconds: float) -> None:
        self.http = http
        self.url = url
        self.timeout = timeout_seconds

    async def call(self, data: bytes, to: str | None = None) -> bytes | None:
        """`eth_call` at the latest block; None when the call reverted."""
        call: dict[str, str] = {"data": "0x" + data.hex()}
        if to is not None:
            call["to"] = to
        reply = await self._request("eth_call", [call, "latest"])
        if "error" in reply:
            if _is_revert(reply["error"]):
                return None
            logger.warning("eth_call failed: %s", str(reply["error"])[:200])
            raise UpstreamError(_UNREACHABLE)
        result = reply.get("result")
        if not isinstance(result, str) or not result.startswith("0x"):
            raise UpstreamError(_UNREACHABLE)
        try:
            return bytes.fromhex(result[2:])
        except ValueError:
            raise UpstreamError(_UNREACHABLE) from None

    async def _request(self, method: str, params: list[Any]) -> dict[str, Any]:
        body = {"jsonrpc": "2.0", "id": next(_ids), "method": method, "params": params}
        try:
            response = await self.http.post(self.url, json=body, timeout=self.timeout)
        except httpx.HTTPError as exc:
            logger.warning("Base RPC unreachable: %s", type(exc).__name__)
            raise UpstreamError(_UNREACHABLE) from None
        try:
            payload = response.json()
        except ValueError:
            payload = None
        if not isinstance(payload, dict):
            logger.warning("Base RPC answered %s without a JSON-RPC body", response.status_code)
            raise UpstreamError(_UNREACHABLE)
        return payload


def _is_revert(error: Any) -> bool:
    """Nodes say "execution reverted" (code 3 or -32000); anything else is the node's own trouble."""
    if not isinstance(error, dict):
        return False
    message = str(error.get("message", "")).lower()
    return error.get("code") == 3 or "revert" in message
