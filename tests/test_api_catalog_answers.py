"""The API's partner and common-agreement answers are catalog answers: the routes map the rows of
`partners_via_*` and `common_agreements`, so `tradekg query …` on the same store says the same thing (issue 15).

Quick: the mini graph (tests/data/mini), whose facts are read from mini.trig by hand in each comment.
"""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from mini import mini_store

from tradekg.api.app import create_app
from tradekg.api.settings import Settings
from tradekg.cli import cli
from tradekg.graph.store import EmbeddedStore

ID = "https://w3id.org/tradekg/id/"


@pytest.fixture(scope="module")
def store_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("mini") / "store"
    mini_store(path).close()
    return path


@pytest.fixture(scope="module")
def client(store_path):
    store = EmbeddedStore(store_path)
    with TestClient(create_app(store, Settings(sparql_workers=1))) as test_client:
        yield test_client
    store.close()


def cli_rows(store_path, name: str, **params: str) -> list[dict[str, str]]:
    args = ["query", name, "--store", str(store_path), "--format", "json"]
    for key, value in params.items():
        args += ["-p", f"{key}={value}"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    return [{k: v["value"] for k, v in b.items()} for b in json.loads(result.output)["results"]["bindings"]]


@pytest.mark.parametrize("code, via, as_of", [("CHN", "measures", None), ("USA", "measures", "2019-06-01"),
                                               ("USA", "disputes", None), ("CHN", "disputes", "2018-04-04"),
                                               ("MEX", "agreements", None), ("MEX", "agreements", "2021-01-01")])
def test_partners_are_the_catalog_rows(client, store_path, code, via, as_of):
    day = {"as_of": as_of} if as_of else {}
    items = client.get(f"/economies/{code}/partners", params={"via": via, **day}).json()["items"]
    rows = cli_rows(store_path, f"partners_via_{via}", economy=code, **day)
    assert items and len(items) == len(rows)
    kind = {"measures": "measure", "disputes": "dispute", "agreements": "agreement"}[via]
    assert {(i["economy"], i["label"], i["count"], tuple(i["roles"]), tuple(i["links"])) for i in items} == {
        (r["partner"].removeprefix(ID + "economy/"), r.get("label"), int(r["count"]), tuple(r["roles"].split()),
         tuple(link.removeprefix(f"{ID}{kind}/") for link in r.get("links", "").split())) for r in rows}


def test_partners_through_measures_count_both_ways(client):
    # mini.trig: China's 232 retaliation names the US (affected_by), US Section 301 List 1 names China
    # (imposes_on): two measures link them, and the link named is the US measure
    (usa,) = client.get("/economies/CHN/partners", params={"via": "measures"}).json()["items"]
    assert (usa["economy"], usa["count"], usa["roles"], usa["links"]) == ("USA", 2, ["affected_by", "imposes_on"],
                                                                          ["us-301-list-1"])


def test_common_agreements_of_several_economies(client):
    # mini.trig: USMCA (2020-07-01) and NAFTA (1994-01-01 to 2020-06-30) have the US, Mexico and Canada as
    # parties; Japan is party to neither
    three = client.get("/agreements/common", params={"economies": "USA,MEX,CAN"}).json()["items"]
    assert [(a["id"], a["start"], a["end"]) for a in three] == [("rta/122", "1994-01-01", "2020-06-30"),
                                                                ("rta/1087", "2020-07-01", None)]
    assert client.get("/agreements/common", params={"economies": "USA,MEX,CAN,JPN"}).json()["items"] == []
    twice = client.get("/agreements/common", params={"economies": "USA,MEX,usa,Canada"}).json()["items"]
    assert twice == three  # an economy named twice counts once
    same = client.get("/agreements/common", params={"economies": "USA,us"})
    assert same.status_code == 422 and "two different economies" in same.json()["detail"]
    six = client.get("/agreements/common", params={"economies": "USA,MEX,CAN,JPN,CHN,VEN"})
    assert six.status_code == 422 and "at most 5" in six.json()["detail"]
    five = client.get("/agreements/common", params={"economies": "USA,MEX,CAN,JPN,CHN"})
    assert five.status_code == 200 and five.json()["items"] == []
