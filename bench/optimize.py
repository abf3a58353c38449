"""What `Store.optimize()` (run by every build before the swap) buys: the same quads bulk-loaded into two fresh
folders, one of them then optimized; each folder's size, and every catalog query with its example parameters
run read-only on disk through the embedded store.

    python bench/optimize.py [--store PATH] [--repeat 3]

Builds the bundle into a temporary store unless --store names a built one. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox

from tradekg.graph import layout
from tradekg.graph.store import EmbeddedStore, store_bytes
from tradekg.queries import get, names

from _store import built_store  # bench/ is on sys.path when a bench script runs


def copy(source: Path, folder: Path, optimize: bool) -> float:
    """Bulk-load the quads of ``source`` into a fresh ``folder`` (and optimize it); returns CPU seconds."""
    started = time.process_time()
    db = ox.Store(str(folder))
    src = ox.Store.read_only(str(source))
    for graph in [ox.DefaultGraph(), *src.named_graphs()]:
        db.bulk_extend(src.quads_for_pattern(None, None, None, graph))
    if optimize:
        db.optimize()
    db.flush()
    return time.process_time() - started


def median_ms(store: EmbeddedStore, text: str, bindings: dict, repeat: int) -> float:
    store.select(text, bindings)
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        store.select(text, bindings)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with built_store(args.store) as root, tempfile.TemporaryDirectory(prefix="tradekg-optimize-") as tmp:
        source = layout.current(root)
        folders = {"plain": Path(tmp) / "plain", "optimized": Path(tmp) / "optimized"}
        for label, folder in folders.items():
            cpu = copy(source, folder, optimize=label == "optimized")
            print(f"{label:>9}: bulk load{' + optimize' if label == 'optimized' else ''} {cpu:.1f} s CPU, "
                  f"folder {store_bytes(folder) / 2**20:.0f} MB", file=sys.stderr)
        stores = {label: EmbeddedStore(folder) for label, folder in folders.items()}
        print(f"{'query':<36} {'plain ms':>10} {'optimized ms':>13}")
        totals = {label: [] for label in stores}
        for name in names():
            query = get(name)
            bindings = query.bind(query.example)
            text = query.sparql(bindings)
            row = {label: median_ms(store, text, bindings, args.repeat) for label, store in stores.items()}
            for label, ms in row.items():
                totals[label].append(ms)
            print(f"{name:<36} {row['plain']:>10.1f} {row['optimized']:>13.1f}", flush=True)
        for label in stores:
            stores[label].close()
        geo = {label: math.exp(statistics.fmean(math.log(max(t, 0.01)) for t in ts)) for label, ts in totals.items()}
        print(f"{'sum':<36} {sum(totals['plain']):>10.0f} {sum(totals['optimized']):>13.0f}")
        print(f"{'geometric mean':<36} {geo['plain']:>10.1f} {geo['optimized']:>13.1f}")


if __name__ == "__main__":
    main()
