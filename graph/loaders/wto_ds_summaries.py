"""Panel and Appellate Body report dates of WTO disputes DS1-DS624, as the WTO case summaries state them.

The table ``wto-ds-summaries/ds_report_dates.csv`` holds facts only (dispute, event, date, sentence number,
where the year came from): it was made from the WTO's prose by :mod:`._ds_prose`, whose docstring gives
the rules (no date is guessed; sentences that could not be read are rows without a date, with the reason).
Every dated row is a ``tkg:CaseEvent`` of its dispute at ``id/dispute/DS{n}/summary-event/{i}``. The
earliest date of each event becomes the dispute's ``tkg:panelReportCirculated``, ``tkg:appealNotified``,
``tkg:appellateBodyReportCirculated`` or ``tkg:reportsAdoptedOn``, unless two of them are out of procedural
order (panel report, appeal, Appellate Body report, adoption), which means a summary is inconsistent:
then both are left out and reported. No sentence of the summaries is in the graph.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterator

from ..context import BuildContext
from ..sources import Row, read_csv
from ..terms import A, SKOS, TKG, date, instance, text
from . import Triple
from ._ds_prose import COLUMNS, EVENTS
from .wto_ds_gateway import FOLDER as GATEWAY

SOURCE = "wto-ds-summaries"
FILE = "wto-ds-summaries/ds_report_dates.csv"
EVENT_SCHEME = instance("scheme", "case-event")
PREDICATES = {"panel_report_circulated": TKG.panelReportCirculated, "appeal_notified": TKG.appealNotified,
              "appellate_body_report_circulated": TKG.appellateBodyReportCirculated,
              "reports_adopted": TKG.reportsAdoptedOn}
LABELS = {"panel_report_circulated": "WTO panel report circulated to Members",
          "appeal_notified": "appeal of the panel report notified",
          "appellate_body_report_circulated": "WTO Appellate Body report circulated to Members",
          "reports_adopted": "reports adopted by the Dispute Settlement Body"}
_DS = re.compile(r"DS([1-9]\d*)")
_YEAR = re.compile(r"stated|stated after it|from sentence [1-9]\d*")


def event_type(event: str):
    return instance("case-event", event.replace("_", "-"))


def triples(ctx: BuildContext) -> Iterator[Triple]:
    known = {row.integer("ds_number", required=True)
             for row in read_csv(ctx.data / GATEWAY / "ds_cases.csv", required=("ds_number",))}
    yield EVENT_SCHEME, A, SKOS.ConceptScheme
    yield EVENT_SCHEME, SKOS.prefLabel, text("Dated steps of disputes and enforcement cases")
    for event in EVENTS:
        yield event_type(event), A, SKOS.Concept
        yield event_type(event), SKOS.prefLabel, text(LABELS[event])
        yield event_type(event), SKOS.notation, text(event)
        yield event_type(event), SKOS.inScheme, EVENT_SCHEME
    dated: dict[int, list[tuple[str, dt.date, Row]]] = defaultdict(list)
    unread = 0
    for row in read_csv(ctx.data / FILE, required=COLUMNS):
        number, event = _number(row, known), row.text("event", required=True)
        if event not in EVENTS:
            raise row.fail("event", f"{event!r} is not one of {', '.join(EVENTS)}")
        row.integer("sentence", required=True)
        when = row.date("date")
        if when is None:
            unread += 1
            ctx.note(SOURCE, f"DS{number} sentence {row.raw('sentence')}: {event} not read "
                             f"({row.text('note', required=True)})")
            continue
        if not _YEAR.fullmatch(row.text("year", required=True)):
            raise row.fail("year", f"{row.raw('year')!r} is not 'stated', 'stated after it' or 'from sentence N'")
        dated[number].append((event, when, row))
    counts = {event: 0 for event in EVENTS}
    for number in sorted(dated):
        yield from _dispute(ctx, number, dated[number], counts)
    ctx.note(SOURCE, f"{len(dated)} disputes with a dated event: panel report {counts['panel_report_circulated']}, "
                     f"appeal {counts['appeal_notified']}, Appellate Body report "
                     f"{counts['appellate_body_report_circulated']}, adoption {counts['reports_adopted']}; "
                     f"{unread} sentences not read (listed above)")


def _number(row: Row, known: set[int]) -> int:
    value = row.text("ds_number", required=True)
    match = _DS.fullmatch(value)
    if not match:
        raise row.fail("ds_number", f"{value!r} is not a dispute number like DS544")
    if int(match.group(1)) not in known:
        raise row.fail("ds_number", f"{value} is not a dispute of {GATEWAY}/ds_cases.csv")
    return int(match.group(1))


def _dispute(ctx: BuildContext, number: int, events: list[tuple[str, dt.date, Row]],
             counts: dict[str, int]) -> Iterator[Triple]:
    node = instance("dispute", f"DS{number}")
    first: dict[str, tuple[dt.date, Row]] = {}
    for index, (event, when, row) in enumerate(sorted(events, key=lambda e: (e[1], e[2].line)), start=1):
        step = instance("dispute", f"DS{number}", "summary-event", str(index))
        yield node, TKG.caseEvent, step
        yield step, A, TKG.CaseEvent
        yield step, TKG.eventType, event_type(event)
        yield step, TKG.eventDate, date(when)
        first.setdefault(event, (when, row))
    dropped = _out_of_order(first)
    parts = []
    for event in EVENTS:
        if event not in first:
            continue
        when, row = first[event]
        year = row.text("year", required=True)
        parts.append(f"{event} {when} (sentence {row.raw('sentence')}"
                     + ("" if year == "stated" else f", year {year}") + ")"
                     + (" left out: out of order" if event in dropped else ""))
        if event not in dropped:
            counts[event] += 1
            yield node, PREDICATES[event], date(when)
    ctx.note(SOURCE, f"DS{number}: " + "; ".join(parts))


def _out_of_order(first: dict[str, tuple[dt.date, Row]]) -> set[str]:
    """The events whose earliest dates contradict the order panel report ≤ appeal ≤ AB report ≤ adoption."""
    present = [event for event in EVENTS if event in first]
    bad: set[str] = set()
    for i, earlier in enumerate(present):
        for later in present[i + 1:]:
            if first[earlier][0] > first[later][0]:
                bad |= {earlier, later}
    return bad
