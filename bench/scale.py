"""Where one machine ends: the real graph copied ×1, ×4, ×16 (entity IRIs renamed per copy, so nothing
collapses; ontology terms and graph names shared), and per size: bulk-load throughput and peak RSS,
store size on disk, start-up in memory mode (time, RSS; from the N-Quads copy a build writes), catalog latency in memory, whether
`--memory auto` would switch memory mode on, and the relationship API's p50/p99 at 8 clients.

    python bench/scale.py [--store PATH] [--sizes 1,4,16] [--requests 1000] [--no-api]

Each step runs in a fresh process (spawned), so each peak RSS is that step's own. Prints figures,
asserts nothing; say how loaded the machine was next to any figure you copy (printed at start and end).
"""

from __future__ import annotations

import argparse
import math
import multiprocessing as mp
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

ID = b"https://w3id.org/tradekg/id/"


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def make_copies(store: Path, copies: int, target: Path) -> int:
    """N-Quads of ``copies`` renamed copies of the store's graph, written to ``target``; returns quads."""
    import pyoxigraph as ox
    from tradekg.graph.layout import current as version_folder  # a store root holds versions

    # graph/statistics is copied too, as it is: _load counts each size's own, and that update drops the graph first
    data = ox.Store.read_only(str(version_folder(store))).dump(format=ox.RdfFormat.N_QUADS)
    with target.open("wb") as out:
        for k in range(copies):
            out.write(data if k == 0 else data.replace(ID, ID + f"copy{k}/".encode()))
    return data.count(b"\n") * copies


def _load(nquads: str, folder: str, pipe) -> None:
    import pyoxigraph as ox

    started = time.perf_counter()
    db = ox.Store(folder)
    db.bulk_load(path=nquads, format=ox.RdfFormat.N_QUADS)
    db.optimize()
    db.flush()
    load_s = time.perf_counter() - started
    from tradekg.graph import snapshot, statistics

    started = time.perf_counter()
    db.update(statistics.refresh_update())  # the copies' own counts, as the build writes them
    db.flush()
    statistics_s = time.perf_counter() - started
    started = time.perf_counter()
    snapshot.write(db, Path(folder))  # what the build writes beside the database, for memory mode's start-up
    pipe.send({"load_s": load_s, "load_peak_mb": _peak_mb(), "statistics_s": statistics_s,
               "snapshot_s": time.perf_counter() - started})


def _memory(folder: str, pipe) -> None:
    from tradekg.graph.store import EmbeddedStore, memory_fits, store_bytes
    from tradekg.queries import get, names

    auto = memory_fits(Path(folder))
    store = EmbeddedStore.in_memory(Path(folder))
    quads, seconds = store.loaded
    with open("/proc/self/statm") as f:
        rss = int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    times = {}
    for name in names():
        query = get(name)
        bindings = query.bind(query.example)
        text = query.sparql(bindings)  # the optional parameters' lines written, as the catalog runs it
        store.select(text, bindings)
        runs = []
        for _ in range(3):
            started = time.perf_counter()
            store.select(text, bindings)
            runs.append((time.perf_counter() - started) * 1000)
        times[name] = statistics.median(runs)
    slowest = max(times, key=times.get)
    pipe.send({"quads": quads, "startup_s": seconds, "memory_rss_mb": rss, "auto": auto,
               "store_mb": store_bytes(Path(folder)) / 2**20,
               "catalog_geo_ms": math.exp(statistics.fmean(math.log(max(t, 0.01)) for t in times.values())),
               "catalog_max": f"{slowest} {times[slowest]:.0f} ms"})


def in_child(target, *args) -> dict:
    receive, send = mp.Pipe(duplex=False)
    child = mp.get_context("spawn").Process(target=target, args=(*args, send))
    child.start()
    result = receive.recv()
    child.join()
    return result


def api_figures(folder: Path, scratch: Path, requests: int) -> dict:
    from api_load import MIX, level
    from api_support import running_server

    # the answer cache off: the mix repeats 10 questions, which it would answer alike at every size; this column
    # is what answering them costs the server as the graph grows (their catalog answers are still kept)
    with running_server(folder, scratch / "serve.log", "--memory", "auto", start_seconds=600,
                        TRADEKG_ANSWER_CACHE_MB="0") as base:
        level(base, 1, len(MIX), 600)  # warm-up: each question once
        r = level(base, 8, requests, 60)
    return {"api_p50": r["p50"], "api_p99": r["p99"], "api_errors": r["errors"]}


def main() -> None:
    from _store import built_store

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--store", type=Path, default=None)
    parser.add_argument("--sizes", default="1,4,16")
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--no-api", action="store_true")
    args = parser.parse_args()
    print(f"load average at start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs", flush=True)
    rows = []
    with built_store(args.store) as store, tempfile.TemporaryDirectory(prefix="tradekg-scale-") as tmp:
        scratch = Path(tmp)
        for copies in (int(s) for s in args.sizes.split(",")):
            nquads, folder = scratch / f"x{copies}.nq", scratch / f"x{copies}"
            quads = make_copies(store, copies, nquads)
            row = {"copies": copies, "quads": quads}
            row |= in_child(_load, str(nquads), str(folder))
            nquads.unlink()
            row |= in_child(_memory, str(folder))
            if not args.no_api:
                row |= api_figures(folder, scratch, args.requests)
            rows.append(row)
            print(row, flush=True)
            subprocess.run(["rm", "-rf", str(folder)], check=False)
    print(f"\n{'size':>5}{'quads':>12}{'load q/s':>10}{'load peak':>10}{'store':>8}{'mem start':>10}{'mem RSS':>9}"
          f"{'auto':>6}{'catalog geo':>12}  {'slowest query':<34}{'API p50':>8}{'p99':>7}")
    for r in rows:
        print(f"{'x' + str(r['copies']):>5}{r['quads']:>12,}{r['quads'] / r['load_s']:>10,.0f}"
              f"{r['load_peak_mb']:>8,.0f}MB{r['store_mb']:>6,.0f}MB{r['startup_s']:>9.1f}s{r['memory_rss_mb']:>7,.0f}MB"
              f"{'on' if r['auto'] else 'off':>6}{r['catalog_geo_ms']:>10.1f}ms  {r['catalog_max']:<34}"
              + (f"{r['api_p50']:>6.1f}ms{r['api_p99']:>5.0f}ms" if "api_p50" in r else ""))
    print(f"load average at end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
