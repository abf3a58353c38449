"""Store benchmark: push throughput to a local Oxigraph server, and query latency on the embedded
store, on that server and on plain rdflib (in-memory Graph holding the same data), side by side.

    python bench/stores.py [--store PATH] [--repeat 5]

Builds the bundle into a temporary store unless --store names a built one. Loopback only; prints
figures and asserts nothing.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import rdflib

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from conftest import start_oxigraph  # noqa: E402  (the same server start-up the tests use)

from tradekg.graph.build import build  # noqa: E402
from tradekg.graph.remote import RemoteStore, push  # noqa: E402
from tradekg.graph.store import EmbeddedStore  # noqa: E402
from tradekg.queries import get, names  # noqa: E402

EXTRA = {
    "dispute lookup (DS544 parties)":
        "PREFIX tkg: <https://w3id.org/tradekg/ontology#> SELECT ?c ?r WHERE { "
        "<https://w3id.org/tradekg/id/dispute/DS544> tkg:complainant ?c ; tkg:respondent ?r }",
    "third parties per respondent (aggregate)":
        "PREFIX tkg: <https://w3id.org/tradekg/ontology#> SELECT ?r (COUNT(DISTINCT ?t) AS ?n) "
        "WHERE { ?d tkg:respondent ?r ; tkg:thirdParty ?t } GROUP BY ?r ORDER BY DESC(?n)",
    "co-complainants of the USA (two hops)":
        "PREFIX tkg: <https://w3id.org/tradekg/ontology#> SELECT DISTINCT ?o WHERE { "
        "?d tkg:complainant <https://w3id.org/tradekg/id/economy/USA> , ?o FILTER(?o != <https://w3id.org/tradekg/id/economy/USA>) }",
}


def median_ms(run, repeat: int) -> float:
    run()  # warm-up
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--store", type=Path, default=None)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    if shutil.which("oxigraph") is None:
        sys.exit("needs the `oxigraph` server: pip install -e '.[test]'")
    with tempfile.TemporaryDirectory() as tmp:
        path = args.store or Path(tmp) / "store"
        if args.store is None:
            build(path)
        local = EmbeddedStore(path)
        process, url = start_oxigraph(Path(tmp) / "server")
        try:
            remote = RemoteStore(url)
            started = time.perf_counter()
            sent = push(local, remote)
            seconds = time.perf_counter() - started
            total = sum(n for n, _ in sent.values())
            print(f"push to Oxigraph server (Graph Store Protocol, loopback): {total:,} triples in {seconds:.2f} s "
                  f"= {total / seconds:,.0f} triples/s")

            memory = rdflib.Dataset(default_union=True)
            memory.parse(data=local.db.dump(format=__import__("pyoxigraph").RdfFormat.N_QUADS), format="nquads")
            queries = {f"catalog: {n}": get(n).sparql() for n in names() if not get(n).requires} | EXTRA
            print(f"\nmedian latency over {args.repeat} runs (ms)")
            print(f"{'query':<48}{'embedded':>10}{'server':>10}{'rdflib':>10}")
            for label, text in queries.items():
                a = median_ms(lambda: local.select(text), args.repeat)
                b = median_ms(lambda: remote.select(text), args.repeat)
                c = median_ms(lambda: list(memory.query(text)), max(1, args.repeat // 2))
                print(f"{label:<48}{a:>10.1f}{b:>10.1f}{c:>10.1f}")
        finally:
            process.terminate()
            process.wait(timeout=10)
            local.close()


if __name__ == "__main__":
    main()
