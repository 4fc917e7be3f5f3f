"""The ceiling for bench/api: a bare Starlette app answering a small JSON, nothing else.

    backend/.venv/bin/uvicorn ceiling:app --app-dir bench/api --host 127.0.0.1 --port 8099

bench/api/run.py starts it with the backend venv's uvicorn (same event loop and HTTP parser as
`eaili5 serve`) and drives it with the very same load generator, so "our requests/s ÷ this one's"
says how much of the machine's HTTP capacity the application itself costs.
"""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

# About the size of a small API answer (a portfolio read is ~360 bytes).
PAYLOAD = {"ok": True, "service": "ceiling", "items": [{"id": i, "value": "0.00000000"} for i in range(8)]}


async def ceiling(_: Request) -> JSONResponse:
    return JSONResponse(PAYLOAD)


app = Starlette(routes=[Route("/ceiling", ceiling, methods=["GET", "POST"])])
