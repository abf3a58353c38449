"""CORS as public SPARQL endpoints do it: any origin may *read* (``Access-Control-Allow-Origin: *``, no
credentials), so YASGUI or a notebook on another site can query ``/sparql`` and fetch pages and JSON; nothing
that carries credentials is allowed cross-origin, so SPARQL updates (which need the bearer token) stay
same-origin. Used when no CORS allow-list is configured (``TRADEKG_CORS_ORIGINS``); off with
``TRADEKG_CORS_PUBLIC=0``."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

READ_METHODS = {"GET", "HEAD", "POST"}
ALLOWED_HEADERS = "Accept, Content-Type"  # not Authorization: a preflight for an update with a token fails
EXPOSED = "X-TradeKG-Truncated, Link, Content-Disposition"


class PublicReadCORS:
    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.lower(): v for k, v in scope["headers"]}
        if b"origin" not in headers:
            await self.app(scope, receive, send)
            return
        method = scope["method"]
        if method == "OPTIONS" and b"access-control-request-method" in headers:
            await self._preflight(headers, send)
            return
        if method not in READ_METHODS or b"authorization" in headers or _is_update(scope, headers):
            await self.app(scope, receive, send)  # no CORS headers: the browser keeps the answer from the page
            return

        async def send_with_cors(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"access-control-allow-origin", b"*"),
                                      (b"access-control-expose-headers", EXPOSED.encode())]
            await send(message)

        await self.app(scope, receive, send_with_cors)

    async def _preflight(self, headers: dict[bytes, bytes], send: Send) -> None:
        method = headers[b"access-control-request-method"].decode("latin-1").upper()
        asked = {h.strip().lower() for h in headers.get(b"access-control-request-headers", b"").decode().split(",")
                 if h.strip()}
        allowed = method in READ_METHODS and asked <= {h.strip().lower() for h in ALLOWED_HEADERS.split(",")}
        reply = [(b"vary", b"Origin")]
        if allowed:
            reply += [(b"access-control-allow-origin", b"*"), (b"access-control-allow-methods", b"GET, HEAD, POST"),
                      (b"access-control-allow-headers", ALLOWED_HEADERS.encode()), (b"access-control-max-age", b"600")]
        await send({"type": "http.response.start", "status": 204 if allowed else 403, "headers": reply})
        await send({"type": "http.response.body", "body": b""})


def _is_update(scope: Scope, headers: dict[bytes, bytes]) -> bool:
    """An update by its request alone (the body is not read here): sparql-update content, or ?update= on GET."""
    kind = headers.get(b"content-type", b"").split(b";")[0].strip().lower()
    return kind == b"application/sparql-update" or b"update=" in scope.get("query_string", b"")
