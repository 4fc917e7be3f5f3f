"""The Farcaster manifest and the fc:miniapp embed, checked against the mini app field limits."""

from __future__ import annotations

import base64
import html
import json
import re
from pathlib import Path
from typing import Any

import httpx
import pytest

from eaili5.app import create_app
from eaili5.auth.manifest import embed, embed_problems, manifest, manifest_problems
from tests.conftest import make_settings

PUBLIC = "https://eaili5.example.com"


def _association(domain: str) -> str:
    payload = base64.urlsafe_b64encode(json.dumps({"domain": domain}).encode()).decode().rstrip("=")
    return json.dumps({"header": "eyJmaWQiOjF9", "payload": payload, "signature": "MHhhYmNk"})


async def _get(settings: Any, path: str) -> httpx.Response:
    app = create_app(settings, configure_logs=False)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as http:
        return await http.get(path)


async def test_the_manifest_is_valid_and_built_from_settings(tmp_path: Path) -> None:
    secret = tmp_path / "association.json"
    secret.write_text(_association("eaili5.example.com"))
    settings = make_settings(
        public_url=PUBLIC, environment="development", farcaster_account_association=secret.read_text()
    )
    response = await _get(settings, "/.well-known/farcaster.json")
    assert response.status_code == 200
    body = response.json()
    assert manifest_problems(body, "eaili5.example.com") == []
    app = body["miniapp"]
    assert app["homeUrl"] == PUBLIC + "/" and app["iconUrl"].startswith(PUBLIC + "/")
    assert app["primaryCategory"] == "education" and app["requiredChains"] == ["eip155:8453"]
    assert app["noindex"] is True  # not production
    assert set(body["accountAssociation"]) == {"header", "payload", "signature"}


def test_production_is_indexed_and_long_texts_are_cut_to_the_limits() -> None:
    settings = make_settings(
        public_url=PUBLIC,
        environment="development",
        miniapp_description="word " * 34,  # 170 characters: fits description, not ogDescription
    )
    body = manifest(settings)
    assert manifest_problems(body, "eaili5.example.com") == []
    assert len(body["miniapp"]["ogDescription"]) <= 100 and body["miniapp"]["ogDescription"].endswith("…")
    production = settings.model_copy(update={"environment": "production"})
    assert manifest(production)["miniapp"]["noindex"] is False


def test_settings_refuse_texts_over_the_limits() -> None:
    with pytest.raises(ValueError, match="miniapp_name"):
        make_settings(miniapp_name="x" * 33)
    with pytest.raises(ValueError, match="miniapp_subtitle"):
        make_settings(miniapp_subtitle="x" * 31)


def test_the_checker_catches_what_it_should() -> None:
    body = manifest(make_settings(public_url=PUBLIC))
    broken = json.loads(json.dumps(body))
    broken["miniapp"].update(
        name="x" * 33, tags=["Has Space", "a", "b", "c", "d", "e"], iconUrl="https://evil/x.png"
    )
    problems = manifest_problems(broken, "eaili5.example.com")
    assert any("name" in p for p in problems) and any("tags" in p for p in problems)
    assert any("iconUrl" in p for p in problems)


async def test_an_association_for_another_domain_is_refused() -> None:
    settings = make_settings(public_url=PUBLIC, farcaster_account_association=_association("other.example"))
    response = await _get(settings, "/.well-known/farcaster.json")
    assert response.status_code == 503 and "other.example" in response.json()["detail"]
    broken = make_settings(public_url=PUBLIC, farcaster_account_association="not json")
    assert (await _get(broken, "/.well-known/farcaster.json")).status_code == 503


def test_the_embed_is_valid() -> None:
    body = embed(make_settings(public_url=PUBLIC))
    assert embed_problems(body) == []
    assert body["button"]["action"]["type"] == "launch_miniapp"
    assert body["imageUrl"].startswith(PUBLIC)


async def test_spa_pages_carry_the_embed_tag(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    (dist / "assets").mkdir(parents=True)
    (dist / "index.html").write_text(
        "<!doctype html><html><head><title>EAILI5</title></head><body></body></html>"
    )
    (dist / "assets" / "app.js").write_text("console.log(1)")
    settings = make_settings(public_url=PUBLIC, frontend_dist=dist)
    for path in ("/", "/learn", "/index.html"):
        response = await _get(settings, path)
        assert response.status_code == 200
        tag = re.search(r'<meta name="fc:miniapp" content="([^"]*)" />', response.text)
        assert tag is not None, path
        assert embed_problems(json.loads(html.unescape(tag.group(1)))) == []
        assert response.headers["cache-control"] == "no-cache"
    asset = await _get(settings, "/assets/app.js")
    assert "fc:miniapp" not in asset.text
