"""Export benchmark: the full dispute network (every dispute, no filter) written in every format.

    python bench/export.py [--store PATH] [--runs 3] [--view disputes]

Without --store the bundled data is built into a temporary store first (about a minute). For each
format it prints the median time of ``tradekg export`` as a user runs it minus process start-up:
projecting and preparing the view (SPARQL, centrality, communities, profiles) plus writing the file,
and the write alone. Target: under 5 s each. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from tradekg.graph.exporters import FORMATS, write
from tradekg.graph.store import EmbeddedStore

from _store import built_store  # bench/ is on sys.path when a bench script runs
from tradekg.queries.exports import export_view

TARGET_S = 5.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--store", type=Path, default=None, help="A built store (default: build one now).")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--view", default="disputes")
    args = parser.parse_args()

    with built_store(args.store) as store_path, tempfile.TemporaryDirectory() as tmp:
        store = EmbeddedStore(store_path)
        prepare = []
        for _ in range(args.runs):
            started = time.perf_counter()
            graph, meta = export_view(store, args.view)
            prepare.append(time.perf_counter() - started)
        p = statistics.median(prepare)
        print(f"view {args.view}: {graph.number_of_nodes()} nodes, {graph.number_of_edges()} edges; "
              f"projection and preparation median {p:.2f} s over {args.runs} runs")
        print(f"{'format':8} {'write s':>8} {'total s':>8} {'size kB':>8}  under {TARGET_S:.0f} s")
        for fmt, ext in FORMATS.items():
            times = []
            for i in range(args.runs):
                started = time.perf_counter()
                path = write(graph, fmt, Path(tmp) / f"{args.view}.{ext}", meta)
                times.append(time.perf_counter() - started)
            w = statistics.median(times)
            print(f"{fmt:8} {w:8.2f} {p + w:8.2f} {path.stat().st_size / 1024:8.0f}  "
                  f"{'yes' if p + w < TARGET_S else 'NO'}")
        store.close()


if __name__ == "__main__":
    main()
