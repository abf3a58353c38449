"""Loopback load benchmark of the HTTP API: p50/p99 latency and throughput for a mix of relationship
endpoints at 1, 8 and 32 concurrent clients, against a real `tradekg serve` it starts on 127.0.0.1.

    python bench/api_load.py [--store PATH] [--requests 2000] [--seconds 20] [--workers 1] [--levels 1,8,32]

The mix repeats 10 questions, so after the warm-up they are answered from the answer cache (what a busy client
or a page's assets see); a last level asks 600 disputes once each at 8 clients, nothing kept for them yet (what
a question costs the first time: its catalog query, the route, the JSON).

Bounded: each concurrency level stops after --requests requests or --seconds seconds, whichever
comes first. Clients are threads with one keep-alive connection each (http.client, the cheapest
client in Python, so the figures are mostly the server's). Builds the bundle into a temporary
store unless --store names a built one. Prints figures, and the memory the server's processes hold at
the end (Linux: /proc); asserts nothing.
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from _procs import family, memory_of, server_started_here  # noqa: E402
from api_support import running_server  # noqa: E402  (the same server start-up the tests use)

# A mix of relationship questions, each a typical page: lookups, filtered lists and two-hop answers.
MIX = [
    "/disputes/DS544",
    "/economies/eu",
    "/economies/USA/partners?via=measures",
    "/economies/CHN/disputes?role=complainant",
    "/disputes?respondent=USA&limit=20",
    "/measures?imposer=USA&limit=20",
    "/measures/us-232-steel",
    "/agreements/common?economies=USA,MEX&as_of=2021-01-01",
    "/agreements/rta/1087",
    "/products/7208",
]


def first_time(count: int = 600):
    """Questions asked once each: one dispute page per WTO dispute, DS1 onward (the bundle holds DS1–DS624), so
    that neither the answer cache nor the catalog's kept answers have them (the first ask of a question)."""
    return iter([f"/disputes/DS{n}" for n in range(1, min(count, 624) + 1)])


def _client(host: str, port: int, urls, deadline: float, budget, latencies: list, errors: list) -> None:
    connection = http.client.HTTPConnection(host, port, timeout=30)
    while time.monotonic() < deadline and next(budget, None) is not None:
        url = next(urls, None)
        if url is None:  # a finite list of questions, all asked
            break
        started = time.perf_counter()
        try:
            connection.request("GET", url)
            response = connection.getresponse()
            response.read()
            status = response.status
        except (OSError, http.client.HTTPException) as e:
            errors.append(f"{url}: {e}")
            connection.close()
            connection = http.client.HTTPConnection(host, port, timeout=30)
            continue
        latencies.append((time.perf_counter() - started) * 1000)
        if status != 200:
            errors.append(f"{url}: HTTP {status}")
    connection.close()


def level(base: str, clients: int, requests: int, seconds: float, urls=None) -> dict[str, float]:
    """``requests`` requests from ``clients`` clients (at most ``seconds``), cycling through MIX unless ``urls``
    (an iterator shared by the clients) says what to ask."""
    host, port = base.removeprefix("http://").split(":")
    urls = urls or itertools.cycle(MIX)  # iterators are safe enough to share: next() holds the GIL
    budget = iter(range(requests))
    latencies: list[float] = []
    errors: list[str] = []
    deadline = time.monotonic() + seconds
    threads = [threading.Thread(target=_client, args=(host, int(port), urls, deadline, budget, latencies, errors))
               for _ in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    ordered = sorted(latencies)
    pick = lambda q: ordered[min(int(q * len(ordered)), len(ordered) - 1)] if ordered else float("nan")  # noqa: E731
    return {"clients": clients, "requests": len(latencies), "errors": len(errors), "p50": pick(0.50),
            "p99": pick(0.99), "mean": statistics.fmean(latencies) if latencies else float("nan"),
            "rps": len(latencies) / elapsed, "first_error": errors[0] if errors else ""}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--store", type=Path, default=None, help="a built store [default: build one]")
    parser.add_argument("--requests", type=int, default=2000, help="requests per concurrency level")
    parser.add_argument("--seconds", type=float, default=20.0, help="time limit per concurrency level")
    parser.add_argument("--levels", default="1,8,32")
    parser.add_argument("--workers", type=int, default=1, help="server processes (tradekg serve --workers)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="tradekg-bench-") as scratch:
        store = args.store
        if store is None:
            from tradekg.graph.build import build

            store = Path(scratch) / "store"
            print("building the bundled data into a temporary store …", file=sys.stderr)
            build(store)
        with running_server(store, Path(scratch) / "serve.log", "--workers", str(args.workers)) as base:
            for _ in range(2 * args.workers):  # warm-up: each server process answers each question once
                for url in MIX:
                    connection = http.client.HTTPConnection(*base.removeprefix("http://").split(":"), timeout=120)
                    connection.request("GET", url)
                    response = connection.getresponse()
                    response.read()
                    if response.status != 200:
                        sys.exit(f"warm-up: {url} answered {response.status}: {response.read()[:300]!r}")
            print(f"tradekg serve --workers {args.workers}; mix of {len(MIX)} relationship questions; "
                  f"at most {args.requests} requests or {args.seconds:g} s per level", file=sys.stderr)
            print(f"{'clients':>7} {'requests':>8} {'errors':>6} {'p50 ms':>7} {'p99 ms':>7} {'mean ms':>7} {'req/s':>7}")
            for clients in (int(c) for c in args.levels.split(",")):
                r = level(base, clients, args.requests, args.seconds)
                print(f"{r['clients']:>7} {r['requests']:>8} {r['errors']:>6} {r['p50']:>7.2f} {r['p99']:>7.2f} "
                      f"{r['mean']:>7.2f} {r['rps']:>7.0f}" + (f"  first error: {r['first_error']}" if r["errors"] else ""))
            r = level(base, 8, 600, args.seconds * 3, urls=first_time(600))
            print(f"first asks: 8 clients, {r['requests']} disputes asked once each (nothing kept for them yet): p50 "
                  f"{r['p50']:.2f} ms, p99 {r['p99']:.2f} ms, {r['rps']:.0f} req/s, {r['errors']} errors"
                  + (f"; first error: {r['first_error']}" if r["errors"] else ""))
            server = server_started_here(int(base.rsplit(":", 1)[1]))
            if server is not None:  # what the server and everything it started hold now, after the levels above
                rss, pss = memory_of(server)
                print(f"memory of the server ({len(family(server))} processes: server processes, fork servers, "
                      f"query workers): RSS {rss:,.0f} MB summed, PSS {pss:,.0f} MB (shared pages counted once)")


if __name__ == "__main__":
    main()
