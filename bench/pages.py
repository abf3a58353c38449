"""Entity-page benchmark: /id/… for every dispute and economy (or a sample), through the app in-process
(routing, the catalog queries, rendering the HTML), first visits (the catalog's cached answers dropped before
each page) and repeat visits (answers cached), with the share of the first visit spent in the SPARQL queries.

    python bench/pages.py [--store PATH] [--sample 60] [--repeat 3]

Builds the bundle into a temporary store unless --store names a built one. Prints figures, asserts nothing.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
import warnings
from pathlib import Path

warnings.filterwarnings("ignore", category=DeprecationWarning)

from fastapi.testclient import TestClient  # noqa: E402

from tradekg.api.app import create_app  # noqa: E402
from tradekg.api.settings import Settings  # noqa: E402
from tradekg.graph.store import EmbeddedStore  # noqa: E402

from _store import built_store  # noqa: E402 - bench/ is on sys.path when a bench script runs

ID = "https://w3id.org/tradekg/id/"


def things(store: EmbeddedStore, kind: str) -> list[str]:
    cls = {"dispute": "Dispute", "economy": "Economy"}[kind]
    rows = store.select(f"SELECT ?x WHERE {{ ?x a <https://w3id.org/tradekg/ontology#{cls}> }}")
    return sorted(str(r["x"])[len(ID):] for r in rows if str(r["x"]).startswith(ID))


def timed(client: TestClient, path: str, accept: str = "text/html") -> float:
    started = time.perf_counter()
    answer = client.get(path, headers={"Accept": accept})
    elapsed = (time.perf_counter() - started) * 1000
    if answer.status_code != 200:
        raise SystemExit(f"{path}: HTTP {answer.status_code}")
    return elapsed


QUERY_MS: list[float] = []


def fresh(catalog) -> None:  # noqa: ANN001
    """Forget the cached catalog answers (a first visit), keep the term labels (read once per served store)."""
    catalog._answers.clear()  # benchmark only: the private cache, so that no page is answered from it


def count_queries(catalog) -> None:  # noqa: ANN001
    """Time every catalog query the pages run (the SPARQL share of a page)."""
    run = catalog.run

    def timed_run(name: str, **params: str):  # noqa: ANN202
        started = time.perf_counter()
        try:
            return run(name, **params)
        finally:
            QUERY_MS.append((time.perf_counter() - started) * 1000)

    catalog.run = timed_run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path)
    parser.add_argument("--sample", type=int, default=60, help="pages per kind (0: all)")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with built_store(args.store) as path:
        store = EmbeddedStore(path)
        app = create_app(store, Settings(sparql_workers=1))
        count_queries(app.state.catalog)
        with TestClient(app) as client:
            timed(client, "/id/economy/USA")  # templates compiled, term labels read
            print(f"{'pages':<28}{'n':>5}{'first visit p50':>17}{'p90':>8}{'max':>8}{'repeat p50':>12}")
            for kind in ("dispute", "economy"):
                ids = things(store, kind)
                rng = random.Random(11)
                picked = ids if not args.sample or args.sample >= len(ids) else rng.sample(ids, args.sample)
                for label, accept in (("HTML", "text/html"), ("Turtle", "text/turtle")):
                    first, again, spent = [], [], []
                    for local in picked:
                        fresh(app.state.catalog)
                        before = sum(QUERY_MS)
                        first.append(timed(client, f"/id/{local}", accept))
                        spent.append(sum(QUERY_MS) - before)
                        again.extend(timed(client, f"/id/{local}", accept) for _ in range(args.repeat))
                    q = statistics.quantiles(first, n=10)
                    print(f"{kind + ' pages, ' + label:<28}{len(picked):>5}{statistics.median(first):>14.1f} ms"
                          f"{q[-1]:>6.1f}{max(first):>8.1f}{statistics.median(again):>9.1f} ms"
                          f"   (SPARQL p50 {statistics.median(spent):.1f} ms)")
            for local in ("dispute/DS544", "economy/USA", "economy/MEX", "economy/CHN"):
                fresh(app.state.catalog)
                print(f"{'/id/' + local:<28}{'':>5}{timed(client, '/id/' + local):>14.1f} ms")


if __name__ == "__main__":
    main()
