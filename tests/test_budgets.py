"""Every REST request has a budget: forged cursors, out-of-range days and over-budget work are 4xx/503 problem
documents, never a core held for minutes or a dropped connection.

The app runs over a quick build (the WTO loaders alone: DS544 has China as complainant and the United States as
respondent, so the two are linked in the disputes view).
"""

from __future__ import annotations

import base64
import csv
import http.client
import json
import threading
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tradekg.api import errors
from tradekg.api.app import create_app
from tradekg.api.budget import Budget, OverBudget
from tradekg.api.deps import Catalog
from tradekg.api.routes.common import EARLIEST_DAY, LATEST_DAY
from tradekg.api.settings import Settings
from tradekg.data import bundled
from tradekg.graph.build import build
from tradekg.graph.store import EmbeddedStore

from api_support import running_server
from conftest import foundation_loaders

FORGED = ["[1e+300]", "[]", '["x"]', "[Infinity]", "[NaN]", "[-1]", "[true]", "[2.5]", "[99999999999999999999]",
          "{}", "[" * 1400]


def cursor(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


@pytest.fixture(scope="module")
def small_store(tmp_path_factory) -> Path:
    target = tmp_path_factory.mktemp("budget") / "store"
    build(target, loaders=foundation_loaders(), check_shapes=False)
    return target


@pytest.fixture(scope="module")
def client(small_store):
    store = EmbeddedStore(small_store)
    with TestClient(create_app(store, Settings(sparql_workers=1))) as test_client:
        yield test_client
    store.close()


@pytest.mark.parametrize("forged", FORGED)
def test_forged_links_cursor_is_a_422_problem(client, forged):
    answer = client.get("/links", params={"source": "CHN", "target": "USA", "cursor": cursor(forged)})
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert "cursor" in answer.json()["detail"]


def test_links_pages_and_k_limit(client):
    first = client.get("/links", params={"source": "CHN", "target": "USA", "k": 1})
    assert first.status_code == 200, first.text
    assert first.json()["items"][0]["economies"][0] == "CHN"
    assert client.get("/links", params={"source": "CHN", "target": "USA", "k": 51}).status_code == 422
    beyond = client.get("/links", params={"source": "CHN", "target": "USA", "cursor": cursor("[250]")})
    assert beyond.status_code == 422  # past the documented 250 paths


def test_forged_list_cursors_elsewhere_are_422(client):
    for forged in ("[NaN]", "[Infinity]", '["x", 1]', "[true]"):
        answer = client.get("/economies/USA/disputes", params={"cursor": cursor(forged)})
        assert answer.status_code == 422, answer.text


def test_as_of_outside_the_data_years_is_422(client):
    # the bundle's oldest dated fact, read from the source file: the day must be allowed
    with (bundled() / "wto-ds-gateway" / "ds_cases.csv").open(encoding="utf-8-sig") as handle:
        oldest = min(row["consultations_requested"] for row in csv.DictReader(handle) if row["consultations_requested"])
    assert EARLIEST_DAY.isoformat() <= oldest <= LATEST_DAY.isoformat()
    for day in ("0001-01-01", "1000-01-01", "9999-12-31"):
        for path in ("/links?source=CHN&target=USA", "/network/disputes", "/economies/USA/partners"):
            answer = client.get(path, params={"as_of": day})
            assert answer.status_code == 422, (path, day, answer.text)
            assert answer.headers["content-type"].startswith("application/problem+json")
    assert client.get("/network/disputes", params={"as_of": oldest}).status_code == 200


def test_work_over_budget_is_a_503_and_its_answer_is_kept():
    release = threading.Event()
    catalog = Catalog(store=None, budget=Budget(timeout_s=0.01, slots=1, queue=0))  # type: ignore[arg-type]

    calls = []

    def slow() -> str:
        calls.append(1)
        release.wait(600)  # blocked until the test lets go: always past the budget
        return "answer"

    with pytest.raises(OverBudget):
        catalog.memo("space", ("k",), slow)
    with pytest.raises(OverBudget, match="busy"):  # the one slot is taken and there is no queue
        catalog.memo("space", ("other",), lambda: "x")
    release.set()
    catalog.budget.timeout_s = 600
    assert catalog.memo("space", ("k",), slow) == "answer"
    assert len(calls) == 1  # the first build's answer, not a second build
    catalog.budget.close()


def test_over_budget_is_a_problem_document_with_retry_after():
    app = FastAPI()
    errors.install(app)

    @app.get("/heavy")
    def heavy() -> None:
        raise OverBudget("took longer than the budget", retry_after_s=7)

    answer = TestClient(app).get("/heavy")
    assert answer.status_code == 503
    assert answer.headers["retry-after"] == "7"
    assert answer.json()["type"].endswith("/over-budget")


@pytest.mark.slow
def test_forged_cursors_keep_the_connection_alive(small_store, tmp_path):
    with running_server(small_store, tmp_path / "serve.log") as base:
        host, port = base.removeprefix("http://").split(":")
        connection = http.client.HTTPConnection(host, int(port), timeout=120)
        connection.request("GET", "/economies/USA")
        connection.getresponse().read()
        sock = connection.sock
        for forged in FORGED[:5]:
            connection.request("GET", f"/links?source=CHN&target=USA&cursor={cursor(forged)}")
            answer = connection.getresponse()
            body = json.loads(answer.read())
            assert answer.status == 422 and body["status"] == 422
            assert answer.getheader("connection", "").lower() != "close"
            assert connection.sock is sock  # the same connection answered every request
        connection.close()
