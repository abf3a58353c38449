"""China's additional duties on US goods, 2018-2019: one measure per round, each HS8 line with its dated steps.

Three staged files (SOURCES.md 7b-7d), each used where it is the primary source:

- Bown, Jung & Zhang's PIIE table (HS10, Jan 2018 - Jun 2019): the dated *change* columns of the rounds of
  2018-07-06, 2018-08-23 and 2018-09-24, the 2019-01-01 suspension on autos and parts, and the 2019-06-01
  change. Changes are the same for every HS10 line of an HS8 (checked: an HS8 whose lines differ is loaded
  at HS10 and reported), so a line is China's 8-digit tariff line, as the official lists have it.
- China's Ministry of Finance list of 128 items, the 2018-04-02 round's own list and rates; the PIIE column
  of that date is cross-checked against it and every difference reported.
- Waugh's HS6 series, a derived maximum over HS10 lines, only for the 2019-09-01 step, of which the other
  two files know nothing (they end on 2019-06-01): each HS6 whose level rose that day, with the rise.

Each line's step is a ``tkg:DutyRate``: ``tkg:rateChange`` is what the round changed (percentage points,
negative for the suspension), ``tkg:rate`` the additional duty on US goods after it (the sum of all
retaliation changes so far, which is how the PIIE table defines levels). The codes are China's 2018-2019
tariff lines, in HS 2017, linked into HS 2022 by their digits; lines keep their code and edition.
What each round answers (``tkg:respondsTo``) is reviewed data: crosswalks/measure_responses.csv.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation

from pyoxigraph import NamedNode

from ..context import BuildContext
from ..sources import Row, read_csv
from ..terms import A, RDFS, TKG, date, decimal, economy, text
from . import Triple
from .us_common import end_status, measure_node, measure_type

SOURCE = "china-retaliation-2018"
PIIE = "piie-china-tariffs-2018-2019/china_tariff_rates_hs10_bown_jung_zhang_2019-06-12.csv"
MOF = "china-mof-retaliation-2018-04/china_mof_list_128_items_2018-04-02.csv"
WAUGH = "waugh-china-tariff-on-us-hs6/china_tariff_level_on_us_hs6_max_2018-2019.csv"
CHN, USA, EDITION = "CHN", "USA", "HS 2017"
MOF_COLUMNS = ("序号", "税则号列", "商品名称", "加征关税税率(%)")
WAUGH_COLUMNS = ("time_of_tariff", "hs6", "tariff")
# The rounds: start date, the PIIE column (None: the MOF list), and what the label says.
ROUNDS = (
    ("2018-04-02", None, "additional duties on 128 US products (MOF list)"),
    ("2018-07-06", "July 6, 2018 | Retaliation to US Section 301 tariffs ($34 billion)",
     "additional duties on US goods ($34 billion list)"),
    ("2018-08-23", "August 23, 2018 | Retaliation to US Section 301 tariffs ($16 billion)",
     "additional duties on US goods ($16 billion list)"),
    ("2018-09-24", "September 24, 2018 | Retaliation to US Section 301 tariffs ($60 billion)",
     "additional duties on US goods ($60 billion list)"),
    ("2019-01-01", "January 1, 2019 | Suspension of retaliation against US auto and parts (Section 301)",
     "suspension of additional duties on US autos and parts"),
    ("2019-06-01", "June 1, 2019 | Change of retaliation tariffs on some US products (subset of $60 billion)",
     "higher additional duties on part of the $60 billion list"),
)
PIIE_0402 = "April 2, 2018 | Retaliation to US Section 232 tariffs"
SEPT_2019 = "2019-09-01"
HS10 = "hs10"


def round_node(day: str) -> NamedNode:
    """``measure/chn-retaliation-2018-07-06``."""
    return measure_node(f"chn-retaliation-{day}")


def triples(ctx: BuildContext) -> Iterator[Triple]:
    changes = _piie(ctx)  # round date -> line code -> change
    changes[ROUNDS[0][0]] = _mof(ctx, changes.pop(PIIE_0402))
    level: dict[str, Decimal] = defaultdict(Decimal)
    lines_of: dict[str, set[str]] = {}
    for day, column, what in ROUNDS:
        node = round_node(day)
        yield from _measure(node, f"China: {what}, from {day}", day)
        yield node, RDFS.comment, text(
            f"Lines and rates from the {'MOF list of 128 items' if column is None else 'PIIE table (Bown, Jung and Zhang, 2019)'}"
            "; each line's tkg:DutyRate gives the change this round made (tkg:rateChange, percentage points) and the "
            "additional duty on US goods after it (tkg:rate, the sum of all retaliation changes so far).")
        lines_of[day] = set(changes[day])
        rates = set()
        for code in sorted(changes[day]):
            change = changes[day][code]
            level[code] += change
            product = ctx.products.tariff_line(CHN, code, f"{PIIE if day != ROUNDS[0][0] else MOF} ({day})", EDITION)
            if product is None:
                continue
            rates.add(change)
            yield node, TKG.coversProduct, product
            yield product, TKG.nomenclature, text(EDITION)
            yield from _step(node, day, code, product, change, level[code])
        if len(rates) == 1 and (rate := next(iter(rates))) > 0:
            yield node, TKG.rate, decimal(rate)
        ctx.note(SOURCE, f"round {day}: {len(changes[day])} lines, changes {_counts(changes[day].values())}")
    coarse = sorted(code for code in level if len(ctx.products.hs_parent(code, EDITION) or "") < 6)
    moved = sum(code[:6] not in ctx.products.hs_codes for code in level) - len(coarse)
    ctx.note(SOURCE, f"{len(level)} China tariff lines (HS 2017) in the rounds of 2018-04-02 to 2019-06-01; {moved} "
                     f"whose HS 2017 subheading is not in HS 2022 reach their HS 2022 subheading through UNSD's "
                     f"correlation; {len(coarse)} link only to an HS 2022 heading or chapter (their subheading was "
                     f"split or is in a many-to-many group: see tkg:hsEditionCode): "
                     f"{', '.join(coarse[:20])}{' …' if len(coarse) > 20 else ''}")
    yield from _parents(ctx, lines_of)
    yield from _september(ctx)


def _measure(node: NamedNode, label: str, day: str) -> Iterator[Triple]:
    yield node, A, TKG.Measure
    yield node, RDFS.label, text(label)
    yield node, TKG.imposedBy, economy(CHN)
    yield node, TKG.affects, economy(USA)
    yield node, TKG.measureType, measure_type("retaliatory-tariff")
    yield node, TKG.startDate, date(dt.date.fromisoformat(day))
    yield node, TKG.stage, text("tariff action")
    yield from end_status(node)  # the files end in 2019 and say nothing of when a round ended


def _step(node: NamedNode, day: str, code: str, product: NamedNode, change: Decimal,
          level: Decimal | None) -> Iterator[Triple]:
    step = measure_node(f"{node.value.rsplit('/', 1)[1]}/rate/{code}")
    yield step, A, TKG.DutyRate
    yield step, TKG.ofMeasure, node
    yield step, TKG.onProduct, product
    yield step, TKG.rateChange, decimal(change)
    if level is not None:
        yield step, TKG.rate, decimal(level)
    yield step, TKG.startDate, date(dt.date.fromisoformat(day))


def _number(row: Row, column: str) -> Decimal | None:
    value = row.text(column)
    if value is None:
        return None
    try:
        return Decimal(value)
    except InvalidOperation:
        raise row.fail(column, f"{value!r} is not a number (percentage points)") from None


def _counts(values) -> str:
    counts: dict[Decimal, int] = defaultdict(int)
    for value in values:
        counts[value] += 1
    return ", ".join(f"{n} at {value:+}" for value, n in sorted(counts.items(), key=lambda kv: -kv[1]))


def _piie(ctx: BuildContext) -> dict[str, dict[str, Decimal]]:
    """The non-zero changes of each round by HS8 line (HS10 where an HS8's lines differ)."""
    columns = {PIIE_0402: PIIE_0402, **{column: day for day, column, _ in ROUNDS if column}}
    by_hs8: dict[str, dict[str, dict[str, Decimal]]] = defaultdict(lambda: defaultdict(dict))
    for row in read_csv(ctx.data / PIIE, required=(HS10, *columns)):
        code = row.text(HS10, required=True)
        if not (code[:10].isdigit() and len(code) == 10 or len(code) == 11 and code[10] in "AB"):
            raise row.fail(HS10, f"{code!r} is not a 10-digit code (with an A/B suffix at most)")
        for column, key in columns.items():
            by_hs8[key][code[:8]][code] = _number(row, column) or Decimal(0)
    changes: dict[str, dict[str, Decimal]] = {}
    for key, lines in by_hs8.items():
        changes[key] = {}
        for hs8, hs10s in lines.items():
            if len(set(hs10s.values())) == 1:
                if (value := next(iter(hs10s.values()))) != 0:
                    changes[key][hs8] = value
                continue
            ctx.note(SOURCE, f"{key}: the HS10 lines of {hs8} differ ({dict(hs10s)}); loaded at HS10")
            changes[key].update({code[:10]: v for code, v in hs10s.items() if v != 0})
    return changes


def _mof(ctx: BuildContext, piie: dict[str, Decimal]) -> dict[str, Decimal]:
    """The MOF list of 2018-04-02 (HS8 -> additional duty), cross-checked against the PIIE column."""
    listed: dict[str, Decimal] = {}
    for row in read_csv(ctx.data / MOF, required=MOF_COLUMNS):
        row.integer("序号", required=True)
        code = row.text("税则号列", required=True)
        if not (code.isdigit() and len(code) == 8):
            raise row.fail("税则号列", f"{code!r} is not an 8-digit China tariff line")
        rate = _number(row, "加征关税税率(%)")
        if rate is None or rate <= 0:
            raise row.fail("加征关税税率(%)", "every listed item needs its additional duty (a positive number)")
        if code in listed:
            raise row.fail("税则号列", f"{code} is listed twice")
        listed[code] = rate
    only_mof, only_piie = sorted(set(listed) - set(piie)), sorted(set(piie) - set(listed))
    differ = sorted(code for code in set(listed) & set(piie) if listed[code] != piie[code])
    ctx.note(SOURCE, f"2018-04-02: MOF list {len(listed)} items, PIIE column {len(piie)} HS8 lines; "
                     f"only in MOF {only_mof or 'none'}, only in PIIE {only_piie or 'none'}, "
                     f"different rate {differ or 'none'}; the MOF list is loaded")
    return listed


def _parents(ctx: BuildContext, lines_of: dict[str, set[str]]) -> Iterator[Triple]:
    """The suspension and the 2019-06-01 change adjust earlier rounds: those whose lines they touch."""
    for day in ("2019-01-01", "2019-06-01"):
        for earlier in ("2018-07-06", "2018-08-23", "2018-09-24"):
            if shared := lines_of[day] & lines_of[earlier]:
                yield round_node(day), TKG.parentMeasure, round_node(earlier)
                ctx.note(SOURCE, f"round {day} changes {len(shared)} lines of round {earlier}")


def _september(ctx: BuildContext) -> Iterator[Triple]:
    """The 2019-09-01 step: HS6 codes whose (HS6-maximum) level rose that day in Waugh's series."""
    levels: dict[str, dict[str, Decimal]] = defaultdict(dict)
    blank = 0
    for row in read_csv(ctx.data / WAUGH, required=WAUGH_COLUMNS):
        day = row.date("time_of_tariff", required=True)
        code = row.text("hs6", required=True)
        if not (code.isdigit() and len(code) == 6):
            raise row.fail("hs6", f"{code!r} is not a 6-digit HS code")
        if (value := _number(row, "tariff")) is None:
            blank += 1
            continue
        levels[code][day.isoformat()] = value
    node = round_node(SEPT_2019)
    yield from _measure(node, f"China: additional duties on US goods, from {SEPT_2019} (HS6 levels)", SEPT_2019)
    yield node, RDFS.comment, text(
        "Derived from Waugh's HS6 series (the highest level over the HS10 lines of each HS6); the products are "
        "the HS6 codes whose level rose on 2019-09-01, and each step's tkg:rateChange is that rise. The PIIE and "
        "MOF tables end before this date. No official HS8 list of this round is bundled.")
    risen = fell = coarse = 0
    for code in sorted(levels):
        before, after = levels[code].get("2019-06-01"), levels[code].get(SEPT_2019)
        if before is None or after is None or after == before:
            continue
        if after < before:
            fell += 1
            continue
        product = ctx.products.hs(code, f"{WAUGH} (hs6 {code})", EDITION)
        if product is None:
            continue
        coarse += len(ctx.products.hs_parent(code, EDITION) or "") < 6
        risen += 1
        yield node, TKG.coversProduct, product
        step = measure_node(f"chn-retaliation-{SEPT_2019}/rate/{code}")
        yield from _step(node, SEPT_2019, code, product, after - before, None)
        yield step, TKG.productCode, text(code)
        yield step, TKG.nomenclature, text(EDITION)
    ctx.note(SOURCE, f"round {SEPT_2019} (Waugh HS6): {risen} HS6 codes rose ({coarse} of them neither in HS 2022 "
                     f"nor correlated to one HS 2022 subheading, linked to their heading or chapter), {fell} fell (not loaded), "
                     f"{blank} rows without a level; other dates of the series are not loaded")
