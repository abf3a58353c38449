"""Entity pages at /id/… on a tiny hand-made graph: HTML for browsers, RDF for programs (Vary: Accept),
statements out and in grouped by property with their sources, long groups paged, IRIs linked here.

The fixture is modelled on public facts (DS544: China v. United States, Section 232 steel and aluminium;
third parties from the WTO's page), cut to a few statements; the expected answers are read from it by hand.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from rdflib import Graph, URIRef

from tradekg.api.app import create_app
from tradekg.api.settings import Settings
from tradekg.graph.store import EmbeddedStore

ID = "https://w3id.org/tradekg/id/"
TKG = "https://w3id.org/tradekg/ontology#"
G = "https://w3id.org/tradekg/graph/"
THIRD = ["BRA", "CAN", "IND", "JPN", "KOR"]
MANY = 130  # measures imposed by the USA in the fixture: more than a page (100)

FIXTURE = f"""
PREFIX tkg: <{TKG}> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#> PREFIX dcterms: <http://purl.org/dc/terms/>
INSERT DATA {{
  GRAPH <{G}wto-ds-gateway> {{
    <{ID}dispute/DS544> a tkg:Dispute ; rdfs:label "DS544: US — Steel and Aluminium Products (China)" ;
      tkg:complainant <{ID}economy/CHN> ; tkg:respondent <{ID}economy/USA> ;
      tkg:consultationsRequested "2018-04-05"^^xsd:date ;
      {" ; ".join(f"tkg:thirdParty <{ID}economy/{c}>" for c in THIRD)} .
    <{ID}dispute/DS999> a tkg:Dispute ; rdfs:label "a distractor" ; tkg:complainant <{ID}economy/JPN> .
  }}
  GRAPH <{G}economies> {{
    <{ID}economy/CHN> a tkg:Economy ; rdfs:label "China" .
    <{ID}economy/USA> a tkg:Economy ; rdfs:label "United States of America" .
    {" ".join(f'<{ID}economy/{c}> a tkg:Economy ; rdfs:label "{c} name" .' for c in THIRD)}
  }}
  GRAPH <{G}dispute-links> {{ <{ID}dispute/DS544> tkg:concernsMeasure <{ID}measure/us-232-steel> . }}
  GRAPH <{G}us-section232> {{ <{ID}measure/us-232-steel> a tkg:Measure ; rdfs:label "Section 232 steel" ;
                                tkg:imposedBy <{ID}economy/USA> . }}
  GRAPH <{G}gad-usa> {{ {" ".join(f"<{ID}measure/m{i:03d}> tkg:imposedBy <{ID}economy/USA> ." for i in range(MANY))} }}
  GRAPH <{G}meta> {{ <{G}wto-ds-gateway> a tkg:Source ; dcterms:title "WTO dispute settlement gateway" ;
                        dcterms:license <https://www.wto.org/english/tratop_e/dispu_e/dispu_e.htm> . }}
}}
"""


@pytest.fixture(scope="module")
def client():
    store = EmbeddedStore(None)
    store.update(FIXTURE)
    with TestClient(create_app(store, Settings(sparql_workers=1))) as test_client:
        yield test_client


def _links(html: str) -> set[str]:
    return set(re.findall(r'href="([^"]+)"', html))


def test_dispute_page_shows_parties_dates_and_sources(client):
    page = client.get("/id/dispute/DS544", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "Accept" in page.headers["vary"]
    html = page.text
    assert "<h1>DS544: US — Steel and Aluminium Products (China)</h1>" in html
    links = _links(html)
    assert "/id/economy/CHN" in links and "/id/economy/USA" in links
    assert {f"/id/economy/{c}" for c in THIRD} <= links
    assert "/id/measure/us-232-steel" in links
    assert {"/graph/wto-ds-gateway", "/graph/dispute-links"} <= links  # each fact's source, linked
    assert "2018-04-05" in html
    assert "DS999" not in html  # the distractor's statements are not DS544's
    assert "queries/entity_summary.rq" in html  # the SPARQL behind the page


def test_statements_pointing_at_an_economy_are_paged(client):
    html = client.get("/id/economy/USA").text  # curl's */* gets HTML too
    assert "/id/dispute/DS544" in _links(html)  # in: DS544 names the USA as respondent
    assert f"all {MANY + 1:,}" in html  # 130 gad-usa measures + Section 232: more than a page
    first = client.get("/id/economy/USA", params={"direction": "in", "property": TKG + "imposedBy"}).text
    second = client.get("/id/economy/USA", params={"direction": "in", "property": TKG + "imposedBy", "page": 2}).text
    shown = lambda text: set(re.findall(r'href="/id/(measure/[^"]+)"', text))  # noqa: E731
    assert len(shown(first)) == 100 and len(shown(second)) == MANY + 1 - 100
    assert not shown(first) & shown(second)


@pytest.mark.parametrize("accept, fmt", [("text/turtle", "turtle"), ("application/n-triples", "nt"),
                                         ("application/ld+json", "json-ld"), ("application/rdf+xml", "xml")])
def test_rdf_clients_get_the_statements(client, accept, fmt):
    answer = client.get("/id/dispute/DS544", headers={"Accept": accept})
    assert answer.status_code == 200 and answer.headers["content-type"].startswith(accept)
    assert "Accept" in answer.headers["vary"]
    graph = Graph().parse(data=answer.text, format=fmt)
    ds544 = URIRef(ID + "dispute/DS544")
    assert set(graph.objects(ds544, URIRef(TKG + "thirdParty"))) == {URIRef(f"{ID}economy/{c}") for c in THIRD}
    assert (ds544, URIRef(TKG + "complainant"), URIRef(ID + "economy/CHN")) in graph
    assert not list(graph.triples((URIRef(ID + "dispute/DS999"), None, None)))


def test_format_parameter_and_quads_keep_the_source(client):
    text = client.get("/id/measure/us-232-steel?format=nq").text
    assert f"<{ID}dispute/DS544> <{TKG}concernsMeasure> <{ID}measure/us-232-steel> <{G}dispute-links> ." in text


def test_unknown_thing_is_a_404_page_and_unknown_format_a_406(client):
    missing = client.get("/id/dispute/DS100000", headers={"Accept": "text/html"})
    assert missing.status_code == 404 and 'action="/search"' in missing.text
    assert client.get("/id/dispute/DS100000", headers={"Accept": "text/turtle"}).status_code == 404
    assert client.get("/id/dispute/DS544", headers={"Accept": "image/png"}).status_code == 406


def test_source_page_is_its_provenance(client):
    html = client.get("/graph/wto-ds-gateway").text
    assert "WTO dispute settlement gateway" in html and "wto.org" in html


def test_home_counts_classes_and_sources(client):
    html = client.get("/").text
    assert 'href="/graph/wto-ds-gateway"' in html and "WTO dispute settlement gateway" in html
    assert "tkg:Dispute" in html and "tkg:Economy" in html
    assert 'action="/search"' in html and "/query?query=" in html and "/queries/disputes_between?a=USA&amp;b=CHN" in html


@pytest.mark.parametrize("text, first", [("China", "economy/CHN"), ("CHN", "economy/CHN"), ("ds544", "dispute/DS544"),
                                         ("steel", "dispute/DS544")])
def test_search_finds_by_code_and_name(client, text, first):
    html = client.get("/search", params={"q": text}).text
    found = re.findall(r'<a href="/id/([^"]+)">', html)
    assert found and found[0] == first
    assert "dispute/DS999" not in found or text != "ds544"


SELECT_DS544 = f"SELECT ?role ?economy WHERE {{ <{ID}dispute/DS544> ?role ?economy . ?economy a <{TKG}Economy> }}"


def test_workbench_runs_a_query_and_links_every_iri(client):
    html = client.get("/query", params={"query": SELECT_DS544}).text
    rows = re.findall(r"<tr><td>", html)
    assert len(rows) == 2 + len(THIRD)  # complainant, respondent and the third parties, by hand from FIXTURE
    assert 'href="/id/economy/CHN"' in html and f'href="/ontology#complainant"' in html
    assert "/sparql?query=" in html and "format=csv" in html and "format=tsv" in html and "format=json" in html


def test_workbench_shows_errors_with_line_and_column(client):
    html = client.get("/query", params={"query": "SELECT ?s\nWHERE { ?s ?p }"}).text
    assert 'id="error"' in html and "Line 2, column" in html


def test_workbench_offers_every_catalog_query():
    from tradekg.queries import names

    html = TestClient(create_app(EmbeddedStore(None), Settings(sparql_workers=1))).get("/query").text
    assert all(f'<option value="{name}"' in html for name in names())


def test_browsers_get_the_workbench_on_sparql_and_clients_get_results(client):
    browser = client.get("/sparql", headers={"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"})
    assert browser.headers["content-type"].startswith("text/html") and 'id="workbench"' in browser.text
    assert client.get("/sparql", headers={"Accept": "text/turtle"}).headers["content-type"].startswith("text/turtle")


@pytest.mark.parametrize("param", ["format", "output"])
def test_format_parameter_lets_pandas_read_csv(client, param):
    import io

    import pandas as pd

    answer = client.get("/sparql", params={"query": SELECT_DS544, param: "csv"})
    assert answer.headers["content-type"].startswith("text/csv")
    frame = pd.read_csv(io.StringIO(answer.text))
    assert list(frame.columns) == ["role", "economy"] and len(frame) == 2 + len(THIRD)
    assert client.get("/sparql", params={"query": SELECT_DS544, param: "tsv"}).headers["content-type"].startswith(
        "text/tab-separated-values")
    assert client.get("/sparql", params={"query": SELECT_DS544, param: "xml"}).headers["content-type"].startswith(
        "application/sparql-results+xml")
    assert client.get("/sparql", params={"query": SELECT_DS544, param: "pdf"}).status_code == 400
    # SPARQLWrapper sends its own names (format=n3, json-ld) next to the Accept it means: the header decides
    sparqlwrapper = client.get("/sparql", params={"query": SELECT_DS544, param: "csv"},
                               headers={"Accept": "application/sparql-results+json"})
    assert sparqlwrapper.headers["content-type"].startswith("application/sparql-results+json")
    download = client.get("/sparql", params={"query": SELECT_DS544, param: "csv"},  # a link clicked in a browser
                          headers={"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"})
    assert download.headers["content-type"].startswith("text/csv")


def test_void_describes_each_graph_and_links_endpoint_and_dump(client):
    from rdflib import Literal, Namespace

    void = Namespace("http://rdfs.org/ns/void#")
    data = Graph().parse(data=client.get("/.well-known/void").text, format="turtle")
    me = URIRef("http://testserver/.well-known/void#tradekg")
    assert (me, void.sparqlEndpoint, URIRef("http://testserver/sparql")) in data
    assert (me, void.dataDump, URIRef("http://testserver/dump.nq.gz")) in data
    # Counted by hand from FIXTURE: dispute-links holds one triple, economies two per economy.
    assert (URIRef(G + "dispute-links"), void.triples, Literal(1)) in data
    assert (URIRef(G + "economies"), void.triples, Literal(2 * (2 + len(THIRD)))) in data
    assert (URIRef(G + "wto-ds-gateway"), URIRef("http://purl.org/dc/terms/license"),
            URIRef("https://www.wto.org/english/tratop_e/dispu_e/dispu_e.htm")) in data
    partitions = {data.value(p, void["class"]): data.value(p, void.entities) for p in data.objects(me, void.classPartition)}
    assert partitions[URIRef(TKG + "Dispute")] == Literal(2)
    # FIXTURE: DS544 and DS999 name a complainant each; five third parties, all of DS544
    properties = {data.value(p, void.property): data.value(p, void.triples) for p in data.objects(me, void.propertyPartition)}
    assert properties[URIRef(TKG + "complainant")] == Literal(2) and properties[URIRef(TKG + "thirdParty")] == Literal(len(THIRD))
    description = client.get("/sparql", headers={"Accept": "text/turtle"}).text
    assert "/.well-known/void>" in description


def test_dump_streams_every_quad(client, tmp_path):
    from tradekg.graph.dump import read

    answer = client.get("/dump.nq.gz")
    assert answer.headers["content-type"] == "application/gzip"
    (tmp_path / "d.nq.gz").write_bytes(answer.content)
    reloaded = read(tmp_path / "d.nq.gz")
    count = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
    assert reloaded.select(count) == client.app.state.store.select(count)
    assert reloaded.named_graphs() == client.app.state.store.named_graphs()


def test_cli_dump_one_graph_as_trig(client, tmp_path):
    from tradekg.graph.dump import read, write

    out = tmp_path / "links.trig"
    assert write(client.app.state.store, out, "trig", ["dispute-links"]) == 1
    assert read(out, "trig").named_graphs() == [G + "dispute-links"]


@pytest.mark.slow
def test_full_dump_reloads_to_the_same_quad_count(full_build, full_store, tmp_path):
    from click.testing import CliRunner

    from tradekg.cli import cli
    from tradekg.graph.dump import read

    out = tmp_path / "all.nq.gz"
    result = CliRunner().invoke(cli, ["dump", "--store", str(full_build[0]), "--out", str(out)])
    assert result.exit_code == 0, result.output
    count = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
    assert read(out).select(count) == full_store.select(count)
    refused = CliRunner().invoke(cli, ["dump", "--store", str(full_build[0]), "--graph", "nowhere", "--out",
                                       str(tmp_path / "x.nq")])
    assert refused.exit_code == 1 and "usmca" in refused.output  # names the graphs there are


@pytest.mark.slow
def test_rdflib_parses_entity_pages_of_the_full_graph(full_store):
    with TestClient(create_app(full_store, Settings(sparql_workers=1))) as full:
        for local in ("dispute/DS544", "economy/MEX", "agreement/rta/1087"):
            answer = full.get(f"/id/{local}", headers={"Accept": "text/turtle"})
            graph = Graph().parse(data=answer.text, format="turtle")
            assert (URIRef(ID + local), None, None) in graph
        ds544 = Graph().parse(data=full.get("/id/dispute/DS544?format=ttl").text, format="turtle")
        assert len(set(ds544.objects(URIRef(ID + "dispute/DS544"), URIRef(TKG + "thirdParty")))) == 29


def test_ontology_page_has_every_term_at_its_anchor_with_uses(client):
    from tradekg.ontology import ONTOLOGY

    vocabulary = Graph().parse(data=ONTOLOGY.read_text(encoding="utf-8"), format="turtle")
    html = client.get("/ontology").text
    owl = "http://www.w3.org/2002/07/owl#"
    for kind in ("Class", "ObjectProperty", "DatatypeProperty"):
        for term in vocabulary.subjects(URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), URIRef(owl + kind)):
            if str(term).startswith(TKG):
                assert f'id="{str(term)[len(TKG):]}"' in html
    section = html.split('id="thirdParty"', 1)[1].split("</section>", 1)[0]
    assert f"{len(THIRD)} statements" in section  # DS544's third parties in FIXTURE
    assert "domain" in section and 'href="/ontology#Dispute"' in section and "/query?query=" in section
    turtle = client.get("/ontology", headers={"Accept": "text/turtle"})
    assert len(Graph().parse(data=turtle.text, format="turtle")) == len(vocabulary)


def test_reads_are_open_to_any_origin_and_updates_are_not(client):
    origin = {"Origin": "https://yasgui.example"}
    read = client.get("/sparql", params={"query": SELECT_DS544}, headers=origin)
    assert read.headers["access-control-allow-origin"] == "*" and "access-control-allow-credentials" not in read.headers
    posted = client.post("/sparql", content=SELECT_DS544, headers={**origin, "Content-Type": "application/sparql-query"})
    assert posted.headers["access-control-allow-origin"] == "*"
    page = client.get("/id/dispute/DS544", headers={**origin, "Accept": "text/turtle"})
    assert page.headers["access-control-allow-origin"] == "*"
    preflight = client.options("/sparql", headers={**origin, "Access-Control-Request-Method": "POST",
                                                   "Access-Control-Request-Headers": "content-type"})
    assert preflight.status_code == 204 and preflight.headers["access-control-allow-origin"] == "*"
    with_token = client.options("/sparql", headers={**origin, "Access-Control-Request-Method": "POST",
                                                    "Access-Control-Request-Headers": "authorization, content-type"})
    assert "access-control-allow-origin" not in with_token.headers
    update = client.post("/sparql", content="DROP ALL", headers={**origin, "Content-Type": "application/sparql-update"})
    assert update.status_code in (401, 403) and "access-control-allow-origin" not in update.headers


def test_public_cors_can_be_turned_off():
    closed = TestClient(create_app(EmbeddedStore(None), Settings(sparql_workers=1, cors_public=False)))
    answer = closed.get("/sparql", params={"query": "ASK {}"}, headers={"Origin": "https://a.example"})
    assert "access-control-allow-origin" not in answer.headers


def _python_example() -> tuple[str, str]:
    """The code block of docs/python.md and the output block printed after it."""
    text = (Path(__file__).parent.parent / "docs" / "python.md").read_text(encoding="utf-8")
    code, after = text.split("```python\n", 1)[1].split("```\n", 1)
    output = after.split("```\n", 1)[1].split("```", 1)[0]  # the next fenced block: what the code prints
    return code, output


def _run_example(store_path: Path, monkeypatch) -> str:
    import contextlib
    import io

    monkeypatch.setenv("TRADEKG_STORE", str(store_path))
    monkeypatch.delenv("TRADEKG_ENDPOINT", raising=False)
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(_python_example()[0], "docs/python.md", "exec"), {})  # noqa: S102 - our own documentation
    return printed.getvalue()


def test_python_example_runs_on_a_small_store(tmp_path, monkeypatch):
    path = tmp_path / "store"
    writable = EmbeddedStore(path, read_only=False)
    writable.update(FIXTURE)
    writable.close()
    printed = _run_example(path, monkeypatch)
    assert printed.startswith("1 disputes in which both take part")  # DS544 alone: CHN v USA in FIXTURE
    assert f"{ID}dispute/DS544" in printed


@pytest.mark.slow
def test_python_example_output_is_what_the_docs_show(full_build, monkeypatch):
    assert _run_example(full_build[0], monkeypatch) == _python_example()[1]
