"""Graphviz benchmark: every network view exported as .dot, then drawn by Graphviz as the file is.

    python bench/graphviz.py [--store PATH] [--runs 3]

The .dot export pins our layout (``pos="x,y!"``, ``layout=neato``, ``notranslate``), so ``dot -Tsvg`` and
``neato -n -Tsvg`` only draw. Before, plain ``dot`` searched for a layered layout and never finished on the
bigger views. For each view it prints the size and the median time of each command. Target: a few seconds.
Needs Graphviz on PATH (apt-get install graphviz). Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from _store import built_store  # bench/ is on sys.path when a bench script runs
from tradekg.graph.exporters import write
from tradekg.graph.store import EmbeddedStore
from tradekg.queries import projections
from tradekg.queries.exports import export_view

COMMANDS = (("dot", "-Tsvg"), ("neato", "-n", "-Tsvg"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--store", type=Path, default=None, help="A built store (default: build one now).")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    with built_store(args.store) as store_path, tempfile.TemporaryDirectory() as tmp:
        store = EmbeddedStore(store_path)
        print(f"{'view':18} {'nodes':>6} {'edges':>6} " + " ".join(f"{' '.join(c[:-1]) + ' s':>10}" for c in COMMANDS))
        for view in projections.VIEWS:
            graph, meta = export_view(store, view)
            path = write(graph, "dot", Path(tmp) / f"{view}.dot", meta)
            figures = []
            for command in COMMANDS:
                times = []
                for _ in range(args.runs):
                    started = time.perf_counter()
                    subprocess.run([*command, str(path), "-o", str(Path(tmp) / "out.svg")], check=True,
                                   capture_output=True)
                    times.append(time.perf_counter() - started)
                figures.append(statistics.median(times))
            print(f"{view:18} {graph.number_of_nodes():6} {graph.number_of_edges():6} "
                  + " ".join(f"{f:10.2f}" for f in figures))
        store.close()


if __name__ == "__main__":
    main()
