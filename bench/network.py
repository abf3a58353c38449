"""Network benchmark: every view projected from the full bundle, and every analysis run on it.

    python bench/network.py [--store PATH] [--runs 3]

Without --store the bundled data is built into a temporary store first (about a minute). Prints, per
view, the median time of the catalog query alone, of the whole projection (query, pairing, node labels),
and of centrality (all four measures), Louvain communities and an ego network; then the combined graph
behind `tradekg network paths` and a few path searches. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

from tradekg.graph.store import EmbeddedStore

from _store import built_store  # bench/ is on sys.path when a bench script runs
from tradekg.queries import run
from tradekg.queries.analyses import centrality, communities, ego
from tradekg.queries.paths import combined, k_paths
from tradekg.queries.projections import VIEWS, project

PAIRS = [("USA", "MEX"), ("USA", "CHN"), ("MNG", "PRY")]


def timed(runs: int, job):
    """The median seconds of ``runs`` calls, and the last result."""
    times, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = job()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--store", type=Path, default=None, help="A built store (default: build one now).")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with built_store(args.store) as path:
        store = EmbeddedStore(path)
        print(f"{'view':18} {'nodes':>6} {'edges':>6} {'rows':>6} {'query s':>8} {'project s':>9} "
              f"{'central. s':>10} {'louvain s':>9} {'ego s':>6}")
        for name, spec in VIEWS.items():
            q, rows = timed(args.runs, lambda: run(store, spec.query))
            p, graph = timed(args.runs, lambda: project(store, name))
            c, _ = timed(args.runs, lambda: centrality(graph))
            louvain, _ = timed(args.runs, lambda: communities(graph))
            e, _ = timed(args.runs, lambda: ego(graph, "USA", 1))
            print(f"{name:18} {graph.number_of_nodes():6} {graph.number_of_edges():6} {len(rows):6} {q:8.2f} "
                  f"{p:9.2f} {c:10.2f} {louvain:9.2f} {e:6.3f}")
        m, multi = timed(args.runs, lambda: combined(store))
        print(f"combined graph for paths: {multi.number_of_nodes()} economies, {multi.number_of_edges()} "
              f"edges (one per view and pair), built in {m:.2f} s")
        for a, b in PAIRS:
            for k in (5, 20):
                s, found = timed(args.runs, lambda: k_paths(multi, a, b, k))
                print(f"  paths {a}–{b} k={k}: {s * 1000:.0f} ms, lengths {[len(p.hops) for p in found]}")


if __name__ == "__main__":
    main()
