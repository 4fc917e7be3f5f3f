"""Structured JSON logs in the shape Cloud Logging reads (`severity`, `message`, trace)."""

from __future__ import annotations

import logging
import sys
from contextvars import ContextVar
from typing import Any

from pythonjsonlogger.json import JsonFormatter

request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)
trace_var: ContextVar[str | None] = ContextVar("trace", default=None)

TRACE_FIELD = "logging.googleapis.com/trace"


class _RequestContextFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        trace = trace_var.get()
        if trace:
            setattr(record, TRACE_FIELD, trace)
        return True


class _CloudJsonFormatter(JsonFormatter):
    def add_fields(
        self, log_record: dict[str, Any], record: logging.LogRecord, message_dict: dict[str, Any]
    ) -> None:
        super().add_fields(log_record, record, message_dict)
        log_record["severity"] = record.levelname
        log_record.pop("levelname", None)
        if log_record.get("request_id") is None:
            log_record.pop("request_id", None)


# Libraries whose DEBUG/INFO records carry payloads: SQL parameters (token hashes), WebSocket frames
# (the auth frame's token), request URLs and headers. They log warnings and errors only, even when
# LOG_LEVEL=DEBUG, so turning on debug logging never writes secrets.
PAYLOAD_LOGGERS = ("aiosqlite", "asyncpg", "sqlalchemy.engine", "websockets", "httpx", "httpcore")


def quiet_payload_loggers() -> None:
    for name in PAYLOAD_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    # uvicorn hands its WebSocket protocol this logger, which then logs every frame at DEBUG.
    logging.getLogger("uvicorn.error").setLevel(logging.INFO)
    # uvicorn's own access log duplicates ours and would log query strings; its errors stay.
    logging.getLogger("uvicorn.access").handlers[:] = []
    logging.getLogger("uvicorn.access").propagate = False


def configure_logging(level: str = "INFO", fmt: str = "json") -> None:
    handler = logging.StreamHandler(sys.stdout)
    handler.addFilter(_RequestContextFilter())
    if fmt == "json":
        handler.setFormatter(
            _CloudJsonFormatter(
                "%(levelname)s %(name)s %(message)s %(request_id)s %(process)d", timestamp=True
            )
        )
    else:
        handler.setFormatter(
            logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s")
        )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    quiet_payload_loggers()
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True


def cloud_trace(header: str | None, project: str | None) -> str | None:
    """`X-Cloud-Trace-Context: TRACE_ID/SPAN_ID;o=1` → `projects/P/traces/TRACE_ID`."""
    if not header:
        return None
    trace_id = header.split("/", 1)[0].strip()
    if not trace_id or len(trace_id) > 64 or not trace_id.isalnum():
        return None
    return f"projects/{project}/traces/{trace_id}" if project else trace_id
