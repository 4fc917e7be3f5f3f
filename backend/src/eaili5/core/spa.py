"""Serve the built frontend in the embedded mode, so one process is the whole app.

Hashed assets are cached for a year; index.html never, so a new build is picked up at once.
Unknown non-API paths return index.html and the client-side router takes over.
"""

from __future__ import annotations

import json
from pathlib import Path

from starlette.exceptions import HTTPException
from starlette.responses import FileResponse, HTMLResponse, Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

_NOT_SPA_PREFIXES = ("api/", "ws", "metrics", "healthz", "readyz")


class SPAStaticFiles(StaticFiles):
    def __init__(self, directory: Path, head_html: str = "", config_js: str | None = None) -> None:
        super().__init__(directory=directory, html=True, check_dir=True)
        self._index = directory / "index.html"
        # Extra tags for every page's <head> (the fc:miniapp embed), injected when index.html is served.
        self._head_html = head_html
        # The runtime config.js built from settings, served instead of the build's default one.
        self._config_js = config_js

    def _index_response(self) -> Response:
        if not self._head_html:
            return FileResponse(self._index)
        page = self._index.read_text(encoding="utf-8")
        return HTMLResponse(page.replace("</head>", f"{self._head_html}</head>", 1))

    async def get_response(self, path: str, scope: Scope) -> Response:
        if path.startswith(_NOT_SPA_PREFIXES) or scope["method"] not in ("GET", "HEAD"):
            raise HTTPException(404)
        if path == "config.js" and self._config_js is not None:
            response: Response = Response(self._config_js, media_type="application/javascript")
            _set_cache_headers(path, response)
            return response
        try:
            response = await super().get_response(path, scope)
        except HTTPException as exc:
            if exc.status_code != 404 or "." in path.rsplit("/", 1)[-1]:
                raise  # a missing asset is a real 404, not a page
            response = self._index_response()
        if response.status_code == 404 or _is_file(response, self._index):
            response = self._index_response()
        _set_cache_headers(path, response)
        return response


def runtime_config_js(walletconnect_project_id: str | None) -> str:
    """config.js for the embedded mode (the API is this origin), as the nginx image writes it at start."""
    config = {"apiBaseUrl": "", "walletConnectProjectId": (walletconnect_project_id or "").strip()}
    return f"window.__EAILI5_CONFIG__ = {json.dumps(config)};\n"


def _is_file(response: Response, path: Path) -> bool:
    return isinstance(response, FileResponse) and Path(response.path) == path


def _set_cache_headers(path: str, response: Response) -> None:
    if path.startswith("assets/"):
        response.headers["cache-control"] = "public, max-age=31536000, immutable"
    else:
        response.headers["cache-control"] = "no-cache"


def frontend_missing_page() -> Response:
    body = (
        "<!doctype html><title>EAILI5</title><h1>EAILI5 backend is running</h1>"
        "<p>The frontend has not been built. Run <code>make run</code> from the repository root.</p>"
    )
    return Response(body, media_type="text/html", status_code=200)
