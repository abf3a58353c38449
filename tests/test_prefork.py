"""`tradekg serve --workers N` in memory mode: the graph is loaded once and the server processes are forked from
the process that loaded it (api/prefork.py). They share its pages, are replaced when one dies, all switch to a
rebuilt store, and go when the server is stopped, even by SIGKILL.

Real servers on 127.0.0.1, started as a user starts them. Loops wait for an effect (bounded by a budget, or
TRADEKG_TEST_WAIT seconds), never assert a time.
"""

from __future__ import annotations

import os
import signal
import socket
import urllib.parse
from pathlib import Path

import httpx
import pytest

from api_support import DS544, running_server, wait_for
from budgets import budget
from conftest import foundation_loaders
from tradekg.graph.build import build

pytestmark = pytest.mark.slow  # builds, and servers that load a graph into memory

ASK_DS544 = "/sparql?" + urllib.parse.urlencode({"query": f"ASK {{ <{DS544}> ?p ?o }}"})


def _parents() -> dict[int, int]:
    """pid → parent pid, of every process now."""
    found = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            except (OSError, IndexError):  # it ended while being read
                continue
            found[int(entry)] = int(fields[1])
    return found


def children(pid: int) -> set[int]:
    return {child for child, parent in _parents().items() if parent == pid}


def tree(pid: int) -> set[int]:
    """``pid`` and every process below it."""
    parents, found, todo = _parents(), {pid}, [pid]
    while todo:
        above = todo.pop()
        below = {child for child, parent in parents.items() if parent == above}
        todo.extend(below - found)
        found |= below
    return found


def supervisor(base: str) -> int:
    """The `tradekg serve` process this test started for ``base`` (its command line names the port)."""
    port = base.rsplit(":", 1)[1]
    for pid in children(os.getpid()):
        try:
            argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"serve" in argv and port.encode() in argv:
            return pid
    raise AssertionError(f"no `tradekg serve` child of this test listens on port {port}")


def alive(pid: int) -> bool:
    try:
        return "State:\tZ" not in Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False


def memory_kb(pid: int) -> dict[str, int]:
    fields = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[2] == "kB":
            fields[parts[0].rstrip(":")] = int(parts[1])
    return fields


def fresh_ask(base: str) -> bool:
    """DS544's ASK on a new connection each time, so that any of the server processes may take it."""
    with httpx.Client(timeout=budget(30)) as client:
        reply = client.get(base + ASK_DS544, headers={"Accept": "application/sparql-results+json"})
    assert reply.status_code == 200, reply.text
    return reply.json()["boolean"]


def refused(base: str) -> bool:
    host, port = base.removeprefix("http://").split(":")
    try:
        socket.create_connection((host, int(port)), timeout=budget(2)).close()
        return False
    except OSError:
        return True


@pytest.fixture
def small_store(mini_data, tmp_path: Path) -> tuple[Path, Path]:
    """The WTO loaders' graph without the dispute tables (no DS544), and the data to build it again with them."""
    target = tmp_path / "store"
    without = [(k, t) for k, t in foundation_loaders() if k not in ("wto-ds-gateway", "wto-ds-crawl-2018")]
    build(target, mini_data, loaders=without, check_shapes=False)
    return target, mini_data


def test_server_processes_share_one_graph_in_memory_and_a_dead_one_is_replaced(full_build, tmp_path):
    store, _ = full_build
    with running_server(store, tmp_path / "serve.log", "--workers", "2", "--memory", "on",
                        start_seconds=120) as base:
        boss = supervisor(base)
        servers = children(boss)
        assert len(servers) == 2, (servers, (tmp_path / "serve.log").read_text())
        for _ in range(8):  # each process answers something, so each has touched the graph
            assert httpx.get(base + "/disputes/ds544", timeout=budget(30)).json()["complainants"] == ["CHN"]
        # the graph's pages are the loading process's: a server process that had loaded a copy of its own would
        # hold it privately, more than half of what the loading process holds in all
        held = memory_kb(boss)["Rss"]
        for pid in servers:
            private = memory_kb(pid)["Private_Clean"] + memory_kb(pid)["Private_Dirty"]
            assert private < held / 2, f"server process {pid}: {private:,} kB private against {held:,} kB"

        victim = min(servers)
        os.kill(victim, signal.SIGKILL)
        answers = [httpx.get(base + "/disputes/ds544", timeout=budget(30)).status_code for _ in range(6)]
        assert answers == [200] * 6
        wait_for(lambda: len(children(boss)) == 2 and victim not in children(boss), "a replacement server process")
        assert "server process %d stopped (signal 9)" % victim in (tmp_path / "serve.log").read_text()


def test_every_server_process_switches_to_a_rebuilt_store(small_store, tmp_path):
    store, data = small_store
    with running_server(store, tmp_path / "serve.log", "--workers", "2", "--memory", "on",
                        TRADEKG_RELOAD_CHECK="0.1") as base:
        boss = supervisor(base)
        before = children(boss)
        assert len(before) == 2
        assert fresh_ask(base) is False  # the dispute tables were left out of the first build
        build(store, data, loaders=foundation_loaders(), check_shapes=False)
        wait_for(lambda: not (children(boss) & before), "the server processes on the old graph to stop")
        assert len(children(boss)) == 2
        assert all(fresh_ask(base) for _ in range(12)), "a server process still answers from the old graph"
        assert "switched to the rebuilt store" in (tmp_path / "serve.log").read_text()


@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGKILL], ids=["SIGTERM", "SIGKILL"])
def test_stopping_the_server_stops_every_process_it_started(small_store, tmp_path, how):
    store, _ = small_store
    with running_server(store, tmp_path / "serve.log", "--workers", "2", "--memory", "on") as base:
        boss = supervisor(base)
        assert fresh_ask(base) is False
        everyone = tree(boss)
        assert len(everyone) >= 5  # the supervisor, two server processes, and each one's query fork server
        os.kill(boss, how)  # SIGKILL: the server processes learn it from the kernel (parent-death signal)
        wait_for(lambda: not any(alive(pid) for pid in everyone - {boss}), "every process of the server to stop")
        wait_for(lambda: refused(base), "the port to be free")
