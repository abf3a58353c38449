"""Measures imposed by other economies (issue 10): China's 2018-19 rounds, the ITA 2025 snapshot, the
retaliation WTO disputes name, what each answers and which dispute challenges it.

Expected facts are read from the raw files here with csv (or derived by hand from a small real cut),
never copied from the loaders' output."""

from __future__ import annotations

import csv
import re
import shutil
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
import pytest

from fastapi.testclient import TestClient

from tradekg.api.app import create_app
from tradekg.api.settings import Settings
from tradekg.data import bundled
from tradekg.graph.build import build
from tradekg.graph.context import BuildContext
from tradekg.graph.errors import SourceError
from tradekg.graph.loaders import (china_retaliation, dispute_links, economies, hs2022, ita_retaliation, ontology,
                                   retaliation_links, us_section232, us_section301, wto_ds_gateway, wto_members)
from tradekg.graph.store import EmbeddedStore
from tradekg.graph.terms import graph_iri
from tradekg.queries import run

from conftest import ID, PREFIXES, cut_csv

PIIE = china_retaliation.PIIE
MOF = china_retaliation.MOF
WAUGH = china_retaliation.WAUGH
HS = "hs-datasets/harmonized-system.csv"
SUBJECTS = dispute_links.SUBJECTS
ROUND_COLUMNS = {"2018-07-06": "July 6, 2018", "2018-08-23": "August 23, 2018", "2018-09-24": "September 24, 2018",
                 "2019-01-01": "January 1, 2019 | Suspension", "2019-06-01": "June 1, 2019"}


def load(data: Path, modules) -> ox.Store:
    """The loaders' triples (and the tariff-line nodes they made) in an in-memory store; no SHACL."""
    ctx, store = BuildContext.for_data(data), ox.Store()
    for module in modules:
        graph = graph_iri(module.SOURCE)
        store.bulk_extend(ox.Quad(s, p, o, graph) for s, p, o in module.triples(ctx))
        store.bulk_extend(ox.Quad(s, p, o, graph) for s, p, o in ctx.products.take_lines())
    return store


def sparql(query: str) -> str:
    return PREFIXES + "PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>\n" + re.sub(r"\bid:([\w-]+(?:[/.][\w-]+)*)", rf"<{ID}\1>", query)


def values(store: ox.Store, query: str) -> list[str]:
    return [row[0].value for row in store.query(sparql(query), use_default_graph_as_union=True)]


def ask(store: ox.Store, query: str) -> bool:
    return bool(store.query(sparql("ASK " + query), use_default_graph_as_union=True))


def short(term) -> str:
    return str(term).rsplit("/", 1)[-1]


def piie_rows(data: Path = bundled()) -> tuple[list[str], list[list[str]]]:
    with (data / PIIE).open(encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    return rows[0], rows[1:]


def column(header: list[str], start: str) -> int:
    (index,) = [i for i, name in enumerate(header) if name.startswith(start)]
    return index


@pytest.fixture(scope="module")
def china() -> ox.Store:
    return load(bundled(), [china_retaliation, retaliation_links, dispute_links])


# --- China 2018-19, whole files --------------------------------------------------------------------

@pytest.mark.parametrize("day", sorted(ROUND_COLUMNS))
def test_each_round_covers_the_hs8_lines_the_piie_column_changes(china, day):
    header, rows = piie_rows()
    index = column(header, ROUND_COLUMNS[day])
    expected = {row[0][:8] for row in rows if row[index].strip() not in ("", "0")}
    found = values(china, f"SELECT ?p WHERE {{ id:measure/chn-retaliation-{day} tkg:coversProduct ?p }}")
    assert {p.rsplit("/", 1)[1] for p in found} == expected
    assert values(china, f"SELECT ?d WHERE {{ id:measure/chn-retaliation-{day} tkg:startDate ?d }}") == [day]


def test_the_2018_04_02_round_is_the_mof_list_and_answers_section_232(china):
    with (bundled() / MOF).open(encoding="utf-8-sig") as handle:
        listed = {row["税则号列"]: Decimal(row["加征关税税率(%)"]) for row in csv.DictReader(handle)}
    assert len(listed) == 128
    node = "id:measure/chn-retaliation-2018-04-02"
    found = values(china, f"SELECT ?p WHERE {{ {node} tkg:coversProduct ?p }}")
    assert {p.rsplit("/", 1)[1] for p in found} == set(listed)
    # pork 0203.12.00 carries 25 in the MOF list: the step on that line says so
    assert listed["02031200"] == 25
    assert values(china, f"SELECT ?r WHERE {{ ?s tkg:ofMeasure {node} ; tkg:onProduct id:tariff-line/CHN/02031200 ;"
                         " tkg:rateChange ?r }") == ["25"]
    header, _ = piie_rows()
    assert "Section 232" in header[column(header, "April 2, 2018")]
    for target in ("us-232-steel", "us-232-aluminium"):
        assert ask(china, f"{{ {node} tkg:respondsTo id:measure/{target} }}")


def test_the_rounds_and_what_each_answers(china):
    # China's four 2018 rounds, with the US measure each answers (the PIIE headers name the US action;
    # List 1 and 2 took effect on the same days, curated us_section301.csv)
    answers = {"2018-04-02": {"us-232-steel", "us-232-aluminium"}, "2018-07-06": {"us-301-list-1"},
               "2018-08-23": {"us-301-list-2"}, "2018-09-24": {"us-301-list-3"}}
    for day, targets in answers.items():
        found = values(china, f"SELECT ?m WHERE {{ id:measure/chn-retaliation-{day} tkg:respondsTo ?m }}")
        assert {m.rsplit("/", 1)[1] for m in found} == targets
        assert ask(china, f"{{ id:measure/chn-retaliation-{day} tkg:imposedBy id:economy/CHN ;"
                          " tkg:affects id:economy/USA }")


def test_soybeans_steps_and_level(china):
    header, rows = piie_rows()
    (soy,) = [row for row in rows if row[0] == "1201901000"]
    change = Decimal(soy[column(header, "July 6, 2018")])
    assert change == 25  # read in the file by hand too: MFN 3, +25 on 2018-07-06
    step = values(china, "SELECT ?r ?c WHERE { ?s tkg:ofMeasure id:measure/chn-retaliation-2018-07-06 ;"
                         " tkg:onProduct id:tariff-line/CHN/12019010 ; tkg:rate ?r ; tkg:rateChange ?c }")
    assert [Decimal(v) for v in step] == [change]
    assert ask(china, "{ id:tariff-line/CHN/12019010 skos:broader id:hs2022/120190 ; tkg:nomenclature 'HS 2017' }")


def test_suspension_on_autos_brings_the_duty_back_to_zero(china):
    header, rows = piie_rows()
    (bus,) = [row for row in rows if row[0] == "8702102000"]
    assert Decimal(bus[column(header, "August 23, 2018")]) == 25
    assert Decimal(bus[column(header, "January 1, 2019 | Suspension")]) == -25
    found = values(china, "SELECT ?r WHERE { ?s tkg:ofMeasure id:measure/chn-retaliation-2019-01-01 ;"
                          " tkg:onProduct id:tariff-line/CHN/87021020 ; tkg:rate ?r }")
    assert [Decimal(v) for v in found] == [0]
    assert ask(china, "{ id:measure/chn-retaliation-2019-01-01 tkg:parentMeasure id:measure/chn-retaliation-2018-08-23 }")


def test_september_2019_step_from_the_hs6_series(china):
    with (bundled() / WAUGH).open(encoding="utf-8") as handle:
        level = {(r["hs6"], r["time_of_tariff"]): r["tariff"] for r in csv.DictReader(handle)}
    rise = Decimal(level[("120190", "2019-09-01")]) - Decimal(level[("120190", "2019-06-01")])
    assert rise == 5
    found = values(china, "SELECT ?c WHERE { ?s tkg:ofMeasure id:measure/chn-retaliation-2019-09-01 ;"
                          " tkg:productCode '120190' ; tkg:rateChange ?c }")
    assert [Decimal(v) for v in found] == [rise]
    assert ask(china, "{ id:measure/chn-retaliation-2019-09-01 tkg:respondsTo id:measure/us-301-list-4a }")


def test_ds558_concerns_chinas_measure(china):
    with (bundled() / "wto-ds-gateway" / "ds_cases.csv").open(encoding="utf-8") as handle:
        ds558 = next(row for row in csv.DictReader(handle) if row["case_code"] == "DS558")
    assert (ds558["complainant_codes"], ds558["respondent_codes"]) == ("USA", "CHN")
    assert ask(china, "{ id:dispute/DS558 tkg:concernsMeasure ?m . ?m tkg:imposedBy id:economy/CHN }")


def test_disputes_name_the_retaliation_of_other_economies(china):
    # respondents of the US complaints DS557, DS559-DS561, DS566, DS585 in the gateway data
    with (bundled() / "wto-ds-gateway" / "ds_cases.csv").open(encoding="utf-8") as handle:
        respondent = {row["case_code"]: row["respondent_codes"] for row in csv.DictReader(handle)}
    gateway_to_iso = {"EEC": "EUN"}
    for dispute in ("DS557", "DS559", "DS560", "DS561", "DS566", "DS585"):
        imposer = gateway_to_iso.get(respondent[dispute], respondent[dispute])
        assert ask(china, f"{{ id:dispute/{dispute} tkg:concernsMeasure ?m . ?m tkg:imposedBy id:economy/{imposer} ;"
                          " tkg:affects id:economy/USA ; tkg:respondsTo id:measure/us-232-steel }"), dispute
        # no bundled file lists their lines: they cover no products, and say so
        assert not ask(china, f"{{ id:dispute/{dispute} tkg:concernsMeasure ?m . ?m tkg:coversProduct ?p }}")


def test_dates_only_where_a_source_gives_them(china):
    # removed as of 2019-05-20 (crosswalks/dispute_named_measures.csv end_date): the last day is the day before
    assert values(china, "SELECT ?d WHERE { id:measure/can-countermeasures-2018 tkg:endDate ?d }") == ["2019-05-19"]
    assert not ask(china, "{ id:measure/can-countermeasures-2018 tkg:startDate ?d }")
    assert not ask(china, "{ id:measure/eun-countermeasures-2018 tkg:startDate|tkg:endDate ?d }")
    assert ask(china, "{ id:measure/eun-countermeasures-2018 tkg:endStatus <https://w3id.org/tradekg/id/end-status/not-sourced> }")


# --- the ITA snapshot of 2025-03-28 ------------------------------------------------------------------

ITA = ita_retaliation.FILE


def ita_rows() -> list[dict[str, str]]:
    with (bundled() / ITA).open(encoding="utf-8-sig") as handle:
        return [{k.strip(): v for k, v in row.items()} for row in csv.DictReader(handle)]


@pytest.fixture(scope="module")
def snapshot() -> ox.Store:
    return load(bundled(), [ita_retaliation])


def test_snapshot_lines_per_imposer(snapshot):
    iso = {"China": "CHN", "Canada": "CAN", "Russia": "RUS", "India": "IND", "Turkey": "TUR"}
    counts: dict[str, int] = defaultdict(int)
    for row in ita_rows():
        counts[iso[row["Country"]]] += 1
    assert len(counts) >= 5
    for code, n in counts.items():
        node = f"id:measure/{code.lower()}-retaliation-snapshot-2025-03-28"
        assert values(snapshot, f"SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE {{ {node} tkg:coversProduct ?p }}") == [str(n)]
        assert ask(snapshot, f"{{ {node} tkg:imposedBy id:economy/{code} ; tkg:affects id:economy/USA ;"
                             " tkg:inForceAsOf '2025-03-28'^^xsd:date ;"
                             " tkg:endStatus <https://w3id.org/tradekg/id/end-status/in-force> }")
        assert not ask(snapshot, f"{{ {node} tkg:startDate ?d }}")  # a snapshot: no start date is invented


def test_snapshot_rates_as_the_rows_give_them(snapshot):
    rows = {(row["Country"], row["Foreign National Tariff Line"].strip()): row for row in ita_rows()}
    soy = rows[("China", "12019011")]["Current Total Estimated Retaliatory Tariff"]
    assert soy == "37.5%"
    found = values(snapshot, "SELECT ?r WHERE { ?s tkg:ofMeasure id:measure/chn-retaliation-snapshot-2025-03-28 ;"
                             " tkg:onProduct id:tariff-line/CHN/12019011 ; tkg:rate ?r }")
    assert [Decimal(v) for v in found] == [Decimal("37.5")]
    # every Canadian line is at one rate: the measure's own rate
    canada = {row["Current Total Estimated Retaliatory Tariff"] for (c, _), row in rows.items() if c == "Canada"}
    assert canada == {"25.0%"}
    assert values(snapshot, "SELECT ?r WHERE { id:measure/can-retaliation-snapshot-2025-03-28 tkg:rate ?r }") == ["25"]
    # Turkey's 4-digit code is an HS heading: the rate points to the HS 2022 node and keeps the code
    nuts = rows[("Turkey", "0802")]["Current Total Estimated Retaliatory Tariff"]
    found = values(snapshot, "SELECT ?r WHERE { ?s tkg:ofMeasure id:measure/tur-retaliation-snapshot-2025-03-28 ;"
                             " tkg:onProduct id:hs2022/0802 ; tkg:productCode '0802' ; tkg:rate ?r }")
    assert [Decimal(v) for v in found] == [Decimal(nuts.rstrip("%"))]


# --- a small real cut: SHACL conformance, catalog queries and the API --------------------------------

@pytest.fixture(scope="module")
def small(tmp_path_factory) -> tuple[Path, object]:
    """The bundle with the retaliation files cut to a few real rows, built and validated with the loaders
    they need (HS 2022 cut to their chapters, to keep validation quick)."""
    data = tmp_path_factory.mktemp("small") / "data"
    shutil.copytree(bundled(), data, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    # coconut (MOF item 1), pork (MOF 25), soybeans, a horse line of the 2019-06-01 change, buses (suspension)
    header, rows = piie_rows()
    keep = [i for i, row in enumerate(rows) if row[0] in
            {"0801110000", "0203120010", "1201901000", "0101290010", "8702102000"}]
    cut_csv(bundled() / PIIE, data / PIIE, keep=keep)
    cut_csv(bundled() / MOF, data / MOF, keep=[0, 120])
    with (bundled() / WAUGH).open(encoding="utf-8") as handle:
        keep = [i for i, row in enumerate(csv.DictReader(handle)) if row["hs6"] in {"120190", "080111"}]
    cut_csv(bundled() / WAUGH, data / WAUGH, keep=keep)
    with (bundled() / ITA).open(encoding="utf-8-sig") as handle:  # one line of each imposer, and Turkey's nuts
        seen: set[str] = set()
        keep = [i for i, row in enumerate(csv.reader(handle)) if i and (row[1] not in seen or row[0] == "0802")
                and not seen.add(row[1])]
    cut_csv(bundled() / ITA, data / ITA, keep=[i - 1 for i in keep])
    with (bundled() / HS).open(encoding="utf-8") as handle:
        chapters = {"01", "02", "08", "12", "72", "73", "76", "84", "85", "87"}
        keep = [i for i, row in enumerate(csv.DictReader(handle)) if row["hscode"][:2] in chapters]
    cut_csv(bundled() / HS, data / HS, keep=keep)
    cut_csv(bundled() / SUBJECTS, data / SUBJECTS, keep=[])  # they name chapters outside the cut
    cut_csv(bundled() / "us-section301-dw/section301_china_tariff_lines.csv",
            data / "us-section301-dw/section301_china_tariff_lines.csv", keep=[0, 1, 818, 1097, 7000, 10500])
    loaders = [ontology, wto_members, wto_ds_gateway, hs2022, us_section301, us_section232, china_retaliation,
               ita_retaliation, retaliation_links, dispute_links, economies]
    target = data.parent / "store"
    report = build(target, data, loaders=[(m.SOURCE, m.triples) for m in loaders])
    store = EmbeddedStore(target)
    yield report, store
    store.close()


def test_small_cut_conforms_to_shapes(small):
    report, _ = small
    assert report.triples[china_retaliation.SOURCE] > 0 and report.triples[ita_retaliation.SOURCE] > 0
    # the cut's MOF list has 2 items, and the PIIE column has coconut and pork: the notes compare them
    notes = " ".join(report.notes[china_retaliation.SOURCE])
    assert "MOF list 2 items, PIIE column 2 HS8 lines" in notes


def test_retaliation_chain_from_the_steel_tariff_to_ds558(small):
    _, store = small
    rows = run(store, "retaliation_chains", measure=f"{ID}measure/us-232-steel")
    chains = {(short(r["retaliator"]), short(r["retaliation"]), short(r.get("dispute", ""))) for r in rows}
    assert ("CHN", "chn-retaliation-2018-04-02", "DS558") in chains
    assert ("CAN", "can-countermeasures-2018", "DS557") in chains
    # a US measure no retaliation answers is in no chain
    assert not run(store, "retaliation_chains", measure=f"{ID}measure/us-301-list-4b")


def test_measures_imposed_by_any_economy(small):
    _, store = small
    imposers = {short(r["imposer"]) for r in run(store, "measures")}
    assert {"USA", "CHN", "CAN", "MEX", "EUN", "TUR", "RUS", "IND"} <= imposers
    china = {short(r["measure"]) for r in run(store, "measures_imposed_by_economy", economy="CHN")}
    assert {"chn-retaliation-2018-04-02", "chn-retaliation-2018-07-06", "chn-retaliation-2018-08-23",
            "chn-retaliation-2018-09-24", "chn-retaliation-snapshot-2025-03-28"} <= china
    on_us = {short(r["imposer"]) for r in run(store, "measures_affecting_economy", economy="USA")}
    assert {"CHN", "CAN", "MEX", "EUN", "TUR", "RUS", "IND"} <= on_us


def test_api_measure_responses_and_partners_both_ways(small):
    _, store = small
    with TestClient(create_app(store, Settings(sparql_workers=1))) as client:
        steel = client.get("/measures/us-232-steel").json()
        assert {"chn-retaliation-2018-04-02", "can-countermeasures-2018"} <= set(steel["responded_to_by"])
        china = client.get("/measures/chn-retaliation-2018-04-02").json()
        assert set(china["responds_to"]) == {"us-232-steel", "us-232-aluminium"} and china["imposer"] == "CHN"
        on_us = client.get("/measures", params={"affects": "USA", "imposer": "CHN", "limit": 100}).json()["items"]
        assert {m["id"] for m in on_us} >= {"chn-retaliation-2018-04-02", "chn-retaliation-snapshot-2025-03-28"}
        partners = client.get("/economies/CHN/partners", params={"via": "measures"}).json()["items"]
        usa = next(p for p in partners if p["economy"] == "USA")
        # China's measures name the US (affected_by), and US Section 301 lists name China (imposes_on)
        assert {"affected_by", "imposes_on"} <= set(usa["roles"])


# --- malformed rows ----------------------------------------------------------------------------------

def corrupt(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")


@pytest.mark.parametrize("file, old, new, module, where", [
    (PIIE, "0101210010,", "010121001,", china_retaliation,
     ("china_tariff_rates_hs10_bown_jung_zhang_2019-06-12.csv", 2, 1, "hs10")),
    (PIIE, "Yellow soya beans, whether or not broken, other than for seed\",3,0,0,0,25,",  # soybeans
     "Yellow soya beans, whether or not broken, other than for seed\",3,0,0,0,2S,",
     china_retaliation, ("china_tariff_rates_hs10_bown_jung_zhang_2019-06-12.csv", 1220, 7,
                         "July 6, 2018 | Retaliation to US Section 301 tariffs ($34 billion)")),
    (MOF, "1,08011100,干的椰子,15", "1,08011100,干的椰子,", china_retaliation,
     ("china_mof_list_128_items_2018-04-02.csv", 2, 4, "加征关税税率(%)")),
    (WAUGH, "2019-09-01,120190,33.0", "2019-09-01,12019,33.0", china_retaliation,
     ("china_tariff_level_on_us_hs6_max_2018-2019.csv", 7392, 2, "hs6")),
    (ITA, "01012900,China,\"Live horses, asses, mules and hinnies: --Other\",30.0%",
     "01012900,China,\"Live horses, asses, mules and hinnies: --Other\",30.0 %", ita_retaliation,
     ("ita_retaliation_product_matrix_2025-03-28.csv", 2, 4, "Current Total Estimated Retaliatory Tariff")),
    (retaliation_links.RESPONSES, "chn-retaliation-2018-07-06,us-301-list-1,", "chn-retaliation-2018-07-06,US 301 list 1,",
     retaliation_links, ("measure_responses.csv", 4, 2, "responds_to")),
    (retaliation_links.NAMED, "DS557,,2019-05-20,", "DS557,,2019-05-2O,", retaliation_links,
     ("dispute_named_measures.csv", 2, 7, "end_date")),
])
def test_malformed_row_names_file_line_and_column(data_copy, file, old, new, module, where):
    corrupt(data_copy / file, old, new)
    with pytest.raises(SourceError) as caught:
        list(module.triples(BuildContext.for_data(data_copy)))
    error = caught.value
    assert (Path(error.path).name, error.line, error.column, error.field) == where, str(error)
