"""Catalog benchmark: every catalog query with its example parameters, on the embedded store (pyoxigraph,
parameters as substitutions) next to plain rdflib (a Dataset(default_union=True) holding the same
N-Quads, parameters through initBindings), with the row counts of both and the overall speed-up.

    python bench/catalog.py [--store PATH] [--repeat 7] [--rdflib-timeout 60] [QUERY ...]

Builds the bundle into a temporary store unless --store names a built one. Each rdflib query runs in a
forked child, so one that takes too long is stopped and reported as such. Prints figures, asserts nothing.
"""

from __future__ import annotations

import argparse
import gc
import math
import multiprocessing as mp
import statistics
import sys
import time
from pathlib import Path

import pyoxigraph as ox
import rdflib

from tradekg.graph.store import EmbeddedStore
from tradekg.queries import get, names

from _store import built_store  # bench/ is on sys.path when a bench script runs

_DATASET: rdflib.Dataset | None = None  # set before forking; the children inherit it


def median_ms(run, repeat: int) -> tuple[float, int]:
    """Median wall time of ``repeat`` runs after one warm-up, and the number of rows."""
    rows = len(run())
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), rows


def _rdflib_child(text: str, bindings: dict, repeat: int, budget_s: float, pipe) -> None:
    def run():
        return list(_DATASET.query(text, initBindings=bindings))
    started = time.perf_counter()
    try:
        rows = len(run())
    except Exception as e:  # noqa: BLE001 - any rdflib failure is a figure to print, not a crash
        pipe.send(f"{type(e).__name__}: {e}")
        return
    first = time.perf_counter() - started
    # A slow query is timed once: its first run is its figure.
    repeat = repeat if first * repeat < budget_s else 0
    times = [first * 1000]
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append((time.perf_counter() - started) * 1000)
    pipe.send((statistics.median(times[1:] or times), rows))


def rdflib_ms(text: str, bindings: dict, repeat: int, timeout_s: float) -> tuple[float, int] | str | None:
    """rdflib's median in a forked child; its error message if it failed; None if it did not finish
    within ``timeout_s``."""
    receive, send = mp.Pipe(duplex=False)
    child = mp.get_context("fork").Process(target=_rdflib_child, args=(text, bindings, repeat, timeout_s / 4, send))
    child.start()
    if receive.poll(timeout_s):
        result = receive.recv()
        child.join()
        return result
    child.kill()
    child.join()
    return None


def main() -> None:
    global _DATASET
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("queries", nargs="*", help="catalog query names (default: all)")
    parser.add_argument("--store", type=Path, default=None)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--rdflib-timeout", type=float, default=60.0, help="seconds per query")
    args = parser.parse_args()
    with built_store(args.store) as path:
        store = EmbeddedStore(path)
        started = time.perf_counter()
        _DATASET = rdflib.Dataset(default_union=True)
        _DATASET.parse(data=store.db.dump(format=ox.RdfFormat.N_QUADS), format="nquads")
        print(f"rdflib Dataset loaded: {len(_DATASET):,} quads in {time.perf_counter() - started:.0f} s")
        # Millions of rdflib objects would otherwise make every garbage collection walk them, which
        # slows whatever allocates, the embedded store's row conversion included.
        gc.freeze()
        print(f"median latency in ms with each query's example parameters ({args.repeat} runs after a warm-up)\n")
        print(f"{'query':<36}{'embedded':>10}{'rows':>7}{'rdflib':>11}{'rows':>7}{'speed-up':>10}")
        ratios, embedded_total, rdflib_total, unfinished, failed = [], 0.0, 0.0, [], []
        for name in args.queries or names():
            query = get(name)
            bindings = query.bind(query.example)
            text = query.sparql(bindings)
            ms, rows = median_ms(lambda: store.select(text, bindings), args.repeat)
            other = rdflib_ms(text, bindings, args.repeat, args.rdflib_timeout)
            if other is None:
                unfinished.append(name)
                print(f"{name:<36}{ms:>10.1f}{rows:>7}{'> ' + format(args.rdflib_timeout, '.0f') + ' s':>11}"
                      f"{'':>7}{'':>10}", flush=True)
                continue
            if isinstance(other, str):
                failed.append(f"{name} ({other[:120]})")
                print(f"{name:<36}{ms:>10.1f}{rows:>7}{'error':>11}{'':>7}{'':>10}", flush=True)
                continue
            rdflib_median, rdflib_rows = other
            ratio = rdflib_median / ms if ms > 0 else math.inf
            ratios.append(ratio)
            embedded_total, rdflib_total = embedded_total + ms, rdflib_total + rdflib_median
            print(f"{name:<36}{ms:>10.1f}{rows:>7}{rdflib_median:>11.1f}{rdflib_rows:>7}{ratio:>9.0f}x", flush=True)
        store.close()
    if ratios:
        geometric = math.exp(statistics.fmean(math.log(r) for r in ratios))
        print(f"\noverall speed-up over the {len(ratios)} queries rdflib finished: {geometric:.0f}x geometric mean "
              f"of the per-query ratios; {rdflib_total / embedded_total:.0f}x on the summed medians "
              f"({embedded_total:.0f} ms embedded, {rdflib_total:,.0f} ms rdflib)")
    if unfinished:
        print(f"rdflib did not finish within {args.rdflib_timeout:.0f} s: {', '.join(unfinished)}")
    if failed:
        print("rdflib failed on: " + "; ".join(failed))


if __name__ == "__main__":
    main()
