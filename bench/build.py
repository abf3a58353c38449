"""Build benchmark: time, triples and peak memory of a full build, and the same triples loaded
into pyoxigraph versus plain rdflib, side by side.

    python bench/build.py [--runs 3]

Prints figures; asserts nothing (speed is measured here, never in a timed test).
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox
import rdflib

from tradekg.graph import layout
from tradekg.graph.build import build


def peak_rss_mb(command: list[str]) -> float:
    """Peak resident memory of a command run in a child process (so this process's own doesn't count)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    subprocess.run(command, check=True, capture_output=True)
    return max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / "store"
        times, validate = [], []
        for _ in range(args.runs):
            started = time.perf_counter()
            report = build(target)
            times.append(time.perf_counter() - started)
            validate.append(report.seconds.get("validate", 0.0))
        print(f"full build (load + SHACL validation + swap), {args.runs} runs")
        print(f"  median {statistics.median(times):.2f} s  (min {min(times):.2f}, max {max(times):.2f});"
              f" of which SHACL validation {statistics.median(validate):.2f} s")
        print(f"  {report.total:,} triples in {len(report.triples)} named graphs")
        rss = peak_rss_mb([sys.executable, "-m", "tradekg", "build", "--store", str(Path(tmp) / "rss")])
        print(f"  peak RSS of `tradekg build` in a fresh process: {rss:.0f} MB")

        store = ox.Store.read_only(str(layout.current(target)))
        nquads = store.dump(format=ox.RdfFormat.N_QUADS)
        del store
        started = time.perf_counter()
        fresh = ox.Store()
        fresh.bulk_load(nquads, format=ox.RdfFormat.N_QUADS)
        oxi = time.perf_counter() - started
        started = time.perf_counter()
        dataset = rdflib.Dataset()
        dataset.parse(data=nquads, format="nquads")
        rdf = time.perf_counter() - started
        n = report.total
        print("load the built graph (N-Quads) into an in-memory store")
        print(f"  {'engine':<12}{'seconds':>10}{'triples/s':>12}")
        print(f"  {'pyoxigraph':<12}{oxi:>10.2f}{n / oxi:>12,.0f}")
        print(f"  {'rdflib':<12}{rdf:>10.2f}{n / rdf:>12,.0f}")
        print(f"  pyoxigraph is {rdf / oxi:.0f}x faster")


if __name__ == "__main__":
    main()
