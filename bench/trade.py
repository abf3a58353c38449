"""Trade benchmark: what the trade flows cost the build, and how fast covered trade is answered.

    python bench/trade.py [--store PATH] [--repeat 21] [--skip-build]

1. The build with and without the trade sources (the three Census loaders and the derived coverage),
   back to back: wall time and CPU time of each, so a loaded machine can be told apart from the work.
2. ``trade_covered`` for each Section 301 list (year 2024): through ``tradekg.queries.run`` on the
   embedded store (a lookup of the coverage derived at build time), the same text on raw pyoxigraph, and,
   for comparison, the sum computed on the fly from flows and lines in SPARQL (what the build avoids).

Prints figures; asserts nothing. Say how loaded the machine was next to any figure you quote (the script
prints the load average).
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox

from tradekg.graph.build import build
from tradekg.graph.layout import current as version_folder  # a store root holds versions
from tradekg.graph.loaders import registry
from tradekg.graph.store import EmbeddedStore
from tradekg.queries import get, run

from _store import built_store  # bench/ is on sys.path when a bench script runs

TRADE = {"census-us-imports-hs10-2024", "census-us-trade-hs2-monthly", "census-us-exports-2025-lists",
         "trade-coverage"}
LISTS = ("1", "2", "3", "4a", "4b")
ID = "https://w3id.org/tradekg/id/measure/us-301-list-"

ON_THE_FLY = """PREFIX tkg: <https://w3id.org/tradekg/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT (SUM(?v) AS ?value) (COUNT(?flow) AS ?flows) WHERE {
  { SELECT DISTINCT ?flow WHERE {
      { <M> tkg:coversProduct ?product } UNION { <M> tkg:coversProduct ?line . ?product skos:broaderTransitive ?line }
      ?flow tkg:product ?product } }
  <M> tkg:startDate ?start ; tkg:imposedBy ?importer ; tkg:affects ?exporter .
  ?flow tkg:exporter ?exporter ; tkg:importer ?importer ; tkg:year "2024"^^<http://www.w3.org/2001/XMLSchema#gYear> ;
        tkg:valueUSD ?v .
}"""


def timed_build(loaders) -> tuple[float, float, int]:
    with tempfile.TemporaryDirectory(prefix="tradekg-bench-") as tmp:
        wall, cpu = time.perf_counter(), time.process_time()
        report = build(Path(tmp) / "store", loaders=loaders)
        return time.perf_counter() - wall, time.process_time() - cpu, report.total


def median_ms(action, repeat: int) -> float:
    action()  # warm
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--store", type=Path, help="a built store (else the bundle is built now)")
    parser.add_argument("--repeat", type=int, default=21)
    parser.add_argument("--skip-build", action="store_true", help="skip the with/without build comparison")
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    if not args.skip_build:
        full = registry()
        without = [(key, triples) for key, triples in full if key not in TRADE]
        for name, loaders in (("without trade", without), ("with trade", full)):
            wall, cpu, total = timed_build(loaders)
            print(f"build {name:14} {wall:7.1f} s wall  {cpu:7.1f} s CPU (this process)  {total:,} triples")
        print(f"load average {os.getloadavg()[0]:.1f} after the builds")
    with built_store(args.store) as path:
        store = EmbeddedStore(path)
        raw = ox.Store.read_only(str(version_folder(path)))
        text = get("trade_covered").text
        print(f"trade_covered, year 2024, median of {args.repeat} (ms): catalog run | raw pyoxigraph | on the fly")
        for code in LISTS:
            iri = ID + code
            ours = median_ms(lambda: list(run(store, "trade_covered", measure=iri, year="2024")), args.repeat)
            subs = {ox.Variable("measure"): ox.NamedNode(iri), ox.Variable("year"): ox.Literal(
                "2024", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer"))}
            plain = median_ms(lambda: list(raw.query(text, use_default_graph_as_union=True, substitutions=subs)),
                              args.repeat)
            fly = median_ms(lambda: list(raw.query(ON_THE_FLY.replace("<M>", f"<{iri}>"),
                                                   use_default_graph_as_union=True)), max(1, args.repeat // 7))
            print(f"  list {code:3} {ours:8.2f} | {plain:8.2f} | {fly:9.1f}")
        print(f"load average {os.getloadavg()[0]:.1f} at the end")


if __name__ == "__main__":
    main()
