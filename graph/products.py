"""Linking tariff-line codes from any source to the HS 2022 nomenclature.

Measures name products by national tariff lines (8- or 10-digit US HTS, China's HS8, older HS
vintages). Each such code becomes its own product node under ``id/tariff-line/{ECONOMY}/{code}``
(the code's digits, leading zeros kept), with ``skos:broader`` to the most specific HS 2022 node
that exists (6, 4 or 2 digits). Codes that match no HS 2022 node at all are counted and reported,
never silently dropped.

A line published in an older edition (``edition="HS 2017"``) whose 6 digits are not a HS 2022 subheading
goes under the one HS 2022 subheading UNSD's correlation gives for its code, if there is exactly one
(``graph/hs_versions.py``); a line whose code was split or sits in a many-to-many group keeps the heading
its digits give and a ``tkg:hsEditionCode`` link to its edition's node, which carries the correlation.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from pyoxigraph import NamedNode

from .hs_versions import Correlation, edition_node, read_correlation
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
    data: Path | None = None  # where the HS correlations are read (older editions), None: digits only
    use_editions: bool = True  # False: link older editions' codes by their digits only (the report's "before")
    parents: dict[tuple[str, str], str] = field(default_factory=dict)  # line -> its HS 2022 parent code
    edition_codes: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict)  # line -> (edition, code)

    @classmethod
    def from_data(cls, data: Path) -> ProductLinker:
        rows = [row for row in read_csv(data / HS_FILE, required=("hscode", "level", "section"))
                if row.text("level") in {"2", "4", "6"}]
        codes = frozenset(row.text("hscode", required=True) for row in rows)
        # The section of each chapter; Comtrade's chapter 99 has "TOTAL" there, i.e. no section.
        sections = {row.text("hscode", required=True): row.text("section", required=True) for row in rows
                    if row.text("level") == "2" and row.text("section") != "TOTAL"}
        return cls(codes, sections, data=data)

    def correlation(self, edition: str | None) -> Correlation | None:
        """UNSD's correlation of an older edition with HS 2022; None for HS 2022 itself or when not used."""
        if edition is None or edition == "HS 2022" or not self.use_editions or self.data is None:
            return None
        return read_correlation(self.data, edition)

    def hs_ancestors(self, code: str) -> list[NamedNode]:
        """An existing HS 2022 code's node and all its ancestors, up to its section (most specific first)."""
        nodes = [hs_node(code[:width]) for width in (6, 4, 2) if len(code) >= width and code[:width] in self.hs_codes]
        if (section := self.chapter_sections.get(code[:2])) is not None:
            nodes.append(hs_section_node(section))
        return nodes

    def hs_parent(self, digits: str, edition: str | None = None) -> str | None:
        """The most specific existing HS 2022 code that ``digits`` falls under (6, 4, then 2 digits).

        For a code of an older ``edition`` whose 6 digits are not a HS 2022 subheading, the one HS 2022
        subheading the correlation gives for it comes first (none for a split or a group)."""
        if len(digits) >= 6 and digits[:6] not in self.hs_codes and (corr := self.correlation(edition)) is not None:
            if (new := corr.single(digits[:6])) is not None and new in self.hs_codes:
                return new
        for width in (6, 4, 2):
            if len(digits) >= width and digits[:width] in self.hs_codes:
                return digits[:width]
        return None

    def hs(self, code: str, where: str, edition: str | None = None) -> NamedNode | None:
        """An HS code of 2-6 digits as the HS 2022 node it is (or falls under); None if none."""
        digits = digits_of(code)
        parent = self.hs_parent(digits, edition) if len(digits) >= 2 else None
        if parent is None:
            self._miss(code, where)
            return None
        return hs_node(parent)

    def tariff_line(self, economy: str, code: str, where: str, edition: str | None = None) -> NamedNode | None:
        """A national tariff line (more than 6 digits) as its own node, linked up into HS 2022.

        Codes of 6 digits or fewer are HS codes: their HS 2022 node is returned instead. ``edition`` is
        the HS edition the source publishes its lines in, when older than HS 2022 (``"HS 2017"``); the
        first source to use a line decides its parent.
        """
        digits = digits_of(code)
        if len(digits) <= 6:
            return self.hs(code, where, edition)
        key = (economy, digits)
        if key not in self.lines:
            parent = self.hs_parent(digits, edition)
            self.lines[key] = tariff_line_node(economy, digits) if parent else None
            if parent is not None:
                self.parents[key] = parent
                self._pending.append(key)
                corr = self.correlation(edition)
                if corr is not None and corr.new_of.get(digits[:6], {digits[:6]}) != {digits[:6]}:
                    self.edition_codes[key] = (corr.key, digits[:6])  # its code changed: link the old one
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
            node, parent = self.lines[(economy, digits)], self.parents[(economy, digits)]
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
            if (old := self.edition_codes.get((economy, digits))) is not None:
                yield node, TKG.hsEditionCode, edition_node(*old)

    def _miss(self, code: str, where: str) -> None:
        self.unmatched[code.strip()] += 1
        self.unmatched_where.setdefault(code.strip(), where)

    def take_report(self) -> list[str]:
        """One line per code that matched no HS 2022 node since the last call, with count and place."""
        lines = [f"product code {code!r} matches no HS 2022 node ({n}×, first at {self.unmatched_where[code]})"
                 for code, n in self.unmatched.most_common()]
        self.unmatched, self.unmatched_where = Counter(), {}
        return lines
