"""WTO report dates read from the case summaries: the prose rules on hand-written sentences, the bundled
table against cases read by hand in the summaries, and malformed rows failing with file, line, column."""

from __future__ import annotations

import csv
import datetime as dt
import os
import shutil
from pathlib import Path

import pytest

from tradekg.data import bundled
from tradekg.graph.context import BuildContext
from tradekg.graph.errors import SourceError
from tradekg.graph.loaders import _ds_prose, wto_ds_summaries
from tradekg.graph.terms import TKG, instance

TABLE = "wto-ds-summaries/ds_report_dates.csv"
RAW = "data/raw/wto-ds-gateway/ds_case_pages_scraped.csv"


def read(text: str) -> list[tuple[str, str | None, str]]:
    return [(f.event, f.date.isoformat() if f.date else None, f.year or f.note) for f in _ds_prose.read(text)]


# --- the rules, on sentences written for the test --------------------------------------------------

def test_a_year_left_out_comes_from_the_sentence_before():
    text = "The panel report was circulated to Members on 3 March 2001. On 9 April, X appealed on that day."
    assert read(text)[0] == ("panel_report_circulated", "2001-03-03", "stated")
    text = "The US appealed on 21 February 1996. On 22 April, the Appellate Body issued its report."
    assert read(text)[1] == ("appellate_body_report_circulated", "1996-04-22", "from sentence 1")


def test_a_year_that_would_go_backwards_is_not_guessed():
    text = "The US appealed on 21 November 1996. On 22 April, the Appellate Body issued its report."
    assert read(text)[1][:2] == ("appellate_body_report_circulated", None)


def test_a_span_takes_the_year_written_after_it():
    text = "At its meeting on 28 February and 5 March 2020, the DSB adopted the panel report."
    assert read(text) == [("reports_adopted", "2020-02-28", "stated after it")]


@pytest.mark.parametrize("sentence", [
    "On 4 May 2018, the Appellate Body informed the DSB that its report would be circulated no later than 15 May 2018.",
    "On 26 July 2001, the compliance panel report was circulated to Members.",
    "On 7 June 2005, the Award of the Arbitrator was circulated to Members.",
    "However, on 13 November 2001, it withdrew its notice of appeal.",
    "On 22 May 2003, the Panel issued its report to the parties to the dispute.",
])
def test_announcements_compliance_arbitration_and_withdrawals_are_no_events(sentence):
    assert read(sentence) == []


def test_two_dates_without_an_opening_date_are_reported_not_read():
    text = "The Report of the Panel was issued to the parties on 19 May 2011 and was circulated to Members on 11 July 2011."
    assert read(text) == [("panel_report_circulated", None, "2 dates and none opens the sentence")]


# --- the bundled table, against cases read by hand in the WTO summaries ------------------------------

@pytest.fixture(scope="module")
def loaded():
    ctx = BuildContext.for_data(bundled())
    return set(wto_ds_summaries.triples(ctx)), ctx


def dates(triples, number: int, predicate) -> set[str]:
    return {o.value for s, p, o in triples if s == instance("dispute", f"DS{number}") and p == predicate}


@pytest.mark.parametrize("number, panel, appeal, ab, adopted", [
    # DS2 (US - Gasoline): panel report 29 January 1996; the US appealed 21 February 1996; the Appellate
    # Body issued its report "On 22 April" (year from the sentence before); adopted 20 May 1996.
    (2, "1996-01-29", "1996-02-21", "1996-04-22", "1996-05-20"),
    # DS597 (US - Origin Marking, Hong Kong, China): panel report "On 21 December" after a 2022 sentence;
    # the United States appealed on 26 January 2023; no Appellate Body report, no adoption.
    (597, "2022-12-21", "2023-01-26", None, None),
    # DS344 (US - Stainless Steel, Mexico): the original panel report of 20 December 2007, not the compliance
    # panel's of 6 May 2013; appeal 31 January 2008; Appellate Body 30 April 2008; adopted 20 May 2008.
    (344, "2007-12-20", "2008-01-31", "2008-04-30", "2008-05-20"),
    # DS544 (US - Steel and Aluminium, China): panel report 9 December 2022, appeal 26 January 2023.
    (544, "2022-12-09", "2023-01-26", None, None),
    # DS26 (EC - Hormones, US): panel 18 August 1997, EC appeal 24 September 1997, AB 16 January 1998,
    # adopted 13 February 1998.
    (26, "1997-08-18", "1997-09-24", "1998-01-16", "1998-02-13"),
])
def test_cases_read_by_hand(loaded, number, panel, appeal, ab, adopted):
    triples, _ = loaded
    for predicate, expected in ((TKG.panelReportCirculated, panel), (TKG.appealNotified, appeal),
                                (TKG.appellateBodyReportCirculated, ab), (TKG.reportsAdoptedOn, adopted)):
        assert dates(triples, number, predicate) == ({expected} if expected else set()), (number, predicate)


def test_a_summary_out_of_procedural_order_is_left_out_and_reported(loaded):
    """DS176's summary has the Appellate Body report on 12 January 2002 but the adoption on 2 January 2002."""
    triples, ctx = loaded
    assert dates(triples, 176, TKG.appellateBodyReportCirculated) == set()
    assert dates(triples, 176, TKG.reportsAdoptedOn) == set()
    assert dates(triples, 176, TKG.panelReportCirculated) == {"2001-08-06"}
    assert any(n.startswith("DS176:") and "out of order" in n for n in ctx.notes[wto_ds_summaries.SOURCE])


def test_enough_disputes_have_report_dates(loaded):
    """Issue 10: at least 200 disputes with a panel-report date and 80 with an Appellate Body report date."""
    triples, _ = loaded
    panel = {s for s, p, o in triples if p == TKG.panelReportCirculated}
    ab = {s for s, p, o in triples if p == TKG.appellateBodyReportCirculated}
    assert len(panel) >= 200 and len(ab) >= 80
    rows = list(csv.DictReader((bundled() / TABLE).open(encoding="utf-8")))
    in_table = {row["ds_number"] for row in rows if row["event"] == "panel_report_circulated" and row["date"]}
    assert {s.value.rsplit("/", 1)[1] for s in panel} <= in_table


def test_every_unread_sentence_is_in_the_build_notes(loaded):
    _, ctx = loaded
    rows = list(csv.DictReader((bundled() / TABLE).open(encoding="utf-8")))
    unread = [row for row in rows if not row["date"]]
    assert unread and all(row["note"] for row in unread)
    for row in unread:
        assert any(n.startswith(f"{row['ds_number']} sentence {row['sentence']}: {row['event']}")
                   for n in ctx.notes[wto_ds_summaries.SOURCE]), row


def _raw() -> Path | None:
    for shared in (os.environ.get("TRADEKG_SHARED"), Path(__file__).resolve().parents[2] / "shared",
                   Path(__file__).resolve().parents[1].parent / "shared", Path("/work/shared")):
        if shared and (Path(shared) / RAW).is_file():
            return Path(shared) / RAW
    return None


@pytest.mark.skipif(_raw() is None, reason="the staged WTO case pages (shared/data/raw) are not beside this "
                                           "checkout; the bundled table is checked against them where they are")
def test_bundled_table_is_what_the_rules_make_of_the_raw_summaries(tmp_path):
    out = tmp_path / "ds_report_dates.csv"
    assert _ds_prose.main([str(_raw()), str(out)]) == 0
    assert out.read_text(encoding="utf-8") == (bundled() / TABLE).read_text(encoding="utf-8")


# --- malformed rows ----------------------------------------------------------------------------------

@pytest.fixture
def small_data(tmp_path: Path) -> Path:
    for folder in ("wto-ds-summaries", "wto-ds-gateway", "crosswalks"):
        shutil.copytree(bundled() / folder, tmp_path / folder)
    return tmp_path


@pytest.mark.parametrize("line, column, value", [
    (2, "date", "1996-01-32"),
    (3, "event", "panel_report_adopted"),
    (4, "ds_number", "DS9999"),
    (5, "year", "guessed"),
])
def test_malformed_row_names_file_line_and_column(small_data, line, column, value):
    path = small_data / TABLE
    rows = list(csv.reader(path.open(encoding="utf-8", newline="")))
    index = rows[0].index(column)
    rows[line - 1][index] = value
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)
    with pytest.raises(SourceError) as caught:
        list(wto_ds_summaries.triples(BuildContext.for_data(small_data)))
    assert f"ds_report_dates.csv, line {line}, column {index + 1} ({column})" in str(caught.value)
