"""Pictures people read, and lists people page through: the REST `next` URL and its `Link` header, the
label rule and legend of the PNG/SVG exports, positions in `.dot` files that Graphviz renders as they are, and
the offline HTML page labelling its main nodes at the opening zoom.

Everything here runs on the mini graph (tests/data/mini, a few real facts cut by hand) or a small graph made
in the test, so the facts checked are read from mini.trig or written by hand here.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
from fastapi.testclient import TestClient
from mini import MINI, mini_store
from rdflib import Dataset, Namespace

from tradekg.api.app import create_app
from tradekg.api.settings import Settings

TKG = Namespace("https://w3id.org/tradekg/ontology#")
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")


@pytest.fixture(scope="module")
def store():
    return mini_store()


@pytest.fixture(scope="module")
def client(store):
    with TestClient(create_app(store, Settings(sparql_workers=1))) as test_client:
        yield test_client


def _mini() -> Dataset:
    """mini.trig read by rdflib alone (every named graph), for facts known without tradekg's code."""
    dataset = Dataset(default_union=True)
    dataset.parse(MINI / "mini.trig", format="trig")
    return dataset


# --- REST: `next` is a URL, and a Link header ------------------------------------------------------------

# (path, parameters): every paged REST route of the mini graph, with a filter where it takes one; each list holds
# at least two rows, so paging one row at a time crosses pages.
PAGED = [
    ("/economies", {}),
    ("/disputes", {"complainant": "CHN"}),
    ("/measures", {}),
    ("/agreements", {}),
    ("/agreements/common", {"economies": "USA,MEX"}),
    ("/economies/USA/partners", {"via": "disputes"}),
    ("/economies/USA/disputes", {}),
    ("/economies/USA/measures", {"role": "imposed"}),
    ("/network/disputes/edges", {}),
    ("/network/disputes/centrality", {"by": "degree"}),
    ("/network/disputes/communities", {}),
    ("/links", {"source": "USA", "target": "MEX"}),
    ("/queries", {}),
    ("/queries/economies", {}),
]


def _page_size(path: str, size: int) -> dict:
    return {"k": size} if path == "/links" else {"limit": size}


def _follow(client: TestClient, path: str, params: dict, size: int) -> tuple[list, int]:
    """Every item of a list by following `next` URLs as they are; checks each page's Link header and filters."""
    answer = client.get(path, params={**params, **_page_size(path, size)})
    items, pages = [], 0
    for _ in range(200):
        assert answer.status_code == 200, answer.text
        body = answer.json()
        items += body["items"]
        pages += 1
        following = body["next"]
        if following is None:
            assert "link" not in answer.headers
            return items, pages
        assert answer.headers["link"] == f'<{following}>; rel="next"'
        url = urlsplit(following)
        assert url.scheme == "http" and url.path == path  # absolute, on the same route
        query = dict(parse_qsl(url.query))
        assert {k: query[k] for k in params} == params  # the same filters
        answer = client.get(following)
    raise AssertionError(f"{path}: paging did not end")


@pytest.mark.parametrize(("path", "params"), PAGED, ids=[p + "?" + "&".join(q) for p, q in PAGED])
def test_next_urls_give_every_row_once(client, path, params):
    size = 10 if path == "/queries" else 1
    whole = client.get(path, params={**params, **_page_size(path, 50)})
    assert whole.status_code == 200 and whole.json()["next"] is None and "link" not in whole.headers
    items, pages = _follow(client, path, params, size)
    assert len(items) >= 2 and pages == -(-len(items) // size)
    assert items == whole.json()["items"]  # every row exactly once, in the same order


def test_economies_pages_hold_the_economies_of_mini_trig(client):
    mini = _mini()  # the economies are the subjects with a WTO membership date, listed with their codes
    codes = sorted(str(c) for e in mini.subjects(TKG.wtoMemberSince, None, unique=True)
                   for c in mini.objects(e, SKOS.notation))
    items, pages = _follow(client, "/economies", {}, 2)
    assert sorted(i["code"] for i in items) == codes == ["CAN", "CHN", "JPN", "MEX", "USA", "VEN"] and pages == 3


def test_old_clients_passing_next_as_cursor_still_page(client):
    first = client.get("/economies", params={"limit": 4}).json()
    second = client.get("/economies", params={"limit": 4, "cursor": first["next"]}).json()
    assert [i["code"] for i in first["items"] + second["items"]] == ["CAN", "CHN", "JPN", "MEX", "USA", "VEN"]


def test_csv_catalog_pages_carry_the_same_link(client):
    json_page = client.get("/queries/economies", params={"limit": 2})
    csv_page = client.get("/queries/economies", params={"limit": 2, "format": "csv"})
    link = lambda answer: dict(parse_qsl(urlsplit(answer.headers["link"][1:].split(">")[0]).query))  # noqa: E731
    assert link(csv_page) == {**link(json_page), "format": "csv"}
    assert link(json_page) == dict(parse_qsl(urlsplit(json_page.json()["next"]).query))
