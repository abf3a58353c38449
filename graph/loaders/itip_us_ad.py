"""US anti-dumping measures from a WTO I-TIP export of 2020-09-10 (initiations 1977-2019).

Loaded as ``tkg:MeasureRecord`` (the order measures are derived by ``us_adcvd_orders``), not only as a cross-check, because I-TIP has facts the other two US sources lack:
159 initiations of 2016-2019 (the Global Antidumping Database stops in 2015), with HS codes (the USITC
list of orders has none), and withdrawal dates up to 2020. The export carries no I-TIP id, so each
record is ``measure/itip/{n}``, n its 1-based row in the export. Dates: ``tkg:initiationDate``,
``tkg:startDate`` = "In force", ``tkg:endDate`` = "Withdrawn" of a measure that was in force. A record
withdrawn without ever being in force (an investigation that ended without a measure) gets the
withdrawal as ``tkg:decisionDate``, not as an end date; ``tkg:stage`` says which case applies.
A record is ``skos:closeMatch`` to the GAD case of the same economy and Commerce initiation date when
exactly one case and one record have that pair and their HS codes share a heading (when both have
codes); the export has no case numbers to match on.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

from ..context import BuildContext
from ..sources import Row, read_csv
from ..terms import DCTERMS, SKOS, TKG, date, text
from . import Triple
from .adcvd_common import ISO_TIME, USA, economy_code, gad_node, measure_node, one_line, source_date
from .adcvd_common import record as source_record
from .gad_usa import index as gad_index

SOURCE = "itip-us-ad"
FILE = "us-adcvd-syyunn/itip_us_antidumping_measures_2020-09.csv"
COLUMNS = ("Member imposing", "Partner affected", "Initiation", "In force", "Withdrawn", "Measure description",
           "Product description", "HS")


@dataclass(frozen=True)
class Record:
    number: int
    row: Row
    partners: list[str]
    economies: list[str]
    initiated: dt.date | None
    in_force: dt.date | None
    withdrawn: dt.date | None

    @property
    def key(self) -> tuple[str, dt.date] | None:
        """What a GAD case can be matched on: one affected economy and the initiation date."""
        if len(self.economies) == 1 and len(self.partners) == 1 and self.initiated is not None:
            return self.economies[0], self.initiated
        return None


def partner_names(value: str) -> list[str]:
    """``'Korea, Republic of, Viet Nam'`` → ``['Korea, Republic of', 'Viet Nam']``: a part ending in
    "of" is the qualifier of the name before it (the WTO's "Moldova, Republic of" style)."""
    names: list[str] = []
    for part in (p.strip() for p in value.split(",")):
        if not part:
            continue
        if names and part.split()[-1] == "of":
            names[-1] += ", " + part
        else:
            names.append(part)
    return names


def triples(ctx: BuildContext) -> Iterator[Triple]:
    economy_code(ctx, USA, FILE)
    records = read_records(ctx)
    links, unlinked = gad_links(records, gad_index(ctx))
    linked = len(links)
    for record in records:
        yield from _measure(ctx, record, [links[record.number]] if record.number in links else [])
    stages = Counter(_stage(record) for record in records)
    ctx.note(SOURCE, f"{len(records)} records ({', '.join(f'{n} {s}' for s, n in sorted(stages.items()))}); "
                     f"{linked} matched to exactly one GAD case by economy and Commerce initiation date "
                     f"({unlinked} such pairs left unlinked: no HS heading in common); "
                     f"{sum(r.initiated is not None and r.initiated.year > 2015 for r in records)} "
                     f"initiated after 2015")


def read_records(ctx: BuildContext) -> list[Record]:
    return [_record(ctx, number, row)
            for number, row in enumerate(read_csv(ctx.data / FILE, required=COLUMNS), start=1)]


def gad_links(records: list[Record], gad) -> tuple[dict[int, str], int]:
    """Record number → its GAD case: the only case and the only record with that economy and Commerce
    initiation date, sharing an HS heading where both have codes. Also how many such pairs had none."""
    keys = Counter(record.key for record in records if record.key is not None)
    links: dict[int, str] = {}
    unlinked = 0
    for record in records:
        cases = gad.by_start.get(record.key, []) if record.key is not None and keys[record.key] == 1 else []
        if len(cases) == 1 and not _same_headings(record, gad.headings.get(cases[0], set())):
            unlinked += 1
            continue
        if len(cases) == 1:
            links[record.number] = cases[0]
    return links, unlinked


def _record(ctx: BuildContext, number: int, row: Row) -> Record:
    where = f"{FILE}:{row.line}"
    if economy_code(ctx, row.text("Member imposing", required=True), where) != USA:
        raise row.fail("Member imposing", "is not the United States, but this is a US file")
    if (kind := row.text("Measure description", required=True)) != "Anti-dumping":
        raise row.fail("Measure description", f"{kind!r} is not Anti-dumping")
    partners = partner_names(row.raw("Partner affected"))
    if not partners:
        raise row.fail("Partner affected", "is empty, but an anti-dumping measure targets an origin")
    economies = [code for name in partners if (code := economy_code(ctx, name, where)) is not None]
    initiated, in_force, withdrawn = (source_date(row, column, [ISO_TIME])
                                      for column in ("Initiation", "In force", "Withdrawn"))
    if initiated and in_force and in_force < initiated:
        raise row.fail("In force", f"{in_force} is before the initiation {initiated}")
    if in_force and withdrawn and withdrawn < in_force:
        raise row.fail("Withdrawn", f"{withdrawn} is before the entry into force {in_force}")
    for code in row.split("HS", ","):
        if not code.isdigit():
            raise row.fail("HS", f"{code!r} is not an HS code (digits only)")
    return Record(number, row, partners, economies, initiated, in_force, withdrawn)


def _same_headings(record: Record, headings: set[str]) -> bool:
    """Whether a record and a GAD case can be the same product: they share an HS heading (4 digits),
    or one of them has no HS code to compare."""
    mine = {code[:4] for code in record.row.split("HS", ",") if len(code) >= 4}
    return not mine or not headings or bool(mine & headings)


def _stage(record: Record) -> str:
    if record.withdrawn is not None:
        return "withdrawn" if record.in_force is not None else "withdrawn before entering into force"
    return "in force" if record.in_force is not None else "initiated"


def _measure(ctx: BuildContext, record: Record, cases: list[str]) -> Iterator[Triple]:
    node = measure_node("itip", str(record.number))
    row = record.row
    product = one_line(row.text("Product description", required=True))
    label = f"{product} from {' and '.join(record.partners)} (I-TIP US anti-dumping measure {record.number})"
    yield from source_record(node, label + ", record", record.economies)
    yield node, DCTERMS.identifier, text(f"I-TIP export 2020-09-10, row {record.number}")
    yield node, TKG.stage, text(_stage(record))
    if record.initiated is not None:
        yield node, TKG.initiationDate, date(record.initiated)
    if record.in_force is not None:
        yield node, TKG.startDate, date(record.in_force)
        if record.withdrawn is not None:
            yield node, TKG.endDate, date(record.withdrawn)
    elif record.withdrawn is not None:
        yield node, TKG.decisionDate, date(record.withdrawn)
    for code in dict.fromkeys(row.split("HS", ",")):
        if (product_node := ctx.products.tariff_line(USA, code, f"{FILE}:{row.line}")) is not None:
            yield node, TKG.recordProduct, product_node
    for case in cases:
        yield node, SKOS.closeMatch, gad_node(case)
