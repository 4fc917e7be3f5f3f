"""The Farcaster mini app manifest (`/.well-known/farcaster.json`) and the `fc:miniapp` embed tag.

Built from settings only, so the backend is the one source of truth (nginx may serve a copy of it in
production). Field limits follow the Farcaster mini app spec; `manifest_problems` checks them and the
tests run it on what we serve.
"""

from __future__ import annotations

import base64
import binascii
import html
import re
from typing import Any
from urllib.parse import urlsplit

import orjson

from eaili5.core.errors import ServiceUnavailable
from eaili5.core.settings import Settings

# Images the frontend ships under public/miniapp/ (see docs/api.md).
ICON_PATH = "/miniapp/icon-1024.png"  # 1024×1024 PNG, no transparency
SPLASH_PATH = "/miniapp/splash-200.png"  # 200×200
OG_IMAGE_PATH = "/miniapp/og-1200x630.png"  # 1.91:1
EMBED_IMAGE_PATH = "/miniapp/embed-1200x800.png"  # 3:2
TAGS = ["crypto", "learning", "base", "tutor", "education"]
REQUIRED_CHAINS = ["eip155:8453"]
OG_TITLE_MAX, OG_DESCRIPTION_MAX = 30, 100

LIMITS = {"name": 32, "subtitle": 30, "description": 170, "ogTitle": OG_TITLE_MAX, "ogDescription": 100}
_TAG = re.compile(r"^[a-z0-9-]{1,20}$")
_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")


def _url(settings: Settings, path: str) -> str:
    return settings.public_url.rstrip("/") + path


def _shorten(text: str, limit: int) -> str:
    """At most `limit` characters, cut at a word and closed with an ellipsis when cut."""
    if len(text) <= limit:
        return text
    return text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:") + "…"


def account_association(settings: Settings) -> dict[str, str] | None:
    """The signed association from settings (a secret or `_FILE`), checked against our host."""
    raw = settings.farcaster_account_association
    if not raw:
        return None
    try:
        value = orjson.loads(raw)
        payload = orjson.loads(
            base64.urlsafe_b64decode(value["payload"] + "=" * (-len(value["payload"]) % 4))
        )
        domain = payload["domain"]
    except (orjson.JSONDecodeError, KeyError, TypeError, ValueError, binascii.Error):
        raise ServiceUnavailable(
            "FARCASTER_ACCOUNT_ASSOCIATION is not a JSON object with header, payload and signature."
        ) from None
    if domain != urlsplit(settings.public_url).hostname:
        raise ServiceUnavailable(
            f"The Farcaster account association is signed for {domain!r}, not for this host."
        )
    return {key: str(value[key]) for key in ("header", "payload", "signature")}


def manifest(settings: Settings) -> dict[str, Any]:
    miniapp: dict[str, Any] = {
        "version": "1",
        "name": settings.miniapp_name,
        "homeUrl": _url(settings, "/"),
        "iconUrl": _url(settings, ICON_PATH),
        "splashImageUrl": _url(settings, SPLASH_PATH),
        "splashBackgroundColor": settings.miniapp_splash_background_color,
        "subtitle": settings.miniapp_subtitle,
        "description": settings.miniapp_description,
        "primaryCategory": "education",
        "tags": TAGS,
        "ogTitle": settings.miniapp_name[:OG_TITLE_MAX],
        "ogDescription": _shorten(settings.miniapp_description, OG_DESCRIPTION_MAX),
        "ogImageUrl": _url(settings, OG_IMAGE_PATH),
        "heroImageUrl": _url(settings, OG_IMAGE_PATH),
        "noindex": settings.environment != "production",
        "requiredChains": REQUIRED_CHAINS,
    }
    if settings.miniapp_webhook_url:
        miniapp["webhookUrl"] = settings.miniapp_webhook_url
    body: dict[str, Any] = {"miniapp": miniapp}
    association = account_association(settings)
    if association is not None:
        body = {"accountAssociation": association, **body}
    return body


def embed(settings: Settings, url: str | None = None) -> dict[str, Any]:
    """The `fc:miniapp` embed: a 3:2 image and one button that launches the app."""
    return {
        "version": "1",
        "imageUrl": _url(settings, EMBED_IMAGE_PATH),
        "button": {
            "title": settings.miniapp_button_title,
            "action": {
                "type": "launch_miniapp",
                "name": settings.miniapp_name,
                "url": url or _url(settings, "/"),
                "splashImageUrl": _url(settings, SPLASH_PATH),
                "splashBackgroundColor": settings.miniapp_splash_background_color,
            },
        },
    }


def embed_meta_tag(settings: Settings) -> str:
    content = html.escape(orjson.dumps(embed(settings)).decode(), quote=True)
    return f'<meta name="fc:miniapp" content="{content}" />'


def manifest_problems(body: dict[str, Any], serving_host: str) -> list[str]:
    """Every way `body` breaks the mini app spec's field rules (empty when it is valid)."""
    app = body.get("miniapp", {})
    problems = [
        f"{field} is longer than {limit}"
        for field, limit in LIMITS.items()
        if len(app.get(field, "")) > limit
    ]
    problems += [
        f"{field} is missing" for field in ("version", "name", "homeUrl", "iconUrl") if not app.get(field)
    ]
    if app.get("version") != "1":
        problems.append("version must be '1'")
    if len(app.get("tags", [])) > 5 or not all(_TAG.match(tag) for tag in app.get("tags", [])):
        problems.append("tags: at most 5, each lowercase letters/digits/dashes, at most 20 characters")
    if not _COLOR.match(app.get("splashBackgroundColor", "")):
        problems.append("splashBackgroundColor must be a #rrggbb color")
    for field in ("homeUrl", "iconUrl", "splashImageUrl", "ogImageUrl", "heroImageUrl", "webhookUrl"):
        if field in app and (len(app[field]) > 1024 or urlsplit(app[field]).netloc != serving_host):
            problems.append(f"{field} must be a URL on {serving_host}, at most 1024 characters")
    if app.get("primaryCategory") != "education":
        problems.append("primaryCategory must be 'education'")
    if not all(chain.startswith("eip155:") for chain in app.get("requiredChains", [])):
        problems.append("requiredChains must be CAIP-2 eip155 ids")
    return problems


def embed_problems(embed_body: dict[str, Any]) -> list[str]:
    problems = []
    button = embed_body.get("button", {})
    action = button.get("action", {})
    if embed_body.get("version") != "1":
        problems.append("version must be '1'")
    if not 1 <= len(button.get("title", "")) <= 32:
        problems.append("button.title must be 1 to 32 characters")
    if action.get("type") != "launch_miniapp":
        problems.append("button.action.type must be launch_miniapp")
    if len(embed_body.get("imageUrl", "")) > 1024 or len(action.get("url", "")) > 1024:
        problems.append("URLs must be at most 1024 characters")
    return problems
