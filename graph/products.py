"""Linking tariff-line codes from any source to the HS 2022 nomenclature.

Measures name products by national tariff lines (8- or 10-digit US HTS, China's HS8, older HS
vintages). Each such code becomes its own product node under ``id/tariff-line/{ECONOMY}/{code}``
(the code's digits, leading zeros kept), with ``skos:broader`` to the most specific HS 2022 node
that exists (6, 4 or 2 digits). Codes that match no HS 2022 node at all are counted and reported,
never silently dropped.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from pyoxigraph import NamedNode

from .sources import read_csv
from .terms import A, SKOS, TKG, instance, integer, text

HS_FILE = "hs-datasets/harmonized-system.csv"
HS_SCHEME = instance("scheme", "hs2022")
_DIGITS = re.compile(r"\d+")


def hs_node(code: str) -> NamedNode:
    """The HS 2022 node of a 2-, 4- or 6-digit code (``id/hs2022/720810``)."""
    return instance("hs2022", code)


def hs_section_node(roman: str) -> NamedNode:
    """The HS 2022 section node of a Roman numeral (``id/hs2022/section/XV``)."""
    return instance("hs2022", "section", roman)


def tariff_line_scheme(economy: str) -> NamedNode:
    return instance("scheme", "tariff-lines", economy)


def tariff_line_node(economy: str, digits: str) -> NamedNode:
    return instance("tariff-line", economy, digits)


def digits_of(code: str) -> str:
    """``8406.10.10`` → ``84061010``; ``'847989 '`` → ``847989``. Empty if the code has no digits."""
    return "".join(_DIGITS.findall(code))


@dataclass
class ProductLinker:
    """Knows the HS 2022 codes; turns source codes into product nodes and reports misses."""

    hs_codes: frozenset[str]
    chapter_sections: dict[str, str] = field(default_factory=dict)  # "72" -> "XV" (chapters with a section)
    unmatched: Counter[str] = field(default_factory=Counter)       # code -> occurrences
    unmatched_where: dict[str, str] = field(default_factory=dict)  # code -> first place seen
    lines: dict[tuple[str, str], NamedNode | None] = field(default_factory=dict)
    _pending: list[tuple[str, str]] = field(default_factory=list)  # lines not yet emitted

    @classmethod
    def from_data(cls, data: Path) -> ProductLinker:
        rows = [row for row in read_csv(data / HS_FILE, required=("hscode", "level", "section"))
                if row.text("level") in {"2", "4", "6"}]
        codes = frozenset(row.text("hscode", required=True) for row in rows)
        # The section of each chapter; Comtrade's chapter 99 has "TOTAL" there, i.e. no section.
        sections = {row.text("hscode", required=True): row.text("section", required=True) for row in rows
                    if row.text("level") == "2" and row.text("section") != "TOTAL"}
        return cls(codes, sections)

    def hs_ancestors(self, code: str) -> list[NamedNode]:
        """An existing HS 2022 code's node and all its ancestors, up to its section (most specific first)."""
        nodes = [hs_node(code[:width]) for width in (6, 4, 2) if len(code) >= width and code[:width] in self.hs_codes]
        if (section := self.chapter_sections.get(code[:2])) is not None:
            nodes.append(hs_section_node(section))
        return nodes

    def hs_parent(self, digits: str) -> str | None:
        """The most specific existing HS 2022 code that ``digits`` falls under (6, 4, then 2 digits)."""
        for width in (6, 4, 2):
            if len(digits) >= width and digits[:width] in self.hs_codes:
                return digits[:width]
        return None

    def hs(self, code: str, where: str) -> NamedNode | None:
        """An HS code of 2-6 digits as the HS 2022 node it is (or falls under); None if none."""
        digits = digits_of(code)
        parent = self.hs_parent(digits) if len(digits) >= 2 else None
        if parent is None:
            self._miss(code, where)
            return None
        return hs_node(parent)

    def tariff_line(self, economy: str, code: str, where: str) -> NamedNode | None:
        """A national tariff line (more than 6 digits) as its own node, linked up into HS 2022.

        Codes of 6 digits or fewer are HS codes: their HS 2022 node is returned instead.
        """
        digits = digits_of(code)
        if len(digits) <= 6:
            return self.hs(code, where)
        key = (economy, digits)
        if key not in self.lines:
            self.lines[key] = tariff_line_node(economy, digits) if self.hs_parent(digits) else None
            if self.lines[key] is not None:
                self._pending.append(key)
        if self.lines[key] is None:
            self._miss(code, where)
        return self.lines[key]

    def take_lines(self) -> Iterator[tuple]:
        """Triples for the tariff-line nodes created since the last call.

        The build calls this after each loader, so each line is described in the named graph of
        the first source that used it.
        """
        pending, self._pending = self._pending, []
        for economy, digits in pending:
            node, parent = self.lines[(economy, digits)], self.hs_parent(digits)
            yield node, A, TKG.Product
            yield node, A, SKOS.Concept
            yield node, SKOS.notation, text(digits)
            yield node, SKOS.inScheme, tariff_line_scheme(economy)
            yield node, SKOS.broader, hs_node(parent)
            yield node, TKG.hsLevel, integer(len(digits))
            # Materialised closure and shortcuts, like the HS 2022 nodes have (no property paths needed).
            for ancestor in self.hs_ancestors(parent):
                yield node, SKOS.broaderTransitive, ancestor
            if parent[:2] in self.hs_codes:
                yield node, TKG.hsChapter, hs_node(parent[:2])
            if (section := self.chapter_sections.get(parent[:2])) is not None:
                yield node, TKG.hsSection, hs_section_node(section)

    def _miss(self, code: str, where: str) -> None:
        self.unmatched[code.strip()] += 1
        self.unmatched_where.setdefault(code.strip(), where)

    def take_report(self) -> list[str]:
        """One line per code that matched no HS 2022 node since the last call, with count and place."""
        lines = [f"product code {code!r} matches no HS 2022 node ({n}×, first at {self.unmatched_where[code]})"
                 for code, n in self.unmatched.most_common()]
        self.unmatched, self.unmatched_where = Counter(), {}
        return lines
