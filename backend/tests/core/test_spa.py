"""The embedded mode serves the built SPA with client-side routing and sane caching."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from eaili5.app import create_app
from tests.conftest import make_settings


@pytest.fixture
async def spa_client(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    dist = tmp_path / "dist"
    (dist / "assets").mkdir(parents=True)
    (dist / "index.html").write_text("<!doctype html><div id=root></div>")
    (dist / "assets" / "app-3f2a1b.js").write_text("console.log('hi')")
    app = create_app(make_settings(data_dir=tmp_path, frontend_dist=dist), configure_logs=False)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            yield http


async def test_index_is_never_cached(spa_client: httpx.AsyncClient) -> None:
    response = await spa_client.get("/")
    assert response.status_code == 200 and "root" in response.text
    assert response.headers["cache-control"] == "no-cache"
    assert "frame-ancestors" in response.headers["content-security-policy"]


async def test_client_side_routes_fall_back_to_index(spa_client: httpx.AsyncClient) -> None:
    for path in ("/chat", "/market/0xabc", "/learn/paths/basics"):
        response = await spa_client.get(path)
        assert response.status_code == 200 and "root" in response.text, path


async def test_hashed_assets_are_immutable(spa_client: httpx.AsyncClient) -> None:
    response = await spa_client.get("/assets/app-3f2a1b.js")
    assert response.status_code == 200
    assert response.headers["cache-control"] == "public, max-age=31536000, immutable"


async def test_missing_asset_and_unknown_api_are_real_404s(spa_client: httpx.AsyncClient) -> None:
    assert (await spa_client.get("/assets/missing.js")).status_code == 404
    api = await spa_client.get("/api/nothing-here")
    assert api.status_code == 404 and api.json()["error"] == "NotFound"
    assert (await spa_client.get("/api/meta")).status_code == 200


async def test_config_js_is_built_from_settings(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    dist.mkdir()
    (dist / "index.html").write_text("<!doctype html><div id=root></div>")
    (dist / "config.js").write_text("window.__EAILI5_CONFIG__ = window.__EAILI5_CONFIG__ || {};")
    project_id = "0123456789abcdef0123456789abcdef"
    for configured, expected in ((None, ""), (project_id, project_id)):
        settings = make_settings(data_dir=tmp_path, frontend_dist=dist, walletconnect_project_id=configured)
        app = create_app(settings, configure_logs=False)
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
                response = await http.get("/config.js")
                page = await http.get("/")
        assert response.status_code == 200 and "javascript" in response.headers["content-type"]
        assert response.headers["cache-control"] == "no-cache"
        assert response.text == (
            f'window.__EAILI5_CONFIG__ = {{"apiBaseUrl": "", "walletConnectProjectId": "{expected}"}};\n'
        )
        # The CSP lets the page reach WalletConnect's HTTPS APIs only when it is offered.
        csp = page.headers["content-security-policy"]
        assert ("https://rpc.walletconnect.org" in csp) is bool(configured)
