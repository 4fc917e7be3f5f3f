"""Helpers for the infrastructure tests: repository paths, required tools, free ports, a live backend."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any

import httpx
import pytest

REPO = Path(__file__).resolve().parents[3]
INFRA = REPO / "infra"
TERRAFORM = INFRA / "terraform"
INFRA_BIN = INFRA / ".venv" / "bin"
HCL2_PYTHON = INFRA / ".venv-hcl2" / "bin" / "python"
FRONTEND = REPO / "frontend"
BACKEND_BIN = Path(sys.executable).parent
IN_CI = os.environ.get("CI") == "true"

# Settings that would switch a local server onto production services.
_PRODUCTION_ENV = (
    "DATABASE_URL",
    "REDIS_URL",
    "OPENAI_API_KEY",
    "TAVILY_API_KEY",
    "PORT",
    "EAILI5_ENVIRONMENT",
)


def require(path: Path | str | None, why: str, ci_installs_it: bool = True) -> Path:
    """The tool at `path`; skipped with `why` on a laptop without it, a failure in CI (which installs it).

    `ci_installs_it=False` is for a tool no package registry we reach carries (terraform): it is used
    where the machine has it and skipped with the reason elsewhere, CI included.
    """
    if path is not None and Path(path).exists():
        return Path(path)
    if not ci_installs_it:
        pytest.skip(f"{why} (no package registry reachable here carries it)")
    message = f"{why} (run `make infra-tools`, or install it; CI installs it)"
    if IN_CI:
        pytest.fail(message)
    pytest.skip(message)


def which(name: str) -> Path | None:
    found = shutil.which(name) or shutil.which(name, path="/usr/sbin:/usr/local/bin:/usr/bin")
    return Path(found) if found else None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_http(url: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            httpx.get(url, timeout=2).raise_for_status()
            return
        except httpx.HTTPError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def clean_env(**values: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _PRODUCTION_ENV}
    env.update(values)
    return env


def migrate(env: dict[str, str]) -> None:
    subprocess.run(
        [str(BACKEND_BIN / "eaili5"), "migrate"], env=env, check=True, capture_output=True, timeout=120
    )


@contextmanager
def backend_server(env: dict[str, str], log: Path) -> Iterator[str]:
    """`eaili5 serve` exactly as the image runs it (port from $PORT); yields its origin."""
    port = free_port()
    server_env = {**env, "PORT": str(port), "EAILI5_LOG_LEVEL": "WARNING"}
    with log.open("wb") as out:
        process = subprocess.Popen(
            [str(BACKEND_BIN / "eaili5"), "serve", "--host", "127.0.0.1"],
            env=server_env,
            stdout=out,
            stderr=out,
        )
        origin = f"http://127.0.0.1:{port}"
        try:
            try:
                wait_http(f"{origin}/readyz", timeout=120)  # start-up is slow on a busy 2-core machine
            except Exception:
                process.terminate()
                process.wait(timeout=10)
                raise AssertionError(f"backend did not start:\n{log.read_text()}") from None
            yield origin
        finally:
            process.terminate()
            process.wait(timeout=20)


def http(
    method: str, url: str, body: Any = None, token: str | None = None, headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], bytes]:
    """One request; returns status, headers (lower-case names) and the body (decompressed), errors included."""
    all_headers = dict(headers or {})
    if token:
        all_headers["authorization"] = f"Bearer {token}"
    response = httpx.request(method, url, json=body, headers=all_headers, timeout=20)
    return response.status_code, {k.lower(): v for k, v in response.headers.items()}, response.content


@cache
def terraform_files() -> dict[str, Any]:
    """Every .tf file under infra/terraform parsed by python-hcl2 (in its own venv, see Makefile)."""
    python = require(HCL2_PYTHON, "python-hcl2 is not installed in infra/.venv-hcl2")
    result = subprocess.run(
        [str(python), str(INFRA / "tools" / "hcl2json.py"), str(TERRAFORM)],
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    )
    parsed: dict[str, Any] = json.loads(result.stdout)
    return parsed
