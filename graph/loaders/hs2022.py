"""The HS 2022 nomenclature as a SKOS scheme: 21 sections, 97 chapters, 1,229 headings, 5,613 subheadings.

Every other source names products by HS code, so this is the hierarchy they all hang from. Each node
gets ``skos:broader`` to its parent and, materialised, ``skos:broaderTransitive`` to every ancestor
plus ``tkg:hsChapter``/``tkg:hsSection`` shortcuts: queries over thousands of products then need no
property paths (shared/PERF-BASELINES.md). Codes keep their leading zeros (``0101``).

The source (UN Comtrade's table, via datahub) has a ``TOTAL`` root marker at level 5, skipped; and
chapter 99 (``99``, ``9999``, ``999999``, "Commodities not specified according to kind"), Comtrade
artefacts, not WCO codes, with ``TOTAL`` for a section: kept, as a chapter in no section (a top concept).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from pyoxigraph import NamedNode

from ..context import BuildContext
from ..products import HS_FILE, HS_SCHEME, hs_node, hs_section_node
from ..sources import Row, read_csv
from ..terms import A, DCTERMS, SKOS, TKG, integer, text
from . import Triple

SOURCE = "hs2022"
SECTIONS_FILE = "hs-datasets/sections.csv"
ROOT = "TOTAL"  # the root marker in the parent, section and hscode columns
COLUMNS = ("section", "hscode", "description", "parent", "level")
COMTRADE_FIELD_LIMIT = 255  # descriptions this long were cut off by Comtrade


@dataclass(frozen=True)
class Code:
    code: str
    level: int
    label: str
    parent: str | None  # None for a chapter
    section: str | None  # None for the chapter-99 artefacts
    cut: bool = False  # the description is as long as Comtrade's field: probably cut off


def triples(ctx: BuildContext) -> Iterator[Triple]:
    sections = yield from _sections(ctx)
    codes = _codes(ctx, sections)
    for entry in codes.values():
        yield from _code(entry, codes)
    levels = {level: sum(1 for c in codes.values() if c.level == level) for level in (2, 4, 6)}
    ctx.note(SOURCE, f"{len(sections)} sections, {levels[2]} chapters, {levels[4]} headings, "
                     f"{levels[6]} subheadings; the TOTAL row (level 5) is the root marker, not a product: skipped")
    if orphans := sorted(c.code for c in codes.values() if c.section is None):
        ctx.note(SOURCE, f"{', '.join(orphans)}: Comtrade artefacts (chapter 99, 'Commodities not specified "
                         f"according to kind'), not WCO codes, in no section; kept, chapter 99 as a top concept")
    if cut := sorted(c.code for c in codes.values() if c.cut):
        ctx.note(SOURCE, f"{len(cut)} descriptions are {COMTRADE_FIELD_LIMIT} characters long, Comtrade's field "
                         f"limit, most cut off mid-word ({', '.join(cut[:5])}, …): kept as published")


def _sections(ctx: BuildContext):
    """The scheme and its sections (the top concepts); returns Roman numeral → node."""
    yield HS_SCHEME, A, SKOS.ConceptScheme
    yield HS_SCHEME, SKOS.prefLabel, text("Harmonized System 2022 (HS 2022)")
    yield HS_SCHEME, DCTERMS.description, text(
        "The World Customs Organization's Harmonized Commodity Description and Coding System, 2022 edition: "
        "sections, 2-digit chapters, 4-digit headings and 6-digit subheadings, with UN Comtrade's descriptions.")
    sections: dict[str, NamedNode] = {}
    for row in read_csv(ctx.data / SECTIONS_FILE, required=("section", "name")):
        roman = row.text("section", required=True)
        if roman in sections:
            raise row.fail("section", f"{roman!r} is listed twice")
        node = sections[roman] = hs_section_node(roman)
        yield node, A, TKG.Product
        yield node, A, SKOS.Concept
        yield node, SKOS.notation, text(roman)
        yield node, SKOS.prefLabel, text(row.text("name", required=True))
        yield node, SKOS.inScheme, HS_SCHEME
        yield node, SKOS.topConceptOf, HS_SCHEME
        yield HS_SCHEME, SKOS.hasTopConcept, node
        yield node, TKG.hsLevel, integer(0)
    return sections


def _codes(ctx: BuildContext, sections: dict[str, NamedNode]) -> dict[str, Code]:
    """Every chapter, heading and subheading, checked: a bad row fails with its file, line and column."""
    rows: dict[str, Row] = {}
    for row in read_csv(ctx.data / HS_FILE, required=COLUMNS):  # first pass: the codes, in any order
        code, level = _code_of(row)
        if level is not None and rows.setdefault(code, row) is not row:
            raise row.fail("hscode", f"{code!r} is listed twice (first on line {rows[code].line})")
    codes: dict[str, Code] = {}
    for code, row in rows.items():  # second pass: parents and sections
        level = len(code)
        parent, section = row.text("parent", required=True), row.text("section", required=True)
        if level == 2:
            if parent != ROOT:
                raise row.fail("parent", f"{parent!r}: a chapter's parent must be {ROOT}")
            if section != ROOT and section not in sections:
                raise row.fail("section", f"{section!r} is not a section of {SECTIONS_FILE}")
        elif parent not in rows or len(parent) != level - 2 or not code.startswith(parent):
            raise row.fail("parent", f"{parent!r} is not an HS code of {level - 2} digits that {code} falls under")
        elif section != (chapter := rows[code[:2]].text("section")):
            raise row.fail("section", f"{section!r}, but its chapter {code[:2]} is in {chapter}")
        codes[code] = Code(code, level, row.text("description", required=True), parent if level > 2 else None,
                           None if section == ROOT else section, len(row.raw("description")) >= COMTRADE_FIELD_LIMIT)
    return codes


def _code_of(row: Row) -> tuple[str, int | None]:
    """The row's code and level (2, 4 or 6); level None for the root marker."""
    level = row.integer("level", required=True)
    code = row.text("hscode", required=True)
    if level == 5:
        if code != ROOT:
            raise row.fail("level", f"5 is the level of the {ROOT} root marker only, not of {code!r}")
        return code, None
    if level not in (2, 4, 6):
        raise row.fail("level", f"{level} is not an HS level (2 chapter, 4 heading, 6 subheading, 5 {ROOT})")
    if len(code) != level or not code.isdigit():
        raise row.fail("hscode", f"{code!r} is not a {level}-digit code (leading zeros kept)")
    return code, level


def _code(entry: Code, codes: dict[str, Code]) -> Iterator[Triple]:
    node = hs_node(entry.code)
    yield node, A, TKG.Product
    yield node, A, SKOS.Concept
    yield node, SKOS.notation, text(entry.code)
    yield node, SKOS.prefLabel, text(entry.label)
    yield node, SKOS.inScheme, HS_SCHEME
    yield node, TKG.hsLevel, integer(entry.level)
    section = hs_section_node(entry.section) if entry.section else None
    if section is not None:
        yield node, TKG.hsSection, section
    if entry.level > 2:
        yield node, TKG.hsChapter, hs_node(entry.code[:2])
    broader = hs_node(entry.parent) if entry.parent else section
    if broader is None:  # chapter 99: no section
        yield node, SKOS.topConceptOf, HS_SCHEME
        yield HS_SCHEME, SKOS.hasTopConcept, node
        return
    yield node, SKOS.broader, broader
    ancestor = entry.parent
    while ancestor is not None:
        yield node, SKOS.broaderTransitive, hs_node(ancestor)
        ancestor = codes[ancestor].parent
    if section is not None:
        yield node, SKOS.broaderTransitive, section
