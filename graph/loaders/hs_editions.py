"""HS 2017, 2012 and 1992 subheadings linked to HS 2022 by UNSD's correlations (SOURCES.md 8d), one named
graph per edition (``graph/hs2017`` …), read by ``graph/hs_versions.py``.

Each older subheading is a ``skos:Concept`` of its own scheme (``id/scheme/hs2017``), not a ``tkg:Product``:
measures and flows stay on HS 2022 and national lines; an old code is what a line published in that
edition says (``tkg:hsEditionCode``). Its links to HS 2022 follow UNSD's relationship, read from the old
code's side:

- ``1:1``: ``skos:exactMatch`` (the same goods, whether or not the number changed);
- ``n:1``, the old code was split into several HS 2022 codes: ``skos:narrowMatch`` to each (each is narrower);
- ``1:n``, several old codes were merged into one HS 2022 code: ``skos:broadMatch`` to it;
- ``n:n``: ``skos:closeMatch`` pairwise, and the many-to-many group kept as one ``skos:Collection``
  (``id/hs-group/hs2017/…``, ``skos:member`` of both editions' codes). HS 2022's new heading 8549 (electrical
  and electronic waste) is correlated with about a thousand older codes: its rows form the group
  ``…/8549`` alone, with no pairwise links (they would say nothing more).

Nothing here is typed from memory; descriptions of old codes are not in the staged tables, so none are given.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..context import BuildContext
from ..hs_versions import EDITIONS, EWASTE, edition_node, edition_scheme, group_node, read_correlation
from ..products import hs_node
from ..terms import A, DCTERMS, RDFS, SKOS, text
from . import Triple

LINK = {"1:1": SKOS.exactMatch, "n:1": SKOS.narrowMatch, "1:n": SKOS.broadMatch, "n:n": SKOS.closeMatch}


def edition_triples(ctx: BuildContext, edition: str) -> Iterator[Triple]:
    """The scheme, codes, correlation links and groups of one older edition."""
    corr = read_correlation(ctx.data, edition)
    key, year = corr.key, edition.split()[-1]
    scheme = edition_scheme(key)
    yield scheme, A, SKOS.ConceptScheme
    yield scheme, SKOS.prefLabel, text(f"Harmonized System {year} ({edition}), subheadings")
    yield scheme, DCTERMS.description, text(
        f"The 6-digit subheadings of the {year} edition of the Harmonized System that UNSD's correlation "
        f"table with HS 2022 names, each linked to the HS 2022 subheadings it shares goods with.")
    olds: set[str] = set()
    missing = 0
    for pair in corr.pairs:
        if pair.new not in ctx.products.hs_codes:
            missing += 1  # UNSD's HS 2022 code is not in our HS 2022 table: no link to a node that is not there
            continue
        olds.add(pair.old)
        if pair.relationship == "n:n" and pair.new.startswith(EWASTE):
            continue
        yield edition_node(key, pair.old), LINK[pair.relationship], hs_node(pair.new)
    for old in sorted(olds):
        node = edition_node(key, old)
        yield node, A, SKOS.Concept
        yield node, SKOS.inScheme, scheme
        yield node, SKOS.notation, text(old)
    groups = corr.groups()
    for name, (news, group_olds) in sorted(groups.items()):
        group = group_node(key, name)
        yield group, A, SKOS.Collection
        yield group, RDFS.label, text(
            f"{edition} ↔ HS 2022 many-to-many group {name} ({len(group_olds)} {edition} and {len(news)} HS 2022 "
            "codes)" + (": HS 2022 heading 8549, electrical and electronic waste" if name == EWASTE else ""))
        for code in sorted(news):
            yield group, SKOS.member, hs_node(code)
        for code in sorted(group_olds & olds):
            yield group, SKOS.member, edition_node(key, code)
    counts = {rel: sum(p.relationship == rel for p in corr.pairs) for rel in LINK}
    ctx.note(key, f"{len(olds)} {edition} subheadings, {len(corr.pairs)} UNSD correlation rows with HS 2022 "
                  f"({', '.join(f'{rel} {n:,}' for rel, n in counts.items())}); {len(groups)} many-to-many "
                  f"groups, the 8549 (e-waste) group with {len(groups.get(EWASTE, ((), ()))[1])} {edition} codes; "
                  f"{missing} rows name a HS 2022 code not in our HS 2022 table (skipped)")
