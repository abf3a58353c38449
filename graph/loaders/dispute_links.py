"""Links from WTO disputes to the measures they challenge and the products they concern.

Neither is in the gateway data, so both come from small reviewed tables, one row per link, each
with the reason it rests on (the dispute's title, subject, dates and WTO case summary):

- ``crosswalks/dispute_measures.csv`` (dispute, measure, reason): ``tkg:concernsMeasure`` to the
  team's agreed measure IRIs (``measure/us-232-steel``, ``measure/us-301-list-1``, …), which the
  measure loaders type; this loader does not describe them.
- ``crosswalks/subject_products.csv`` (subject, hs_chapters, reason): a gateway subject keyword
  whose name plainly names goods of some HS chapters (G232 "Aluminium and Steel Products" → 72,
  73, 76); every dispute with that subject gets ``tkg:concernsProduct`` to those HS 2022 chapters.
  Subjects that name no goods, or goods spread over many chapters, are not mapped.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..context import BuildContext
from ..sources import Row, read_csv
from ..terms import TKG, instance
from . import Triple
from ._curated import FOLDER as CURATED
from .wto_ds_gateway import FOLDER as GATEWAY

SOURCE = "dispute-links"
MEASURES = "crosswalks/dispute_measures.csv"
SUBJECTS = "crosswalks/subject_products.csv"
_DS = re.compile(r"DS[1-9]\d*")
_MEASURE = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*(/[A-Za-z0-9-]+)?")
_CHAPTER = re.compile(r"\d{2}")


def triples(ctx: BuildContext) -> Iterator[Triple]:
    subjects_of = _dispute_subjects(ctx)
    known = set(subjects_of) | _extra_disputes(ctx)
    links = 0
    for row in read_csv(ctx.data / MEASURES, required=("dispute", "measure", "reason")):
        dispute = _dispute(row, known)
        measure = row.text("measure", required=True)
        if not _MEASURE.fullmatch(measure):
            raise row.fail("measure", f"{measure!r} is not a measure id like us-232-steel or gad/USA-AD-1234")
        _reason(row)
        yield instance("dispute", dispute), TKG.concernsMeasure, instance("measure", *measure.split("/"))
        links += 1
    chapters = _subject_chapters(ctx)
    products = 0
    for dispute, subjects in subjects_of.items():
        for product in sorted({p for s in subjects for p in chapters.get(s, ())}, key=lambda n: n.value):
            yield instance("dispute", dispute), TKG.concernsProduct, product
            products += 1
    ctx.note(SOURCE, f"{links} dispute-measure links; {products} dispute-product links from "
                     f"{len(chapters)} subject keywords mapped to HS chapters")


def _reason(row: Row) -> str:
    reason = row.text("reason", required=True)
    if len(reason) < 20:
        raise row.fail("reason", "is too short to say what the link rests on")
    return reason


def _dispute(row: Row, known: set[str]) -> str:
    dispute = row.text("dispute", required=True)
    if not _DS.fullmatch(dispute):
        raise row.fail("dispute", f"{dispute!r} is not a WTO dispute number like DS544")
    if dispute not in known:
        raise row.fail("dispute", f"{dispute} is neither in the gateway data nor in curated/wto_disputes_extra.csv")
    return dispute


def _dispute_subjects(ctx: BuildContext) -> dict[str, list[str]]:
    """The gateway's subject codes of each dispute, by identifier (DS544)."""
    return {f"DS{row.integer('ds_number', required=True)}": row.split("subject_codes")
            for row in read_csv(ctx.data / GATEWAY / "ds_cases.csv", required=("ds_number", "subject_codes"))}


def _extra_disputes(ctx: BuildContext) -> set[str]:
    """Dispute numbers after DS624 that the curated table gives."""
    path = ctx.data / CURATED / "wto_disputes_extra.csv"
    return {value for row in read_csv(path, required=("ds_number",)) if (value := row.text("ds_number"))}


def _subject_chapters(ctx: BuildContext) -> dict[str, list]:
    codes = {row.text("subject_id", required=True)
             for row in read_csv(ctx.data / GATEWAY / "ds_subjects.csv", required=("subject_id",))}
    chapters: dict[str, list] = {}
    for row in read_csv(ctx.data / SUBJECTS, required=("subject", "hs_chapters", "reason")):
        subject = row.text("subject", required=True)
        if subject not in codes:
            raise row.fail("subject", f"{subject!r} is not a subject code of the gateway (ds_subjects.csv)")
        if subject in chapters:
            raise row.fail("subject", f"{subject} has a row already; list all its chapters in one row")
        _reason(row)
        nodes = []
        for chapter in row.split("hs_chapters") or [row.text("hs_chapters", required=True)]:
            node = ctx.products.hs(chapter, f"{SUBJECTS}:{row.line}") if _CHAPTER.fullmatch(chapter) else None
            if node is None:
                raise row.fail("hs_chapters", f"{chapter!r} is not an HS 2022 chapter (two digits, e.g. 72)")
            nodes.append(node)
        chapters[subject] = nodes
    return chapters
