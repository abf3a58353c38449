"""US Section 301 actions: the China tariff lists 1-4B with every HTS line they cover, and the other
Section 301 investigations and actions of the curated table (France and June 2020 DSTs, Vietnam,
China maritime and semiconductors).

The product lists come from USTR's lists as flattened by DW (SOURCES.md 5a); dates and rates come
ONLY from the curated table's sourced rows (joined on ``raw_list_code``), because the raw file has
none. A rate that changed (List 3: 10 % then 25 %) is a series of dated ``tkg:DutyRate`` steps rather
than one ``tkg:rate``; List 4B, suspended before it took effect, gets a scheduled date and no start.
The lists of 2018-2019 are in the HTS of those years, whose first six digits are HS 2017 (``EDITION``):
the product linker takes lines whose subheading HS 2022 renumbered or merged to their HS 2022 subheading.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterator
from decimal import Decimal

from pyoxigraph import NamedNode

from ..context import BuildContext
from ..sources import Row, read_csv
from ..terms import A, TKG, date, decimal, text
from . import Triple
from .us_common import PERCENT, USA, comments, end_status, legal, measure, measure_node, provenance

SOURCE = "us-section301"
EDITION = "HS 2017"  # the HTS of 2018-2019 (issue 16)
LINES_FILE = "us-section301-dw/section301_china_tariff_lines.csv"
CURATED_FILE = "curated/us_section301.csv"
LISTS = ("1", "2", "3", "4A", "4B")
LINE_COLUMNS = ("hts_code", "hts_digits", "list", "note")
CURATED_COLUMNS = ("record_key", "investigation", "target_economy", "record_type", "initiation_date",
                   "action_date", "action", "products_scope", "raw_list_code", "status_note",
                   "source_url", "source_url_2")
_STEP_DATE = re.compile(r"effective (\d{4}-\d{2}-\d{2})")
_FROM_DATE = re.compile(r"from (\d{4}-\d{2}-\d{2})")
_ASIDE = re.compile(r"\([^)]*\)")
_LINE_COUNT = re.compile(r"(over |about )?(\d[\d,]*) tariff lines")


def list_node(code: str) -> NamedNode:
    """``measure/us-301-list-4a`` for list ``4A``."""
    return measure_node(f"us-301-list-{code.lower()}")


def triples(ctx: BuildContext) -> Iterator[Triple]:
    lines = _list_lines(ctx)
    s301, s301_triples = legal("us-trade-act-1974-s301")
    yield from s301_triples
    rows = list(read_csv(ctx.data / CURATED_FILE, required=CURATED_COLUMNS))
    investigations = {row.text("investigation", required=True): _node(row) for row in rows
                      if row.text("record_type", required=True) == "investigation"}
    joined: set[str] = set()
    for row in rows:
        node = _node(row)
        where = f"{CURATED_FILE}:{row.line}"
        name = row.text("target_economy", required=True)
        target = ctx.economy(name, where)
        list_code = row.text("raw_list_code")
        if list_code in joined:
            raise row.fail("raw_list_code", f"a second row for List {list_code}: one row per list")
        kind = row.text("record_type", required=True)
        label = (f"US Section 301 tariff action against {name}: List {list_code}" if list_code
                 else f"US Section 301 {kind}: {row.text('investigation', required=True)}")
        yield from measure(node, label, ["section-301"], [s301], target)
        yield node, TKG.stage, text(kind)
        yield from provenance(node, row)
        yield from comments(node, row.text("status_note"),
                            f"Action: {row.text('action')}" if row.text("action") else None,
                            f"Products: {row.text('products_scope')}" if row.text("products_scope") else None)
        parent = investigations.get(row.text("investigation", required=True))
        if parent is not None and parent != node:
            yield node, TKG.parentMeasure, parent
        if (initiated := row.date("initiation_date")) is not None:
            yield node, TKG.initiationDate, date(initiated)
        if kind == "investigation":
            if (decided := row.date("action_date")) is not None:
                yield node, TKG.decisionDate, date(decided)
        elif kind.startswith("tariff action"):
            yield from _tariff_action(row, node, kind)
        else:
            raise row.fail("record_type", f"{kind!r} is not 'investigation' or 'tariff action'")
        if list_code:
            joined.add(list_code)
            yield from _covers(ctx, row, node, list_code, lines)
    for code in sorted(set(lines) - joined):
        ctx.note(SOURCE, f"List {code}: no curated row joins it (raw_list_code), so its "
                         f"{len(lines[code])} lines are left out")


def _node(row: Row) -> NamedNode:
    """List rows get the agreed ``us-301-list-N`` IRIs; others ``us-301-`` and their key (``fra-dst``)."""
    if (code := row.text("raw_list_code")) is not None:
        if code not in LISTS:
            raise row.fail("raw_list_code", f"{code!r} is not a Section 301 China list ({', '.join(LISTS)})")
        return list_node(code)
    key = row.text("record_key", required=True)
    if not re.fullmatch(r"S301-[A-Z0-9-]+", key):
        raise row.fail("record_key", f"{key!r} is not a key like S301-FRA-DST")
    return measure_node("us-301-" + key.removeprefix("S301-").lower())


def _tariff_action(row: Row, node: NamedNode, kind: str) -> Iterator[Triple]:
    """Dates and rates of a tariff action: one rate, or dated steps ("10%; raised to 25% effective …")."""
    day = row.date("action_date", required=True)
    if "suspended" in kind:
        yield node, TKG.scheduledStartDate, date(day)
        return
    yield node, TKG.startDate, date(day)
    yield from end_status(node)  # no bundled source says when (or whether) a list's duties ended
    steps: list[tuple[dt.date, Decimal]] = []
    for index, part in enumerate(row.raw("action").split(";")):
        plain = _ASIDE.sub("", part)  # "(announced as 10%, raised before it took effect)" is no step
        rates, when = PERCENT.findall(plain), _STEP_DATE.search(plain)
        if not rates:
            continue
        if len(rates) > 1 or (index > 0 and when is None):
            raise row.fail("action", f"cannot read one rate and its date from {part.strip()!r}")
        if when is None and (start := _FROM_DATE.search(plain)) and _iso_date(row, start.group(1)) != day:
            raise row.fail("action", f"{part.strip()!r} starts on another day than action_date {day}")
        steps.append((day if when is None else _iso_date(row, when.group(1)), Decimal(rates[0])))
    if not steps:
        raise row.fail("action", "a tariff action needs its rate (e.g. 'additional 25% duty')")
    if len(steps) == 1:
        yield node, TKG.rate, decimal(steps[0][1])
        return
    for start, rate in steps:
        step = measure_node(f"{node.value.rsplit('/', 1)[1]}/rate/{start.isoformat()}")
        yield step, A, TKG.DutyRate
        yield step, TKG.ofMeasure, node
        yield step, TKG.rate, decimal(rate)
        yield step, TKG.startDate, date(start)


def _iso_date(row: Row, value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise row.fail("action", f"{value!r} is not a date (YYYY-MM-DD)") from None


def _list_lines(ctx: BuildContext) -> dict[str, list[tuple[str, str]]]:
    """The HTS codes of each list, with where each was read; malformed codes fail the build."""
    lines: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for row in read_csv(ctx.data / LINES_FILE, required=LINE_COLUMNS):
        code = row.text("list", required=True)
        if code not in LISTS:
            raise row.fail("list", f"{code!r} is not a Section 301 China list ({', '.join(LISTS)})")
        hts = row.text("hts_code", required=True)
        if not hts.isdigit() or len(hts) not in (8, 10):
            raise row.fail("hts_code", f"{hts!r} is not an 8- or 10-digit HTS code")
        if row.integer("hts_digits", required=True) != len(hts):
            raise row.fail("hts_digits", f"says {row.raw('hts_digits')} digits, but {hts!r} has {len(hts)}")
        if note := row.text("note"):
            ctx.note(SOURCE, f"List {code}, HTS {hts}: source note {note!r}")
        lines[code].append((hts, f"{LINES_FILE}:{row.line}"))
    return lines


def _covers(ctx: BuildContext, row: Row, node: NamedNode, code: str,
            lines: dict[str, list[tuple[str, str]]]) -> Iterator[Triple]:
    """Every HTS line of the list, as a US tariff-line node; the curated line count is cross-checked."""
    covered = coarse = 0
    for hts, where in lines.get(code, []):
        if (product := ctx.products.tariff_line(USA, hts, where, EDITION)) is not None:
            covered += 1
            coarse += len(ctx.products.hs_parent(hts, EDITION) or "") < 6
            yield node, TKG.coversProduct, product
    stated = _LINE_COUNT.search(row.raw("products_scope"))
    count = len(lines.get(code, []))
    if stated and not stated.group(1) and int(stated.group(2).replace(",", "")) != count:
        ctx.note(SOURCE, f"List {code}: the curated row states {stated.group(2)} tariff lines, the USTR "
                         f"list file has {count} (later amendments, SOURCES.md 5a); all {count} are loaded")
    ctx.note(SOURCE, f"List {code}: {count} HTS lines, {covered} linked to HS 2022 ({coarse} only to a heading "
                     "or chapter: their 2018 subheading is not in HS 2022 and was split or is in a many-to-many group)")
