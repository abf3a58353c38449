"""Structured access logs: one JSON line per request on the ``tradekg.access`` logger.

A plain ASGI middleware (not BaseHTTPMiddleware, which costs a task per request). A route may add
fields by setting ``request.state.log`` (e.g. /sparql adds the query form and row count).
"""

from __future__ import annotations

import json
import logging
import sys
import time
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

access = logging.getLogger("tradekg.access")


class _JsonLines(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = getattr(record, "entry", None)
        if entry is None:
            entry = {"level": record.levelname.lower(), "logger": record.name, "message": record.getMessage()}
            if record.exc_info:
                entry["error"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def configure(level: int = logging.INFO) -> None:
    """Send tradekg's logs to stderr as JSON lines (called by `tradekg serve`, not on import)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_JsonLines())
    for name in ("tradekg.access", "tradekg.api", "tradekg.store"):
        logger = logging.getLogger(name)
        logger.handlers[:] = [handler]
        logger.setLevel(level)
        logger.propagate = False


class AccessLog:
    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not access.isEnabledFor(logging.INFO):
            await self.app(scope, receive, send)
            return
        started, status, size = time.perf_counter(), 500, 0

        async def sending(message: Message) -> None:
            nonlocal status, size
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body":
                size += len(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            entry: dict[str, Any] = {
                "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime()), "method": scope["method"],
                "path": scope["path"], "query": scope.get("query_string", b"").decode("latin-1")[:500],
                "status": status, "ms": round((time.perf_counter() - started) * 1000, 2), "bytes": size,
                "client": (scope.get("client") or ("", 0))[0]}
            extra = scope.get("state", {}).get("log")
            if extra:
                entry.update(extra)
            access.info("%s %s %s", scope["method"], scope["path"], status, extra={"entry": entry})
