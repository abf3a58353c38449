"""Helpers for the API tests: a real `tradekg serve` on 127.0.0.1 (a free port), started and stopped."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from budgets import budget

DS544 = "https://w3id.org/tradekg/id/dispute/DS544"
TKG = "https://w3id.org/tradekg/ontology#"
ID = "https://w3id.org/tradekg/id/"
# Every triple joined with every triple three times over: far beyond any timeout on the full graph.
EXPENSIVE = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


WAIT_S = float(os.environ.get("TRADEKG_TEST_WAIT", budget(120)))  # how long a loop may wait for an effect


def wait_for(condition: Callable[[], bool], what: str) -> None:
    """Poll ``condition`` until it holds, at most WAIT_S seconds (a bound, not a measurement)."""
    for _ in range(int(WAIT_S / 0.05)):
        if condition():
            return
        time.sleep(0.05)
    pytest.fail(f"gave up waiting for {what} after {WAIT_S:g} s (raise TRADEKG_TEST_WAIT on a slow machine)")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def running_server(store: Path, log: Path, *options: str, start_seconds: float = 60, **env: str) -> Iterator[str]:
    """`tradekg serve` as a user runs it (the console script's entry point, in this interpreter); yields the
    base URL; the server's output (start-up banner, JSON access logs) goes to ``log``. ``start_seconds``: how long
    it may take to answer on an idle machine (more when it builds the graph first)."""
    port = free_port()
    environ = {**os.environ, **env}
    environ.pop("TRADEKG_CONFIG", None)
    with log.open("wb") as sink:
        process = subprocess.Popen([sys.executable, "-c", "from tradekg.cli import cli; cli()", "serve", "--store", str(store),
                                    "--port", str(port), *options], env=environ, stdout=sink, stderr=sink)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + budget(start_seconds)
    try:
        while True:
            try:
                urllib.request.urlopen(base + "/queries", timeout=budget(2)).read()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"tradekg serve did not start:\n{log.read_text()}") from None
                time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=budget(15))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
