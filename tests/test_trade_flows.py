"""Trade flows (US Census imports by HTS10, monthly trade by HS chapter, exports on the 2025 retaliation
lists) and the trade each measure covers: sums checked against the source files read here with csv,
independently of the loaders; malformed rows fail with file, line and column."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import pytest

from tradekg import queries
from tradekg.data import bundled
from tradekg.graph.build import build
from tradekg.graph.context import BuildContext
from tradekg.graph.errors import SourceError
from tradekg.graph.loaders import (census_exports_2025_lists, census_imports_hs10, census_trade_hs2_monthly, economies,
                                   hs2022, ita_retaliation, ontology, trade_coverage, us_section301)
from tradekg.graph.store import EmbeddedStore

from conftest import ID, cut_csv

HS10 = "census-us-imports-hs10-2024"
CHINA = f"{HS10}/2024-hs10-imports5700_china.csv"
CANADA = f"{HS10}/2024-hs10-imports1220_canada.csv"
MEXICO = f"{HS10}/2024-hs10-imports2010_mexico.csv"
MONTHLY = "census-us-trade-hs2-monthly-2013-2020"
EXPORTS = "census-us-exports-2024-on-2025-retaliation-lists"
LINES_301 = "us-section301-dw/section301_china_tariff_lines.csv"
ITA = "ita-foreign-retaliation-2025/ita_retaliation_product_matrix_2025-03-28.csv"
HS = "hs-datasets/harmonized-system.csv"
LOADERS = (ontology, hs2022, us_section301, ita_retaliation, census_imports_hs10, census_trade_hs2_monthly,
           census_exports_2025_lists, economies, trade_coverage)


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        return list(csv.DictReader(handle))


def list_lines(data: Path) -> dict[str, set[str]]:
    """Section 301 list -> its HTS codes (8 or 10 digits), straight from the USTR list file."""
    found: dict[str, set[str]] = {}
    for row in rows(data / LINES_301):
        found.setdefault(row["list"], set()).add(row["hts_code"])
    return found


def covered_by_hand(data: Path, codes: set[str]) -> tuple[Decimal, Decimal, int]:
    """2024 imports from China (value, duties, rows) on HTS10 lines that are, or fall under, listed codes."""
    value = duties = Decimal(0)
    count = 0
    for row in rows(data / CHINA):
        code = row["I_COMMODITY"]
        if code in codes or code[:8] in codes:
            value += Decimal(row["CON_VAL_YR"])
            duties += Decimal(row["CAL_DUT_YR"])
            count += 1
    return value, duties, count


def covered(store, measure: str, year: str = "2024") -> list[dict[str, str]]:
    return [{k: str(v) for k, v in row.items()}
            for row in queries.run(store, "trade_covered", measure=f"{ID}measure/{measure}", year=year)]


# --- a small real cut, built and validated ----------------------------------------------------------

@pytest.fixture(scope="module")
def cut(tmp_path_factory) -> tuple[Path, EmbeddedStore]:
    """The bundle with the trade files cut to a few hundred real rows: China's 2024 HTS10 imports in
    chapters 84 and 85 (where Lists 1 to 4A overlap), a few Canadian and Mexican rows, the 2019 monthly
    rows, and the first rows of the export files. Built with shapes checked."""
    import shutil

    data = tmp_path_factory.mktemp("trade") / "data"
    shutil.copytree(bundled(), data, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    china = rows(bundled() / CHINA)
    cut_csv(bundled() / CHINA, data / CHINA,
            keep=[i for i, r in enumerate(china) if r["I_COMMODITY"][:4] in {"8411", "8501", "8517", "8471", "9801"}])
    cut_csv(bundled() / CANADA, data / CANADA, keep=range(0, 30))
    cut_csv(bundled() / MEXICO, data / MEXICO, keep=range(0, 30))
    for path in (bundled() / MONTHLY).glob("*.csv"):
        keep = [i for i, r in enumerate(rows(path)) if r["time"].startswith("2019")]
        cut_csv(path, data / MONTHLY / path.name, keep=keep)
    for path in (bundled() / EXPORTS).glob("*.csv"):
        cut_csv(path, data / EXPORTS / path.name, keep=range(0, 20))
    store_path = tmp_path_factory.mktemp("trade-store") / "store"
    build(store_path, data, loaders=[(m.SOURCE, m.triples) for m in LOADERS])  # validates against the shapes
    store = EmbeddedStore(store_path)
    yield data, store
    store.close()


@pytest.mark.parametrize("listed", ["1", "2", "3", "4A"])
def test_covered_trade_matches_the_files(cut, listed):
    data, store = cut
    value, duties, count = covered_by_hand(data, list_lines(data)[listed])
    assert count > 0, "the cut should hold rows on this list"
    (row,) = covered(store, f"us-301-list-{listed.lower()}")
    assert Decimal(row["value"]) == value
    assert Decimal(row["duties"]) == duties
    assert int(row["flows"]) == count
    assert row["method"] == "exact national-line match"
    assert row["basis"] == "in force that year"
    assert row["source"].endswith(f"graph/{HS10}")
    assert row["exporter"].endswith("/CHN") and row["importer"].endswith("/USA")


def test_a_list_that_never_took_effect_covers_nothing(cut):
    data, store = cut
    value, _duties, count = covered_by_hand(data, list_lines(data)["4B"])
    assert count > 0 and value > 0, "List 4B lines do have 2024 imports in the cut (smartphones, laptops)"
    assert covered(store, "us-301-list-4b") == []


def test_no_flows_that_year_gives_no_row(cut):
    _data, store = cut
    assert covered(store, "us-301-list-1", year="2019") == []  # 2019 flows are by chapter only


def test_flow_totals_match_the_files(cut):
    data, store = cut
    query = f"""PREFIX tkg: <https://w3id.org/tradekg/ontology#>
        SELECT ?g (SUM(?v) AS ?total) (COUNT(?f) AS ?n) WHERE {{
          GRAPH ?g {{ ?f a tkg:TradeFlow ; tkg:exporter <{ID}economy/USA> ; tkg:importer <{ID}economy/CHN> ;
                        tkg:valueUSD ?v }} }} GROUP BY ?g"""
    found = {str(r["g"]).rsplit("/", 1)[1]: (Decimal(str(r["total"])), int(str(r["n"]))) for r in store.select(query)}
    monthly = rows(data / MONTHLY / "exports_5700data_china.csv")
    assert found["census-us-trade-hs2-monthly"] == (sum(Decimal(r["ALL_VAL_MO"]) for r in monthly), len(monthly))
    lists = [rows(data / EXPORTS / name) for name in ("china-10-percent-US-exports-030425.csv",
                                                       "china-15-percent-US-exports-030425.csv")]
    assert found["census-us-exports-2025-lists"] == (
        sum(Decimal(r["exports"]) for rs in lists for r in rs), sum(len(rs) for rs in lists))


def test_duties_and_month_are_kept(cut):
    data, store = cut
    first = rows(data / MONTHLY / "imports_5700data_china.csv")[0]
    query = f"""PREFIX tkg: <https://w3id.org/tradekg/ontology#>
        SELECT ?m ?v ?d WHERE {{ ?f tkg:exporter <{ID}economy/CHN> ; tkg:importer <{ID}economy/USA> ;
          tkg:product <{ID}hs2022/{first['I_COMMODITY']}> ; tkg:month ?m ; tkg:valueUSD ?v ; tkg:calculatedDutiesUSD ?d .
          FILTER(STR(?m) = "{first['time']}") }}"""
    (row,) = store.select(query)
    assert (Decimal(str(row["v"])), Decimal(str(row["d"]))) == (Decimal(first["CON_VAL_MO"]), Decimal(first["CAL_DUT_MO"]))


def exports_on_retaliation_lines(data: Path, country: str, files: tuple[str, ...]) -> tuple[Decimal, int]:
    """2024 US exports on the HS 2022 subheadings of an imposer's lines in ITA's matrix, each subheading once."""
    with (data / HS).open(encoding="utf-8") as handle:
        subheadings = {r["hscode"] for r in csv.DictReader(handle) if r["level"] == "6"}
    listed = {r["HS Subheading"] for r in rows(data / ITA) if r["Country"] == country} & subheadings
    found = [r for name in files for r in rows(data / EXPORTS / name) if r["hs-code"] in listed]
    return sum((Decimal(r["exports"]) for r in found), Decimal(0)), len(found)


def test_retaliation_snapshot_gets_its_baseline_year_as_an_hs6_upper_bound(cut):
    data, store = cut
    value, count = exports_on_retaliation_lines(data, "China", ("china-10-percent-US-exports-030425.csv",
                                                                "china-15-percent-US-exports-030425.csv"))
    assert count > 0
    (row,) = covered(store, "chn-retaliation-snapshot-2025-03-28")
    assert (Decimal(row["value"]), int(row["flows"])) == (value, count)
    assert row["method"] == "HS6 aggregation (upper bound)"
    assert row["basis"] == "baseline: the year before it took effect"
    assert row["exporter"].endswith("/USA") and row["importer"].endswith("/CHN")


# --- malformed rows -----------------------------------------------------------------------------------

def corrupt(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize("file, old, new, module, where", [
    (CHINA, "CHINA,17300,1299,0106199120", "CHINA,17300x,1299,0106199120", census_imports_hs10,
     ("2024-hs10-imports5700_china.csv", 2, 2, "CON_VAL_YR")),
    (CHINA, "CHINA,17300,1299,0106199120", "CHINA,17300,1299,010619912", census_imports_hs10,
     ("2024-hs10-imports5700_china.csv", 2, 4, "I_COMMODITY")),
    (f"{MONTHLY}/imports_5700data_china.csv", "LIVE ANIMALS,2013-01", "LIVE ANIMALS,2013-13",
     census_trade_hs2_monthly, ("imports_5700data_china.csv", 2, 6, "time")),
    (f"{EXPORTS}/canada-US-exports-030425.csv", "72252603.0", "-72252603.0", census_exports_2025_lists,
     ("canada-US-exports-030425.csv", 2, 1, "exports")),
])
def test_malformed_row_names_file_line_and_column(data_copy, file, old, new, module, where):
    corrupt(data_copy / file, old, new)
    with pytest.raises(SourceError) as caught:
        list(module.triples(BuildContext.for_data(data_copy)))
    error = caught.value
    assert (Path(error.path).name, error.line, error.column, error.field) == where, str(error)


# --- the whole bundle -----------------------------------------------------------------------------------

@pytest.mark.slow
@pytest.mark.parametrize("listed", ["1", "2", "3", "4A"])
def test_full_covered_trade_matches_the_raw_files(full_store, listed):
    value, duties, count = covered_by_hand(bundled(), list_lines(bundled())[listed])
    (row,) = covered(full_store, f"us-301-list-{listed.lower()}")
    assert (Decimal(row["value"]), Decimal(row["duties"]), int(row["flows"])) == (value, duties, count)


@pytest.mark.slow
def test_full_list_4b_covers_nothing(full_store):
    assert covered(full_store, "us-301-list-4b") == []
    assert covered(full_store, "us-301-list-4b", year="2018") == []


@pytest.mark.slow
@pytest.mark.parametrize("country, code, files", [
    ("China", "chn", ("china-10-percent-US-exports-030425.csv", "china-15-percent-US-exports-030425.csv")),
    ("Canada", "can", ("canada-US-exports-030425.csv",)),
])
def test_full_retaliation_snapshots_cover_2024_exports(full_store, country, code, files):
    value, count = exports_on_retaliation_lines(bundled(), country, files)
    rows_ = [r for r in covered(full_store, f"{code}-retaliation-snapshot-2025-03-28")
             if r["source"].endswith("graph/census-us-exports-2025-lists")]
    (row,) = rows_
    assert (Decimal(row["value"]), int(row["flows"])) == (value, count)


# --- the API ----------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def client(cut):
    from fastapi.testclient import TestClient

    from tradekg.api.app import create_app

    return TestClient(create_app(cut[1]))


def test_measure_page_shows_trade_covered(cut, client):
    data, _store = cut
    value, duties, count = covered_by_hand(data, list_lines(data)["1"])
    (item,) = client.get("/measures/us-301-list-1").json()["trade_covered"]
    assert (Decimal(str(item["value_usd"])), Decimal(str(item["duties_usd"])), item["flows"]) == (value, duties, count)
    assert (item["year"], item["exporter"], item["importer"]) == (2024, "CHN", "USA")
    assert client.get("/measures/us-301-list-4b").json()["trade_covered"] == []


def test_trade_routes_sum_the_files(cut, client):
    data, _store = cut
    monthly = rows(data / MONTHLY / "imports_5700data_china.csv")
    page = client.get("/trade", params={"exporter": "CHN", "importer": "USA", "year": 2019}).json()
    (item,) = page["items"]
    assert Decimal(str(item["value_usd"])) == sum(Decimal(r["CON_VAL_MO"]) for r in monthly)
    assert item["monthly"] is True and item["flows"] == len(monthly)
    months = client.get("/trade/monthly", params={"exporter": "CHN", "importer": "USA", "limit": 500}).json()["items"]
    by_month: dict[str, Decimal] = {}
    for r in monthly:
        by_month[r["time"]] = by_month.get(r["time"], Decimal(0)) + Decimal(r["CON_VAL_MO"])
    assert {m["month"]: Decimal(str(m["value_usd"])) for m in months} == by_month


# --- the trade-covered network view (issue 16) ---------------------------------------------------------------

def test_trade_covered_view_weighs_a_pair_by_its_covered_flows_once(cut, client, tmp_path):
    """USA → CHN in 2024: the imports from China on any line of the lists in force (1, 2, 3, 4A; not 4B), each
    HTS10 row of the file once, read here with csv; the same weight in the API and in a GEXF export."""
    from lxml import etree

    from tradekg.graph.exporters import write
    from tradekg.queries.exports import export_view
    from tradekg.queries.projections import project

    data, store = cut
    lines = list_lines(data)
    value, _duties, count = covered_by_hand(data, lines["1"] | lines["2"] | lines["3"] | lines["4A"])
    by_list = sum(covered_by_hand(data, lines[k])[0] for k in ("1", "2", "3", "4A"))
    assert count > 0 and value <= by_list  # a flow under lines of two lists counts once
    usa, chn = f"{ID}economy/USA", f"{ID}economy/CHN"
    graph = project(store, "trade-covered", year="2024")
    assert graph.edges[usa, chn]["weight"] == int(value)
    assert graph.graph["filters"] == {"year": "2024"}
    assert project(store, "trade-covered").edges[usa, chn]["weight"] == int(value)  # 2024 is the latest year
    assert project(store, "trade-covered", year="2019").number_of_edges() == 0  # flows by chapter only
    edges = client.get("/network/trade-covered/edges", params={"year": 2024}).json()["items"]
    assert {(e["source"], e["target"]): e["weight"] for e in edges}[("USA", "CHN")] == int(value)
    exported, meta = export_view(store, "trade-covered", year="2024")
    doc = etree.parse(str(write(exported, "gexf", tmp_path / "trade.gexf", meta)))
    gexf = "{http://gexf.net/1.3}"
    weights = {(e.get("source"), e.get("target")): e.get("weight") for e in doc.iter(f"{gexf}edge")}
    assert weights[(usa, chn)] == str(int(value))
    assert client.get("/network/disputes", params={"year": 2024}).status_code == 422  # a filter it does not take
