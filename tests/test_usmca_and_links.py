"""USMCA enforcement, WTO disputes after DS624, and the dispute → measure / product links: facts
read by hand in data/curated/*.csv and the gateway data; corrupt rows fail with file, line, column."""

from __future__ import annotations

import csv
import importlib
import shutil
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest

from tradekg.data import bundled
from tradekg.graph.build import build
from tradekg.graph.context import BuildContext
from tradekg.graph.errors import SourceError
from tradekg.graph.loaders import dispute_links, economies, ontology, usmca, wto_disputes_extra, wto_ds_gateway
from tradekg.graph.terms import A, DCTERMS, RDFS, SKOS, TKG, economy, instance, integer, text

D = "https://w3id.org/tradekg/id/"
XSD_DATE = ox.NamedNode("http://www.w3.org/2001/XMLSchema#date")
LOADERS = (usmca, wto_disputes_extra, dispute_links)


def day(value: str) -> ox.Literal:
    return ox.Literal(value, datatype=XSD_DATE)


@pytest.fixture(scope="module")
def loaded() -> tuple[set[tuple], BuildContext]:
    """The three loaders' triples on the bundled data, in memory (no build: fast)."""
    ctx = BuildContext.for_data(bundled())
    return {t for m in LOADERS for t in m.triples(ctx)}, ctx


def objects(triples: set[tuple], node: ox.NamedNode, predicate: ox.NamedNode) -> set:
    return {o for s, p, o in triples if s == node and p == predicate}


# --- USMCA ---------------------------------------------------------------------------------------

def test_dairy_trq_one_is_usa_v_canada(loaded):
    triples, _ = loaded
    node = instance("dispute", "usmca", "CDA-USA-2021-31-01")
    assert objects(triples, node, A) == {TKG.Dispute}
    assert objects(triples, node, TKG.forum) == {instance("forum", "USMCA")}
    assert objects(triples, node, TKG.complainant) == {economy("USA")}
    assert objects(triples, node, TKG.respondent) == {economy("CAN")}
    assert objects(triples, node, TKG.consultationsRequested) == {day("2020-12-09")}
    assert objects(triples, node, TKG.finalReport) == {day("2021-12-20")}
    assert objects(triples, node, TKG.panelRequested) == set()  # not sourced
    assert objects(triples, node, TKG.concernsProduct) == {instance("hs2022", "04")}
    assert objects(triples, node, TKG.citesAgreement) == {instance("agreement", "rta", "1087")}
    assert ox.NamedNode("https://www.proag.com/news/dairy-panel-rules-in-favor-of-u-s-in-first-usmca-trade-dispute/") \
        in objects(triples, node, DCTERMS.source)


def test_ge_corn_is_usa_v_mexico(loaded):
    triples, _ = loaded
    node = instance("dispute", "usmca", "USMCA-MEX-GE-CORN")  # no case id in the sources: the curator's key
    assert objects(triples, node, DCTERMS.identifier) == {text("USMCA-MEX-GE-CORN")}
    assert objects(triples, node, TKG.complainant) == {economy("USA")}
    assert objects(triples, node, TKG.respondent) == {economy("MEX")}
    assert objects(triples, node, TKG.panelEstablished) == {day("2023-08-17")}
    assert objects(triples, node, TKG.finalReport) == {day("2024-12-20")}
    assert objects(triples, node, TKG.concernsProduct) == {instance("hs2022", "10")}


def test_second_dairy_panel_has_its_release_date_and_ge_corn_its_consultations(loaded):
    """usmca_disputes.csv: dairy TRQ II report released publicly 2023-11-24 (the date it reached the Parties
    is not sourced), consultations requested 2022-05-25; GE corn consultations requested 2023-06-02."""
    triples, _ = loaded
    dairy = instance("dispute", "usmca", "USMCA-CAN-DAIRY-TRQ-2")
    assert objects(triples, dairy, TKG.reportPublished) == {day("2023-11-24")}
    assert objects(triples, dairy, TKG.finalReport) == set()
    assert objects(triples, dairy, TKG.consultationsRequested) == {day("2022-05-25")}
    corn = instance("dispute", "usmca", "USMCA-MEX-GE-CORN")
    assert objects(triples, corn, TKG.consultationsRequested) == {day("2023-06-02")}


def test_case_id_usa_mex_2022_31_01_is_the_automotive_rules_of_origin_dispute(loaded):
    """The sources show USA-MEX-2022-31-01 for the auto rules-of-origin case (MEX and CAN v USA)."""
    triples, _ = loaded
    node = instance("dispute", "usmca", "USA-MEX-2022-31-01")
    assert objects(triples, node, TKG.complainant) == {economy("MEX"), economy("CAN")}
    assert objects(triples, node, TKG.respondent) == {economy("USA")}
    assert objects(triples, node, TKG.reportPublished) == {day("2023-01-11")}
    assert objects(triples, node, TKG.concernsProduct) == {instance("hs2022", "87")}


def test_consultations_are_usmca_disputes(loaded):
    triples, _ = loaded
    vaquita = instance("dispute", "usmca", "USMCA-ENV-MEX-VAQUITA")
    assert objects(triples, vaquita, TKG.forum) == {instance("forum", "USMCA")}
    assert objects(triples, vaquita, TKG.consultationsRequested) == {day("2022-02-10")}
    assert objects(triples, vaquita, TKG.respondent) == {economy("MEX")}
    canada = instance("dispute", "usmca", "USMCA-MEX-ENERGY-CAN")
    assert objects(triples, canada, TKG.complainant) == {economy("CAN")}
    assert objects(triples, canada, TKG.consultationsRequested) == set()  # date not sourced


def test_rapid_response_case_is_a_labour_enforcement_measure(loaded):
    triples, _ = loaded
    node = instance("measure", "usmca-rrm", "RRM-GM-SILAO")
    assert objects(triples, node, A) == {TKG.Measure}
    assert objects(triples, node, TKG.imposedBy) == {economy("USA")}
    assert objects(triples, node, TKG.affects) == {economy("MEX")}
    assert objects(triples, node, TKG.measureType) == {instance("measure-type", "labour-enforcement")}
    assert objects(triples, node, TKG.startDate) == {day("2021-05-12")}
    assert objects(triples, node, TKG.outcomeDate) == {day("2021-07-08")}
    assert objects(triples, node, TKG.facilityLocation) == {text("Silao, Guanajuato")}
    assert len(objects(triples, node, RDFS.label)) == 1
    measures = {s for s, p, o in triples if p == A and o == TKG.Measure}
    rows = list(csv.DictReader((bundled() / "curated/usmca_rrm_cases.csv").open(encoding="utf-8")))
    pursued = {row["rrm_key"] for row in rows if "not pursued" not in row["record_type"]}
    assert {m.value.rsplit("/", 1)[1] for m in measures} == pursued  # every case but the petition not pursued
    assert {"RRM-RV-FRESH-FOODS", "RRM-PIRELLI-NEUMATICOS", "RRM-BADER-DE-MEXICO", "RRM-INDUSTRIAS-TECNOS"} <= pursued
    assert instance("measure", "usmca-rrm", "RRM-PETITION-BBB-REYNOSA") not in measures


def test_rrm_case_events_are_dated_steps(loaded):
    """usmca_rrm_case_events.csv, read by hand: San Martin mine was requested 2023-06-16, rejected by Mexico
    2023-08-01, went to the first RRM panel 2023-08-22, determined 2024-04-26; Tridonex closed 2021-08-10."""
    triples, _ = loaded
    mine = instance("measure", "usmca-rrm", "RRM-SAN-MARTIN-MINE")
    steps = {(next(iter(objects(triples, e, TKG.eventType))).value.rsplit("/", 1)[1],
              next(iter(objects(triples, e, TKG.eventDate))).value)
             for e in objects(triples, mine, TKG.caseEvent)}
    assert steps == {("rrm-request-for-review", "2023-06-16"), ("rrm-mexico-rejects", "2023-08-01"),
                     ("rrm-panel-requested", "2023-08-22"), ("rrm-panel-determination", "2024-04-26")}
    # no case_closed event: the end is not sourced (which is not the same as "in force")
    assert objects(triples, mine, TKG.endStatus) == {instance("end-status", "not-sourced")}
    tridonex = instance("measure", "usmca-rrm", "RRM-TRIDONEX")
    assert objects(triples, tridonex, TKG.endDate) == {day("2021-08-10")}
    assert objects(triples, tridonex, TKG.endStatus) == {instance("end-status", "ended")}
    events = list(csv.DictReader((bundled() / "curated/usmca_rrm_case_events.csv").open(encoding="utf-8")))
    assert len({o for s, p, o in triples if p == TKG.caseEvent}) == len(events)


def test_month_only_date_is_left_out_and_reported(small_data):
    corrupt(small_data / "curated/usmca_rrm_cases.csv", 11, "first_reported_date", "2023-08")
    ctx = BuildContext.for_data(small_data)
    triples = set(usmca.triples(ctx))
    assert objects(triples, instance("measure", "usmca-rrm", "RRM-GRUPO-YAZAKI"), TKG.firstReported) == set()
    assert any("'2023-08' gives no day" in note for note in ctx.notes[usmca.SOURCE])


# --- WTO disputes after DS624 -------------------------------------------------------------------

def test_ds625_has_the_gateway_properties(loaded):
    triples, _ = loaded
    node = instance("dispute", "DS625")
    assert objects(triples, node, A) == {TKG.Dispute}
    assert objects(triples, node, DCTERMS.identifier) == {text("DS625")}
    assert objects(triples, node, TKG.disputeNumber) == {integer(625)}
    assert objects(triples, node, TKG.forum) == {instance("forum", "WTO")}
    assert objects(triples, node, TKG.complainant) == {economy("EUN")}
    assert objects(triples, node, TKG.respondent) == {economy("TWN")}
    assert objects(triples, node, TKG.consultationsRequested) == {day("2024-07-26")}
    assert objects(triples, node, TKG.requestCirculated) == {day("2024-07-31")}


def test_requests_without_ds_number_live_outside_dispute_ds(loaded):
    triples, _ = loaded
    node = instance("dispute", "wto-unnumbered", "CAN-USA-2025-03-05")
    assert objects(triples, node, TKG.forum) == {instance("forum", "WTO")}
    assert objects(triples, node, TKG.disputeNumber) == set()
    unnumbered = {s.value for s, p, o in triples if p == A and "/wto-unnumbered/" in s.value}
    assert len(unnumbered) == 3


def test_national_security_panels_get_report_and_appeal_dates(loaded):
    triples, _ = loaded
    for number in (544, 552, 556, 564):
        node = instance("dispute", f"DS{number}")
        assert objects(triples, node, TKG.panelReportCirculated) == {day("2022-12-09")}
        assert objects(triples, node, TKG.appealDate) == {day("2023-01-30")}
        assert objects(triples, node, A) == set()  # the gateway types it


# --- links --------------------------------------------------------------------------------------

def test_ds544_concerns_the_232_tariffs_and_steel(loaded):
    triples, _ = loaded
    node = instance("dispute", "DS544")
    assert objects(triples, node, TKG.concernsMeasure) == {instance("measure", "us-232-steel"),
                                                           instance("measure", "us-232-aluminium")}
    assert objects(triples, node, TKG.concernsProduct) == {instance("hs2022", c) for c in ("72", "73", "76")}
    assert instance("measure", "us-301-list-1") in objects(triples, instance("dispute", "DS543"), TKG.concernsMeasure)


def test_every_g232_dispute_is_linked_to_both_232_tariffs(loaded):
    """The table lists exactly the gateway's G232 disputes, all against the USA."""
    triples, _ = loaded
    with (bundled() / "wto-ds-gateway" / "ds_cases.csv").open(encoding="utf-8-sig") as handle:
        g232 = {f"DS{r['ds_number']}" for r in csv.DictReader(handle) if "G232" in r["subject_codes"].split(";")}
        assert g232 == {"DS544", "DS547", "DS548", "DS550", "DS551", "DS552", "DS554", "DS556", "DS564"}
    for measure in ("us-232-steel", "us-232-aluminium"):
        linked = {s.value.rsplit("/", 1)[1] for s, p, o in triples
                  if p == TKG.concernsMeasure and o == instance("measure", measure)}
        assert linked == g232


def test_linked_measures_are_typed_by_the_measure_loaders():
    """Each measure IRI in the table is one the measure loaders describe."""
    wanted = {row["measure"] for row in csv.DictReader((bundled() / dispute_links.MEASURES).open())}
    typed: set[str] = set()
    for name in ("us_section232", "us_section301", "retaliation_links", "china_retaliation"):
        module = importlib.import_module(f"tradekg.graph.loaders.{name}")
        for s, p, o in module.triples(BuildContext.for_data(bundled())):
            if p == A and o == TKG.Measure:
                typed.add(s.value.removeprefix(D + "measure/"))
            if wanted <= typed:
                break
    assert wanted - typed == set()


# --- the shapes, and corrupt rows ---------------------------------------------------------------

def _stubs(ctx: BuildContext) -> Iterator[tuple]:
    """The links loader, plus minimal descriptions of the nodes other loaders describe (measures,
    HS chapters, the USMCA agreement), so that the shapes check this test's own triples."""
    triples = list(dispute_links.triples(ctx))
    yield from triples
    external = {o for s, p, o in triples if p == TKG.concernsMeasure}
    for node in external:
        yield node, A, TKG.Measure
        yield node, RDFS.label, text("stub measure")
        yield node, TKG.imposedBy, economy(ctx.economy("USA", "test") or "USA")
        yield node, TKG.measureType, instance("measure-type", "other")
    chapters = {o for s, p, o in triples if p == TKG.concernsProduct} | {instance("hs2022", c) for c in ("04", "10", "85", "87")}
    for node in chapters:
        yield node, A, TKG.Product
        yield node, SKOS.notation, text(node.value.rsplit("/", 1)[1])
        yield node, SKOS.inScheme, instance("scheme", "hs2022")
        yield node, TKG.hsLevel, integer(2)
    rta = instance("agreement", "rta", "1087")
    yield rta, A, TKG.Agreement
    yield rta, A, TKG.RegionalTradeAgreement
    yield rta, RDFS.label, text("stub USMCA")


def test_triples_conform_to_the_shapes(tmp_path: Path):
    loaders = [(m.SOURCE, m.triples) for m in (ontology, wto_ds_gateway, usmca, wto_disputes_extra)]
    report = build(tmp_path / "store", loaders=loaders + [(dispute_links.SOURCE, _stubs),
                                                         (economies.SOURCE, economies.triples)])
    assert report.triples[usmca.SOURCE] > 300 and report.triples[wto_disputes_extra.SOURCE] > 100


@pytest.fixture
def small_data(tmp_path: Path) -> Path:
    """A private copy of just the folders these loaders read, for tests that corrupt a file."""
    for folder in ("crosswalks", "curated", "wto-ds-gateway", "hs-datasets"):
        shutil.copytree(bundled() / folder, tmp_path / folder)
    return tmp_path


def corrupt(path: Path, line: int, column: str, value: str) -> int:
    """Set one field of a csv file (line 2 = first data row); returns its 1-based column number."""
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    index = rows[0].index(column)
    rows[line - 1][index] = value
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)
    return index + 1


@pytest.mark.parametrize("file, line, column, value, loader", [
    ("curated/usmca_disputes.csv", 2, "consultations_request_date", "2020-12-32", usmca),
    ("curated/usmca_rrm_cases.csv", 2, "us_request_date", "May 12, 2021", usmca),
    ("curated/usmca_rrm_case_events.csv", 3, "event", "remediation plan", usmca),
    ("curated/usmca_rrm_case_events.csv", 4, "date", "2021-06-31", usmca),
    ("curated/usmca_rrm_case_events.csv", 5, "rrm_key", "RRM-NO-SUCH-CASE", usmca),
    ("curated/wto_disputes_extra.csv", 13, "appeal_date", "2023-01-3O", wto_disputes_extra),
    ("curated/wto_disputes_extra.csv", 2, "ds_number", "DS 625", wto_disputes_extra),
    ("curated/wto_disputes_extra.csv", 13, "complainant", "USA", wto_disputes_extra),
    ("crosswalks/dispute_measures.csv", 2, "dispute", "DS9999", dispute_links),
    ("crosswalks/subject_products.csv", 2, "hs_chapters", "72;7X", dispute_links),
])
def test_corrupt_value_fails_with_file_line_and_column(small_data, file, line, column, value, loader):
    number = corrupt(small_data / file, line, column, value)
    with pytest.raises(SourceError) as caught:
        list(loader.triples(BuildContext.for_data(small_data)))
    assert f"{Path(file).name}, line {line}, column {number} ({column})" in str(caught.value)
