"""What a measure answers, and the retaliation that WTO disputes name but no bundled file lists line by line.

Two reviewed tables, one row each, each with the reason it rests on (our own words, citing the bundled data):

- ``crosswalks/dispute_named_measures.csv``: the measures of other economies that the US challenged at the
  WTO (DS557 Canada, DS559 EU, DS560 Mexico, DS561 Turkey, DS566 Russia, DS585 India; China's, DS558, is a
  round of the china-retaliation loader). Imposer, affected economy, dates only where a bundled source gives
  them, and **no product lines**: no bundled file lists them, and the graph says so on each measure.
  ``end_date`` is the first day the duties no longer applied (the sources say "removed as of"), so
  ``tkg:endDate``, the last day, is the day before; without one the end is ``tkg:endStatus`` not-sourced.
- ``crosswalks/measure_responses.csv``: ``tkg:respondsTo`` from a retaliation to the measure it answers.

Measure ids are checked for form here; that each names a ``tkg:Measure`` of the graph is checked by SHACL.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

from pyoxigraph import NamedNode

from ..context import BuildContext
from ..sources import Row, read_csv
from ..terms import A, DCTERMS, RDFS, TKG, date, economy, text
from . import Triple
from .us_common import end_status, measure_node, measure_type

SOURCE = "retaliation-links"
NAMED = "crosswalks/dispute_named_measures.csv"
RESPONSES = "crosswalks/measure_responses.csv"
NAMED_COLUMNS = ("measure", "imposer", "affects", "label", "dispute", "start_date", "end_date", "source_url",
                 "reason")
_ID = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
_URL = re.compile(r"https?://[^\s<>\"{}|\\^`]+")
NO_LINES = ("No bundled file lists this measure's tariff lines, so it covers no products in the graph; it is "
            "known from the WTO dispute that challenges it.")


def triples(ctx: BuildContext) -> Iterator[Triple]:
    named = yield from _named(ctx)
    links = 0
    seen: set[tuple[str, str]] = set()
    for row in read_csv(ctx.data / RESPONSES, required=("measure", "responds_to", "reason")):
        pair = (_measure_id(row, "measure"), _measure_id(row, "responds_to"))
        if pair in seen:
            raise row.fail("responds_to", f"{pair[0]} → {pair[1]} is listed twice")
        if pair[0] == pair[1]:
            raise row.fail("responds_to", "a measure cannot respond to itself")
        _reason(row)
        seen.add(pair)
        yield measure_node(pair[0]), TKG.respondsTo, measure_node(pair[1])
        links += 1
    ctx.note(SOURCE, f"{named} measures named only by WTO disputes (no product lines); {links} tkg:respondsTo links")


def _named(ctx: BuildContext):
    count = 0
    for row in read_csv(ctx.data / NAMED, required=NAMED_COLUMNS):
        node = measure_node(_measure_id(row, "measure"))
        place = f"{NAMED}:{row.line}"
        imposer = ctx.economy(row.text("imposer", required=True), place)
        affected = ctx.economy(row.text("affects", required=True), place)
        if imposer is None or affected is None:
            raise row.fail("imposer" if imposer is None else "affects", "names no economy")
        yield node, A, TKG.Measure
        yield node, RDFS.label, text(row.text("label", required=True))
        yield node, TKG.imposedBy, economy(imposer)
        yield node, TKG.affects, economy(affected)
        yield node, TKG.measureType, measure_type("retaliatory-tariff")
        yield node, RDFS.comment, text(NO_LINES)
        yield node, RDFS.comment, text(_reason(row))
        start, end = row.date("start_date"), row.date("end_date")
        if start is not None:
            yield node, TKG.startDate, date(start)
        if start and end and end <= start:
            raise row.fail("end_date", "ends before it starts")
        yield from end_status(node, end - dt.timedelta(days=1) if end else None)
        if (url := row.text("source_url")) is not None:
            if not _URL.fullmatch(url):
                raise row.fail("source_url", f"{url!r} is not an http(s) URL")
            yield node, DCTERMS.source, NamedNode(url)
        elif start or end:
            raise row.fail("source_url", "a dated row needs the URL of the page that gives the date")
        dispute = row.text("dispute", required=True)
        if not re.fullmatch(r"DS[1-9]\d*", dispute):
            raise row.fail("dispute", f"{dispute!r} is not a WTO dispute number like DS557")
        count += 1
    return count


def _measure_id(row: Row, column: str) -> str:
    value = row.text(column, required=True)
    if not _ID.fullmatch(value):
        raise row.fail(column, f"{value!r} is not a measure id like us-232-steel")
    return value


def _reason(row: Row) -> str:
    reason = row.text("reason", required=True)
    if len(reason) < 40:
        raise row.fail("reason", "is too short to say what the row rests on")
    return reason
