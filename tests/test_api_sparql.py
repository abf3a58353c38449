"""The /sparql endpoint through FastAPI's test client: the SPARQL 1.1 Protocol's request forms, dataset
parameters, content negotiation, errors in the protocol's form, read-only, SERVICE off, timeout, row cap."""

from __future__ import annotations

import csv

import pytest
from fastapi.testclient import TestClient

from api_support import DS544, EXPENSIVE, ID, TKG
from budgets import budget
from tradekg.api.app import create_app
from tradekg.api.settings import Settings
from tradekg.data import bundled

COMPLAINANT = f"SELECT ?c WHERE {{ <{DS544}> <{TKG}complainant> ?c }}"
USMCA_GRAPH = "https://w3id.org/tradekg/graph/usmca"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


@pytest.fixture(scope="module")
def client(full_store):
    # no memory cap here: the timeout test's query must run into the time limit (the cap: test_api_workers.py)
    settings = Settings(query_timeout_s=budget(30), row_cap=1000, sparql_workers=2,
                        cors_origins=("https://yasgui.org",), worker_memory_mb=0, memory="off")
    with TestClient(create_app(full_store, settings)) as test_client:
        yield test_client


def _count(response) -> int:
    assert response.status_code == 200, response.text
    return int(response.json()["results"]["bindings"][0]["n"]["value"])


def test_get_post_form_and_post_direct_agree(client):
    # DS544 (US - Steel and Aluminium): complainant China, ds_cases.csv row 544 of the WTO gateway data
    answers = [client.get("/sparql", params={"query": COMPLAINANT}),
               client.post("/sparql", data={"query": COMPLAINANT}),
               client.post("/sparql", content=COMPLAINANT, headers={"Content-Type": "application/sparql-query"})]
    for response in answers:
        assert response.status_code == 200
        assert response.headers["content-type"] == "application/sparql-results+json"
        assert response.json()["results"]["bindings"] == [{"c": {"type": "uri", "value": ID + "economy/CHN"}}]


@pytest.mark.parametrize("accept, media, marker", [
    ("application/sparql-results+xml", "application/sparql-results+xml", b"<sparql"),
    ("text/csv", "text/csv", b"c\r\nhttps://w3id.org/tradekg/id/economy/CHN"),
    ("text/tab-separated-values", "text/tab-separated-values", b"?c\n<https://w3id.org/tradekg/id/economy/CHN>"),
    ("text/csv;q=0.5, application/sparql-results+xml;q=0.9", "application/sparql-results+xml", b"<sparql"),
    ("text/html,application/xhtml+xml,*/*;q=0.8", "application/sparql-results+json", b'"head"'),
    ("application/*", "application/sparql-results+json", b'"head"'),
])
def test_select_formats_by_accept_with_q_values(client, accept, media, marker):
    response = client.get("/sparql", params={"query": COMPLAINANT}, headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(media)
    assert marker in response.content


@pytest.mark.parametrize("accept, media", [
    ("text/turtle", "text/turtle"), ("application/n-triples", "application/n-triples"),
    ("application/n-quads", "application/n-quads"), ("application/trig", "application/trig"),
    ("application/rdf+xml", "application/rdf+xml"), ("application/ld+json", "application/ld+json"),
])
def test_construct_formats(client, accept, media):
    from rdflib import Graph, URIRef

    query = f"CONSTRUCT {{ <{DS544}> <{TKG}complainant> ?c }} WHERE {{ <{DS544}> <{TKG}complainant> ?c }}"
    response = client.get("/sparql", params={"query": query}, headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(media)
    graph = Graph().parse(data=response.content, format={"application/n-quads": "nquads", "application/trig": "trig",
                                                          "application/ld+json": "json-ld"}.get(media, media))
    assert (URIRef(DS544), URIRef(TKG + "complainant"), URIRef(ID + "economy/CHN")) in graph


def test_ask_and_describe(client):
    assert client.get("/sparql", params={"query": f"ASK {{ <{DS544}> ?p ?o }}"}).json() == {"head": {}, "boolean": True}
    described = client.get("/sparql", params={"query": f"DESCRIBE <{DS544}>"}, headers={"Accept": "text/turtle"})
    assert described.status_code == 200 and "DS544" in described.text


def test_not_acceptable(client):
    assert client.get("/sparql", params={"query": COMPLAINANT}, headers={"Accept": "text/turtle"}).status_code == 406
    assert client.get("/sparql", params={"query": COMPLAINANT}, headers={"Accept": "image/png"}).status_code == 406
    construct = client.get("/sparql", params={"query": "CONSTRUCT WHERE { ?s ?p ?o } LIMIT 1"},
                           headers={"Accept": "application/sparql-results+json"})
    assert construct.status_code == 406
    assert client.get("/sparql", params={"query": COMPLAINANT},
                      headers={"Accept": "application/sparql-results+json;q=0"}).status_code == 406


def _usmca_disputes() -> list[str]:
    """The chapter 31 disputes of the curated USMCA table, as the loader names them (case id, else key)."""
    with (bundled() / "curated" / "usmca_disputes.csv").open(newline="", encoding="utf-8") as handle:
        return [f"{ID}dispute/usmca/{row['case_id'] or row['dispute_key']}" for row in csv.DictReader(handle)]


def test_dataset_parameters(client, full_store):
    # The usmca graph, counted by the engine itself with a GRAPH clause: every dataset form of the protocol
    # must see exactly that graph, and the default query the union of all graphs.
    in_graph = int(full_store.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{USMCA_GRAPH}> {{ ?s ?p ?o }} }}")[0]["n"])
    union = _count(client.get("/sparql", params={"query": COUNT}))
    only_usmca = _count(client.get("/sparql", params={"query": COUNT, "default-graph-uri": USMCA_GRAPH}))
    assert only_usmca == in_graph and union > in_graph
    # what the source table holds is there, and DS544 (a WTO dispute, in another graph) is not
    for dispute in _usmca_disputes():
        ask = client.get("/sparql", params={"query": f"ASK {{ <{dispute}> a <{TKG}Dispute> }}",
                                            "default-graph-uri": USMCA_GRAPH})
        assert ask.json()["boolean"] is True, dispute
    assert client.get("/sparql", params={"query": f"ASK {{ <{DS544}> ?p ?o }}",
                                         "default-graph-uri": USMCA_GRAPH}).json()["boolean"] is False
    named = client.post("/sparql", data={"query": "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }",
                                         "named-graph-uri": USMCA_GRAPH})
    assert [b["g"]["value"] for b in named.json()["results"]["bindings"]] == [USMCA_GRAPH]
    from_clause = _count(client.get("/sparql", params={"query": f"SELECT (COUNT(*) AS ?n) FROM <{USMCA_GRAPH}> "
                                                                "WHERE { ?s ?p ?o }"}))
    assert from_clause == in_graph
    direct = client.post(f"/sparql?default-graph-uri={USMCA_GRAPH}", content=COUNT,
                         headers={"Content-Type": "application/sparql-query"})
    assert _count(direct) == in_graph
    graph = client.get("/sparql", params={"query": "CONSTRUCT WHERE { ?s ?p ?o }", "default-graph-uri": USMCA_GRAPH},
                       headers={"Accept": "application/n-triples"})
    assert graph.status_code == 200 and graph.text.count("\n") == in_graph
    assert client.get("/sparql", params={"query": COUNT, "default-graph-uri": "not an IRI"}).status_code == 400


def test_malformed_query_gives_parser_message_and_position(client):
    response = client.get("/sparql", params={"query": "SELECT * WHERE {\n  ?s ?p \n}"})
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"  # as the README promises
    problem = response.json()
    assert problem["status"] == 400 and problem["instance"] == "/sparql"
    assert "error at 3:" in problem["detail"]  # the parser's line and column


def test_other_methods_and_paths_are_left_to_the_routes(client):
    """A method the protocol does not use gets a 405 naming GET and POST (it named none: FastAPI nests the
    included routers, and the methods were looked for on the top-level routes only), and /sparql/ a redirect:
    only GET and POST on /sparql itself are answered before the router (api/sparql.py, Lane)."""
    for method in ("PUT", "DELETE", "PATCH"):
        response = client.request(method, "/sparql")
        assert response.status_code == 405, method
        assert response.headers["content-type"] == "application/problem+json"
        assert {m.strip() for m in response.headers["allow"].split(",")} >= {"GET", "POST"}
    slash = client.get("/sparql/", params={"query": "ASK {}"}, follow_redirects=False)
    assert slash.status_code in (301, 307, 308) and slash.headers["location"].endswith("/sparql?query=ASK+%7B%7D")


def test_read_only_and_no_federation(client):
    update = "INSERT DATA { <http://example.org/a> <http://example.org/b> <http://example.org/c> }"
    assert client.post("/sparql", data={"update": update}).status_code == 403
    assert client.post("/sparql", content=update, headers={"Content-Type": "application/sparql-update"}).status_code == 403
    assert client.get("/sparql", params={"query": update}).status_code == 403
    service = client.get("/sparql", params={"query": "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> "
                                                     "{ ?s ?p ?o } }"})
    assert service.status_code == 403 and "SERVICE" in service.text
    # the word inside a string or an IRI is not a SERVICE clause
    harmless = client.get("/sparql", params={"query": 'SELECT ?x WHERE { BIND("SERVICE" AS ?x) }'})
    assert harmless.status_code == 200
    assert client.post("/sparql", content="x", headers={"Content-Type": "text/plain"}).status_code == 415


def test_update_with_token(full_build, tmp_path):
    import shutil

    from tradekg.graph.store import EmbeddedStore

    copy = tmp_path / "store"
    shutil.copytree(full_build[0], copy)
    store = EmbeddedStore(copy)
    settings = Settings(update_token="s3cret", query_timeout_s=5, sparql_workers=1)
    with TestClient(create_app(store, settings)) as client:
        update = "INSERT DATA { GRAPH <https://example.org/g> { <https://example.org/a> <https://example.org/b> 1 } }"
        assert client.post("/sparql", data={"update": update}).status_code == 401
        assert client.post("/sparql", data={"update": update},
                           headers={"Authorization": "Bearer wrong"}).status_code == 401
        done = client.post("/sparql", content=update, headers={"Content-Type": "application/sparql-update",
                                                               "Authorization": "Bearer s3cret"})
        assert done.status_code == 204, done.text
        ask = client.get("/sparql", params={"query": "ASK { <https://example.org/a> ?p ?o }"})
        assert ask.json()["boolean"] is True  # the workers were reopened and see the change
        load = client.post("/sparql", data={"update": "LOAD <http://127.0.0.1:9/x.ttl>"},
                           headers={"Authorization": "Bearer s3cret"})
        assert load.status_code == 403
    store.close()


def test_service_description(client):
    from rdflib import Graph, Namespace, URIRef

    sd = Namespace("http://www.w3.org/ns/sparql-service-description#")
    response = client.get("/sparql")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/turtle")
    graph = Graph().parse(data=response.text, format="turtle")
    assert (None, sd.supportedLanguage, sd.SPARQL11Query) in graph
    assert (None, sd.name, URIRef(USMCA_GRAPH)) in graph
    assert (None, sd.supportedLanguage, sd.SPARQL11Update) not in graph
    as_jsonld = client.get("/sparql", headers={"Accept": "application/ld+json"})
    assert as_jsonld.status_code == 200
    from rdflib.compare import isomorphic

    # the same description in JSON-LD: the same triples as the Turtle above, not just a non-empty document
    assert isomorphic(Graph().parse(data=as_jsonld.text, format="json-ld"), graph)


def test_row_cap_cuts_and_says_so(client):
    response = client.get("/sparql", params={"query": "SELECT ?s WHERE { ?s ?p ?o }"}, headers={"Accept": "text/csv"})
    assert response.status_code == 200
    assert response.text.count("\r\n") == 1 + 1000  # header + the cap of this app
    assert "1,000" in response.headers["x-tradekg-truncated"]
    small = client.get("/sparql", params={"query": COMPLAINANT})
    assert "x-tradekg-truncated" not in small.headers


def test_timeout_stops_the_worker_and_the_endpoint_keeps_serving(full_store):
    # One worker, so the answer after the timeout can only come from the worker that replaced the stopped one.
    # The expensive query runs far beyond any limit; the limit itself scales with the machine's load.
    with TestClient(create_app(full_store, Settings(query_timeout_s=budget(3), sparql_workers=1,
                                                    worker_memory_mb=0))) as client:  # time, not memory
        response = client.get("/sparql", params={"query": EXPENSIVE})
        assert response.status_code == 503 and "stopped" in response.text
        after = client.get("/sparql", params={"query": COMPLAINANT})
        assert after.status_code == 200
        assert after.json()["results"]["bindings"] == [{"c": {"type": "uri", "value": ID + "economy/CHN"}}]


def test_cors_and_gzip(client):
    allowed = client.get("/sparql", params={"query": COMPLAINANT}, headers={"Origin": "https://yasgui.org"})
    assert allowed.headers["access-control-allow-origin"] == "https://yasgui.org"
    other = client.get("/sparql", params={"query": COMPLAINANT}, headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in other.headers
    big = client.get("/sparql", params={"query": "SELECT ?s WHERE { ?s ?p ?o } LIMIT 500"},
                     headers={"Accept-Encoding": "gzip"})
    assert big.headers["content-encoding"] == "gzip"
