"""The graph's statistics (graph/statistics: VoID counts per named graph, class and property) are what the
catalog's instances_per_class, triples_per_graph and term_uses answer. They are counted where the graph changes,
by the build and after every update through the store layer; these tests count the same things another way
(rdflib over the stored quads, or by hand from a small fixture) and compare."""

from __future__ import annotations

from collections import Counter, defaultdict
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Dataset, URIRef
from rdflib.namespace import RDF

from conftest import foundation_loaders, start_oxigraph
from tradekg.graph.build import build
from tradekg.graph.remote import RemoteStore
from tradekg.graph.store import EmbeddedStore
from tradekg.queries import run

G = "https://w3id.org/tradekg/graph/"
TKG = "https://w3id.org/tradekg/ontology#"
ID = "https://w3id.org/tradekg/id/"
STATISTICS = G + "statistics"


def answers(store) -> tuple[dict[str, int], dict[str, int], dict[str, int]]:
    """(triples per graph, instances per tkg class, uses per term) as the catalog answers them."""
    graphs = {str(r["graph"]): int(r["triples"]) for r in run(store, "triples_per_graph")}
    classes = {str(r["class"]): int(r["instances"]) for r in run(store, "instances_per_class")}
    uses = {str(r["term"]): int(r["uses"]) for r in run(store, "term_uses")}
    return graphs, classes, uses


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    target = tmp_path_factory.mktemp("statistics") / "store"
    build(target, loaders=foundation_loaders(), check_shapes=False)
    return target


def test_the_builds_statistics_are_rdflibs_counts_of_the_stored_graph(built):
    store = EmbeddedStore(built)
    dataset = Dataset()
    dataset.parse(data=store.db.dump(format=ox.RdfFormat.N_QUADS).decode("utf-8"),
                  format="nquads")
    triples: Counter[str] = Counter()
    things: defaultdict[str, set] = defaultdict(set)
    statements: Counter[str] = Counter()
    for s, p, o, g in dataset.quads((None, None, None, None)):
        graph = str(g.identifier if hasattr(g, "identifier") else g)
        triples[graph] += 1
        if graph == STATISTICS:
            continue
        statements[str(p)] += 1
        if p == RDF.type:
            things[str(o)].add(s)
    graphs, classes, uses = answers(store)
    assert graphs == dict(triples)  # every named graph, graph/statistics with its own size included
    assert classes == {c: len(found) for c, found in things.items() if c.startswith(TKG)}
    assert classes[TKG + "Dispute"] > 0 and classes[TKG + "Economy"] > 0
    for term, count in statements.items():  # a property's statements, plus its instances if it is also a class
        assert uses[term] == count + len(things.get(term, ())), term
    for term, found in things.items():
        assert uses[term] == len(found) + statements.get(term, 0), term


FIXTURE = f"""PREFIX tkg: <{TKG}>
INSERT DATA {{
  GRAPH <{G}a> {{ <{ID}dispute/DS1> a tkg:Dispute ; tkg:complainant <{ID}economy/USA> .
                  <{ID}dispute/DS2> a tkg:Dispute . }}
  GRAPH <{G}b> {{ <{ID}dispute/DS1> a tkg:Dispute . }}
}}"""
# Counted by hand: two distinct disputes (DS1 is typed in both graphs); graph a holds 3 triples, b 1;
# rdf:type is stated 3 times, tkg:complainant once.
ADD = f"""PREFIX tkg: <{TKG}>
DELETE DATA {{ GRAPH <{G}a> {{ <{ID}dispute/DS1> tkg:complainant <{ID}economy/USA> }} }} ;
INSERT DATA {{ GRAPH <{G}b> {{ <{ID}dispute/DS3> a tkg:Dispute . <{ID}economy/USA> a tkg:Economy . }} }}"""


def check_fixture_counts(store) -> None:
    graphs, classes, uses = answers(store)
    assert (graphs[G + "a"], graphs[G + "b"]) == (3, 1)
    assert classes == {TKG + "Dispute": 2}
    assert uses[TKG + "Dispute"] == 2 and uses[TKG + "complainant"] == 1
    assert uses["http://www.w3.org/1999/02/22-rdf-syntax-ns#type"] == 3


def check_counts_after_add(store) -> None:
    graphs, classes, uses = answers(store)
    assert (graphs[G + "a"], graphs[G + "b"]) == (2, 3)
    assert classes == {TKG + "Dispute": 3, TKG + "Economy": 1}
    assert TKG + "complainant" not in uses


def test_every_update_counts_the_statistics_again():
    store = EmbeddedStore(None)
    store.update(FIXTURE)
    check_fixture_counts(store)
    store.update(ADD)
    check_counts_after_add(store)


def test_an_update_on_a_store_folder_counts_them_with_the_same_write(built, tmp_path):
    import shutil

    copy = tmp_path / "store"
    shutil.copytree(built, copy)
    store = EmbeddedStore(copy)  # read-only, as the API opens it: the update goes through a short-lived writer
    before = answers(store)[1][TKG + "Dispute"]
    store.update(f"PREFIX tkg: <{TKG}> INSERT DATA {{ GRAPH <{G}extra> {{ <{ID}dispute/DS9999> a tkg:Dispute }} }}")
    graphs, classes, _ = answers(store)
    assert classes[TKG + "Dispute"] == before + 1 and graphs[G + "extra"] == 1


def test_an_update_through_a_remote_store_counts_them_on_the_server(tmp_path):
    process, url = start_oxigraph(tmp_path / "server")
    try:
        remote = RemoteStore(url)
        remote.update(FIXTURE)
        check_fixture_counts(remote)
        remote.update(ADD)
        check_counts_after_add(remote)
    finally:
        process.terminate()
        process.wait(timeout=10)
