"""The mini graph of tests/data/mini: a few real facts cut down by hand, with distractors, loaded in seconds.

Its expected answers (tests/data/mini/expected/*.csv) are derived by hand from mini.trig, so the catalog
queries are checked against facts known without the code, and without building the whole bundle.
"""

from __future__ import annotations

import csv
from pathlib import Path
from urllib.parse import parse_qsl

from rdflib import Dataset, URIRef

from tradekg.graph.store import EmbeddedStore

MINI = Path(__file__).parent / "data" / "mini"
ID = "https://w3id.org/tradekg/id/"


def mini_store(path: Path | None = None) -> EmbeddedStore:
    """A store holding mini.trig (in memory, or on disk at ``path``), loaded through the store's own SPARQL
    Update interface."""
    dataset = Dataset()
    dataset.parse(MINI / "mini.trig", format="trig")
    store = EmbeddedStore(path, read_only=False)
    for graph in dataset.graphs():
        if not isinstance(graph.identifier, URIRef) or not len(graph) or str(graph.identifier).startswith("urn:x-rdflib"):
            continue
        body = "\n".join(f"{s.n3()} {p.n3()} {o.n3()} ." for s, p, o in graph)
        store.update(f"INSERT DATA {{ GRAPH <{graph.identifier}> {{\n{body}\n}} }}")
    return store


def cases() -> list[dict[str, str]]:
    """The golden cases: query, parameters (a URL query string), and why the answer is what it is."""
    with (MINI / "cases.csv").open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def parameters(case: dict[str, str]) -> dict[str, str]:
    return dict(parse_qsl(case["parameters"]))


def expected(case: dict[str, str]) -> tuple[list[str], list[tuple[str, ...]]]:
    """The hand-written answer: header and rows, ``id:`` expanded to the instance namespace (in each part of a
    space-separated set of IRIs too)."""
    with (MINI / "expected" / f"{case['case']}.csv").open(newline="", encoding="utf-8") as handle:
        header, *rows = list(csv.reader(handle))
    return header, [tuple(normal(_expand(cell)) for cell in row) for row in rows]


def _expand(cell: str) -> str:
    if not cell.startswith("id:"):
        return cell
    return " ".join(ID + part[3:] if part.startswith("id:") else part for part in cell.split(" "))


def normal(cell: str) -> str:
    """A GROUP_CONCAT's parts in a fixed order: SPARQL leaves their order to the engine."""
    for separator in ("; ", " & "):
        if separator in cell:
            return separator.join(sorted(cell.split(separator)))
    return cell


def example_cases() -> list[tuple[str, dict[str, str]]]:
    """Every catalog query with its example parameters, and with none where none are required."""
    from tradekg.queries import get, names

    found = []
    for name in names():
        query = get(name)
        found.append((name, query.example))
        if not query.requires:
            found.append((name, {}))
    return found
