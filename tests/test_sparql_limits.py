"""Input limits on /sparql: bodies refused while they stream, nesting refused before a worker, no updates by GET,
a keyword scan that hostile text can't make quadratic, and a service description built from terms.

The app runs over a quick build (the WTO loaders alone); the body-limit tests need a real server (sockets).
"""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from rdflib import Graph, Namespace, URIRef

from tradekg.graph import sparql_text
from tradekg.api.app import create_app
from tradekg.api.settings import Settings
from tradekg.api.sparql import MAX_QUERY_BYTES
from tradekg.graph.build import build
from tradekg.graph.errors import QuerySyntaxError
from tradekg.graph.store import EmbeddedStore

from api_support import running_server
from conftest import foundation_loaders

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
# generous, for a loaded machine; settable for a slower one
SOCKET_TIMEOUT_S = float(os.environ.get("TRADEKG_TEST_SOCKET_TIMEOUT", "120"))


@pytest.fixture(scope="module")
def small_store(tmp_path_factory) -> Path:
    target = tmp_path_factory.mktemp("limits") / "store"
    build(target, loaders=foundation_loaders(), check_shapes=False)
    return target


@pytest.fixture(scope="module")
def client(small_store):
    store = EmbeddedStore(small_store)
    with TestClient(create_app(store, Settings(sparql_workers=1, update_token="s3cret"))) as test_client:
        yield test_client
    store.close()


def test_get_with_update_is_400(client):
    answer = client.get("/sparql", params={"update": "INSERT DATA { <http://e/a> <http://e/b> 1 }"})
    assert answer.status_code == 400 and "POST" in answer.text
    together = client.get("/sparql", params={"query": "ASK {}", "update": "CLEAR ALL"})
    assert together.status_code == 400


@pytest.mark.parametrize("opener", ["{", "(", "["])
def test_deep_nesting_is_400_with_position_and_the_workers_live_on(client, opener):
    text = "SELECT * WHERE\n" + "{" * (20_000 if opener == "{" else 1) + \
        ("FILTER " + opener * 20_000 if opener != "{" else "")
    for answer in (client.get("/sparql", params={"query": text}),
                   client.post("/sparql", content=text, headers={"Content-Type": "application/sparql-query"}),
                   client.post("/sparql", content=text.replace("SELECT * WHERE", "INSERT DATA"),
                               headers={"Content-Type": "application/sparql-update",
                                        "Authorization": "Bearer s3cret"})):
        assert answer.status_code == 400, answer.text
        assert "line 2, column" in answer.text and "nest" in answer.text
    assert client.get("/sparql", params={"query": "ASK { ?s ?p ?o }"}).json()["boolean"] is True


def test_nesting_a_real_query_needs_is_accepted(client):
    depth = 20  # more than any catalog query uses
    text = "SELECT * WHERE " + "{ " * depth + "?s ?p ?o " + "} " * depth + "LIMIT 1"
    assert client.get("/sparql", params={"query": text}).status_code == 200


def test_nesting_check_counts_only_real_brackets():
    sparql_text.check_nesting('SELECT * { BIND("' + "{" * 10_000 + '" AS ?x) }')  # inside a string: fine
    sparql_text.check_nesting("SELECT * { } # " + "(" * 10_000)  # inside a comment: fine
    with pytest.raises(QuerySyntaxError, match=r"line 3, column 3"):
        sparql_text.check_nesting("SELECT *\nWHERE\n{{" + "{" * sparql_text.MAX_DEPTH, most=2)


@pytest.mark.parametrize("hostile", ['"' * 900_000, "'" * 900_000, '"\\' * 300_000, "'\\" * 300_000,
                                     '"""' + "\\" * 900_000, "<a" * 450_000, '"a' * 450_000])
def test_keyword_scan_of_hostile_text_finishes_and_finds_nothing(hostile):
    # The old scanner was quadratic on these (90 KB of '"\' cost minutes); bench/sparql_text.py prints the costs.
    assert sparql_text.form(hostile) is None
    assert not sparql_text.uses_service(hostile) and not sparql_text.has_from(hostile)
    assert sparql_text.form(hostile + "\nSELECT") in (None, "SELECT")  # a quote left open may swallow the line


def test_keywords_still_seen_outside_strings():
    text = 'PREFIX ex: <http://e/SERVICE#>\n# LOAD <x>\nSELECT ?from WHERE { BIND("INSERT" AS ?from) SERVICE <http://e/> {} }'
    assert sparql_text.form(text) == "SELECT"
    assert sparql_text.uses_service(text) and not sparql_text.uses_load(text) and not sparql_text.has_from(text)


def test_service_description_is_built_from_terms(client):
    answer = client.get("/sparql", headers={"Accept": "text/turtle"})
    graph = Graph().parse(data=answer.text, format="turtle")
    service = URIRef("http://testserver/sparql")
    assert (service, SD.endpoint, service) in graph
    assert (service, SD.supportedLanguage, SD.SPARQL11Update) in graph  # this app has an update token
    assert URIRef("https://w3id.org/tradekg/graph/wto-ds-gateway") in set(graph.objects(None, SD.name))


def _send(base: str, head: bytes) -> socket.socket:
    host, port = base.removeprefix("http://").split(":")
    sock = socket.create_connection((host, int(port)), timeout=SOCKET_TIMEOUT_S)
    sock.sendall(head)
    return sock


def _status(sock: socket.socket) -> int:
    line = sock.makefile("rb").readline()
    return int(line.split()[1])


@pytest.mark.slow
def test_big_bodies_are_refused_before_they_are_read(small_store, tmp_path):
    with running_server(small_store, tmp_path / "serve.log") as base:
        # 50 MB announced, none sent: a server that read the body first would never answer
        sock = _send(base, b"POST /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-"
                           b"urlencoded\r\nContent-Length: 50000000\r\n\r\nquery=")
        assert _status(sock) == 413
        sock.close()
        # no length given (chunked): past the limit the answer comes while the body is still unfinished
        sock = _send(base, b"POST /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/sparql-query\r\n"
                           b"Transfer-Encoding: chunked\r\n\r\n")
        chunk = b"#" * 65_536
        for _ in range(MAX_QUERY_BYTES // len(chunk) + 1):  # just past the limit, then wait
            sock.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        assert _status(sock) == 413  # the terminating 0-chunk was never sent
        sock.close()
        # a Host header crafted to add triples if it were pasted into Turtle text
        sock = _send(base, b"GET /sparql HTTP/1.1\r\nHost: x> <http://e/a> <http://e/b> <http://e/c> . <http://e/d"
                           b"\r\nAccept: text/turtle\r\nConnection: close\r\n\r\n")
        reply = sock.makefile("rb").read().decode("utf-8", "replace")
        sock.close()
        assert reply.split()[1] in ("200", "400") and "http://e/a" not in reply  # no triple of the client's


@pytest.mark.parametrize("text, ground", [
    ('INSERT DATA { GRAPH <urn:x> { <urn:a> <urn:b> "c"@en, 1.5e3, true ; a <urn:C> } }', True),
    ('PREFIX ex: <http://e/> INSERT DATA { ex:a ex:b "x"^^ex:t } ; DELETE DATA { ex:a ex:b 2 }', True),
    ('insert data { <urn:a> <urn:b> "WHERE NOW() _:x [" }', True),  # the words inside a string do not count
    ("INSERT DATA { _:b <urn:b> 1 }", False),  # a blank node gets a new label in each store
    ("INSERT DATA { [] <urn:b> 1 }", False),
    ("INSERT { <urn:a> <urn:b> ?n } WHERE { BIND(NOW() AS ?n) }", False),
    ("DELETE WHERE { ?s ?p ?o }", False),
    ("INSERT DATA { <urn:a> <urn:b> 1 } ; CLEAR ALL", False),
    ("WITH <urn:g> DELETE { ?s ?p ?o } INSERT { ?s ?p 1 } WHERE { ?s ?p ?o }", False),
    ("# INSERT DATA\nDELETE WHERE { ?s ?p ?o }", False),
    ("SELECT * { ?s ?p ?o }", False),
])
def test_an_update_of_data_alone_is_told_from_the_others(text, ground):
    """What memory mode may apply to each copy of the graph in place (graph/store.py), and what it must load again."""
    assert sparql_text.ground_data(text) is ground
