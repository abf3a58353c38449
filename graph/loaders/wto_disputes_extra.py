"""WTO disputes after DS624 (the gateway data ends there), and report dates the gateway lacks,
from the curated table data/curated/wto_disputes_extra.csv (each row with its sources and an evidence note).

- A new dispute with a DS number becomes ``id/dispute/DS{n}`` with the properties the gateway
  loader gives its disputes (identifier, number, forum WTO, title, label, parties, consultation
  date) plus the date the request was circulated. A DS number the gateway already has fails: its
  extra facts belong in a report-dates row.
- A request whose DS number no stored source shows gets a stable IRI outside ``dispute/DS…``:
  ``id/dispute/wto-unnumbered/{complainant}-{respondent}-{date of the request}``, so it is never
  mistaken for a numbered case (the shapes accept this form for WTO disputes). Reported.
- A report-dates row (the national-security panels DS544, DS552, DS556, DS564) adds
  ``tkg:panelReportCirculated`` and ``tkg:appealDate`` to the gateway's dispute; the dispute and its
  complainant must be the gateway's.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..context import BuildContext
from ..sources import Row, read_csv
from ..terms import A, DCTERMS, RDFS, TKG, date, instance, integer, text
from . import Triple
from ._curated import FOLDER, day, party, parties, sources, where
from .wto_ds_gateway import FOLDER as GATEWAY, WTO_FORUM

SOURCE = "wto-disputes-extra"
FILE = "wto_disputes_extra.csv"
COLUMNS = ("ds_number", "record_type", "complainant", "respondent", "title_or_subject",
           "consultations_request_date", "circulated_date", "panel_report_circulated", "appeal_date", "notes",
           "source_url")
_DS = re.compile(r"DS([1-9]\d*)")


def unnumbered_node(complainant: str, respondent: str, requested: str):
    return instance("dispute", "wto-unnumbered", f"{complainant}-{respondent}-{requested}")


def triples(ctx: BuildContext) -> Iterator[Triple]:
    gateway = _gateway_complainants(ctx)
    seen: set[str] = set()
    counts = {"new": 0, "unnumbered": 0, "report dates": 0}
    for row in read_csv(ctx.data / FOLDER / FILE, required=COLUMNS):
        kind = row.text("record_type", required=True)
        number = _number(row)
        if number is not None:
            if f"DS{number}" in seen:
                raise row.fail("ds_number", f"DS{number} has a row already")
            seen.add(f"DS{number}")
        if kind.startswith("new dispute"):
            if number is not None and number in gateway:
                raise row.fail("ds_number", f"DS{number} is in the gateway data already; "
                                            "give its extra dates in a report-dates row")
            yield from _new_dispute(ctx, row, number)
            counts["new" if number is not None else "unnumbered"] += 1
        elif kind.startswith("report dates"):
            yield from _report_dates(ctx, row, number, gateway)
            counts["report dates"] += 1
        else:
            raise row.fail("record_type", f"{kind!r} is neither 'new dispute …' nor 'report dates …'")
    ctx.note(SOURCE, f"{counts['new']} disputes after DS624, {counts['unnumbered']} requests without a sourced "
                     f"DS number (at dispute/wto-unnumbered/…), report dates for {counts['report dates']} "
                     "gateway disputes")


def _gateway_complainants(ctx: BuildContext) -> dict[int, set[str]]:
    """The gateway's dispute numbers, each with its complainants (as economy codes)."""
    path = ctx.data / GATEWAY / "ds_cases.csv"
    return {row.integer("ds_number", required=True):
            {ctx.reconciler.resolve(code, f"{GATEWAY}/ds_cases.csv:{row.line}") for code in row.split("complainant_codes")}
            for row in read_csv(path, required=("ds_number", "complainant_codes"))}


def _number(row: Row) -> int | None:
    value = row.text("ds_number")
    if value is None:
        return None
    match = _DS.fullmatch(value)
    if not match:
        raise row.fail("ds_number", f"{value!r} is not a dispute number like DS625")
    return int(match.group(1))


def _new_dispute(ctx: BuildContext, row: Row, number: int | None) -> Iterator[Triple]:
    title = row.text("title_or_subject", required=True)
    row.text("complainant", required=True), row.text("respondent", required=True)
    requested = day(ctx, SOURCE, row, "consultations_request_date")
    if number is not None:
        ident = f"DS{number}"
        node = instance("dispute", ident)
        label = f"{ident}: {title}"
    else:
        if requested is None:
            raise row.fail("consultations_request_date", "a request without a DS number needs its date "
                                                         "(it is part of the dispute's IRI)")
        complainant, respondent = party(ctx, row, "complainant"), party(ctx, row, "respondent")
        node = unnumbered_node(complainant, respondent, requested.isoformat())
        ident = f"WTO-{complainant}-{respondent}-{requested.isoformat()}"
        label = f"WTO request of {requested.isoformat()}, DS number not sourced: {title}"
        ctx.note(SOURCE, f"{where(row)}: no DS number in the source; loaded as {node.value}")
    yield node, A, TKG.Dispute
    yield node, DCTERMS.identifier, text(ident)
    if number is not None:
        yield node, TKG.disputeNumber, integer(number)
    yield node, TKG.forum, WTO_FORUM
    yield node, DCTERMS.title, text(title)
    yield node, RDFS.label, text(label)
    for economy_node in parties(ctx, row, "complainant"):
        yield node, TKG.complainant, economy_node
    for economy_node in parties(ctx, row, "respondent"):
        yield node, TKG.respondent, economy_node
    if requested is not None:
        yield node, TKG.consultationsRequested, date(requested)
    if (circulated := day(ctx, SOURCE, row, "circulated_date")) is not None:
        yield node, TKG.requestCirculated, date(circulated)
    yield from _reports(ctx, row, node)
    if notes := row.text("notes"):
        yield node, RDFS.comment, text(notes)
    yield from sources(row, node)


def _report_dates(ctx: BuildContext, row: Row, number: int | None, gateway: dict[int, set[str]]) -> Iterator[Triple]:
    if number is None or number not in gateway:
        raise row.fail("ds_number", "a report-dates row must name a dispute of the gateway data")
    complainant = party(ctx, row, "complainant")
    if complainant not in gateway[number]:
        raise row.fail("complainant", f"{row.raw('complainant')!r} is not the gateway's complainant in DS{number}")
    node = instance("dispute", f"DS{number}")
    yield from _reports(ctx, row, node)
    if notes := row.text("notes"):
        yield node, RDFS.comment, text(f"Report dates from curated/{FILE}: {notes}")
    yield from sources(row, node)


def _reports(ctx: BuildContext, row: Row, node) -> Iterator[Triple]:
    for column, predicate in (("panel_report_circulated", TKG.panelReportCirculated),
                              ("appeal_date", TKG.appealDate)):
        if (value := day(ctx, SOURCE, row, column)) is not None:
            yield node, predicate, date(value)
