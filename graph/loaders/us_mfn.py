"""The US MFN applied tariff of 2023 on every 8-digit HTS line (WTO IDB download, SOURCES.md 5d).

One measure, ``measure/us-mfn-2023``, covers every line. A measure has one ``tkg:rate``, so the duty
of each line is a ``tkg:DutyRate`` node (``…/us-mfn-2023/duty/{line}``), one per source row: a line
the IDB splits into several duty rows (``tl_suffix`` 00, 01, …: e.g. 2707.99.40 has a compound, an ad
valorem and an "other" duty) gets one node per suffix (``…/duty/{line}/{suffix}``). Ad valorem rates
are ``tkg:rate`` (percent); specific, compound and other duties are kept as published text.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from ..context import BuildContext
from ..sources import Row, read_csv
from ..terms import A, TKG, date, decimal, text
from . import Triple
from .us_common import USA, decimal_value, end_status, legal, measure, measure_node

SOURCE = "us-mfn-2023"
FILE = "wto-idb-tariffs/us_mfn_applied_tariff_lines_2023_HS2022.csv"
COLUMNS = ("reporter", "year", "nomenclature", "tariff_line", "tl_suffix", "hs6", "duty_type_code",
           "av_duty_rate_pct", "specific_duty_rate", "duty_nature")
NATURES = {"A": "ad valorem", "S": "specific", "C": "compound", "O": "other"}
MFN_APPLIED = "02"  # the IDB duty type of MFN applied rates
NODE = measure_node("us-mfn-2023")


def triples(ctx: BuildContext) -> Iterator[Triple]:
    law, law_triples = legal("us-hts")
    yield from law_triples
    yield from measure(NODE, "US MFN applied tariff 2023 (HTS, HS 2022)", ["mfn-tariff"], [law])
    years: set[int] = set()
    lines: set[str] = set()
    rows = 0
    for row in read_csv(ctx.data / FILE, required=COLUMNS):
        years.add(_check(ctx, row))
        yield from _duty(ctx, row, lines)
        rows += 1
    if len(years) == 1:  # the tariff year: the schedule in force from 1 January
        year = years.pop()
        yield NODE, TKG.startDate, date(dt.date(year, 1, 1))
        # the schedule of that year: the file says nothing of later years (tkg:endStatus not-sourced)
        yield from end_status(NODE)
    ctx.note(SOURCE, f"{rows} duty rows on {len(lines)} tariff lines")


def _check(ctx: BuildContext, row: Row) -> int:
    """The row is an MFN applied duty of the US in HS 2022; returns its year."""
    if ctx.economy(row.text("reporter", required=True), f"{FILE}:{row.line}") != USA:
        raise row.fail("reporter", f"{row.raw('reporter')!r} is not the United States")
    if row.text("nomenclature", required=True) != "HS 2022":
        raise row.fail("nomenclature", f"{row.raw('nomenclature')!r}: expected HS 2022")
    if row.text("duty_type_code", required=True) != MFN_APPLIED:
        raise row.fail("duty_type_code", f"{row.raw('duty_type_code')!r} is not {MFN_APPLIED} (MFN applied)")
    year = row.integer("year", required=True)
    if year != 2023:
        raise row.fail("year", f"{year} is not 2023: this measure is the 2023 schedule")
    return year


def _duty(ctx: BuildContext, row: Row, lines: set[str]) -> Iterator[Triple]:
    line = row.text("tariff_line", required=True)
    if not line.isdigit() or len(line) != 8:
        raise row.fail("tariff_line", f"{line!r} is not an 8-digit HTS line")
    if row.text("hs6", required=True) != line[:6]:
        raise row.fail("hs6", f"{row.raw('hs6')!r} is not the first six digits of {line}")
    nature = row.text("duty_nature", required=True)
    if nature not in NATURES:
        raise row.fail("duty_nature", f"{nature!r} is not one of {', '.join(NATURES)}")
    rate, specific = decimal_value(row, "av_duty_rate_pct"), row.text("specific_duty_rate")
    if nature == "A" and rate is None:
        raise row.fail("av_duty_rate_pct", "an ad valorem (A) duty needs its rate")
    if nature in "SC" and specific is None:
        raise row.fail("specific_duty_rate", f"a {NATURES[nature]} ({nature}) duty needs its text")
    product = ctx.products.tariff_line(USA, line, f"{FILE}:{row.line}")
    if product is None:
        return
    if line not in lines:
        lines.add(line)
        yield NODE, TKG.coversProduct, product
    suffix = row.text("tl_suffix")
    node = measure_node("us-mfn-2023", "duty", line, *([suffix] if suffix else []))
    yield node, A, TKG.DutyRate
    yield node, TKG.ofMeasure, NODE
    yield node, TKG.onProduct, product
    yield node, TKG.dutyNature, text(nature)
    if rate is not None:
        yield node, TKG.rate, decimal(rate)
    if specific is not None:
        yield node, TKG.specificDuty, text(specific)
