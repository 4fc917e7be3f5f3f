"""frontend/nginx.conf for real: Debian's nginx serves the production build with the runtime files the
image's entrypoint writes, next to a live backend on another origin (as base. and base-api. in Google Cloud).
"""

from __future__ import annotations

import base64
import html
import json
import os
import re
import shutil
import struct
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from eaili5.auth.manifest import embed as backend_embed
from eaili5.core.settings import load_settings
from tests.infra.support import (
    FRONTEND,
    IN_CI,
    backend_server,
    clean_env,
    free_port,
    http,
    migrate,
    require,
    wait_http,
    which,
)

DIST = FRONTEND / "dist"
# A Farcaster account association for this test's host, 127.0.0.1 (the backend checks the domain).
ASSOCIATION = {
    "header": "eyJmaWQiOjEyMzQsInR5cGUiOiJjdXN0b2R5In0",
    "payload": base64.urlsafe_b64encode(b'{"domain":"127.0.0.1"}').decode().rstrip("="),
    "signature": "c2lnbmF0dXJl",
}
IMMUTABLE = "public, max-age=31536000, immutable"


@dataclass
class Site:
    origin: str
    api_origin: str
    runtime: Path
    html: Path  # the copy nginx serves (a concurrent `npm run build` may be rewriting dist/)


def _site_config(runtime: Path, html: Path, port: int) -> str:
    """nginx.conf as shipped, with only the port and the two image paths pointed at this test's files."""
    config = (FRONTEND / "nginx.conf").read_text()
    for shipped, here in (
        ("listen 80 default_server;", f"listen 127.0.0.1:{port} default_server;"),
        ("root /usr/share/nginx/html;", f"root {html};"),
        ("/var/lib/eaili5-web", str(runtime)),
    ):
        assert shipped in config, f"nginx.conf no longer contains {shipped!r}: update this test"
        config = config.replace(shipped, here)
    return config


def _main_config(tmp: Path, site: Path) -> str:
    """What the nginx image's /etc/nginx/nginx.conf provides around conf.d/default.conf."""
    temp = {name: tmp / name for name in ("body", "proxy", "fastcgi", "uwsgi", "scgi")}
    for path in temp.values():
        path.mkdir()
    user = "user root;\n" if os.geteuid() == 0 else ""  # workers must read pytest's private tmp dir
    return (
        f"{user}daemon off;\nworker_processes 1;\npid {tmp}/nginx.pid;\nerror_log {tmp}/error.log warn;\n"
        "events { worker_connections 256; }\n"
        "http {\n  include /etc/nginx/mime.types;\n  default_type application/octet-stream;\n"
        f"  access_log off;\n  client_body_temp_path {temp['body']};\n  proxy_temp_path {temp['proxy']};\n"
        f"  fastcgi_temp_path {temp['fastcgi']};\n  uwsgi_temp_path {temp['uwsgi']};\n"
        f"  scgi_temp_path {temp['scgi']};\n  include {site};\n}}\n"
    )


def _write_runtime(runtime: Path, api_origin: str, public_url: str) -> None:
    env = {
        **os.environ,
        "EAILI5_WEB_RUNTIME_DIR": str(runtime),
        "EAILI5_API_ORIGIN": api_origin,
        "EAILI5_PUBLIC_URL": public_url,
    }
    script = FRONTEND / "docker" / "40-eaili5-runtime.sh"
    subprocess.run(["sh", str(script)], env=env, check=True, capture_output=True, timeout=30)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    nginx = require(which("nginx"), "nginx is not installed (apt-get install nginx)")
    if not (DIST / "index.html").exists():
        message = "frontend/dist is not built (make build)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    tmp = tmp_path_factory.mktemp("nginx")
    html, runtime = tmp / "html", tmp / "runtime"
    # As the Dockerfile copies it: the build, mini app images (public/miniapp/) included.
    shutil.copytree(DIST, html, dirs_exist_ok=True)
    port = free_port()
    origin = f"http://127.0.0.1:{port}"

    data_dir = tmp / "data"
    env = clean_env(
        EAILI5_ENVIRONMENT="development",
        EAILI5_DATA_DIR=str(data_dir),
        EAILI5_ALLOWED_ORIGINS=origin,
        EAILI5_PUBLIC_URL=origin,
        EAILI5_FARCASTER_ACCOUNT_ASSOCIATION=json.dumps(ASSOCIATION),
        EAILI5_FRONTEND_DIST=str(tmp / "no-spa-on-the-api"),
    )
    migrate(env)
    with backend_server(env, tmp / "backend.log") as api_origin:
        _write_runtime(runtime, api_origin, origin)
        site_conf = tmp / "site.conf"
        site_conf.write_text(_site_config(runtime, html, port))
        main_conf = tmp / "nginx.conf"
        main_conf.write_text(_main_config(tmp, site_conf))
        test = subprocess.run(
            [str(nginx), "-t", "-p", str(tmp), "-c", str(main_conf)], capture_output=True, text=True
        )
        assert test.returncode == 0, test.stderr
        process = subprocess.Popen([str(nginx), "-p", str(tmp), "-c", str(main_conf)], stderr=subprocess.PIPE)
        try:
            wait_http(f"{origin}/healthz", timeout=15)
            yield Site(origin=origin, api_origin=api_origin, runtime=runtime, html=html)
        finally:
            process.terminate()
            process.wait(timeout=10)


def _hashed_assets(html: Path) -> list[str]:
    return sorted(p.name for p in (html / "assets").iterdir() if p.suffix in (".js", ".css"))


def _assert_security_headers(headers: dict[str, str], api_origin: str) -> None:
    csp = headers["content-security-policy"]
    directives = dict(part.strip().split(" ", 1) for part in csp.split(";"))
    ws_origin = re.sub(r"^http", "ws", api_origin)
    assert directives["connect-src"].split() == ["'self'", api_origin, ws_origin]
    assert directives["script-src"] == "'self'"
    assert directives["default-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    ancestors = directives["frame-ancestors"].split()
    for host in (
        "'self'",
        "https://farcaster.xyz",
        "https://*.farcaster.xyz",
        "https://warpcast.com",
        "https://base.app",
    ):
        assert host in ancestors
    assert "*" not in ancestors
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "strict-origin-when-cross-origin"
    assert headers["strict-transport-security"].startswith("max-age=31536000")
    assert "x-frame-options" not in headers  # it would stop the mini app hosts from framing us
    assert "server" not in headers or "/" not in headers["server"]  # no version number


def test_healthz(site: Site) -> None:
    status, headers, body = http("GET", f"{site.origin}/healthz")
    assert (status, body) == (200, b"ok\n")
    _assert_security_headers(headers, site.api_origin)


def test_index_is_never_cached_and_loads_config_first(site: Site) -> None:
    status, headers, body = http("GET", f"{site.origin}/")
    assert status == 200
    assert headers["content-type"].startswith("text/html")
    assert headers["cache-control"] == "no-cache"
    _assert_security_headers(headers, site.api_origin)
    page = body.decode()
    assert page.index('<script src="/config.js"></script>') < page.index('<script type="module"')


def _embed(page: str) -> dict[str, object]:
    tags = re.findall(r'<meta name="fc:miniapp" content="([^"]*)" />', page)
    assert len(tags) == 1, "expected exactly one fc:miniapp tag"
    embed: dict[str, object] = json.loads(html.unescape(tags[0]))
    return embed


def test_every_page_carries_the_same_embed_as_the_backend_builds(site: Site) -> None:
    _, _, body = http("GET", f"{site.origin}/")
    _, _, deep = http("GET", f"{site.origin}/learn/some-lesson")
    embed = _embed(body.decode())
    assert _embed(deep.decode()) == embed
    expected = backend_embed(load_settings(public_url=site.origin))
    assert embed == expected  # one shape, whoever serves the page
    status, headers, image = http("GET", str(expected["imageUrl"]))
    assert status == 200 and headers["content-type"] == "image/png"
    assert _png_size(image) == (1200, 800)  # 3:2


@pytest.mark.parametrize(
    "path", ["/learn", "/market/0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913", "/chat/a/b/c"]
)
def test_spa_fallback_serves_index(site: Site, path: str) -> None:
    status, headers, body = http("GET", f"{site.origin}{path}")
    assert status == 200
    assert body == http("GET", f"{site.origin}/")[2]  # index.html, with the embed tag
    assert b'<div id="root">' in body
    assert headers["cache-control"] == "no-cache"


@pytest.mark.parametrize("path", ["/assets/index-missing.js", "/no-such-image.png", "/assets/"])
def test_missing_files_are_404_not_the_page(site: Site, path: str) -> None:
    status, headers, body = http("GET", f"{site.origin}{path}")
    assert status in (403, 404)
    assert b'<div id="root">' not in body
    assert headers.get("cache-control") != IMMUTABLE  # an error must never be cached for a year
    _assert_security_headers(headers, site.api_origin)


def test_hashed_assets_are_immutable_and_gzipped(site: Site) -> None:
    assets = _hashed_assets(site.html)
    assert assets, "the build produced no hashed assets"
    for name in assets:
        status, headers, body = http(
            "GET", f"{site.origin}/assets/{name}", headers={"accept-encoding": "gzip"}
        )
        assert status == 200
        assert headers["cache-control"] == IMMUTABLE
        kind = "application/javascript" if name.endswith(".js") else "text/css"
        assert headers["content-type"].startswith(kind)
        assert body == (site.html / "assets" / name).read_bytes()
        if len(body) > 1024:
            assert headers.get("content-encoding") == "gzip"


def test_config_js_points_the_app_at_the_api(site: Site) -> None:
    status, headers, body = http("GET", f"{site.origin}/config.js")
    assert status == 200
    assert headers["cache-control"] == "no-cache"
    assert "javascript" in headers["content-type"]
    assert f'apiBaseUrl: "{site.api_origin}"' in body.decode()


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_farcaster_manifest_is_the_backends(site: Site) -> None:
    status, headers, body = http("GET", f"{site.origin}/.well-known/farcaster.json")
    assert status == 200, body
    assert headers["content-type"].startswith("application/json")
    assert headers["access-control-allow-origin"] == "*"
    assert headers["cache-control"] == "no-cache"
    _assert_security_headers(headers, site.api_origin)  # ours, not the API's (which would clash)
    manifest = json.loads(body)
    assert manifest == json.loads(http("GET", f"{site.api_origin}/.well-known/farcaster.json")[2])
    assert manifest["accountAssociation"] == ASSOCIATION
    app = manifest["miniapp"]
    assert app["homeUrl"] == f"{site.origin}/"
    assert app["primaryCategory"] == "education" and app["version"] == "1"
    for key, size in (("iconUrl", (1024, 1024)), ("splashImageUrl", (200, 200)), ("ogImageUrl", (1200, 630))):
        assert app[key].startswith(site.origin)
        status, headers, image = http("GET", app[key])
        assert status == 200, key
        assert headers["content-type"] == "image/png"
        assert _png_size(image) == size


def test_other_paths_do_not_get_the_cors_header(site: Site) -> None:
    _, headers, _ = http("GET", f"{site.origin}/")
    assert "access-control-allow-origin" not in headers


def test_app_loads_in_chromium_through_nginx(site: Site) -> None:
    chromium = require(
        os.environ.get("E2E_CHROMIUM") or which("chromium") or which("chromium-browser"),
        "no Chromium (apt-get install chromium)",
    )
    node = require(which("node"), "node is not installed")
    require(
        FRONTEND / "node_modules" / "playwright-core", "frontend/node_modules is not installed (make install)"
    )
    env = {
        **os.environ,
        "E2E_NGINX_URL": site.origin,
        "E2E_API_URL": site.api_origin,
        "E2E_CHROMIUM": str(chromium),
    }
    result = subprocess.run(
        [str(node), "--test", "e2e/nginx.test.mjs"],
        cwd=FRONTEND,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "# pass 1" in result.stdout and "# skipped 0" in result.stdout, result.stdout
