"""The API as users run it: `tradekg serve` on 127.0.0.1, spoken to by real clients (SPARQLWrapper,
rdflib's SPARQLStore, httpx) over HTTP. One server for the module, stopped afterwards."""

from __future__ import annotations

import json
import threading

import httpx
import pytest
from rdflib import Graph, URIRef
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import CSV, JSON, JSONLD, N3, RDFXML, TSV, TURTLE, XML, SPARQLWrapper

from api_support import DS544, EXPENSIVE, ID, TKG, running_server
from budgets import budget

CHN = ID + "economy/CHN"
SELECT = f"SELECT ?c WHERE {{ <{DS544}> <{TKG}complainant> ?c }}"
CONSTRUCT = f"CONSTRUCT {{ <{DS544}> <{TKG}complainant> ?c }} WHERE {{ <{DS544}> <{TKG}complainant> ?c }}"
TRIPLE = (URIRef(DS544), URIRef(TKG + "complainant"), URIRef(CHN))


@pytest.fixture(scope="module")
def server(full_build, tmp_path_factory):
    log = tmp_path_factory.mktemp("serve") / "serve.log"
    limit = budget(3)  # the /sparql time limit: short, but longer on a busy machine
    # On the store on disk: loading the graph into memory costs ~30 s of CPU at start-up and these tests are about
    # the protocol and its limits (memory mode's time limits: test_api_workers).
    with running_server(full_build[0], log, TRADEKG_QUERY_TIMEOUT=str(limit), TRADEKG_SPARQL_WORKERS="2",
                        TRADEKG_MEMORY="off") as base:
        yield base, log, limit


@pytest.fixture(scope="module")
def endpoint(server):
    return server[0] + "/sparql"


def _wrapper(endpoint: str, query: str, fmt: str) -> SPARQLWrapper:
    client = SPARQLWrapper(endpoint)
    client.setQuery(query)
    client.setReturnFormat(fmt)
    return client


def test_sparqlwrapper_select_json_and_xml(endpoint):
    data = _wrapper(endpoint, SELECT, JSON).query().convert()
    assert data["results"]["bindings"][0]["c"]["value"] == CHN
    document = _wrapper(endpoint, SELECT, XML).query().convert()  # a DOM
    assert CHN in document.toxml()


@pytest.mark.parametrize("fmt, separator", [(CSV, ","), (TSV, "\t")])
def test_sparqlwrapper_select_csv_tsv(endpoint, fmt, separator):
    text = _wrapper(endpoint, SELECT, fmt).query().convert().decode()
    assert text.splitlines()[0] in ("c", "?c") and CHN in text


def test_sparqlwrapper_ask_and_post(endpoint):
    client = _wrapper(endpoint, f"ASK {{ <{DS544}> <{TKG}respondent> <{ID}economy/USA> }}", JSON)
    client.setMethod("POST")
    assert client.query().convert()["boolean"] is True


@pytest.mark.parametrize("fmt", [TURTLE, N3, RDFXML, JSONLD])
def test_sparqlwrapper_construct(endpoint, fmt):
    graph = _wrapper(endpoint, CONSTRUCT, fmt).query().convert()
    if not isinstance(graph, Graph):  # SPARQLWrapper hands Turtle/N3 back as bytes
        graph = Graph().parse(data=graph, format="turtle")
    assert TRIPLE in graph


@pytest.mark.parametrize("accept, rdflib_format", [("application/n-triples", "nt"), ("application/n-quads", "nquads"),
                                                   ("application/trig", "trig")])
def test_sparqlwrapper_construct_other_formats_by_header(endpoint, accept, rdflib_format):
    client = _wrapper(endpoint, CONSTRUCT, TURTLE)
    client.addCustomHttpHeader("Accept", accept)
    response = client.query().response
    assert response.headers["Content-Type"].startswith(accept)
    assert TRIPLE in Graph().parse(data=response.read(), format=rdflib_format)


@pytest.mark.parametrize("return_format", ["json", "xml", "csv", "tsv"])
def test_rdflib_sparqlstore_select(endpoint, return_format):
    store = SPARQLStore(endpoint, returnFormat=return_format)
    rows = list(Graph(store).query(SELECT))
    assert [str(row[0]) for row in rows] == [CHN]


def test_rdflib_sparqlstore_construct_ask_and_triples(endpoint):
    graph = Graph(SPARQLStore(endpoint, returnFormat="xml"))
    assert TRIPLE in set(graph.query(CONSTRUCT))
    assert graph.query(f"ASK {{ <{DS544}> ?p ?o }}").askAnswer is True
    assert TRIPLE in set(graph.triples((URIRef(DS544), URIRef(TKG + "complainant"), None)))


def test_timeout_stops_query_and_server_keeps_serving(endpoint, server):
    """The expensive query gets 503 once the time limit stops it; meanwhile and afterwards others are answered."""
    result = {}
    started = threading.Event()

    def expensive():
        started.set()
        result["response"] = httpx.get(endpoint, params={"query": EXPENSIVE}, timeout=server[2] + budget(30))

    thread = threading.Thread(target=expensive)
    thread.start()
    started.wait(budget(5))
    quick = [httpx.get(endpoint, params={"query": SELECT}, timeout=budget(10)) for _ in range(5)]
    assert all(r.status_code == 200 for r in quick)
    relationship = httpx.get(server[0] + "/queries", timeout=budget(10))
    assert relationship.status_code == 200
    thread.join(server[2] + budget(40))
    assert result["response"].status_code == 503 and "stopped" in result["response"].text
    again = httpx.get(endpoint, params={"query": SELECT}, headers={"Accept": "text/csv"}, timeout=budget(10))
    assert again.status_code == 200 and CHN in again.text


def test_access_log_is_json_lines(server, endpoint):
    httpx.get(endpoint, params={"query": SELECT}, timeout=budget(10))
    sparql = []
    for _ in range(50):  # the log line is written after the answer: wait for it, a bounded number of times
        entries = [json.loads(line) for line in server[1].read_text().splitlines() if line.startswith("{")]
        sparql = [e for e in entries if e.get("path") == "/sparql" and e.get("form") == "SELECT"]
        if sparql:
            break
        threading.Event().wait(budget(0.2))
    assert sparql and {"ts", "method", "status", "ms", "bytes", "rows"} <= set(sparql[-1])
    banner = server[1].read_text()
    assert f"query_timeout_s  {server[2]}" in banner and "update_token     (not set" in banner


def test_relationship_answers_over_http(server):
    """The same hand-checked answers as tests/test_api.py, through uvicorn (see there for where each was checked)."""
    base = server[0]
    with httpx.Client(base_url=base, timeout=budget(30)) as http:
        ds544 = http.get("/disputes/ds544").json()
        assert ds544["complainants"] == ["CHN"] and ds544["respondents"] == ["USA"]
        common = http.get("/agreements/common", params={"economies": "USA,MEX", "as_of": "2021-01-01"}).json()
        assert "rta/1087" in {a["id"] for a in common["items"]} and "rta/122" not in {a["id"] for a in common["items"]}
        eu = http.get("/economies/eu/disputes", params={"role": "complainant", "limit": 5})
        assert eu.status_code == 200 and len(eu.json()["items"]) == 5
        unknown = http.get("/economies/Narnia/partners")
        assert unknown.status_code == 404 and unknown.headers["content-type"] == "application/problem+json"
        docs = http.get("/openapi.json").json()
        assert "/disputes/{dispute}" in docs["paths"] and "/sparql" in docs["paths"]
        zipped = http.get("/economies/CHN/disputes", params={"limit": 200}, headers={"Accept-Encoding": "gzip"})
        assert zipped.headers.get("content-encoding") == "gzip"
