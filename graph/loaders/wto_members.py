"""WTO members with accession dates (Wikipedia's table) and observers (the WTO ISO list).

Observers are derived, as SOURCES.md explains: economies in the WTO's code list that are not
members. That is no official dated list, and the graph says so in the source description.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..context import BuildContext
from ..sources import read_csv
from ..terms import A, TKG, date, economy
from . import Triple

SOURCE = "wto-members"
MEMBERS = "wto-members-wikipedia/wto_members.csv"
WTO_CODES = "wto-member-iso-codes/WTO_country_codes_ISO3.csv"


def triples(ctx: BuildContext) -> Iterator[Triple]:
    listed: list[str] = []
    for row in read_csv(ctx.data / WTO_CODES, required=("country", "iso.code"), delimiter=";"):
        where = f"{WTO_CODES}:{row.line}"
        code = ctx.economy(row.text("iso.code", required=True), where)
        if code is None:
            continue
        ctx.economy(row.text("country", required=True), where, kind="wto")
        listed.append(code)

    members: dict[str, int] = {}
    for row in read_csv(ctx.data / MEMBERS, required=("country_name", "accession_date")):
        name = row.text("country_name", required=True)
        code = ctx.economy(name, f"{MEMBERS}:{row.line}", kind="alt")
        joined = row.date("accession_date", required=True)
        if code is None:
            continue
        if code in members:
            raise row.fail("country_name", f"{name!r} is the same economy ({code}) as line {members[code]}")
        members[code] = row.line
        node = economy(code)
        yield node, A, TKG.Economy
        yield node, A, TKG.WTOMember
        yield node, TKG.wtoMemberSince, date(joined)

    for code in dict.fromkeys(listed):
        if code not in members:
            node = economy(code)
            yield node, A, TKG.Economy
            yield node, A, TKG.WTOObserver
    ctx.note(SOURCE, f"{len(members)} members; {len(set(listed) - set(members))} observers "
                     "(derived: in the WTO code list but not members)")
