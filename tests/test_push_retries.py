"""A push retries a request the server answers with a 5xx (an overloaded Virtuoso answers 503 or 500 for a while)
and says so; a 4xx is not retried. A tiny HTTP server on 127.0.0.1 answers as scripted."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tradekg.graph.errors import EndpointError
from tradekg.graph.push import PushOptions, Server


class Scripted:
    """Answers POSTs with the given statuses in turn (the last one repeats), counting them."""

    def __init__(self, statuses: list[int]):
        script, seen = list(statuses), []

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                status = script.pop(0) if len(script) > 1 else script[0]
                seen.append(status)
                body = b"ok" if status < 400 else b"busy"
                self.send_response(status)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:
                pass

        self.seen = seen
        self.http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.http.server_address[1]}/sparql"
        threading.Thread(target=self.http.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.http.shutdown()
        self.http.server_close()


def test_a_503_is_retried_and_said():
    server = Scripted([503, 200])
    said: list[str] = []
    try:
        push = Server(server.url, server.url, PushOptions(retries=3, timeout_s=30), progress=said.append)
        assert push.request("POST", server.url, b"x", "application/sparql-update") == b"ok"
    finally:
        server.close()
    assert server.seen == [503, 200]
    assert said == ["  HTTP 503; retrying in 1 s (1/3)"]


def test_a_400_is_not_retried():
    server = Scripted([400])
    try:
        push = Server(server.url, server.url, PushOptions(retries=3, timeout_s=30))
        with pytest.raises(EndpointError, match="HTTP 400"):
            push.request("POST", server.url, b"x", "application/sparql-update")
    finally:
        server.close()
    assert server.seen == [400]
