"""Store benchmark: `tradekg push` throughput to each server tradekg is tested on (an Oxigraph server, a stock
Virtuoso 7, Apache Jena TDB2 behind tests/stores/JenaServer.java), then every catalog query (its example
parameters) timed on the embedded store and on each server, side by side, with a mark where the rows differ.
A few hand-written queries also run on plain rdflib (an in-memory Dataset holding the same data).

    python bench/stores.py [--store PATH] [--servers oxigraph,virtuoso,jena] [--repeat 3] [--no-rdflib]

Builds the bundle into a temporary store unless --store names a built one. Every server is started on
127.0.0.1 and a free port, in a temporary folder, and stopped at the end. Prints figures, asserts nothing.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import rdflib
from rdflib import XSD, BNode, Literal

TESTS = Path(__file__).resolve().parent.parent / "tests"
sys.path[:0] = [str(TESTS), str(TESTS / "stores")]  # not `stores.servers`: this file is `stores` here
from conftest import start_oxigraph  # noqa: E402  (the same server start-ups the tests use)
import servers  # noqa: E402

from tradekg.graph.build import build  # noqa: E402
from tradekg.graph.dump import write as write_dump  # noqa: E402
from tradekg.graph.remote import RemoteStore, push  # noqa: E402
from tradekg.graph.store import EmbeddedStore  # noqa: E402
from tradekg.queries import get, names, run  # noqa: E402

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


def median_ms(call: Callable[[], object], repeat: int) -> float:
    """Median wall time of ``repeat`` runs after one warm-up, in ms; NaN if the call fails."""
    try:
        call()
    except Exception:  # noqa: BLE001 - a server's error is a figure here ("failed"), not a crash
        return float("nan")
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def term_text(term) -> str:
    """A term as comparable text: blank-node labels are local to each store, so they compare as one; an
    xsd:decimal by its value (Jena writes a sum as "123.0" where Oxigraph writes "123": the same number)."""
    if isinstance(term, BNode):
        return "_:b"
    if isinstance(term, Literal) and term.datatype == XSD.decimal:
        return f"{Decimal(str(term)).normalize()}^^decimal"
    return term.n3()


def as_text(rows) -> list:
    return sorted(tuple(sorted((k, term_text(v)) for k, v in row.items())) for row in rows)


def start(name: str, folder: Path):
    if name == "oxigraph":
        return start_oxigraph(folder)
    if name == "virtuoso":
        return servers.start_virtuoso(folder)
    return servers.start_jena(folder, nquads=None)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--store", type=Path, default=None)
    parser.add_argument("--servers", default="oxigraph,virtuoso,jena")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-rdflib", action="store_true")
    args = parser.parse_args()
    wanted = [s for s in args.servers.split(",") if s]
    if "oxigraph" in wanted and shutil.which("oxigraph") is None:
        sys.exit("needs the `oxigraph` server: pip install -e '.[test]'")
    with tempfile.TemporaryDirectory() as tmp:
        path = args.store or Path(tmp) / "store"
        if args.store is None:
            build(path)
        local = EmbeddedStore(path)
        started, remotes = [], {}
        try:
            for name in wanted:
                began = time.perf_counter()
                process, url = start(name, Path(tmp) / name)
                started.append(process)
                remote = RemoteStore(url, timeout_s=600)
                print(f"{name}: started in {time.perf_counter() - began:.1f} s at {url}", flush=True)
                began = time.perf_counter()
                sent = push(local, remote)
                seconds = time.perf_counter() - began
                total = sum(n for n, _ in sent.values())
                print(f"{name}: push {total:,} triples in {len(sent)} graphs in {seconds:.1f} s "
                      f"= {total / seconds:,.0f} triples/s (to {remote.store_url or 'INSERT DATA'})", flush=True)
                remotes[name] = remote
            if not args.no_rdflib:
                dump = Path(tmp) / "all.nq"
                write_dump(local, dump)
                memory = rdflib.Dataset(default_union=True)
                memory.parse(dump, format="nquads")

            stores = {"embedded": local, **remotes}
            print(f"\ncatalog queries, example parameters: median of {args.repeat} runs (ms); "
                  "≠ rows differ from the embedded store's, 'failed' an error")
            print(f"{'query':<36}" + "".join(f"{s:>12}" for s in stores))
            totals = dict.fromkeys(stores, 0.0)
            for name in names():
                raw = get(name).example
                expected = as_text(run(local, name, **raw))
                cells = []
                for label, store in stores.items():
                    ms = median_ms(lambda s=store: run(s, name, **raw), args.repeat)
                    if ms != ms:  # NaN
                        cells.append(f"{'failed':>12}")
                        continue
                    totals[label] += ms
                    same = label == "embedded" or as_text(run(store, name, **raw)) == expected
                    cells.append(f"{ms:>11.1f}{' ' if same else '≠'}")
                print(f"{name:<36}" + "".join(cells), flush=True)
            print(f"{'sum of the answered':<36}" + "".join(f"{totals[s]:>11.0f} " for s in stores))

            print(f"\nhand-written queries (ms)")
            print(f"{'query':<44}" + "".join(f"{s:>12}" for s in stores) + ("" if args.no_rdflib else f"{'rdflib':>12}"))
            for label, text in EXTRA.items():
                cells = [median_ms(lambda s=store: s.select(text), args.repeat) for store in stores.values()]
                if not args.no_rdflib:
                    cells.append(median_ms(lambda: list(memory.query(text)), 1))
                print(f"{label:<44}" + "".join(f"{c:>12.1f}" for c in cells), flush=True)
        finally:
            for process in started:
                servers.stop(process)
            local.close()


if __name__ == "__main__":
    main()
