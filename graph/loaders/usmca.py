"""USMCA enforcement from the curated tables (data/curated/usmca_*.csv, one cited source per row):
chapter 31 state-to-state disputes, other USMCA consultations, and the facility cases of the
Rapid Response Labor Mechanism (Annex 31-A).

- Chapter 31 disputes are ``tkg:Dispute`` in the forum USMCA at ``id/dispute/usmca/{id}``: the
  Secretariat case id where a source shows one (``CDA-USA-2021-31-01``), else the curator's stable
  key (``USMCA-CAN-DAIRY-TRQ-2``). They cite the USMCA (``id/agreement/rta/1087``) and concern the HS
  chapter the curator mapped them to (a curator mapping, not a sourced fact; the node says so).
- Consultations that never reached a panel in the sources (vaquita, Mexico's energy policy) are
  disputes too, at their curator key: consultations are how a state-to-state dispute starts, as
  for WTO disputes that never leave consultations; a comment gives the chapter and legal basis.
- Rapid Response cases are ``tkg:Measure`` of type labour-enforcement at
  ``id/measure/usmca-rrm/{key}``, imposed by the requesting party (the United States) and affecting
  Mexico; ``tkg:startDate`` is the date of the US request for review, which starts the enforcement
  (liquidation of the facility's entries is suspended). A petition USTR did not pursue is no US
  measure: it is left out and reported.
- Each dated step of an RRM case (``usmca_rrm_case_events.csv``: review request, Mexico's answer,
  remediation, panel, closure) is a ``tkg:CaseEvent`` at ``…/usmca-rrm/{key}/event/{n}`` typed by a
  concept ``case-event/rrm-{event}``. A case is ``tkg:endStatus`` ended only by a ``case_closed``
  event (its date is the last day); a case without one is ``not-sourced``, never "still open"
  (the curated README says so), which the query ``rrm_cases_open_on`` reports as such.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..context import BuildContext
from ..sources import Row, read_csv
from ..terms import A, DCTERMS, RDFS, SKOS, TKG, date, economy, instance, text
from . import Triple
from ._curated import FOLDER, day, parties, sources, where
from .us_common import end_status

SOURCE = "usmca"
FORUM = instance("forum", "USMCA")
AGREEMENT = instance("agreement", "rta", "1087")  # the USMCA in the WTO RTA database (loaded from wto-rta)
RRM_BASIS = instance("legal", "usmca-annex-31-a")
LABOUR = instance("measure-type", "labour-enforcement")
_CASE_ID = re.compile(r"[A-Z]{3}-[A-Z]{3}-\d{4}-31-\d{2}")
_KEY = re.compile(r"(USMCA|RRM)(-[A-Z0-9]+)+")
EVENT_SCHEME = instance("scheme", "case-event")
RRM_EVENTS = {"request_for_review": "US request for review", "mexico_accepts": "Mexico accepts the review",
              "mexico_rejects": "Mexico rejects the request", "remediation_plan_agreed": "remediation plan agreed",
              "course_of_remediation_completed": "course of remediation completed",
              "panel_requested": "RRM panel requested", "panel_determination": "RRM panel determination",
              "case_closed": "case closed", "duties_or_penalties": "duties or penalties imposed"}
CLOSING = "case_closed"
EVENT_COLUMNS = ("rrm_key", "event", "date", "source_url")

DISPUTE_COLUMNS = ("dispute_key", "case_id", "forum", "complainant", "co_complainant", "respondent", "subject",
                   "measure_description", "hs_chapter", "consultations_request_date", "panel_request_date",
                   "panel_established_date", "final_report_date", "report_public_date", "outcome", "notes",
                   "source_url")
CONSULTATION_COLUMNS = ("consultation_key", "requesting_party", "responding_party", "chapter", "legal_basis",
                        "request_date", "subject", "status_note", "source_url")
RRM_COLUMNS = ("rrm_key", "facility", "company", "city", "state_mx", "sector", "record_type", "petition_date",
               "us_request_date", "first_reported_date", "outcome", "outcome_date", "notes", "source_url")
DISPUTE_DATES = (("consultations_request_date", TKG.consultationsRequested), ("panel_request_date", TKG.panelRequested),
                 ("panel_established_date", TKG.panelEstablished), ("final_report_date", TKG.finalReport),
                 ("report_public_date", TKG.reportPublished))


def dispute_node(ident: str):
    return instance("dispute", "usmca", ident)


def rrm_node(key: str):
    return instance("measure", "usmca-rrm", key)


def triples(ctx: BuildContext) -> Iterator[Triple]:
    folder = ctx.data / FOLDER
    disputes = consultations = cases = 0
    for row in read_csv(folder / "usmca_disputes.csv", required=DISPUTE_COLUMNS):
        yield from _dispute(ctx, row)
        disputes += 1
    for row in read_csv(folder / "usmca_consultations.csv", required=CONSULTATION_COLUMNS):
        yield from _consultations(ctx, row)
        consultations += 1
    yield RRM_BASIS, A, TKG.LegalInstrument
    yield RRM_BASIS, RDFS.label, text("USMCA Annex 31-A: Facility-Specific Rapid Response Labor Mechanism")
    events = _rrm_events(folder)
    yield from _event_types()
    for row in read_csv(folder / "usmca_rrm_cases.csv", required=RRM_COLUMNS):
        if "not pursued" in row.text("record_type", required=True).lower():
            ctx.note(SOURCE, f"{where(row)} {row.raw('rrm_key')}: a petition USTR did not pursue is no US "
                             "measure; left out")
            if row.text("rrm_key") in events:
                raise events[row.text("rrm_key")][0].fail("rrm_key", "names a petition that was not pursued")
            continue
        yield from _rrm_case(ctx, row)
        yield from _case_events(ctx, rrm_node(_key(row, "rrm_key")), events.pop(_key(row, "rrm_key"), []))
        cases += 1
    for rows in events.values():
        raise rows[0].fail("rrm_key", f"{rows[0].raw('rrm_key')!r} is no case of usmca_rrm_cases.csv")
    ctx.note(SOURCE, f"{disputes} chapter 31 disputes (HS chapters are curator mappings, not sourced), "
                     f"{consultations} consultations, {cases} Rapid Response cases")


def _key(row: Row, column: str) -> str:
    value = row.text(column, required=True)
    if not _KEY.fullmatch(value):
        raise row.fail(column, f"{value!r} is not a key like USMCA-CAN-DAIRY-TRQ-1 or RRM-GM-SILAO")
    return value


def _dispute(ctx: BuildContext, row: Row) -> Iterator[Triple]:
    if row.text("forum", required=True) != "USMCA Ch.31":
        raise row.fail("forum", f"{row.raw('forum')!r}: this table holds USMCA chapter 31 disputes only")
    key = _key(row, "dispute_key")
    ident = row.text("case_id") or key
    if ident != key and not _CASE_ID.fullmatch(ident):
        raise row.fail("case_id", f"{ident!r} is not a USMCA case id like CDA-USA-2021-31-01")
    node, title = dispute_node(ident), row.text("subject", required=True)
    yield from _common(ctx, row, node, ident, title, ("complainant", "co_complainant"), ("respondent",))
    for column, predicate in DISPUTE_DATES:
        if (value := day(ctx, SOURCE, row, column)) is not None:
            yield node, predicate, date(value)
    if description := row.text("measure_description"):
        yield node, DCTERMS.description, text(description)
    if outcome := row.text("outcome"):
        yield node, TKG.outcome, text(outcome)
    chapter = row.text("hs_chapter", required=True)
    product = ctx.products.hs(chapter, where(row))
    if product is None or len(chapter) != 2:
        raise row.fail("hs_chapter", f"{chapter!r} is not an HS 2022 chapter")
    yield node, TKG.concernsProduct, product
    if notes := row.text("notes"):
        yield node, RDFS.comment, text(notes)


def _consultations(ctx: BuildContext, row: Row) -> Iterator[Triple]:
    key = _key(row, "consultation_key")
    node = dispute_node(key)
    yield from _common(ctx, row, node, key, row.text("subject", required=True),
                       ("requesting_party",), ("responding_party",))
    if (requested := day(ctx, SOURCE, row, "request_date")) is not None:
        yield node, TKG.consultationsRequested, date(requested)
    comment = (f"Consultations under USMCA chapter {row.text('chapter', required=True)}; legal basis as the "
               f"source gives it: {row.text('legal_basis', required=True)}.")
    if note := row.text("status_note"):
        comment += " " + note
    yield node, RDFS.comment, text(comment)


def _common(ctx: BuildContext, row: Row, node, ident: str, title: str,
            complainants: tuple[str, ...], respondents: tuple[str, ...]) -> Iterator[Triple]:
    """What every USMCA dispute has: identity, forum, agreement, parties, sources."""
    yield node, A, TKG.Dispute
    yield node, DCTERMS.identifier, text(ident)
    yield node, TKG.forum, FORUM
    yield node, DCTERMS.title, text(title)
    yield node, RDFS.label, text(f"{ident}: {title}")
    yield node, TKG.citesAgreement, AGREEMENT
    row.text(complainants[0], required=True), row.text(respondents[0], required=True)
    for economy_node in parties(ctx, row, *complainants):
        yield node, TKG.complainant, economy_node
    for economy_node in parties(ctx, row, *respondents):
        yield node, TKG.respondent, economy_node
    yield from sources(row, node)


def _rrm_case(ctx: BuildContext, row: Row) -> Iterator[Triple]:
    key = _key(row, "rrm_key")
    node = rrm_node(key)
    facility = row.text("facility", required=True)
    yield node, A, TKG.Measure
    yield node, RDFS.label, text(f"USMCA Rapid Response Labor Mechanism: {facility}")
    yield node, TKG.imposedBy, economy(ctx.economy("USA", where(row)) or "USA")
    yield node, TKG.affects, economy(ctx.economy("MEX", where(row)) or "MEX")
    yield node, TKG.measureType, LABOUR
    yield node, TKG.legalBasis, RRM_BASIS
    yield node, TKG.stage, text(row.text("record_type", required=True))
    yield node, TKG.facility, text(facility)
    if company := row.text("company"):
        yield node, TKG.company, text(company)
    if location := ", ".join(v for v in (row.text("city"), row.text("state_mx")) if v):
        yield node, TKG.facilityLocation, text(location)
    if sector := row.text("sector"):
        yield node, TKG.sector, text(sector)
    for column, predicate in (("petition_date", TKG.petitionDate), ("us_request_date", TKG.startDate),
                              ("first_reported_date", TKG.firstReported), ("outcome_date", TKG.outcomeDate)):
        if (value := day(ctx, SOURCE, row, column)) is not None:
            yield node, predicate, date(value)
    outcome = row.text("outcome")
    if outcome and not outcome.startswith("("):  # "(not in stored excerpts)" marks an unknown outcome
        yield node, TKG.outcome, text(outcome)
    if notes := row.text("notes"):
        yield node, RDFS.comment, text(notes)
    yield from sources(row, node)


def _rrm_events(folder) -> dict[str, list[Row]]:
    """The event rows of each RRM case, checked for a known event and a full date."""
    events: dict[str, list[Row]] = {}
    for row in read_csv(folder / "usmca_rrm_case_events.csv", required=EVENT_COLUMNS):
        if row.text("event", required=True) not in RRM_EVENTS:
            raise row.fail("event", f"{row.raw('event')!r} is not one of {', '.join(RRM_EVENTS)}")
        row.date("date", required=True)
        events.setdefault(_key(row, "rrm_key"), []).append(row)
    return events


def event_type(event: str):
    return instance("case-event", "rrm-" + event.replace("_", "-"))


def _event_types() -> Iterator[Triple]:
    yield EVENT_SCHEME, A, SKOS.ConceptScheme
    yield EVENT_SCHEME, SKOS.prefLabel, text("Dated steps of disputes and enforcement cases")
    for event, label in RRM_EVENTS.items():
        node = event_type(event)
        yield node, A, SKOS.Concept
        yield node, SKOS.prefLabel, text(f"USMCA Rapid Response case: {label}")
        yield node, SKOS.notation, text(event)
        yield node, SKOS.inScheme, EVENT_SCHEME


def _case_events(ctx: BuildContext, node, rows: list[Row]) -> Iterator[Triple]:
    """Each dated step, and the case's end status: ended by a case_closed event, else not sourced."""
    closed = None
    for index, row in enumerate(sorted(rows, key=lambda r: (r.date("date"), r.line)), start=1):
        event, when = row.text("event", required=True), row.date("date", required=True)
        step = instance("measure", "usmca-rrm", row.text("rrm_key", required=True), "event", str(index))
        yield node, TKG.caseEvent, step
        yield step, A, TKG.CaseEvent
        yield step, TKG.eventType, event_type(event)
        yield step, TKG.eventDate, date(when)
        yield from sources(row, step)
        if event == CLOSING:
            closed = when
    yield from end_status(node, closed)
