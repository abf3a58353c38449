"""Whole answers of the relationship routes and of /sparql's GETs, kept while the store is served, with ETags.

The graph does not change while the API serves it (a rebuild or an authorised update clears what is kept), so a
GET of the same URL with the same Accept and Accept-Encoding headers gets the same answer. Answering it again from
here skips the routing, parameter validation, thread hop, serialisation and compression: ~1 ms of Python per
request and more on a large answer, the whole cost of a repeated question (the catalog answers underneath are
kept too, see :mod:`tradekg.api.deps`). Every answer kept carries a strong ``ETag``, and a request whose
``If-None-Match`` names it gets ``304 Not Modified``.

What is kept: ``200`` answers to GET on the JSON routes and on /sparql (:data:`PREFIXES`), up to ``max_bytes``
in all (least recently used first out) and a quarter of that per answer. A SPARQL query whose answer may change
on the same graph (NOW(), RAND(), SERVICE, …) is marked :data:`NOT_KEPT` by the endpoint and passes through, as do
errors, streamed bodies and the other routes (pages, exports, static files). A plain ASGI middleware outside
compression (it keeps the body as sent, compressed or not, per Accept-Encoding) and inside CORS and the access
log, so those still apply to every request.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass

from starlette.types import ASGIApp, Message, Receive, Scope, Send

# the relationship routes (JSON, answers that depend only on the URL, the Accept header and the graph), and
# /sparql's GETs (SPARQLWrapper's and rdflib's default; a POST is not a cacheable request)
PREFIXES = ("/economies", "/disputes", "/measures", "/agreements", "/products/", "/links", "/network",
            "/queries", "/trade", "/sparql")
NOT_KEPT = "tradekg.not_kept"  # set in the request's scope by a route whose answer must not be kept


@dataclass(frozen=True)
class Kept:
    headers: list[tuple[bytes, bytes]]   # as the route sent them, with the ETag
    body: bytes
    etag: bytes


class Answers:
    """The answers kept, by request; :meth:`clear` when the graph changes."""

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self.generation = 0
        self.hits = self.misses = 0
        self._kept: OrderedDict[tuple, Kept] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()   # clear() comes from other threads (an update, a rebuild's switch)

    def get(self, key: tuple) -> Kept | None:
        with self._lock:
            kept = self._kept.get(key)
            if kept is None:
                self.misses += 1
                return None
            self._kept.move_to_end(key)
            self.hits += 1
            return kept

    def put(self, key: tuple, kept: Kept, generation: int) -> None:
        """Keep ``kept`` unless the graph changed since the request began (its answer may be the old graph's)."""
        size = len(kept.body) + sum(len(k) + len(v) for k, v in kept.headers)
        if size > self.max_bytes // 4:
            return
        with self._lock:
            if generation != self.generation:
                return
            old = self._kept.pop(key, None)
            if old is not None:
                self._bytes -= len(old.body)
            self._kept[key] = kept
            self._bytes += len(kept.body)
            while self._bytes > self.max_bytes and self._kept:
                _, dropped = self._kept.popitem(last=False)
                self._bytes -= len(dropped.body)

    def clear(self) -> None:
        with self._lock:
            self.generation += 1
            self._kept.clear()
            self._bytes = 0

    def __len__(self) -> int:
        return len(self._kept)


class AnswerCache:
    """The middleware: answers from :class:`Answers` when it has them, else from the app (and keeps them)."""

    def __init__(self, app: ASGIApp, answers: Answers):
        self.app, self.answers = app, answers

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (scope["type"] != "http" or scope["method"] != "GET" or not scope["path"].startswith(PREFIXES)
                or self.answers.max_bytes <= 0):
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])  # the names come lower-cased from the server
        accept = b", ".join(v for k, v in scope["headers"] if k == b"accept")  # every Accept line, as the routes read it
        key = (scope["path"], scope["query_string"], scope.get("scheme"), headers.get(b"host"), accept,
               headers.get(b"accept-encoding"), scope.get("root_path", ""))
        kept = self.answers.get(key)
        if kept is not None:
            if _matches(headers.get(b"if-none-match"), kept.etag):
                await _not_modified(send, kept)
                return
            # a copy each time: outer middlewares (CORS) may edit the header list they are given in place
            await send({"type": "http.response.start", "status": 200, "headers": list(kept.headers)})
            await send({"type": "http.response.body", "body": kept.body})
            return
        generation = self.answers.generation
        start: Message | None = None
        streaming = False

        async def keeping(message: Message) -> None:
            nonlocal start, streaming
            if message["type"] == "http.response.start":
                if message["status"] != 200:
                    streaming = True  # not kept: pass it all through
                    await send(message)
                else:
                    start = message  # held until the body shows whether it comes in one piece
                return
            if message["type"] != "http.response.body" or streaming:
                await send(message)
                return
            assert start is not None
            body = message.get("body", b"")
            if message.get("more_body", False):  # streamed: sent as it comes, not kept
                streaming = True
                await send(start)
                await send(message)
                return
            if scope.get(NOT_KEPT):
                streaming = True
                await send(start)
                await send(message)
                return
            etag = b'"' + hashlib.blake2b(body, digest_size=12).hexdigest().encode() + b'"'
            kept_headers = [(k, v) for k, v in start["headers"] if k.lower() != b"etag"] + [(b"etag", etag)]
            self.answers.put(key, Kept(kept_headers, body, etag), generation)
            if _matches(headers.get(b"if-none-match"), etag):
                await _not_modified(send, Kept(kept_headers, body, etag))
                return
            await send({**start, "headers": list(kept_headers)})
            await send(message)

        await self.app(scope, receive, keeping)


def _matches(if_none_match: bytes | None, etag: bytes) -> bool:
    """RFC 9110 §13.1.2: ``*``, or the tag among the listed ones (weak comparison: a W/ prefix is ignored)."""
    if not if_none_match:
        return False
    tags = [t.strip().removeprefix(b"W/") for t in if_none_match.split(b",")]
    return b"*" in tags or etag in tags


async def _not_modified(send: Send, kept: Kept) -> None:
    """304: no body; the validator and the headers a cache would update (RFC 9110 §15.4.5)."""
    keep = {b"etag", b"vary", b"cache-control", b"content-location", b"expires"}
    headers = [(k, v) for k, v in kept.headers if k.lower() in keep]
    await send({"type": "http.response.start", "status": 304, "headers": headers})
    await send({"type": "http.response.body", "body": b""})
