"""The relationship endpoints through FastAPI's test client, against answers checked by hand in data/.

Where each answer was checked is said next to it. The same questions go through a real server in
tests/test_api_live.py.
"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tradekg.api.app import create_app
from tradekg.api.settings import Settings

GATEWAY = "https://w3id.org/tradekg/graph/wto-ds-gateway"


@pytest.fixture(scope="module")
def client(full_store):
    with TestClient(create_app(full_store, Settings(sparql_workers=1))) as test_client:
        yield test_client


def _all(client, url: str, limit: int = 7) -> list[dict]:
    """Every item of a list, page by page through `next` cursors."""
    from urllib.parse import parse_qsl

    path, _, query = url.partition("?")
    items, cursor = [], None
    for _ in range(1000):
        params = {**dict(parse_qsl(query)), "limit": limit, **({"cursor": cursor} if cursor else {})}
        page = client.get(path, params=params).json()
        items += page["items"]
        cursor = page["next"]
        if cursor is None:
            return items
    raise AssertionError("pagination did not end")


def test_dispute_ds544_any_case(client):
    # data/wto-ds-gateway/ds_cases.csv, ds_number 544: complainant CHN, respondent USA, requested 2018-04-05,
    # 29 third parties (EEC is the EU, CHT Chinese Taipei)
    for path in ("/disputes/DS544", "/disputes/ds544", "/disputes/544"):
        body = client.get(path).json()
        assert body["id"] == "DS544" and body["complainants"] == ["CHN"] and body["respondents"] == ["USA"]
    assert body["consultations_requested"] == "2018-04-05" and len(body["third_parties"]) == 29
    assert {"EUN", "TWN", "JPN"} <= set(body["third_parties"])
    assert "us-232-steel" in body["measures"] and {"72", "73", "76"} <= set(body["products"])
    assert GATEWAY in body["sources"]


def test_usmca_dispute(client):
    # data/curated/usmca_disputes.csv row USMCA-MEX-GE-CORN: complainant USA, respondent MEX, panel 2023-08-17
    for path in ("/disputes/usmca/USMCA-MEX-GE-CORN", "/disputes/USMCA-MEX-GE-CORN"):
        body = client.get(path).json()
        assert body["id"] == "usmca/USMCA-MEX-GE-CORN" and body["forum"] == "USMCA"
        assert body["complainants"] == ["USA"] and body["respondents"] == ["MEX"]
    assert body["sources"] == ["https://w3id.org/tradekg/graph/usmca"]


def test_unknown_dispute_is_a_problem(client):
    response = client.get("/disputes/DS99999")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert {"type", "title", "status", "detail"} <= set(response.json())


def test_measure_and_its_partners(client):
    # data/curated/us_section232.csv S232-STEEL-2018: Proclamation 9705, effective 2018-03-23, 25%, ALL origins
    body = client.get("/measures/us-232-steel").json()
    assert body["imposer"] == "USA" and body["start"] == "2018-03-23" and body["rate"] == "25"
    assert body["affects"] == [] and body["types"] == ["section-232"]
    # data/curated/usmca_rrm_cases.csv RRM-GM-SILAO: a US request for review about a plant in Mexico
    partners = client.get("/measures/usmca-rrm/RRM-GM-SILAO/partners").json()["items"]
    assert {(p["economy"], tuple(p["roles"])) for p in partners} == {("USA", ("imposer",)), ("MEX", ("affected",))}
    # DS544 (CHN v USA) challenges the steel tariff: China is linked to it as complainant through DS544
    linked = {p["economy"]: p for p in _all(client, "/measures/us-232-steel/partners", limit=20)}
    assert "complainant" in linked["CHN"]["roles"] and "DS544" in linked["CHN"]["disputes"]


def test_common_agreements_as_of(client):
    # data/wto-rta/AllRTAs.csv: RTA 1087 (USMCA) in force 2020-07-01; RTA 122 (NAFTA) inactive from 2020-07-01
    page = client.get("/agreements/common", params={"economies": "USA,MEX", "as_of": "2021-01-01"}).json()
    ids = {a["id"] for a in page["items"]}
    assert "rta/1087" in ids and "rta/122" not in ids
    before = client.get("/agreements/common", params={"economies": "usa,Mexico", "as_of": "2019-01-01"}).json()
    assert "rta/122" in {a["id"] for a in before["items"]}
    assert "https://w3id.org/tradekg/graph/wto-rta" in page["sources"]
    three = client.get("/agreements/common", params={"economies": "USA,MEX,CAN", "as_of": "2021-01-01"}).json()
    assert "rta/1087" in {a["id"] for a in three["items"]}


def test_agreement_detail(client):
    # data/wto-rta/AllRTAs.csv RTA 1087: signed 2018-11-30, in force 2020-07-01, Canada; Mexico; United States
    for path in ("/agreements/rta/1087", "/agreements/1087"):
        body = client.get(path).json()
        assert body["signed"] == "2018-11-30" and body["in_force"] == "2020-07-01"
        assert [p["economy"] for p in body["parties"]] == ["CAN", "MEX", "USA"]


def test_economy_aliases_and_unknown_codes(client):
    # EU, European Union and EEC (the WTO gateway's code) are all the EU, EUN; TWN is Chinese Taipei
    for code in ("eu", "EU", "European%20Union", "EEC"):
        profile = client.get(f"/economies/{code}").json()
        assert profile["code"] == "EUN" and profile["label"] == "European Union", code
    assert client.get("/economies/Chinese%20Taipei").json()["code"] == "TWN"
    assert client.get("/economies/us").json()["code"] == "USA"
    unknown = client.get("/economies/USX")
    assert unknown.status_code == 404 and unknown.headers["content-type"] == "application/problem+json"
    assert "USA" in unknown.json()["suggestions"]
    # a real ISO code the graph does not hold (Antarctica) is a 404 too, not an empty profile
    assert client.get("/economies/ATA").status_code == 404
    assert client.get("/economies/Narnia/partners").status_code == 404


def test_economy_profile_and_list(client):
    # data/wto-members-wikipedia: the EU (European Communities) a member since 1995-01-01
    eu = client.get("/economies/EU").json()
    assert eu["wto_member_since"] == "1995-01-01" and eu["see_also"]["disputes"] == "/economies/EUN/disputes"
    aspects = {a["aspect"]: a for a in eu["aspects"]}
    assert aspects["disputes as complainant"]["count"] > 90
    codes = [e["code"] for e in _all(client, "/economies", limit=100)]
    assert codes == sorted(codes) and {"USA", "CHN", "EUN", "TWN"} <= set(codes)


def test_dispute_list_filters(client):
    # ds_cases.csv: China v United States in 2018: DS543 (2018-04-04) and DS544 (2018-04-05), among others
    found = _all(client, "/disputes?complainant=CHN&respondent=us&from_year=2018&to_year=2018", limit=50)
    assert {"DS543", "DS544"} <= {d["id"] for d in found}
    assert all(d["consultations_requested"].startswith("2018") for d in found)
    usmca = client.get("/disputes", params={"forum": "USMCA", "limit": 100}).json()["items"]
    assert "usmca/USMCA-MEX-GE-CORN" in {d["id"] for d in usmca} and all(d["forum"] == "USMCA" for d in usmca)
    cites = client.get("/disputes", params={"agreement": "SG", "respondent": "USA", "limit": 500}).json()["items"]
    assert "DS544" in {d["id"] for d in cites}  # DS544 cites the Agreement on Safeguards (ds_cases.csv)


def test_measure_list_filters(client):
    # data/curated/us_section301.csv: Lists 1-3 took effect 2018-07-06, 08-23, 09-24; List 4A only 2019-09-01
    page = client.get("/measures", params={"imposer": "USA", "affected": "CHN", "type": "section-301",
                                           "as_of": "2019-06-01", "limit": 50}).json()
    ids = {m["id"] for m in page["items"]}
    assert {"us-301-list-1", "us-301-list-2", "us-301-list-3"} <= ids and "us-301-list-4a" not in ids
    assert "https://w3id.org/tradekg/graph/us-section301" in page["sources"]
    steel = client.get("/measures", params={"hs": "7208", "type": "section-232", "limit": 50}).json()["items"]
    assert "us-232-steel" in {m["id"] for m in steel}  # us_section232.csv: steel rule 7206.10-7216.50


def test_agreement_list_and_product(client):
    mex = client.get("/agreements", params={"party": "MEX", "as_of": "2021-01-01", "limit": 500}).json()["items"]
    assert "rta/1087" in {a["id"] for a in mex} and "rta/122" not in {a["id"] for a in mex}
    product = _all(client, "/products/7208", limit=100)
    kinds = {(p["kind"], p["id"]) for p in product}
    assert ("measure", "us-232-steel") in kinds and ("dispute", "DS544") in kinds


def test_economy_disputes_paginate_stably(client):
    everything = client.get("/economies/CHN/disputes", params={"limit": 500}).json()["items"]
    paged = _all(client, "/economies/CHN/disputes", limit=7)
    assert paged == everything and len({(d["dispute"], d["role"]) for d in paged}) == len(paged)
    # ds_cases.csv: China is the complainant of DS544 and the respondent of DS543's counterpart cases
    as_complainant = {d["dispute"] for d in _all(client, "/economies/CHN/disputes?role=complainant", 50)}
    assert "DS544" in as_complainant and all(d["role"] == "complainant" for d in paged if d["dispute"] == "DS544")


def test_bad_cursor_and_limit_are_problems(client):
    bad = client.get("/economies/CHN/disputes", params={"cursor": "not-a-cursor"})
    assert bad.status_code == 422 and bad.headers["content-type"] == "application/problem+json"
    too_big = client.get("/economies/CHN/disputes", params={"limit": 10_000})
    assert too_big.status_code == 422 and too_big.json()["errors"]


def test_partners_via_disputes_and_measures(client):
    eu = client.get("/economies/EU/partners", params={"via": "disputes", "limit": 3}).json()
    assert eu["items"][0]["economy"] == "USA"  # the EU's most frequent counterpart in WTO disputes
    chn = client.get("/economies/CHN/partners", params={"via": "measures"}).json()["items"]
    usa = next(p for p in chn if p["economy"] == "USA")
    # data/curated/us_section301.csv: Section 301 lists 1-4B target China
    assert "imposes_on" in usa["roles"] and usa["count"] >= 8 and len(usa["links"]) <= 20
    targeted = {m["measure"] for m in _all(client, "/economies/CHN/measures?role=affected", limit=100)}
    assert {"us-301-list-1", "us-301-list-4a"} <= targeted


def test_query_catalog_json_and_csv(client):
    listed = {q["name"] for q in _all(client, "/queries", limit=50)}
    assert {"disputes_between", "dispute_details"} <= listed
    answer = client.get("/queries/dispute_details", params={"dispute": "DS544"}).json()
    assert answer["items"][0]["complainants"] == "https://w3id.org/tradekg/id/economy/CHN"
    csv_text = client.get("/queries/disputes_between", params={"a": "USA", "b": "CHN", "format": "csv", "limit": 500}).text
    assert csv_text.splitlines()[0].startswith("a,b,dispute") and "DS544" in csv_text
    assert client.get("/queries/disputes_between", params={"a": "Narnia"}).status_code == 422
    assert client.get("/queries/no_such_query").status_code == 404
    missing = client.get("/queries/disputes_between", params={"b": "CHN"})
    assert missing.status_code == 422 and "parameter a is required" in missing.json()["detail"]
    listed_params = {p["name"]: p for q in _all(client, "/queries", limit=50) if q["name"] == "disputes_between"
                     for p in q["params"]}
    assert listed_params["a"]["required"] and not listed_params["b"]["required"]


def test_links_and_network(client):
    # The app as it ships, every view in the paths (projecting the measures view takes most of a minute on
    # the full graph, hence the slow set); a patched app here would leave its cached paths to later tests.
    links = client.get("/links", params={"source": "USA", "target": "MEX", "k": 3, "as_of": "2021-01-01"}).json()
    assert [p["rank"] for p in links["items"]] == [1, 2, 3]
    assert all(p["economies"][0] == "USA" and p["economies"][-1] == "MEX" for p in links["items"])
    assert links["sources"]
    views = {v["view"] for v in client.get("/network").json()}
    assert {"disputes", "agreements", "measures"} <= views
    top = client.get("/network/disputes/centrality", params={"limit": 1}).json()["items"][0]
    assert top["code"] == "USA"  # the most frequent party to WTO disputes (ds_cases.csv)


def test_same_answers_over_a_remote_sparql_store(remote_store):
    """`tradekg serve --endpoint`: the routes ask a real Oxigraph server, and /sparql forwards to it."""
    with TestClient(create_app(remote_store, Settings())) as remote:
        ds544 = remote.get("/disputes/ds544").json()
        assert ds544["complainants"] == ["CHN"] and ds544["respondents"] == ["USA"]
        common = remote.get("/agreements/common", params={"economies": "USA,MEX", "as_of": "2021-01-01"}).json()
        assert "rta/1087" in {a["id"] for a in common["items"]}
        forwarded = remote.get("/sparql", params={"query": "ASK { <https://w3id.org/tradekg/id/dispute/DS544> "
                                                           "?p ?o }"}, headers={"Accept": "application/sparql-results+json"})
        assert forwarded.status_code == 200 and forwarded.json()["boolean"] is True
        assert remote.get("/sparql", params={"query": "SELECT * WHERE {"}).status_code == 400
