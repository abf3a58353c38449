"""Older HS editions (2017, 2012, 1992) and the UN Statistics Division's correlations to HS 2022.

Read from UNSD's correlation sheets (``data/hs-correlation-unsd/``, SOURCES.md 8d): one row per pair of a
HS 2022 subheading and an older subheading that share goods, with UNSD's relationship ``new:old`` counted
from the old code's side: ``1:1`` (the same goods), ``n:1`` (the old code was split into several HS 2022
codes), ``1:n`` (several old codes were merged into one HS 2022 code), ``n:n`` (a many-to-many group).

The product linker uses them so that a national line published in an older edition whose 6-digit code is
not a HS 2022 subheading still reaches the HS 2022 subheading it belongs to, when there is exactly one
(``1:1`` renumbered, or merged ``1:n``); a split or a group has no single one, and the line stays under the
heading its digits give, with a ``tkg:hsEditionCode`` link to its own edition's node and that node's
correlation links. ``python -m tradekg.graph.hs_versions`` prints the linker's misses with and without them.
"""

from __future__ import annotations

import functools
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from pyoxigraph import NamedNode

from .sources import Row, read_csv
from .terms import instance

FOLDER = "hs-correlation-unsd"
# edition (as tkg:nomenclature writes it) -> (key of its named graph and IRIs, correlation file, old column)
EDITIONS: dict[str, tuple[str, str, str]] = {
    "HS 2017": ("hs2017", "HS2022toHS2017_correlation.csv", "HS2017"),
    "HS 2012": ("hs2012", "HS2022toHS2012_correlation.csv", "HS 2012"),
    "HS 1992": ("hs1992", "HS2022toHS1992_correlation.csv", "HS 1992"),
}
RELATIONSHIPS = ("1:1", "n:1", "1:n", "n:n")
# HS 2022's new heading 8549 (electrical and electronic waste) takes in about 1,000 codes of every older
# edition: a group of its own, so that it does not swallow the other many-to-many groups it touches.
EWASTE = "8549"


def edition_node(key: str, code: str) -> NamedNode:
    """``id/hs2017/851712``: a subheading of an older edition."""
    return instance(key, code)


def edition_scheme(key: str) -> NamedNode:
    return instance("scheme", key)


def group_node(key: str, name: str) -> NamedNode:
    """``id/hs-group/hs2017/8549``: a many-to-many group of an older edition's codes and HS 2022 codes."""
    return instance("hs-group", key, name)


@dataclass(frozen=True)
class Pair:
    new: str          # HS 2022 subheading
    old: str          # the older edition's subheading
    relationship: str  # UNSD's, one of RELATIONSHIPS
    line: int         # where it was read


@dataclass
class Correlation:
    """The UNSD correlation of one older edition with HS 2022."""

    edition: str
    key: str
    path: Path
    pairs: list[Pair] = field(default_factory=list)
    new_of: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))  # old -> HS 2022 codes

    def single(self, old: str) -> str | None:
        """The one HS 2022 subheading that holds all the goods of ``old`` (same goods or a merge), if any."""
        news = self.new_of.get(old)
        return next(iter(news)) if news is not None and len(news) == 1 else None

    def groups(self) -> dict[str, tuple[set[str], set[str]]]:
        """Many-to-many groups: name -> (HS 2022 codes, old codes). The 8549 rows make one group named
        ``8549``; the other ``n:n`` rows are grouped by connected components, each named by its lowest
        HS 2022 code."""
        groups: dict[str, tuple[set[str], set[str]]] = {}
        parent: dict[str, str] = {}

        def find(x: str) -> str:
            while parent.setdefault(x, x) != x:
                parent[x] = parent[parent[x]]
                x = parent[x]
            return x

        for pair in self.pairs:
            if pair.relationship != "n:n":
                continue
            if pair.new.startswith(EWASTE):
                news, olds = groups.setdefault(EWASTE, (set(), set()))
                news.add(pair.new)
                olds.add(pair.old)
            else:
                parent[find("n" + pair.new)] = find("o" + pair.old)
        members: dict[str, list[str]] = defaultdict(list)
        for x in parent:
            members[find(x)].append(x)
        for codes in members.values():
            news = {c[1:] for c in codes if c[0] == "n"}
            groups[min(news)] = (news, {c[1:] for c in codes if c[0] == "o"})
        return groups


@functools.lru_cache(maxsize=8)
def read_correlation(data: Path, edition: str) -> Correlation:
    """One UNSD correlation sheet. Its first row is a title (``Between``), the second the header; a code
    that is not 6 digits or an unknown relationship fails the build with the file, line and column."""
    if edition not in EDITIONS:
        raise KeyError(f"no correlation with HS 2022 is bundled for {edition!r}; known: {', '.join(EDITIONS)}")
    key, name, old_column = EDITIONS[edition]
    corr = Correlation(edition, key, data / FOLDER / name)
    header: list[str] | None = None
    for row in read_csv(corr.path):
        if header is None:  # the header is the first row after the title
            header = [value.strip() for value in row.values]
            if header[0] != "HS2022" and header[0] != "HS 2022" or old_column not in header or "Relationship" not in header:
                raise row.fail(None, f"expected the header 'HS 2022, {old_column}, Relationship' on line 2, found {header}")
            continue
        row = Row(row.path, row.line, header, row.values)
        new, old, relationship = row.text(header[0]), row.text(old_column), row.text("Relationship")
        for column, code in ((header[0], new), (old_column, old)):
            if code is None or len(code) != 6 or not code.isdigit():
                raise row.fail(column, f"{code!r} is not a 6-digit HS code")
        if relationship not in RELATIONSHIPS:
            raise row.fail("Relationship", f"{relationship!r} is not one of {', '.join(RELATIONSHIPS)}")
        corr.pairs.append(Pair(new, old, relationship, row.line))
        corr.new_of[old].add(new)
    return corr


def misses(data: Path) -> dict[str, dict[str, int]]:
    """The older-edition lines of the bundled measures that reach no HS 2022 subheading, by source, before
    (digits only) and after the correlations: the product linker's report of issue 16. After, each miss is
    a split (its old code became several HS 2022 codes), in a many-to-many group, or has no UNSD row."""
    from .context import BuildContext
    from .loaders import china_retaliation, us_section301

    figures: dict[str, dict[str, int]] = {}
    for module in (us_section301, china_retaliation):
        row = figures.setdefault(f"{module.SOURCE} ({module.EDITION})", {})
        for use in (False, True):
            ctx = BuildContext.for_data(data)
            ctx.products.use_editions = use
            for _ in module.triples(ctx):
                pass
            linker = ctx.products
            missed = [digits for (_, digits), parent in linker.parents.items() if len(parent) < 6]
            row["lines"] = len(linker.lines)
            row["no HS 2022 node at all" + (" (after)" if use else " (before)")] = sum(
                node is None for node in linker.lines.values())
            row["not under a HS 2022 subheading" + (" (after)" if use else " (before)")] = len(missed)
            if use:
                corr = read_correlation(data, module.EDITION)
                kinds = {old: {p.relationship for p in corr.pairs if p.old == old} for old in {d[:6] for d in missed}}
                row["  of which split (n:1)"] = sum(kinds[d[:6]] == {"n:1"} for d in missed)
                row["  of which in a many-to-many group"] = sum("n:n" in kinds[d[:6]] for d in missed)
                row["  of which no UNSD row for the code"] = sum(not kinds[d[:6]] for d in missed)
                row["with a tkg:hsEditionCode link (code changed in HS 2022)"] = len(
                    [k for k in linker.edition_codes if linker.lines.get(k) is not None])
    return figures


def main(argv: list[str] | None = None) -> int:
    from ..data import bundled

    data = Path(argv[0]) if argv else bundled()
    for source, row in misses(data).items():
        print(source)
        for label, n in row.items():
            print(f"  {label}: {n:,}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
