"""The one store interface, on the embedded store and on a real Oxigraph server: same answers."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from rdflib import BNode, Literal, URIRef

from tradekg.cli import cli
from tradekg.graph.errors import EndpointError, QuerySyntaxError
from tradekg.graph.remote import RemoteStore, push
from tradekg.queries import run

from conftest import ID, PREFIXES, start_oxigraph
from mini import MINI, example_cases, mini_store

DS544 = URIRef(f"{ID}dispute/DS544")


def test_select_with_a_bound_parameter(any_store):
    rows = any_store.select(PREFIXES + "SELECT ?d ?c WHERE { ?d tkg:complainant ?c }", {"d": DS544})
    assert [(r["d"], r["c"]) for r in rows] == [(DS544, URIRef(f"{ID}economy/CHN"))]
    assert rows.variables == ["d", "c"]


def test_aggregate_filtered_by_a_group_key_parameter(any_store):
    query = PREFIXES + "SELECT ?d (COUNT(?t) AS ?n) WHERE { ?d tkg:thirdParty ?t } GROUP BY ?d"
    assert [int(r["n"]) for r in any_store.select(query, {"d": DS544})] == [29]


def test_hostile_literal_stays_one_literal(any_store):
    hostile = Literal('x" } ; DROP ALL #')
    rows = any_store.select("SELECT ?x WHERE { BIND(1 AS ?one) }", {"x": hostile})
    assert rows[0]["x"] == hostile
    assert any_store.ask(PREFIXES + "ASK { ?d a tkg:Dispute }")


def test_construct_returns_ntriples(any_store):
    text = any_store.construct(PREFIXES + f"CONSTRUCT {{ <{DS544}> tkg:respondent ?r }} WHERE {{ <{DS544}> tkg:respondent ?r }}")
    assert text.strip() == f"<{DS544}> <https://w3id.org/tradekg/ontology#respondent> <{ID}economy/USA> ."


def test_graph_clause_tells_the_source(any_store):
    rows = any_store.select(PREFIXES + "SELECT ?d ?g WHERE { GRAPH ?g { ?d tkg:complainant ?c } }", {"d": DS544})
    assert {str(r["g"]) for r in rows} == {"https://w3id.org/tradekg/graph/wto-ds-gateway"}


def test_server_and_embedded_store_agree(full_store, remote_store):
    own = [g for g in remote_store.named_graphs() if g.startswith("https://w3id.org/tradekg/graph/")]
    assert own == full_store.named_graphs()
    from concurrent.futures import ThreadPoolExecutor

    # The server's answers are asked for in a thread while this one computes the embedded store's (the server
    # is another process, and pyoxigraph leaves the GIL while it evaluates): the same work in about half the time.
    cases = example_cases()
    with ThreadPoolExecutor(max_workers=1) as pool:
        remote_answers = pool.map(lambda case: run(remote_store, case[0], **case[1]), cases)
        for (name, raw), remote in zip(cases, remote_answers):
            local = run(full_store, name, **raw)
            assert sorted(map(sorted_items, remote)) == sorted(map(sorted_items, local)), (name, raw)


def sorted_items(row):
    """A row as comparable text; blank-node labels are local to each store, so they compare as one."""
    return sorted((k, "_:b" if isinstance(v, BNode) else v.n3()) for k, v in row.items())


def test_malformed_query_on_server_is_a_syntax_error(remote_store):
    with pytest.raises(QuerySyntaxError, match="refused the query"):
        remote_store.select("SELECT * WHERE { ?s ?p }")


def test_endpoint_down_is_a_clear_error():
    store = RemoteStore("http://127.0.0.1:9/query", retries=2, timeout_s=2)
    with pytest.raises(EndpointError, match=r"http://127.0.0.1:9/query did not answer after 2 attempts"):
        store.select("SELECT * WHERE { ?s ?p ?o } LIMIT 1")


def _mini_named_triples() -> dict[str, int]:
    """Triples per named graph of the mini graph, counted by rdflib from the file (not by our code)."""
    from rdflib import Dataset

    dataset = Dataset()
    dataset.parse(MINI / "mini.trig", format="trig")
    return {str(g.identifier): len(g) for g in dataset.graphs()
            if isinstance(g.identifier, URIRef) and len(g) and not str(g.identifier).startswith("urn:x-rdflib")}


def test_insert_data_fallback_and_union_default_check(tmp_path):
    # The mini graph: the fallback's chunking is the same for 2,000 triples as for 2 million, and the whole
    # bundle's push is exercised by the README's `tradekg push` and `build --endpoint` (test_readme).
    process, url = start_oxigraph(tmp_path / "plain", union=False)
    try:
        remote = RemoteStore(url, store_url="")  # as if the server had no Graph Store Protocol
        sent = push(mini_store(), remote)
        for graph, triples in _mini_named_triples().items():
            stored = remote.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
            assert stored[0]["n"].toPython() == triples == sent[graph][0], graph
        with pytest.raises(EndpointError, match="union-default-graph"):
            remote.check_union_default()
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_cli_query_on_endpoint_matches_embedded(full_build, remote_store, oxigraph_url):
    query = PREFIXES + f"SELECT ?t WHERE {{ <{ID}dispute/DS2> tkg:thirdParty ?t }} ORDER BY ?t"
    local = CliRunner().invoke(cli, ["sparql", "--store", str(full_build[0]), "-f", "csv", query])
    assert local.exit_code == 0, local.output
    remote = CliRunner().invoke(cli, ["sparql", "--endpoint", oxigraph_url, "-f", "csv", query])
    assert remote.exit_code == 0, remote.output
    assert remote.output == local.output
    assert "economy/EUN" in remote.output


def test_cli_push_as_the_readme_shows(tmp_path):
    """`tradekg push --endpoint URL` fills an empty server, then `tradekg stats --endpoint URL` reads it
    (a store on disk holding the mini graph; the README's own push of the whole bundle runs in test_readme)."""
    path = tmp_path / "store"
    store = mini_store(path)
    # the store's update also wrote graph/statistics (graph/statistics.py), which is pushed with the rest
    statistics = int(store.select("SELECT (COUNT(*) AS ?n) WHERE { GRAPH <https://w3id.org/tradekg/graph/statistics> "
                                  "{ ?s ?p ?o } }")[0]["n"])
    store.close()
    assert statistics > 0
    process, url = start_oxigraph(tmp_path / "empty")
    try:
        pushed = CliRunner().invoke(cli, ["push", "--store", str(path), "--endpoint", url])
        assert pushed.exit_code == 0, pushed.output
        assert f"pushed {sum(_mini_named_triples().values()) + statistics:,} triples" in pushed.output
        stats = CliRunner().invoke(cli, ["stats", "--endpoint", url])
        assert stats.exit_code == 0 and "graph/wto-ds-gateway" in stats.output
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_cli_push_to_a_dead_endpoint_is_one_clear_line(tmp_path):
    store = tmp_path / "mini"
    mini_store(store).close()
    result = CliRunner().invoke(cli, ["push", "--store", str(store), "--endpoint", "http://127.0.0.1:9/query"])
    assert result.exit_code == 1
    assert "127.0.0.1:9" in result.output and "Traceback" not in result.output
