"""Who is party to an RTA over which period, in its own right or through a bloc.

A bloc's membership over time is derived from the bloc's own agreements in the RTA database
(data/crosswalks/blocs.csv names them: the EU Treaty for the EU, the EFTA Convention for EFTA, …),
never typed in: a member is whoever is party to those agreements, over the periods it is party.
A bloc party is then expanded to the members whose membership overlaps the agreement's period.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from pyoxigraph import NamedNode

from ..context import BuildContext
from ..economies import EU
from ..sources import read_csv
from ..terms import economy, instance
from ._rta import Period, Rta, merge

BLOCS = Path("crosswalks") / "blocs.csv"


@dataclass
class Bloc:
    name: str
    key: str
    rta_ids: list[str]
    note: str
    members: dict[str, list[Period]] = field(default_factory=dict)

    @property
    def node(self) -> NamedNode:
        return economy(EU) if self.key == EU else instance("bloc", self.key)

    @property
    def current(self) -> list[str]:
        return sorted(code for code, periods in self.members.items() if periods and periods[-1].end is None)


@dataclass
class Part:
    """One economy's participation; ``period`` None means the agreement is not in force for it."""

    code: str
    period: Period | None
    via: Bloc | None = None


def load_blocs(ctx: BuildContext, rtas: dict[str, Rta], quiet: bool = False) -> dict[str, Bloc]:
    """Each bloc of the crosswalk with its members over time, from its own agreements."""
    blocs: dict[str, Bloc] = {}
    rows = list(read_csv(ctx.data / BLOCS, required=("name", "key", "rta_ids", "note")))
    names = {row.text("name", required=True) for row in rows}
    for row in rows:
        bloc = Bloc(row.text("name", required=True), row.text("key", required=True), row.split("rta_ids"),
                    row.text("note", required=True))
        periods: dict[str, list[Period]] = {}
        for ident in bloc.rta_ids:
            if ident not in rtas:
                raise row.fail("rta_ids", f"RTA {ident} is not in the RTA database")
            founding = rtas[ident]
            if nested := names & set(founding.signatories + list(founding.specific)):
                raise row.fail("rta_ids", f"RTA {ident} has bloc parties {sorted(nested)}; "
                                          "membership must come from agreements between economies")
            for part in parties(ctx, founding, {}, quiet).values():
                if part.period is not None:
                    periods.setdefault(part.code, []).append(part.period)
        bloc.members = {code: merge(spans) for code, spans in sorted(periods.items())}
        if not bloc.members:
            raise row.fail("rta_ids", "these agreements give the bloc no members in force")
        blocs[bloc.name] = bloc
    return blocs


def parties(ctx: BuildContext, rta: Rta, blocs: dict[str, Bloc], quiet: bool = False) -> dict[str, Part]:
    """Every economy party to the agreement, with its period and the bloc it is party through.

    ``quiet`` keeps the data problems out of the build notes (for a second pass over the same data).
    """
    def note(message: str) -> None:
        if not quiet:
            ctx.note("wto-rta", f"RTA {rta.ident}: {message}")

    window = rta.window
    direct: dict[str, bool] = {}  # code -> is a current signatory
    bloc_parties: list[Bloc] = []
    for name in rta.signatories:
        if name in blocs:
            bloc_parties.append(blocs[name])
            if blocs[name].key == EU:  # the EU is also an economy: a party in its own right
                direct[EU] = direct.get(EU, False) or name in rta.current
                ctx.economy(EU, rta.where)
        elif (code := ctx.economy(name, rta.where, kind="wto")) is not None:
            direct[code] = direct.get(code, False) or name in rta.current
    members = {code for bloc in bloc_parties for code in bloc.members}
    # A name with own dates that is no signatory is a former party (Finland in the EFTA Convention),
    # unless it is party through a bloc (the United Kingdom in EU agreements).
    former = [code for name in rta.specific if name not in rta.signatories and name not in blocs
              and (code := ctx.economy(name, rta.where, kind="wto")) is not None and code not in members]
    found: dict[str, Part] = {}
    for bloc in bloc_parties:
        for code, periods in bloc.members.items():
            if direct.get(code) or code in found:
                continue  # a current signatory in its own right, or already through another bloc
            part = _through(bloc, code, periods, window, signed=code in direct)
            if part is not None:
                found[code] = part
    for code in list(direct) + former:
        found.setdefault(code, Part(code, window))
    for name, own in rta.specific.items():
        if name in blocs:
            note(f"dates given for the bloc {name!r} itself are not used")
            continue
        code = ctx.reconciler.resolve(name, rta.where)
        part = found.get(code) if code else None
        if part is None:
            note(f"{name!r} has own dates but is no party in the agreement's period; its dates are not used")
        elif own.pending:
            part.period = None
        else:
            base = part.period or Period(None, None)
            part.period = Period(own.start or base.start, own.end or base.end)
            if part.period.start and part.period.end and part.period.end < part.period.start:
                note(f"{name!r} left ({part.period.end}) before the agreement applied to it "
                     f"({part.period.start}); no dates, as never in force for it")
                part.period = None
    return found


def _through(bloc: Bloc, code: str, periods: list[Period], window: Period | None, signed: bool) -> Part | None:
    """A member's participation through the bloc: its membership within the agreement's period.

    A member that was also an original signatory (EC member states signed the early EC agreements
    themselves) is party from the agreement's start, through the bloc until its membership ends.
    """
    if window is None:  # not in force: the members it would bind are today's
        return Part(code, None, bloc) if periods[-1].end is None else None
    spans = [clipped for period in periods if (clipped := period.clip(window)) is not None]
    if not spans:
        return None
    start = window.start if signed else spans[0].start
    return Part(code, Period(start, spans[-1].end), bloc)
