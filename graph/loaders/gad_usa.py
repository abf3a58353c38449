"""US anti-dumping cases 1978-2015 from Chad P. Bown's Global Antidumping Database (USA file, Q4_2015).

One ``tkg:MeasureRecord`` per case at ``measure/gad/{CASE_ID}`` (a record, not a measure: the order
measure is derived from the records by ``us_adcvd_orders``; a case that ended without a final measure is
an investigation, part of no measure). Dates: ``tkg:initiationDate`` is the
initiation (petition) date; ``tkg:startDate`` is the date of the final anti-dumping measure (the
order), because a start date says when a measure took effect and most cases never led to one;
``tkg:endDate`` is the revocation date. The GAD's markers: "MI" missing information, "." not
applicable, and in REVOKE_DATE "IF" (read as still in force at the end of 2015; no end date).
Eight final-measure dates are written 9/7/2001: read as month/day (the Federal Register notice they
cite, 66 FR 46777, and the five-year revocation of one of them on 2006-09-07 both say September).
Decision and measure codes are kept as the GAD writes them (see the ontology for how far they can be
read). Products are the HS codes of the case (mostly 10-digit US HTS lines, kept as text); the
pre-1989 TSUSA codes are not HS and are left out. Firm-level files are not loaded.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from pyoxigraph import NamedNode

from ..context import BuildContext
from ..sources import Row, read_csv
from ..terms import DCTERMS, TKG, date, text
from . import Triple
from .adcvd_common import ISO, ISO_TIME, US, USA, economy_code, gad_node, one_line, record, source_date

SOURCE = "gad-usa"
FOLDER = "bown-gad-usa"
MASTER = f"{FOLDER}/gad_usa_master.csv"
PRODUCTS = f"{FOLDER}/gad_usa_products.csv"
MISSING = ("MI", ".")
DECISION_CODES = frozenset({"A", "N", "W", "T", "P", "OTH"})
DECISIONS = {"P_DUMP_DEC": TKG.preliminaryDumpingDecision, "P_INJ_DEC": TKG.preliminaryInjuryDecision,
             "F_DUMP_DEC": TKG.finalDumpingDecision, "F_INJ_DEC": TKG.finalInjuryDecision}
MEASURE_FORMS = frozenset({"AVD", "SA"})
MASTER_COLUMNS = ("CASE_ID", "INV_CTY_NAME", "INV_CTY_CODE", "PRODUCT", "INIT_DATE", "F_AD_DATE", "F_AD_MEASURE",
                  "REVOKE_DATE", "CASE_ITA", "CASE_ITC", "INIT_DATE_ITA", *DECISIONS)
_CASE_ID = re.compile(r"USA-AD-\d+[a-z]?(-[A-Z])?")
_DOC = re.compile(r"[AC]-\d{3}-\d{3}")


@dataclass
class GadIndex:
    """What the other US remedy loaders need to link to GAD cases."""

    by_doc: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))       # A-570-983 -> case ids
    by_start: dict[tuple[str, dt.date], list[str]] = field(default_factory=lambda: defaultdict(list))
    initiated: dict[str, dt.date] = field(default_factory=dict)                            # case id -> date
    headings: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))       # case id -> HS 4-digit


@dataclass(frozen=True)
class Case:
    row: Row
    case_id: str
    economy: str | None
    doc_numbers: tuple[str, ...]
    initiated: dt.date


def read_cases(ctx: BuildContext) -> Iterator[Case]:
    """The master file's cases, with the investigated economy reconciled and checked."""
    seen: set[str] = set()
    for row in read_csv(ctx.data / MASTER, required=MASTER_COLUMNS):
        case_id = row.text("CASE_ID", required=True)
        if not _CASE_ID.fullmatch(case_id):
            raise row.fail("CASE_ID", f"{case_id!r} is not a GAD case id like USA-AD-1234")
        if case_id in seen:
            raise row.fail("CASE_ID", f"{case_id} appears twice")
        seen.add(case_id)
        where = f"{MASTER}:{row.line}"
        by_code = economy_code(ctx, row.text("INV_CTY_CODE", required=True), where)
        by_name = economy_code(ctx, row.text("INV_CTY_NAME", required=True), where)
        if by_code is not None and by_name is not None and by_code != by_name:
            raise row.fail("INV_CTY_NAME", f"{row.raw('INV_CTY_NAME')!r} is {by_name}, but INV_CTY_CODE "
                                           f"{row.raw('INV_CTY_CODE')!r} is {by_code}")
        docs = row.text("CASE_ITA") or "."
        numbers = tuple(_DOC.findall(docs))
        if not numbers and docs not in MISSING:
            raise row.fail("CASE_ITA", f"{docs!r} holds no Commerce case number like A-570-983")
        initiated = source_date(row, "INIT_DATE", [ISO])
        if initiated is None:
            raise row.fail("INIT_DATE", "is empty, but every case has an initiation date")
        yield Case(row, case_id, by_code or by_name, numbers, initiated)


def index(ctx: BuildContext) -> GadIndex:
    """GAD cases by Commerce case number and by (economy, Commerce initiation date)."""
    found = GadIndex()
    for case in read_cases(ctx):
        for number in case.doc_numbers:
            found.by_doc[number].append(case.case_id)
        found.initiated[case.case_id] = case.initiated
        ita_start = source_date(case.row, "INIT_DATE_ITA", [ISO_TIME, US], MISSING)
        if case.economy is not None and ita_start is not None:
            found.by_start[(case.economy, ita_start)].append(case.case_id)
    for row in read_csv(ctx.data / PRODUCTS, required=("CASE_ID", "HS_CODE")):
        code = row.text("HS_CODE") or "."
        if code.isdigit() and len(code) >= 4:
            found.headings[row.text("CASE_ID", required=True)].add(code[:4])
    return found


def triples(ctx: BuildContext) -> Iterator[Triple]:
    economy_code(ctx, USA, MASTER)
    cases: dict[str, NamedNode] = {}
    counts: dict[str, int] = defaultdict(int)
    for case in read_cases(ctx):
        cases[case.case_id] = gad_node(case.case_id)
        yield from _case(case, cases[case.case_id], counts)
    yield from _products(ctx, cases, counts)
    ctx.note(SOURCE, f"{len(cases)} cases; {counts['final']} with a final measure date (tkg:startDate), "
                     f"{counts['revoked']} with a revocation date, {counts['in force']} marked in force (IF) "
                     f"at the end of 2015")
    ctx.note(SOURCE, f"{counts['links']} case-product links to {counts['lines']} distinct codes; "
                     f"{len(cases) - counts['with products']} cases have no HS code (only pre-1989 TSUSA codes "
                     f"or none); {counts['nine digits']} links use 9-digit codes, kept as the GAD gives them")


def _case(case: Case, node: NamedNode, counts: dict[str, int]) -> Iterator[Triple]:
    row = case.row
    name = row.text("INV_CTY_NAME", required=True)
    product = one_line(row.text("PRODUCT", required=True))
    yield from record(node, f"{product} from {name} (US anti-dumping case {case.case_id}, GAD record)",
                      [case.economy] if case.economy else [])
    yield node, DCTERMS.identifier, text(case.case_id)
    yield node, TKG.initiationDate, date(case.initiated)
    final = source_date(row, "F_AD_DATE", [ISO_TIME, US], MISSING)
    revoked = source_date(row, "REVOKE_DATE", [ISO_TIME], (*MISSING, "IF"))
    if final is not None:
        counts["final"] += 1
        yield node, TKG.startDate, date(final)
    yield node, TKG.stage, text("final anti-dumping measure" if final is not None
                                else "investigation (no final measure in the GAD)")
    if revoked is not None:
        if final is not None and revoked < final:
            raise row.fail("REVOKE_DATE", f"{revoked} is before the final measure date {final}")
        counts["revoked"] += 1
        yield node, TKG.endDate, date(revoked)
    counts["in force"] += row.raw("REVOKE_DATE").strip() == "IF"
    for column, predicate in DECISIONS.items():
        if (code := _code(row, column, DECISION_CODES)) is not None:
            yield node, predicate, text(code)
    if (form := _code(row, "F_AD_MEASURE", MEASURE_FORMS)) is not None:
        yield node, TKG.finalMeasureForm, text(form)
    for number in case.doc_numbers:
        yield node, TKG.docCaseNumber, text(number)
    if (itc := row.text("CASE_ITC")) not in (None, *MISSING):
        yield node, TKG.itcInvestigationNumber, text(itc)


def _code(row: Row, column: str, allowed: frozenset[str]) -> str | None:
    value = row.text(column)
    if value is None or value in MISSING:
        return None
    if value not in allowed:
        raise row.fail(column, f"{value!r} is not one of the GAD's codes {sorted(allowed)} (or MI, .)")
    return value


def _products(ctx: BuildContext, cases: dict[str, NamedNode], counts: dict[str, int]) -> Iterator[Triple]:
    """The HS codes of each case. Two product rows name a case the master splits into a/b
    (USA-AD-44, USA-AD-469; one row notes "applies to a and b, not separated"): they go to both."""
    seen: set[tuple[str, NamedNode]] = set()
    shared: dict[str, list[str]] = {}
    for row in read_csv(ctx.data / PRODUCTS, required=("CASE_ID", "HS_CODE")):
        case_id = row.text("CASE_ID", required=True)
        if case_id not in cases and case_id not in shared:
            shared[case_id] = sorted(c for c in cases if re.fullmatch(re.escape(case_id) + r"[a-z]", c))
        targets = [case_id] if case_id in cases else shared[case_id]
        if not targets:
            raise row.fail("CASE_ID", f"{case_id!r} is no case of {Path(MASTER).name}")
        code = row.text("HS_CODE")
        if code is None or code in MISSING:
            continue
        if not code.isdigit():
            raise row.fail("HS_CODE", f"{code!r} is not an HS code (digits only)")
        product = ctx.products.tariff_line(USA, code, f"{PRODUCTS}:{row.line}")
        if product is None:
            continue
        for target in targets:
            if (target, product) not in seen:
                seen.add((target, product))
                counts["nine digits"] += len(code) == 9
                yield cases[target], TKG.recordProduct, product
    counts["links"] = len(seen)
    counts["lines"] = len({product for _, product in seen})
    counts["with products"] = len({case for case, _ in seen})
    for case_id, targets in sorted(shared.items()):
        ctx.note(SOURCE, f"product rows of {case_id}, which the master splits into {', '.join(targets)}, "
                         f"apply to each of them")
