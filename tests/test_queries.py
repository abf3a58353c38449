"""The catalog's questions answered on the full bundle, on the embedded store and on a real SPARQL server.

Every pinned answer was checked by hand in the source files under data/; the comment next to it says
where. Answers that other sources may grow (more measures once anti-dumping cases are loaded) are
checked as "includes", never as an exact list.
"""

from __future__ import annotations

import re

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import XSD

from tradekg.graph.errors import BadParameters
from tradekg.queries import get, names, run

ID = "https://w3id.org/tradekg/id/"
GATT = f"{ID}agreement/wto/GATT1994"


def short(term) -> str:
    """The local part of a tradekg IRI (economy/CHN -> CHN, dispute/DS544 -> DS544), else the text."""
    return str(term).rsplit("/", 1)[-1]


def column(rows, name: str) -> set[str]:
    return {short(row[name]) for row in rows if name in row}


def by(rows, name: str, value: str) -> list[dict]:
    return [row for row in rows if name in row and short(row[name]) == value]


def date(value: str) -> Literal:
    return Literal(value, datatype=XSD.date)


def test_no_parameter_is_tested_with_bound():
    """pyoxigraph's substitutions leave BOUND(?p) false for a bound parameter (so `!BOUND(?p) || …` lets
    everything through on the embedded store while a server filters): the catalog must not rely on it."""
    for name in names():
        query = get(name)
        for param in query.params:
            assert not re.search(rf"BOUND\s*\(\s*\?{param}\s*\)", query.text, re.I), f"{name}: BOUND(?{param})"


def test_pyoxigraph_substitution_still_leaves_bound_false(full_store):
    """Why the catalog writes sameTerm(?p, ?p) instead of BOUND(?p). If this starts failing, pyoxigraph
    changed, and BOUND could be used again (see queries/README.md)."""
    text = "SELECT ?p ?given WHERE { BIND(BOUND(?p) AS ?given) }"
    assert full_store.select(text, {"p": URIRef(f"{ID}economy/CHN")})[0]["given"] == Literal(False)


# --- 1. partners_affected_by_measures ------------------------------------------------------------

def test_partners_affected_by_section_301_on_steel(any_store):
    # data/us-section301-dw/section301_china_tariff_lines.csv: chapter 72 lines are on lists 3 (38),
    # 4A (216) and 4B (3); curated/us_section301.csv: list 3 effective 2018-09-24, 4A 2019-09-01, 4B
    # "tariff action (suspended)" with no effective date, so it never took effect.
    rows = run(any_store, "partners_affected_by_measures", **get("partners_affected_by_measures").example)
    assert [(short(r["imposer"]), short(r["partner"]), int(r["measures"])) for r in rows] == [("USA", "CHN", 2)]
    undated = run(any_store, "partners_affected_by_measures", imposer="USA", chapter="72",
                  measure_type=f"{ID}measure-type/section-301")
    assert int(by(undated, "partner", "CHN")[0]["measures"]) == 3


def test_partners_affected_by_a_broader_type(any_store):
    # additional-tariff is broader than section-232 (ontology); curated/us_section232.csv: the UKR
    # treatment (a section-232 measure naming UKR) runs 2022-06-01 to 2023-06-01.
    rows = run(any_store, "partners_affected_by_measures", imposer="USA",
               measure_type=f"{ID}measure-type/additional-tariff", **{"from": "2022-01-01", "to": "2022-12-31"})
    assert "UKR" in column(rows, "partner")
    before = run(any_store, "partners_affected_by_measures", imposer="USA",
                 measure_type=f"{ID}measure-type/additional-tariff", to="2021-12-31")
    assert "UKR" not in column(before, "partner")


# --- 2. measures_affecting_economy -----------------------------------------------------------------

def test_measures_affecting_china(any_store):
    # curated/us_section301.csv: S301-CHN-LIST1, country CHN, effective 2018-07-06.
    rows = run(any_store, "measures_affecting_economy", economy="CHN")
    list1 = by(rows, "measure", "us-301-list-1")
    assert list1 and short(list1[0]["imposer"]) == "USA" and list1[0]["start"] == date("2018-07-06")
    # S232-STEEL-2018 has country ALL: erga omnes, it names no economy.
    assert "us-232-steel" not in column(rows, "measure")


# --- 3. economies_linked_to_measure ----------------------------------------------------------------

def test_economies_linked_to_the_steel_tariff(any_store):
    # crosswalks/dispute_measures.csv: DS544 -> us-232-steel; wto-ds-gateway/ds_cases.csv row 544:
    # complainant CHN, respondent USA, third parties include JPN.
    rows = run(any_store, "economies_linked_to_measure", measure=f"{ID}measure/us-232-steel")
    links = {(short(r["economy"]), str(r["role"]), short(r.get("dispute", ""))) for r in rows}
    assert ("USA", "imposer", "") in links
    assert {("CHN", "complainant", "DS544"), ("USA", "respondent", "DS544"), ("JPN", "third_party", "DS544")} <= links
    assert not any(role == "affected" for _, role, _ in links)  # erga omnes


# --- 4. disputes_between ---------------------------------------------------------------------------

def test_disputes_between_usa_and_china(any_store):
    # ds_cases.csv rows 543 and 544: complainant CHN, respondent USA; 544 cites GATT 1994 and
    # Safeguards. 255 gateway disputes have both in some role, plus DS633 and the unnumbered
    # 2025-04-04 request of curated/wto_disputes_extra.csv (CHN v USA).
    rows = run(any_store, "disputes_between", a="USA", b="CHN")
    for ds in ("DS543", "DS544"):
        row = by(rows, "dispute", ds)[0]
        assert (str(row["roleA"]), str(row["roleB"])) == ("respondent", "complainant")
    assert "Agreement on Safeguards" in str(by(rows, "dispute", "DS544")[0]["agreements"])
    assert len(column(rows, "dispute")) >= 257
    assert "DS544" in column(run(any_store, "disputes_between", a="USA"), "dispute")
    with pytest.raises(BadParameters, match="parameter a is required"):
        run(any_store, "disputes_between", b="CHN")


# --- 5. third_party_participation ------------------------------------------------------------------

def test_japan_joins_united_states_disputes(any_store):
    # ds_cases.csv: JPN in third_party_codes with USA as respondent in 85 rows, as complainant in 48.
    rows = run(any_store, "third_party_participation", third_party="JPN", party="USA")
    assert {str(r["role"]): int(r["disputes"]) for r in rows} == {"respondent": 85, "complainant": 48}


# --- 6. common_agreements --------------------------------------------------------------------------

def test_usmca_replaced_nafta(any_store):
    # wto-rta/AllRTAs.csv: RTA 1087 (USMCA) in force 2020-07-01; RTA 122 (NAFTA) 1994-01-01, inactive
    # 2020-07-01; both with Canada, Mexico and the United States.
    in_2021 = column(run(any_store, "common_agreements", a="USA", b="MEX", as_of="2021-01-01"), "agreement")
    assert "1087" in in_2021 and "122" not in in_2021
    in_2019 = column(run(any_store, "common_agreements", a="USA", b="MEX", as_of="2019-01-01"), "agreement")
    assert "122" in in_2019 and "1087" not in in_2019
    nafta = by(run(any_store, "common_agreements", a="USA", b="MEX"), "agreement", "122")[0]
    assert (nafta["start"], nafta["end"]) == (date("1994-01-01"), date("2020-06-30"))


# --- 7. product_measures_and_disputes --------------------------------------------------------------

def test_hot_rolled_steel_reaches_the_steel_tariff_and_ds544(any_store):
    # us-trade-actions-tradeintel/section232_201_scope_rules_2018.csv: steel rule 7206.10-7216.50
    # covers 720810; crosswalks/subject_products.csv: G232 (DS544's subject) -> chapters 72, 73, 76.
    rows = run(any_store, "product_measures_and_disputes", product="720810")
    assert short(by(rows, "item", "us-232-steel")[0]["via"]) == "720810"
    ds544 = by(rows, "item", "DS544")[0]
    assert (str(ds544["kind"]), short(ds544["via"])) == ("dispute", "72")
    assert "DS544" in column(run(any_store, "product_measures_and_disputes", product="72"), "item")


# --- 8. measures_in_force --------------------------------------------------------------------------

def test_measures_in_force_mid_2019(any_store):
    # curated/us_section301.csv: list 1 from 2018-07-06, list 4A from 2019-09-01, 4B never;
    # curated/us_section232.csv: steel from 2018-03-23, EU tariff-rate quota from 2022-01.
    rows = column(run(any_store, "measures_in_force", as_of="2019-06-01", imposer="USA"), "measure")
    assert {"us-301-list-1", "us-232-steel"} <= rows
    assert not {"us-301-list-4a", "us-301-list-4b", "us-232-eu-trq"} & rows


# --- 9. disputes_citing ----------------------------------------------------------------------------

def test_disputes_citing_gatt_article_xxi(any_store):
    # ds_cases.csv: only row 149 (EEC v IND) lists "GATT 1994: XXI". Row 512 (Russia - Traffic in
    # Transit) lists V, X, XI and an unresolved article A9_1129 (not in ds_articles.csv); row 544
    # lists I, II, X, XIX and Safeguards: XXI was the respondents' defence, not a citation.
    rows = run(any_store, "disputes_citing", provision=f"{GATT}/article/XXI")
    assert column(rows, "dispute") == {"DS149"}
    assert short(rows[0]["agreement"]) == "GATT1994"


def test_disputes_citing_an_article_include_its_paragraphs(any_store):
    # ds_cases.csv: row 556 cites "GATT 1994: XIX" itself, row 544 only XIX:1 and XIX:2.
    rows = run(any_store, "disputes_citing", provision=f"{GATT}/article/XIX")
    assert {"DS544", "DS556"} <= column(rows, "dispute")
    assert "XIX:1" in str(by(rows, "dispute", "DS544")[0]["cites"])
    with pytest.raises(BadParameters, match="agreement or provision is required"):
        run(any_store, "disputes_citing")


# --- 10. economy_profile ---------------------------------------------------------------------------

def test_china_profile(any_store):
    # wto-members-wikipedia/wto_members.csv: China 2001-12-11. ds_cases.csv: CHN complainant in 24
    # rows, respondent in 49, third party in 195; curated/wto_disputes_extra.csv adds 6 new CHN
    # complaints (DS626, DS630, DS633, DS641 and two unnumbered) and DS628 against CHN.
    profile = {str(r["aspect"]): r for r in run(any_store, "economy_profile", economy="CHN")}
    assert profile["WTO member since"]["value"] == date("2001-12-11")
    assert "WTO observer" not in profile
    assert {a: int(profile[a]["count"]) for a in ("disputes as complainant", "disputes as respondent",
                                                  "disputes as third party")} == {
        "disputes as complainant": 30, "disputes as respondent": 50, "disputes as third party": 195}
    assert "WTO observer" in {str(r["aspect"]) for r in run(any_store, "economy_profile", economy="BLR")}


# --- the lists the API pages on --------------------------------------------------------------------

def test_economies(any_store):
    rows = run(any_store, "economies")
    china = by(rows, "economy", "CHN")[0]
    assert (str(china["code"]), china["memberSince"], china["observer"]) == ("CHN", date("2001-12-11"), Literal(False))
    assert by(rows, "economy", "BLR")[0]["observer"] == Literal(True)
    assert len(column(rows, "economy")) == len(rows)  # one row per economy


def test_disputes_filters_combine(any_store):
    # ds_cases.csv rows 544 and 562: CHN v USA, JPN a third party, citing Safeguards and GATT XIX
    # (544 through XIX:1), requested 2018-04-05 and 2018-08-14, latest status ST4.
    example = {k: v for k, v in get("disputes").example.items() if k != "invoked_exception"}
    rows = run(any_store, "disputes", **example)
    assert column(rows, "dispute") == {"DS544", "DS562"}
    # curated wto_security_exceptions.csv: the US invoked GATT Art. XXI in DS544, not in DS562 (solar safeguard)
    assert column(run(any_store, "disputes", **get("disputes").example), "dispute") == {"DS544"}
    assert len(run(any_store, "disputes", complainant="CHN")) == 30  # as in the profile above
    assert column(run(any_store, "disputes", forum=f"{ID}forum/USMCA"), "forum") == {"USMCA"}


def test_measures_filters_combine(any_store):
    # Of the US Section 301 lists against China covering chapter 72, only list 3 (2018-09-24) was in
    # force on 2019-06-01 (list 4A from 2019-09-01); section-301 is narrower than additional-tariff.
    rows = run(any_store, "measures", **get("measures").example)
    assert column(rows, "measure") == {"us-301-list-3"}
    assert "us-232-steel" in column(run(any_store, "measures", product="720810"), "measure")


@pytest.mark.parametrize("code", ["7208", "72", "8471"])
def test_measures_on_a_product_with_imposer_and_target_name_the_section_301_lists_of_the_file(any_store, code):
    """A product with other filters (the product's measures are a sub-select, the others plain patterns): the
    Section 301 lists among the US measures on China covering the code are those whose lines in the list file
    start with it."""
    import csv

    from tradekg.data import bundled

    with (bundled() / "us-section301-dw" / "section301_china_tariff_lines.csv").open(newline="", encoding="utf-8") as f:
        lists = {f"us-301-list-{row['list'].lower()}" for row in csv.DictReader(f) if row["hts_code"].startswith(code)}
    assert lists, "the code should be on some list, or this proves little"
    got = column(run(any_store, "measures", product=code, imposer="USA", affected="CHN"), "measure")
    assert {m for m in got if m.startswith("us-301-list-")} == lists


def test_agreements_of_mexico_in_2021(any_store):
    rows = column(run(any_store, "agreements", **get("agreements").example), "agreement")
    assert "1087" in rows and "122" not in rows
