"""Loopback soak of `tradekg serve`: many clients for a while, light and heavy questions mixed, some heavy
clients giving up early. Prints requests, errors and p50/p99 per lane, and the server's memory over time.

    python bench/soak.py [--store PATH] [--clients 32] [--seconds 60] [--heavy 0.25] [--abandon 0.5]
                         [--abandon-after 2] [--query-timeout 5] [--workers 2] [--sample 5]

Lanes: ``light-rest`` (relationship pages), ``light-sparql`` (LIMIT 10 lookups), ``heavy-sparql`` (a triple
self-join far beyond any timeout: it must be stopped, 503) and ``heavy-rest`` (network analyses and /links).
A fraction ``--heavy`` of the clients ask heavy questions; ``--abandon`` of those hang up after
``--abandon-after`` seconds instead of waiting. Bounded: every client stops at ``--seconds`` (a request under
way then finishes or times out), and the server is stopped at the end. Prints figures; asserts nothing.
Builds the bundle into a temporary store unless --store names a built one. Linux (RSS from /proc).
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from _store import built_store  # noqa: E402
from api_support import EXPENSIVE, free_port  # noqa: E402

TKG = "https://w3id.org/tradekg/ontology#"
LIGHT_REST = ["/disputes/DS544", "/economies/USA", "/economies/CHN/disputes?role=complainant&limit=20",
              "/disputes?respondent=USA&limit=20", "/measures?imposer=USA&limit=20", "/agreements/rta/1087"]
LIGHT_SPARQL = [f"SELECT ?d WHERE {{ ?d a <{TKG}Dispute> }} LIMIT 10",
                f"SELECT ?e ?l WHERE {{ ?e a <{TKG}Economy> ; <http://www.w3.org/2000/01/rdf-schema#label> ?l }} LIMIT 10"]
HEAVY_REST = ["/network/disputes/centrality?by=betweenness", "/links?source=USA&target=BRA&k=20",
              "/network/measures/communities", "/network/agreements/centrality?by=eigenvector&as_of=2015-01-01"]


def sparql_url(query: str) -> str:
    return "/sparql?" + urllib.parse.urlencode({"query": query})


class Tally:
    """Latencies and outcomes per lane, shared by the client threads."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.ms: dict[str, list[float]] = defaultdict(list)
        self.outcomes: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))

    def add(self, lane: str, outcome: str, ms: float | None = None) -> None:
        with self.lock:
            self.outcomes[lane][outcome] += 1
            if ms is not None:
                self.ms[lane].append(ms)


def client(base: str, lane: str, urls, deadline: float, abandon_after: float | None, tally: Tally,
           request_timeout: float) -> None:
    host, port = base.removeprefix("http://").split(":")
    timeout = abandon_after or request_timeout
    connection = http.client.HTTPConnection(host, int(port), timeout=timeout)
    while time.monotonic() < deadline:
        url = next(urls)
        started = time.perf_counter()
        try:
            connection.request("GET", url, headers={"Accept": "application/sparql-results+json, application/json"})
            response = connection.getresponse()
            response.read()
        except (socket.timeout, TimeoutError):
            tally.add(lane, "abandoned" if abandon_after else "client-timeout")
            connection.close()
            connection = http.client.HTTPConnection(host, int(port), timeout=timeout)
            continue
        except (OSError, http.client.HTTPException) as e:
            tally.add(lane, f"error {type(e).__name__}")
            connection.close()
            connection = http.client.HTTPConnection(host, int(port), timeout=timeout)
            continue
        ms = (time.perf_counter() - started) * 1000
        status = response.status
        if status == 200:
            tally.add(lane, "ok", ms)
        elif status == 503 and lane.startswith("heavy"):
            tally.add(lane, "503 (stopped or over budget: expected)", ms)
        else:
            tally.add(lane, f"error HTTP {status}", ms)
    connection.close()


def _field_kb(path: str, name: str) -> int:
    try:
        for line in Path(path).read_text().splitlines():
            if line.startswith(name):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def memory_mb(pid: int) -> tuple[float, float]:
    """The server's own RSS, and the PSS of the server with all its descendants (query workers): PSS
    shares a page among the processes mapping it, so forked workers sharing the in-memory graph are not
    counted once each, as summed RSS would."""
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        total += _field_kb(f"/proc/{current}/smaps_rollup", "Pss:")
        try:
            for task in Path(f"/proc/{current}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, ValueError):
            continue
    return _field_kb(f"/proc/{pid}/status", "VmRSS:") / 1024, total / 1024


def start_server(store: Path, log: Path, workers: int, query_timeout: float) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {**os.environ, "TRADEKG_SPARQL_WORKERS": str(workers), "TRADEKG_QUERY_TIMEOUT": str(query_timeout)}
    env.pop("TRADEKG_CONFIG", None)
    with log.open("wb") as sink:
        process = subprocess.Popen([sys.executable, "-m", "tradekg", "serve", "--store", str(store), "--port", str(port)],
                                   env=env, stdout=sink, stderr=sink)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:
        try:
            urllib.request.urlopen(base + "/queries", timeout=2).read()
            return process, base
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                sys.exit(f"tradekg serve did not start:\n{log.read_text()}")
            time.sleep(0.2)


def pick(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(int(q * len(ordered)), len(ordered) - 1)] if ordered else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", type=Path, default=None)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--heavy", type=float, default=0.25, help="share of clients asking heavy questions")
    parser.add_argument("--abandon", type=float, default=0.5, help="share of heavy clients that hang up early")
    parser.add_argument("--abandon-after", type=float, default=2.0)
    parser.add_argument("--query-timeout", type=float, default=5.0, help="the server's TRADEKG_QUERY_TIMEOUT")
    parser.add_argument("--workers", type=int, default=2, help="the server's TRADEKG_SPARQL_WORKERS")
    parser.add_argument("--sample", type=float, default=5.0, help="seconds between RSS samples")
    args = parser.parse_args()

    import tempfile

    with built_store(args.store) as store, tempfile.TemporaryDirectory(prefix="tradekg-soak-") as tmp:
        process, base = start_server(store, Path(tmp) / "serve.log", args.workers, args.query_timeout)
        try:
            run(args, process, base)
        finally:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()


def run(args: argparse.Namespace, process: subprocess.Popen, base: str) -> None:
    heavy = round(args.clients * args.heavy)
    abandoning = round(heavy * args.abandon)
    tally = Tally()
    lanes = {"light-rest": itertools.cycle(LIGHT_REST), "light-sparql": itertools.cycle(map(sparql_url, LIGHT_SPARQL)),
             "heavy-sparql": itertools.cycle([sparql_url(EXPENSIVE)]), "heavy-rest": itertools.cycle(HEAVY_REST)}
    request_timeout = max(60.0, args.query_timeout * 4)
    deadline = time.monotonic() + args.seconds
    threads = []
    for i in range(args.clients):
        if i < heavy:
            lane = "heavy-sparql" if i % 2 == 0 else "heavy-rest"
            give_up = args.abandon_after if i < abandoning else None
        else:
            lane = "light-rest" if i % 2 == 0 else "light-sparql"
            give_up = None
        threads.append(threading.Thread(target=client, daemon=True,
                                        args=(base, lane, lanes[lane], deadline, give_up, tally, request_timeout)))
    rss = [(0.0, *memory_mb(process.pid))]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    while any(t.is_alive() for t in threads) and time.monotonic() < deadline + request_timeout:
        time.sleep(min(args.sample, max(0.1, deadline + request_timeout - time.monotonic())))
        rss.append((time.monotonic() - started, *memory_mb(process.pid)))
    print(f"soak: {args.clients} clients ({heavy} heavy, {abandoning} of them hanging up after "
          f"{args.abandon_after:g} s) for {args.seconds:g} s; server: {args.workers} query workers, "
          f"query timeout {args.query_timeout:g} s; {os.cpu_count()} CPUs, load average "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())} at the end")
    print(f"{'lane':<14}{'requests':>9}{'p50 ms':>10}{'p99 ms':>10}  outcomes")
    for lane in lanes:
        outcomes = dict(tally.outcomes.get(lane, {}))
        ms = tally.ms.get(lane, [])
        print(f"{lane:<14}{sum(outcomes.values()):>9}{pick(ms, 0.5):>10.0f}{pick(ms, 0.99):>10.0f}  "
              + ", ".join(f"{k}: {v}" for k, v in sorted(outcomes.items())))
    print("memory over time, MB (server RSS / PSS of server + query workers): "
          + ", ".join(f"{t:.0f}s {own:.0f}/{tree:.0f}" for t, own, tree in rss))
    if len(rss) > 2:
        print(f"  server RSS median {statistics.median(own for _, own, _ in rss):.0f}, max "
              f"{max(own for _, own, _ in rss):.0f}; with workers (PSS) median "
              f"{statistics.median(tree for _, _, tree in rss):.0f}, max {max(tree for _, _, tree in rss):.0f}")


if __name__ == "__main__":
    main()
