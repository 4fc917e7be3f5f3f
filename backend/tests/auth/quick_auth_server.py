"""A loopback Farcaster Quick Auth issuer: its JWKS over real HTTP, and tokens signed with keys made here.

The JWKS document is what `https://auth.farcaster.xyz/.well-known/jwks.json` serves: `{"keys": [JWK, ...]}`
with `kid`, `kty`, `alg` and the public key members; tokens carry `iss`, `aud` (our domain), `sub` (the FID
as a JSON number), `iat` and `exp` (one hour), signed by a published key and naming it by `kid`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from jwt.algorithms import ECAlgorithm, OKPAlgorithm

ISSUER = "https://auth.farcaster.xyz"
AUDIENCE = "127.0.0.1:8000"  # the host of the test settings' public URL


@dataclass
class SigningKey:
    kid: str
    algorithm: str
    private: Any

    @classmethod
    def ed25519(cls, kid: str) -> SigningKey:
        return cls(kid, "EdDSA", ed25519.Ed25519PrivateKey.generate())

    @classmethod
    def es256(cls, kid: str) -> SigningKey:
        return cls(kid, "ES256", ec.generate_private_key(ec.SECP256R1()))

    def public_jwk(self) -> dict[str, Any]:
        codec = OKPAlgorithm if self.algorithm == "EdDSA" else ECAlgorithm
        jwk: dict[str, Any] = codec.to_jwk(self.private.public_key(), as_dict=True)  # type: ignore[attr-defined]
        return {**jwk, "kid": self.kid, "alg": self.algorithm, "use": "sig"}

    def token(
        self, fid: Any = 6841, *, kid: str | None = None, without_kid: bool = False, **claims: Any
    ) -> str:
        """A Quick Auth JWT naming this key (or `kid`); `claims` override or (with None) drop standard ones."""
        payload = {**standard_claims(fid), **claims}
        payload = {key: value for key, value in payload.items() if value is not None}
        headers = {} if without_kid else {"kid": kid or self.kid}
        return jwt.encode(payload, self.private, algorithm=self.algorithm, headers=headers)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unsigned_token(header: dict[str, Any], payload: dict[str, Any], hmac_secret: bytes | None = None) -> str:
    """A token PyJWT would refuse to make: `alg: none`, or HS256 keyed with a public key's bytes."""
    signing_input = f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(payload).encode())}"
    if hmac_secret is None:
        return signing_input + "."
    mac = hmac.new(hmac_secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{_b64(mac)}"


def standard_claims(fid: Any = 6841) -> dict[str, Any]:
    now = int(time.time())
    return {"iss": ISSUER, "aud": AUDIENCE, "sub": fid, "iat": now, "exp": now + 3600}


@dataclass
class JwksState:
    keys: list[SigningKey]
    status: int = 200
    hits: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


class _Handler(BaseHTTPRequestHandler):
    state: JwksState

    def do_GET(self) -> None:
        with self.state.lock:
            self.state.hits += 1
            status = self.state.status
            document = {"keys": [key.public_jwk() for key in self.state.keys]}
        body = json.dumps(document if status == 200 else {"error": "unavailable"}).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_: Any) -> None:
        pass


class JwksServer:
    """Serves `/.well-known/jwks.json` on a free loopback port, from a thread."""

    def __init__(self, keys: list[SigningKey]) -> None:
        self.state = JwksState(list(keys))
        handler = type("Handler", (_Handler,), {"state": self.state})
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/.well-known/jwks.json"

    def publish(self, *keys: SigningKey) -> None:
        with self.state.lock:
            self.state.keys = list(keys)

    @property
    def hits(self) -> int:
        with self.state.lock:
            return self.state.hits

    def __enter__(self) -> JwksServer:
        self.thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def closed_port_url() -> str:
    """A loopback URL nothing listens on (the port was just free): connecting is refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/.well-known/jwks.json"
