"""DESTA (Design of Trade Agreements) v2.03, list of treaties: a second source on who signed
which trade agreement, covering many treaties the WTO RTA database does not list.

Each treaty, accession and protocol becomes an agreement at id/agreement/desta/{number}, with
DESTA's signature and entry-into-force years and parties. DESTA names the WTO RTA of a row in
`wto_name`; a row whose name equals an RTA's name (ignoring case, spacing and dashes: DESTA
writes "EU Albania" for "EU - Albania") is linked to it with skos:exactMatch. DESTA's consolidated
versions, withdrawal events and treaties under negotiation are not agreements of their own and are
left out (counted in the build notes). Party codes are ISO 3166 numeric codes.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator

import pycountry
from pyoxigraph import Literal, NamedNode

from ..context import BuildContext
from ..sources import Row, read_csv
from ..terms import A, DCTERMS, RDFS, SKOS, TKG, XSD, economy, instance, text
from . import Triple
from ._rta import Rta, read_rtas, signature
from ._rta_parties import load_blocs, parties
from .wto_rta import agreement_node

SOURCE = "desta"
FOLDER = "desta"
FILE = "desta_list_of_treaties_02_03.csv"
PARTY_COLUMNS = tuple(f"c{i}" for i in range(1, 92))
COLUMNS = ("number", "base_treaty", "name", "entry_type", "year", "entryforceyear", "wto_name") + PARTY_COLUMNS
KEPT = {"base_treaty": 0, "accession": 1, "protocol or amendment": 2}  # value: rank as the match of an RTA
LEFT_OUT = ("consolidated", "withdrawal", "negotiation")


def desta_node(number: str) -> NamedNode:
    return instance("agreement", "desta", number)


def normalise(name: str) -> str:
    """Case, spacing and dashes do not tell two agreement names apart."""
    return " ".join(re.sub(r"[\s\-–—]+", " ", name).split()).casefold()


def triples(ctx: BuildContext) -> Iterator[Triple]:
    rtas: dict[str, list[Rta]] = defaultdict(list)
    all_rtas = read_rtas(ctx.data)
    for rta in all_rtas:
        rtas[normalise(rta.name)].append(rta)
    blocs = load_blocs(ctx, {rta.ident: rta for rta in all_rtas}, quiet=True)
    rta_parties = {rta.ident: set(parties(ctx, rta, blocs, quiet=True)) for rta in all_rtas}
    where = f"{FOLDER}/{FILE}"
    rows: dict[str, Row] = {}
    left_out: Counter[str] = Counter()
    for row in read_csv(ctx.data / FOLDER / FILE, required=COLUMNS):
        kind = row.text("entry_type", required=True)
        if kind not in KEPT:
            if kind not in LEFT_OUT:
                raise row.fail("entry_type", f"{kind!r} is not one of {sorted(KEPT) + list(LEFT_OUT)}")
            left_out[kind] += 1
            continue
        number = row.text("number", required=True)
        if number in rows:
            raise row.fail("number", f"treaty number {number!r} is used twice (line {rows[number].line})")
        rows[number] = row
    unmatched_codes: Counter[str] = Counter()
    desta_parties: dict[str, set[str]] = {}
    for number, row in rows.items():
        desta_parties[number] = set()
        for triple in _treaty(ctx, number, row, rows, unmatched_codes, f"{where}:{row.line}"):
            if triple[1] == TKG.party:
                desta_parties[number].add(triple[2].value.rsplit("/", 1)[1])
            yield triple
    yield from _join(ctx, rows, rtas, lambda number, ident: bool(desta_parties[number] & rta_parties[ident]))
    ctx.note(SOURCE, f"{len(rows)} treaties, accessions and protocols; left out: "
                     + ", ".join(f"{n} {kind}" for kind, n in left_out.items()))
    if unmatched_codes:
        ctx.note(SOURCE, "party codes that are no ISO 3166 numeric code, left out: "
                         + ", ".join(f"{code} ({n} treaties)" for code, n in unmatched_codes.most_common()))


def _treaty(ctx: BuildContext, number: str, row: Row, rows: dict[str, Row], unmatched: Counter[str],
            where: str) -> Iterator[Triple]:
    node = desta_node(number)
    yield node, A, TKG.Agreement
    yield node, RDFS.label, text(" ".join(row.text("name", required=True).split()))
    yield node, SKOS.notation, text(number)
    yield node, DCTERMS.type, text(row.text("entry_type", required=True))
    for column, predicate in (("year", TKG.signatureYear), ("entryforceyear", TKG.entryIntoForceYear)):
        if (year := row.integer(column)) is not None:
            if not 1900 <= year <= 2100:
                raise row.fail(column, f"{year} is not a plausible year")
            yield node, predicate, Literal(f"{year:04d}", datatype=XSD.gYear)
    base = row.text("base_treaty", required=True)
    if base != number and base in rows:
        yield node, DCTERMS.isPartOf, desta_node(base)
    for column in PARTY_COLUMNS:
        if (value := row.text(column)) is None:
            continue
        if not value.isdigit():
            raise row.fail(column, f"{value!r} is not an ISO 3166 numeric code")
        record = pycountry.countries.get(numeric=value.zfill(3))
        if record is None:
            unmatched[value] += 1
            continue
        if (code := ctx.economy(record.alpha_3, where)) is not None:
            yield node, TKG.party, economy(code)


def _join(ctx: BuildContext, rows: dict[str, Row], rtas: dict[str, list[Rta]],
          share_party: Callable[[str, str], bool]) -> Iterator[Triple]:
    """skos:exactMatch between a DESTA row and the RTA its wto_name names.

    Where several DESTA rows name one RTA (a treaty and its protocols), the best match is linked:
    a base treaty before an accession before a protocol, then the one signed in the RTA's year.
    Where a name fits several RTAs, the RTA signed in DESTA's year is taken. Records that share no
    party economy are not one agreement, whatever the name says (DESTA's "Turkey Ukraine" names
    the RTA "Ukraine - Singapore").
    """
    claims: dict[str, list[tuple[tuple[int, int], str]]] = defaultdict(list)
    named = exact = rejected = 0
    unmatched: list[str] = []
    for number, row in rows.items():
        if (name := row.text("wto_name")) is None:
            continue
        named += 1
        year = row.integer("year")
        candidates = rtas.get(normalise(name), [])
        if len(candidates) > 1:
            candidates = [r for r in candidates if (day := signature(r)) is not None and day.year == year]
        if len(candidates) != 1:
            unmatched.append(name)
            continue
        rta = candidates[0]
        if not share_party(number, rta.ident):
            ctx.note(SOURCE, f"DESTA {number} {row.text('name')!r} names RTA {rta.ident} {rta.name!r}, "
                             "but they share no party; not linked")
            rejected += 1
            continue
        exact += name.strip() == rta.name
        day = signature(rta)
        rank = (KEPT[row.text("entry_type", required=True)], 0 if day and day.year == year else 1)
        claims[rta.ident].append((rank, number))
    linked = 0
    for ident, found in sorted(claims.items()):
        found.sort()
        if len(found) > 1 and found[0][0] == found[1][0]:
            ctx.note(SOURCE, f"RTA {ident}: DESTA rows {[n for _, n in found]} match it equally; none linked")
            continue
        node, rta_node = desta_node(found[0][1]), agreement_node(ident)
        yield node, SKOS.exactMatch, rta_node
        yield rta_node, SKOS.exactMatch, node
        linked += 1
    matched = named - len(unmatched)
    ctx.note(SOURCE, f"{named} rows name a WTO RTA (wto_name): {matched} match an RTA name ({exact} exactly, "
                     f"the rest ignoring case, spacing and dashes), {rejected} of them share no party with it; "
                     f"{linked} linked with skos:exactMatch (the best row per RTA); {len(unmatched)} match no "
                     "RTA name, e.g. " + "; ".join(repr(n) for n in unmatched[:8]))
