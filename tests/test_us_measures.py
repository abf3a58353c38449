"""US Section 301, Section 232/201 and MFN 2023 measures: pinned facts checked by hand in the source
files, SHACL conformance of a small real cut, and malformed rows failing with file, line and column."""

from __future__ import annotations

import csv
import datetime as dt
import re
from pathlib import Path

import pyoxigraph as ox
import pytest

from tradekg.data import bundled
from tradekg.graph.build import build
from tradekg.graph.context import BuildContext
from tradekg.graph.errors import SourceError
from tradekg.graph.loaders import economies, hs2022, ontology, us_mfn, us_section232, us_section301
from tradekg.graph.terms import graph_iri

from conftest import ID
from conftest import PREFIXES as _PREFIXES
from conftest import cut_csv

PREFIXES = _PREFIXES + "PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>\n"

MODULES = (us_section301, us_section232, us_mfn)
LINES_301 = "us-section301-dw/section301_china_tariff_lines.csv"
HS = "hs-datasets/harmonized-system.csv"
MFN = "wto-idb-tariffs/us_mfn_applied_tariff_lines_2023_HS2022.csv"


def load(data: Path, modules=MODULES) -> ox.Store:
    """The loaders' triples (and the tariff-line nodes they made) in an in-memory store; no SHACL."""
    ctx, store = BuildContext.for_data(data), ox.Store()
    for module in modules:
        graph = graph_iri(module.SOURCE)
        store.bulk_extend(ox.Quad(s, p, o, graph) for s, p, o in module.triples(ctx))
        store.bulk_extend(ox.Quad(s, p, o, graph) for s, p, o in ctx.products.take_lines())
    return store


@pytest.fixture(scope="module")
def us_store() -> ox.Store:
    return load(bundled())


def sparql(query: str) -> str:
    """The prefixes, and ``id:measure/us-301-list-1`` written out as a full IRI (SPARQL local names have no '/')."""
    return PREFIXES + re.sub(r"\bid:([\w-]+(?:[/.][\w-]+)*)", rf"<{ID}\1>", query)


def values(store: ox.Store, query: str) -> list[str]:
    return [row[0].value for row in store.query(sparql(query), use_default_graph_as_union=True)]


def one(store: ox.Store, query: str) -> str:
    (value,) = values(store, query)
    return value


def ask(store: ox.Store, query: str) -> bool:
    return bool(store.query(sparql("ASK " + query), use_default_graph_as_union=True))


# --- Section 301 -------------------------------------------------------------------------------------

def test_301_list_sizes_and_chapters(us_store):
    count = "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE {{ id:measure/us-301-list-{} tkg:coversProduct ?p }}"
    assert one(us_store, count.format("1")) == "818"
    assert one(us_store, count.format("2")) == "279"
    assert one(us_store, count.format("4a")) == "3243"
    assert ask(us_store, "{ id:measure/us-301-list-1 tkg:coversProduct ?p . ?p tkg:hsChapter id:hs2022/84 }")
    # 8401.10.00 (nuclear reactors) is on List 1, as a US tariff line under HS 840110
    assert ask(us_store, "{ id:measure/us-301-list-1 tkg:coversProduct id:tariff-line/USA/84011000 . "
                         "id:tariff-line/USA/84011000 skos:broader id:hs2022/840110 }")


def test_301_lists_dates_rates_and_parties(us_store):
    list1 = "id:measure/us-301-list-1"
    assert one(us_store, f"SELECT ?d WHERE {{ {list1} tkg:startDate ?d }}") == "2018-07-06"
    assert one(us_store, f"SELECT ?r WHERE {{ {list1} tkg:rate ?r }}") == "25"
    assert ask(us_store, f"{{ {list1} a tkg:Measure ; tkg:imposedBy id:economy/USA ; tkg:affects id:economy/CHN ; "
                         "tkg:measureType id:measure-type/section-301 ; "
                         "tkg:legalBasis id:legal/us-trade-act-1974-s301 ; "
                         "tkg:parentMeasure id:measure/us-301-chn-tech }")
    assert one(us_store, "SELECT ?l WHERE { id:legal/us-trade-act-1974-s301 rdfs:label ?l }") == \
        "Section 301 of the Trade Act of 1974"
    # List 3: 10 % from 2018-09-24, 25 % from 2019-05-10 — steps, not one rate
    steps = values(us_store, "SELECT ?s WHERE { ?r tkg:ofMeasure id:measure/us-301-list-3 ; tkg:rate ?x ; "
                             "tkg:startDate ?d BIND(CONCAT(STR(?d), '=', STR(?x)) AS ?s) } ORDER BY ?s")
    assert steps == ["2018-09-24=10", "2019-05-10=25"]
    assert not ask(us_store, "{ id:measure/us-301-list-3 tkg:rate ?r }")
    # List 4B was suspended: scheduled, never started
    assert one(us_store, "SELECT ?d WHERE { id:measure/us-301-list-4b tkg:scheduledStartDate ?d }") == "2019-12-15"
    assert not ask(us_store, "{ id:measure/us-301-list-4b tkg:startDate ?d }")


def test_301_other_investigations(us_store):
    gbr = "id:measure/us-301-dst-gbr"
    assert ask(us_store, f"{{ {gbr} tkg:affects id:economy/GBR ; tkg:initiationDate '2020-06-02'^^xsd:date ; "
                         "tkg:decisionDate '2021-01-14'^^xsd:date ; "
                         "dcterms:source <https://taxnews.ey.com/news/2021-0148> }")
    assert ask(us_store, "{ id:measure/us-301-dst-eu tkg:affects id:economy/EUN }")
    assert ask(us_store, "{ id:measure/us-301-chn-maritime tkg:initiationDate '2024-04-17'^^xsd:date }")
    assert not ask(us_store, "{ id:measure/us-301-fra-dst tkg:initiationDate ?d }")  # not sourced


# --- Section 232 and 201 -----------------------------------------------------------------------------

def test_232_steel_and_aluminium(us_store):
    steel = "id:measure/us-232-steel"
    assert ask(us_store, f"{{ {steel} tkg:rate ?r FILTER(?r = 25) }}")
    assert ask(us_store, f"{{ {steel} tkg:startDate '2018-03-23'^^xsd:date ; "
                         "tkg:legalBasis id:legal/us-trade-expansion-act-1962-s232 ; "
                         "tkg:measureType id:measure-type/section-232 }")
    assert not ask(us_store, f"{{ {steel} tkg:affects ?e }}")
    # range ends are inclusive, and the gap between 7216.50 and 7216.99 stays out
    for code, covered in (("720810", True), ("721650", True), ("721661", False), ("721699", True),
                          ("730110", True), ("730120", False)):
        assert ask(us_store, f"{{ {steel} tkg:coversProduct id:hs2022/{code} }}") is covered, code
    alu = "id:measure/us-232-aluminium"
    assert ask(us_store, f"{{ {alu} tkg:rate ?r FILTER(?r = 10) }}")
    assert ask(us_store, f"{{ {alu} tkg:coversProduct id:hs2022/760110 , "
                         "id:tariff-line/USA/7616995160 , id:tariff-line/USA/7616995170 }")


def test_232_country_treatment_and_later_actions(us_store):
    assert ask(us_store, "{ id:measure/us-232-kor-steel-quota tkg:affects id:economy/KOR ; "
                         "tkg:measureType id:measure-type/quota ; tkg:parentMeasure id:measure/us-232-steel ; "
                         "dcterms:source ?url }")
    assert ask(us_store, "{ id:measure/us-232-can-2019 tkg:affects id:economy/CAN ; "
                         "tkg:startDate '2019-05-20'^^xsd:date ; tkg:decisionDate '2019-05-17'^^xsd:date }")
    # The EU TRQ was extended to 2025-12-31 but ended with every arrangement on 2025-03-12 (end_date):
    # its last day is the day before.
    assert ask(us_store, "{ id:measure/us-232-eu-trq tkg:affects id:economy/EUN ; "
                         "tkg:measureType id:measure-type/tariff-rate-quota ; tkg:endDate '2025-03-11'^^xsd:date ; "
                         "tkg:endStatus id:end-status/ended }")
    assert ask(us_store, "{ id:measure/us-232-autos-2025 tkg:rate ?r ; tkg:startDate '2025-04-03'^^xsd:date ; "
                         "tkg:legalBasis id:legal/us-proclamation-10908 FILTER(?r = 25) }")
    sources = one(us_store, "SELECT (COUNT(?m) AS ?n) WHERE { GRAPH <https://w3id.org/tradekg/graph/us-section232> "
                            "{ ?m a tkg:Measure FILTER NOT EXISTS { ?m dcterms:source ?u } } }")
    assert sources == "0"


def test_232_end_dates_are_the_day_before_each_curated_end_date(us_store):
    """Read from the curated file: every row with an end_date ends the day before it; none other ends."""
    rows = list(csv.DictReader((bundled() / "curated/us_section232.csv").open(encoding="utf-8")))
    ended = {row["record_key"] for row in rows if row["end_date"]}
    assert {"S232-KOR-STEEL-QUOTA", "S232-CAN-2019", "S232-UKR-SUSPEND"} <= ended  # read by hand
    for row in rows:
        node = {"S232-STEEL-2018": "us-232-steel", "S232-ALU-2018": "us-232-aluminium"}.get(
            row["record_key"], "us-232-" + row["record_key"].removeprefix("S232-").lower())
        got = values(us_store, f"SELECT ?d WHERE {{ id:measure/{node} tkg:endDate ?d }}")
        if row["end_date"]:
            last = dt.date.fromisoformat(row["end_date"]) - dt.timedelta(days=1)
            assert got == [last.isoformat()], row["record_key"]
        else:
            assert got == [], row["record_key"]


def test_a_measure_without_a_sourced_end_is_not_said_to_be_in_force(us_store):
    """The 2018 steel tariff and the washers safeguard have no sourced end: not-sourced, no end date."""
    for node in ("us-232-steel", "us-201-washers", "us-301-list-1"):
        assert ask(us_store, f"{{ id:measure/{node} tkg:endStatus id:end-status/not-sourced }}"), node
        assert not ask(us_store, f"{{ id:measure/{node} tkg:endDate ?d }}"), node
    # the investigation findings never took effect, so their end is no question
    assert not ask(us_store, "{ id:measure/us-232-autos-2019 tkg:endStatus ?s }")


def test_list_4a_took_effect_at_15_then_7_5_percent(us_store):
    """curated us_section301.csv S301-CHN-LIST4A: 15 % from 2019-09-01 (announced as 10 %), 7.5 % from 2020-02-14."""
    steps = values(us_store, "SELECT ?s WHERE { ?r tkg:ofMeasure id:measure/us-301-list-4a ; tkg:rate ?x ; "
                             "tkg:startDate ?d BIND(CONCAT(STR(?d), '=', STR(?x)) AS ?s) } ORDER BY ?s")
    assert steps == ["2019-09-01=15", "2020-02-14=7.5"]


def test_201_safeguards(us_store):
    assert ask(us_store, "{ id:measure/us-201-solar tkg:measureType id:measure-type/safeguard ; tkg:rate ?r ; "
                         "tkg:startDate '2018-02-07'^^xsd:date ; tkg:coversProduct id:tariff-line/USA/85013180 "
                         "FILTER(?r = 30) }")
    assert ask(us_store, "{ id:measure/us-201-washers tkg:rate ?r ; tkg:coversProduct id:tariff-line/USA/84501100 "
                         "FILTER(?r = 20) }")


# --- MFN 2023 ----------------------------------------------------------------------------------------

def test_mfn_rates(us_store):
    mfn = "id:measure/us-mfn-2023"
    assert one(us_store, f"SELECT (COUNT(?p) AS ?n) WHERE {{ {mfn} tkg:coversProduct ?p }}") == "11413"
    assert one(us_store, f"SELECT ?d WHERE {{ {mfn} tkg:startDate ?d }}") == "2023-01-01"
    assert not ask(us_store, f"{{ {mfn} tkg:affects ?e }}")
    rate = "SELECT ?r WHERE {{ ?d tkg:ofMeasure id:measure/us-mfn-2023 ; tkg:onProduct id:tariff-line/USA/{} ; tkg:rate ?r }}"
    assert one(us_store, rate.format("87032301")) == "2.5"   # passenger cars
    assert one(us_store, rate.format("76011030")) == "2.6"   # unwrought aluminium
    # 2707.99.40 has three duty rows: compound, ad valorem 0 and "other"
    natures = values(us_store, "SELECT ?n WHERE { ?d tkg:onProduct id:tariff-line/USA/27079940 ; tkg:dutyNature ?n } ORDER BY ?n")
    assert natures == ["A", "C", "O"]
    assert one(us_store, "SELECT ?s WHERE { id:measure/us-mfn-2023/duty/27079940/01 tkg:specificDuty ?s }") == \
        "0.9 cents/kg + 3%"


# --- conformance and malformed rows ------------------------------------------------------------------

def test_small_cut_conforms_to_shapes(data_copy, tmp_path):
    cut_csv(bundled() / LINES_301, data_copy / LINES_301, keep=[0, 1, 818, 1097, 7000, 10500])
    cut_csv(bundled() / MFN, data_copy / MFN, keep=range(0, 40))
    # HS 2022 cut to the chapters these rows and the Section 232/201 rules name, to keep validation quick
    with (bundled() / HS).open(encoding="utf-8") as handle:
        chapters = {"01", "02", "27", "28", "40", "44", "72", "73", "76", "84", "85"}
        keep = [i for i, row in enumerate(csv.DictReader(handle)) if row["hscode"][:2] in chapters]
    cut_csv(bundled() / HS, data_copy / HS, keep=keep)
    # only what these loaders need: the ontology, the HS 2022 nodes, and the economies loader last
    loaders = [ontology, hs2022] + list(MODULES) + [economies]
    report = build(tmp_path / "store", data_copy, loaders=[(m.SOURCE, m.triples) for m in loaders])
    assert all(report.triples[m.SOURCE] > 0 for m in MODULES)


def corrupt(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize("file, old, new, module, where", [
    (LINES_301, "28459000,8,Isotopes not in heading 2844 and their compounds other than heavy water,1,",
     "28459000,8,Isotopes not in heading 2844 and their compounds other than heavy water,5,",
     us_section301, ("section301_china_tariff_lines.csv", 2, 4, "list")),
    ("curated/us_section301.csv", '"List 2, 279 tariff lines, about USD 16 bn",2,', '"List 2, 279 tariff lines, about USD 16 bn",7,',
     us_section301, ("us_section301.csv", 4, 9, "raw_list_code")),
    ("us-trade-actions-tradeintel/section232_201_scope_rules_2018.csv", "7302.40–7302.90", "7302.90–7302.40",
     us_section232, ("section232_201_scope_rules_2018.csv", 5, 6, "hts_code")),
    ("curated/us_section232.csv", "2019-05-17,2019-05-20,2025-03-12,", "2019-05-17,2019-05-20,2019-05-20,",
     us_section232, ("us_section232.csv", 9, 7, "end_date")),
    ("curated/us_section301.csv", "additional 15% duty from 2019-09-01", "additional 15% duty from 2019-09-02",
     us_section301, ("us_section301.csv", 6, 7, "action")),
    (MFN, "Live purebred breeding horses,010121,-- Pure-bred breeding animals,02,02- MFN statutory (legal/autonomous) duty,0.00",
     "Live purebred breeding horses,010121,-- Pure-bred breeding animals,02,02- MFN statutory (legal/autonomous) duty,O.OO",
     us_mfn, ("us_mfn_applied_tariff_lines_2023_HS2022.csv", 2, 12, "av_duty_rate_pct")),
])
def test_malformed_row_names_file_line_and_column(data_copy, file, old, new, module, where):
    corrupt(data_copy / file, old, new)
    with pytest.raises(SourceError) as caught:
        list(module.triples(BuildContext.for_data(data_copy)))
    error = caught.value
    assert (Path(error.path).name, error.line, error.column, error.field) == where, str(error)
