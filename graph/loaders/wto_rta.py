"""Regional trade agreements from the WTO RTA database: type, status, dates, parties, and one
dated participation per party, so that "who was party to what on date D" is one query.

Blocs that are parties ("European Union", "European Free Trade Association (EFTA)", …) stay
parties and are also expanded to their members as of the agreement's dates (see
_rta_parties.py for how membership is derived from the data). RTA_Changes.csv is not loaded: it
records amendments of agreements (joint-committee decisions, protocols), not accessions or
withdrawals, which the database keeps in 'Specific Entry/Exit dates' instead.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from pyoxigraph import NamedNode

from ..context import BuildContext
from ..economies import EU
from ..terms import A, PROV, RDFS, SKOS, TKG, date, economy, instance, text
from . import Triple
from ._rta import Rta, read_rtas, signature
from ._rta_parties import Bloc, Part, load_blocs, parties

SOURCE = "wto-rta"
TYPE_SCHEME = instance("scheme", "rta-type")
STATUS_SCHEME = instance("scheme", "rta-status")
# The WTO's abbreviations in the 'Type' column (combined with " & ", e.g. "FTA & EIA").
TYPES = {"FTA": "Free Trade Agreement", "CU": "Customs Union", "EIA": "Economic Integration Agreement",
         "PSA": "Partial Scope Agreement"}
STATUSES = ("In Force", "In force for at least one Party", "Inactive", "Early announcement-Signed",
            "Early announcement-Under negotiation")


def agreement_node(ident: str) -> NamedNode:
    return instance("agreement", "rta", ident)


def status_key(label: str) -> str:
    return "-".join(label.lower().replace("-", " ").split())


def triples(ctx: BuildContext) -> Iterator[Triple]:
    rtas = read_rtas(ctx.data)
    by_id = {rta.ident: rta for rta in rtas}
    if len(by_id) != len(rtas):
        duplicate = next(ident for ident, n in Counter(r.ident for r in rtas).items() if n > 1)
        raise by_id[duplicate].row.fail("RTA ID", f"RTA {duplicate} appears more than once")
    yield from _schemes()
    blocs = load_blocs(ctx, by_id)
    yield from _blocs(ctx, blocs)
    counts: Counter[str] = Counter()
    for rta in rtas:
        yield from _agreement(ctx, rta, blocs, counts)
    ctx.note(SOURCE, f"{len(rtas)} agreements; {counts['parts']} participations, {counts['via']} of them "
                     f"through a bloc; {counts['pending']} without a start date (not in force for that party)")


def _schemes() -> Iterator[Triple]:
    """The two small SKOS schemes of the WTO's agreement types and statuses."""
    for scheme, label in ((TYPE_SCHEME, "WTO RTA database agreement types"),
                          (STATUS_SCHEME, "WTO RTA database agreement statuses")):
        yield scheme, A, SKOS.ConceptScheme
        yield scheme, SKOS.prefLabel, text(label)
    for code, label in TYPES.items():
        yield from _concept(instance("rta-type", code), TYPE_SCHEME, code, label)
    for label in STATUSES:
        yield from _concept(instance("rta-status", status_key(label)), STATUS_SCHEME, status_key(label), label)


def _concept(node: NamedNode, scheme: NamedNode, notation: str, label: str) -> Iterator[Triple]:
    yield node, A, SKOS.Concept
    yield node, SKOS.prefLabel, text(label)
    yield node, SKOS.notation, text(notation)
    yield node, SKOS.inScheme, scheme
    yield node, SKOS.topConceptOf, scheme
    yield scheme, SKOS.hasTopConcept, node


def _blocs(ctx: BuildContext, blocs: dict[str, Bloc]) -> Iterator[Triple]:
    """Each bloc with its current members, the agreements its membership comes from, and how."""
    for bloc in blocs.values():
        ctx.note(SOURCE, f"bloc {bloc.key}: {len(bloc.members)} members over time, {len(bloc.current)} now, "
                         f"from RTA {', '.join(bloc.rta_ids)}")
        yield bloc.node, A, TKG.Bloc
        yield bloc.node, SKOS.scopeNote, text(f"Membership derived from the WTO RTA database: {bloc.note}")
        if bloc.key != EU:  # the EU's label is the economy's (exactly one label)
            yield bloc.node, RDFS.label, text(bloc.name)
            yield bloc.node, SKOS.notation, text(bloc.key)
        for code in bloc.current:
            yield bloc.node, TKG.hasMember, economy(code)
        for ident in bloc.rta_ids:
            yield bloc.node, PROV.wasDerivedFrom, agreement_node(ident)


def _agreement(ctx: BuildContext, rta: Rta, blocs: dict[str, Bloc], counts: Counter[str]) -> Iterator[Triple]:
    row, node = rta.row, agreement_node(rta.ident)
    yield node, A, TKG.RegionalTradeAgreement
    yield node, A, TKG.Agreement
    yield node, RDFS.label, text(rta.name)
    yield node, SKOS.notation, text(rta.ident)
    if coverage := row.text("Coverage"):
        yield node, TKG.coverage, text(coverage)
    for code in row.split("Type", "&"):
        if code not in TYPES:
            raise row.fail("Type", f"{code!r} is not one of the WTO's agreement types {sorted(TYPES)}")
        yield node, TKG.agreementType, instance("rta-type", code)
    status = row.text("Status", required=True)
    if status not in STATUSES:
        raise row.fail("Status", f"{status!r} is not one of {list(STATUSES)}")
    yield node, TKG.agreementStatus, instance("rta-status", status_key(status))
    for predicate, day in ((TKG.signatureDate, signature(rta)), (TKG.entryIntoForce, rta.entry_into_force),
                           (TKG.inactiveDate, rta.inactive)):
        if day is not None:
            yield node, predicate, date(day)
    found = parties(ctx, rta, blocs)
    for name in rta.signatories:
        if name in blocs:
            yield node, TKG.party, blocs[name].node
            if not any(part.via is blocs[name] for part in found.values()):
                ctx.note(SOURCE, f"RTA {rta.ident}: bloc {blocs[name].key} not expanded, as none of its "
                                 "members (as derived) belongs to it in the agreement's period")
    current = {ctx.reconciler.resolve(n, rta.where) for n in rta.current if n not in blocs}
    for code, part in sorted(found.items()):
        yield from _participation(node, part)
        counts["parts"] += 1
        counts["via"] += part.via is not None
        counts["pending"] += part.period is None or part.period.start is None
        if rta.current and code not in current and part.via is None and code != EU \
                and part.period and part.period.end is None:
            ctx.note(SOURCE, f"RTA {rta.ident}: {code} was party (an original signatory or by its own entry "
                             "date) but is no current signatory, and the data gives no exit date; its "
                             "participation has no end date")


def _participation(agreement: NamedNode, part: Part) -> Iterator[Triple]:
    node = NamedNode(f"{agreement.value}/participation/{part.code}")
    yield agreement, TKG.party, economy(part.code)
    yield agreement, TKG.participation, node
    yield node, A, TKG.Participation
    yield node, TKG.participant, economy(part.code)
    if part.via is not None:
        yield node, TKG.viaBloc, part.via.node
    if part.period is not None and part.period.start is not None:
        yield node, TKG.startDate, date(part.period.start)
        if part.period.end is not None:
            yield node, TKG.endDate, date(part.period.end)
