"""Whole answers of repeated questions (api/answer_cache.py): the same answer with a strong ETag, 304 for a
client that has it, nothing mixed up between hosts, an update seen at once, and on /sparql only GETs whose
text answers alike on the same graph.

The app runs over a quick build (the WTO loaders alone), with an update token.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from conftest import foundation_loaders
from tradekg.api.app import create_app
from tradekg.api.settings import Settings
from tradekg.graph.build import build
from tradekg.graph.store import EmbeddedStore

TOKEN = "s3cret"


@pytest.fixture(scope="module")
def small_store(tmp_path_factory) -> Path:
    target = tmp_path_factory.mktemp("answers") / "store"
    build(target, loaders=foundation_loaders(), check_shapes=False)
    return target


@pytest.fixture
def app_and_client(small_store):
    store = EmbeddedStore(small_store)
    app = create_app(store, Settings(sparql_workers=1, update_token=TOKEN))
    with TestClient(app) as client:
        yield app, client
    store.close()


def test_a_repeated_question_is_answered_again_with_its_etag_and_304_when_the_client_has_it(app_and_client):
    app, client = app_and_client
    first = client.get("/disputes/DS544")
    assert first.status_code == 200 and first.json()["complainants"] == ["CHN"]  # China v. US (the gateway's row)
    etag = first.headers["etag"]
    again = client.get("/disputes/DS544")
    assert again.content == first.content and again.headers["etag"] == etag
    assert app.state.answers.hits == 1  # answered from the kept answer, not by the route
    for header in ("content-type", "content-encoding"):  # compressed as the first answer was
        assert again.headers.get(header) == first.headers.get(header)
    assert first.headers["content-encoding"] == "gzip"  # the test client accepts it, and the answer is long enough
    for _ in range(2):  # kept apart per Accept-Encoding: a client that takes no gzip gets none from what is kept
        plain = client.get("/disputes/DS544", headers={"Accept-Encoding": "identity"})
        assert "content-encoding" not in plain.headers and plain.json() == first.json()
    assert app.state.answers.hits == 2
    not_modified = client.get("/disputes/DS544", headers={"If-None-Match": f'"other", {etag}'})
    assert not_modified.status_code == 304 and not_modified.content == b"" and not_modified.headers["etag"] == etag
    assert client.get("/disputes/DS544", headers={"If-None-Match": '"other"'}).status_code == 200
    other = client.get("/disputes/DS545")
    assert other.status_code == 200 and other.headers["etag"] != etag


def test_answers_are_kept_per_host_and_errors_are_not_kept(app_and_client):
    app, client = app_and_client
    for host in ("a.example", "b.example", "a.example"):
        page = client.get("/disputes?limit=1", headers={"Host": host})
        assert page.json()["next"].startswith(f"http://{host}/disputes?")  # the next page's URL is this host's
    assert app.state.answers.hits == 1
    for _ in range(2):
        assert client.get("/disputes?respondant=USA").status_code == 422  # a misspelt filter
    assert len(app.state.answers) == 2


COMPLAINANT = ("SELECT ?c WHERE { <https://w3id.org/tradekg/id/dispute/DS544> "
               "<https://w3id.org/tradekg/ontology#complainant> ?c }")
THIRD_PARTIES = ("SELECT ?t WHERE { <https://w3id.org/tradekg/id/dispute/DS544> "
                 "<https://w3id.org/tradekg/ontology#thirdParty> ?t }")


def test_sparql_gets_are_kept_unless_the_same_text_may_answer_differently(app_and_client):
    app, client = app_and_client
    first = client.get("/sparql", params={"query": COMPLAINANT})
    assert first.status_code == 200 and "economy/CHN" in first.text
    etag = first.headers["etag"]
    again = client.get("/sparql", params={"query": COMPLAINANT})
    assert again.content == first.content and again.headers["etag"] == etag and app.state.answers.hits == 1
    assert client.get("/sparql", params={"query": COMPLAINANT}, headers={"If-None-Match": etag}).status_code == 304
    csv = client.get("/sparql", params={"query": COMPLAINANT}, headers={"Accept": "text/csv"})
    assert csv.headers["content-type"].startswith("text/csv") and csv.headers["etag"] != etag  # per Accept
    kept = len(app.state.answers)
    for text in ("SELECT (NOW() AS ?t) WHERE {}", "SELECT (rand ( ) AS ?r) WHERE {}",
                 "SELECT (STRUUID() AS ?u) WHERE {}", "SELECT ?b WHERE { BIND(BNODE() AS ?b) }"):
        for _ in range(2):
            answer = client.get("/sparql", params={"query": text})
            assert answer.status_code == 200 and "etag" not in answer.headers, text
    assert len(app.state.answers) == kept
    posted = client.post("/sparql", data={"query": COMPLAINANT})  # a POST is not a cacheable request
    assert posted.status_code == 200 and "etag" not in posted.headers
    # the names inside a string, an IRI or a comment are no calls
    harmless = client.get("/sparql", params={"query": 'SELECT ?x WHERE { BIND("NOW()" AS ?x) } # rand()'})
    assert harmless.status_code == 200 and "etag" in harmless.headers


def test_an_update_is_seen_at_once(app_and_client):
    _, client = app_and_client
    before = client.get("/disputes/DS544").json()["third_parties"]
    assert "economy/" in client.get("/sparql", params={"query": THIRD_PARTIES}).text  # kept before the update
    newcomer = next(code for code in ("ISL", "NPL", "MNG") if code not in before)
    update = ("INSERT DATA { GRAPH <https://example.org/probe> { <https://w3id.org/tradekg/id/dispute/DS544> "
              f"<https://w3id.org/tradekg/ontology#thirdParty> <https://w3id.org/tradekg/id/economy/{newcomer}> }} }}")
    done = client.post("/sparql", content=update, headers={"Content-Type": "application/sparql-update",
                                                           "Authorization": f"Bearer {TOKEN}"})
    assert done.status_code == 204, done.text
    assert client.get("/disputes/DS544").json()["third_parties"] == sorted([*before, newcomer])
    assert f"economy/{newcomer}" in client.get("/sparql", params={"query": THIRD_PARTIES}).text


def test_off_keeps_nothing(small_store):
    store = EmbeddedStore(small_store)
    app = create_app(store, Settings(sparql_workers=1, answer_cache_mb=0))
    with TestClient(app) as client:
        for _ in range(2):
            assert "etag" not in client.get("/disputes/DS544").headers
    assert len(app.state.answers) == 0
    store.close()


@pytest.mark.slow  # a second server
def test_a_federated_question_is_asked_again(small_store, tmp_path):
    """With federation allowed, a GET whose text calls SERVICE is never answered from a kept answer: the other
    endpoint may change without this server knowing. Shown with a real Oxigraph server whose value is changed
    between two identical GETs."""
    import urllib.request

    from budgets import budget
    from conftest import start_oxigraph

    process, remote = start_oxigraph(tmp_path / "remote")
    try:
        def set_value(value: str) -> None:
            update = (f'DELETE WHERE {{ <http://e.example/a> ?p ?o }} ; '
                      f'INSERT DATA {{ <http://e.example/a> <http://e.example/v> "{value}" }}')
            request = urllib.request.Request(remote.rsplit("/", 1)[0] + "/update", data=update.encode(), method="POST",
                                             headers={"Content-Type": "application/sparql-update"})
            urllib.request.urlopen(request, timeout=budget(30)).read()

        store = EmbeddedStore(small_store)
        app = create_app(store, Settings(sparql_workers=1, allow_service=True, query_timeout_s=budget(30)))
        text = f"SELECT ?v WHERE {{ SERVICE <{remote}> {{ <http://e.example/a> <http://e.example/v> ?v }} }}"
        with TestClient(app) as client:
            for value in ("first", "second"):
                set_value(value)
                answer = client.get("/sparql", params={"query": text})
                assert answer.status_code == 200, answer.text
                assert [b["v"]["value"] for b in answer.json()["results"]["bindings"]] == [value]
                assert "etag" not in answer.headers
            assert len(app.state.answers) == 0 and app.state.answers.hits == 0
        store.close()
    finally:
        process.terminate()
        process.wait(timeout=budget(10))
