"""US anti-dumping and countervailing duty orders in place about mid-2020, from the USITC's list.

One ``tkg:MeasureRecord`` per listed order at ``measure/us-adcvd/{Commerce case number}`` (the order
measure itself is ``measure/us-order/{number}``, derived by ``us_adcvd_orders``): anti-dumping or
countervailing duty by the number's A-/C- prefix, ``tkg:affects`` the country, ``tkg:startDate`` the
order date, and ``skos:closeMatch`` to the Global Antidumping Database case(s) with the same number.

The list is hand-kept and has defects (SOURCES.md 5c), handled on purpose and reported:
  * order dates mix mm/dd/yyyy and yyyy/mm/dd; anything else fails;
  * case numbers with en dashes, doubled hyphens or stray spaces are normalised;
  * 31 cells hold a wrong case number, AD/CVD flag or order date (rotated between neighbouring rows,
    typos) and one row repeats an order with wrong numbers; each is corrected (or the row dropped) by a
    reviewed row of ``crosswalks/usitc_adcvd_order_fixes.csv`` with its evidence, applied only if the
    cell still holds what the fix expects;
  * one row is empty, and seven have the country one column to the right (``Column2``);
  * one order (A-570-803, heavy forged hand tools) is listed once per product class: one measure.
A case number that is still malformed, disagrees with the AD/CVD column, or repeats for another
country or date fails the build, and so does an order dated before the initiation of the GAD case
with its number. The list's continuation dates and Federal Register links are not loaded.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from ..context import BuildContext
from ..sources import Row, read_csv
from ..terms import DCTERMS, SKOS, TKG, date, text
from . import Triple
from .adcvd_common import AD, CVD, US, USA, YMD_SLASH, economy_code, gad_node, measure_node, one_line, record, \
    source_date
from .gad_usa import index as gad_index

SOURCE = "us-adcvd"
ORDERS = "us-adcvd-syyunn/usitc_adcvd_orders.csv"
FIXES = "crosswalks/usitc_adcvd_order_fixes.csv"
COLUMNS = ("Order date", "DOC case No.", "AD/CVD", "Product", "Country", "Column2")
KINDS = {"A": AD, "C": CVD}
_DOC = re.compile(r"[AC]-\d{3}-\d{3}")
_DASHES = re.compile(r"[\u2010-\u2015\u2212-]+")


@dataclass
class Order:
    row: Row
    number: str
    country: str
    economy: str | None
    ordered: dt.date
    products: list[str] = field(default_factory=list)


def normalise(value: str) -> str:
    """``'\\xa0C–570-105 '`` → ``'C-570-105'``: any run of dashes is one hyphen, outer spaces go."""
    return _DASHES.sub("-", value).strip()


def triples(ctx: BuildContext) -> Iterator[Triple]:
    orders, counts = read_orders(ctx)
    skipped, dropped, shifted, merged, applied = (counts[k] for k in ("skipped", "dropped", "shifted", "merged",
                                                                     "applied"))
    economy_code(ctx, USA, ORDERS)
    gad = gad_index(ctx)
    linked = 0
    for order in orders.values():
        cases = gad.by_doc.get(order.number, [])
        linked += bool(cases)
        if cases and order.ordered < (begun := min(gad.initiated[case] for case in cases)):
            raise order.row.fail("Order date", f"{order.ordered} is before the initiation of GAD case(s) "
                                               f"{', '.join(cases)} ({begun}), which have the same case number")
        yield from _order(order, cases, gad.initiated)
    ctx.note(SOURCE, f"{len(orders)} orders ({sum(o.number[0] == 'A' for o in orders.values())} AD, "
                     f"{sum(o.number[0] == 'C' for o in orders.values())} CVD); {linked} linked to a GAD case by "
                     f"case number; {applied - dropped} cells corrected and {dropped} row(s) dropped by {FIXES}")
    ctx.note(SOURCE, f"{skipped} empty row(s) skipped; {shifted} rows with the country in Column2; "
                     f"{merged} rows merged into an order listed once per product class")


def read_orders(ctx: BuildContext) -> tuple[dict[str, "Order"], dict[str, int]]:
    """The list's orders by Commerce case number, with the reviewed fixes applied, and what was done."""
    fixes = _fixes(ctx)
    applied: set[tuple[int, str]] = set()
    orders: dict[str, Order] = {}
    skipped = dropped = shifted = merged = 0
    for row in read_csv(ctx.data / ORDERS, required=COLUMNS):
        if not any(value.strip() for value in row.values):
            skipped += 1
            continue
        if (row := _fixed(row, fixes, applied)) is None:
            dropped += 1
            continue
        number, flag = normalise(row.raw("DOC case No.")), normalise(row.raw("AD/CVD"))
        if not _DOC.fullmatch(number):
            raise row.fail("DOC case No.", f"{number!r} is not a Commerce case number like A-570-983 "
                                           f"(a reviewed correction belongs in {FIXES})")
        if flag != number[0]:
            raise row.fail("AD/CVD", f"{flag!r} disagrees with case number {number}")
        country = row.text("Country")
        if country is None:
            country = row.text("Column2")
            shifted += 1
            if country is None:
                raise row.fail("Country", "is empty (and so is Column2)")
        elif row.text("Column2") is not None:
            raise row.fail("Column2", "holds a second country")
        ordered = source_date(row, "Order date", [US, YMD_SLASH])
        if ordered is None:
            raise row.fail("Order date", "is empty, but every order has a date")
        product = one_line(row.text("Product", required=True))
        code = economy_code(ctx, country, f"{ORDERS}:{row.line}")
        if number in orders:
            order = orders[number]
            if (order.economy, order.ordered) != (code, ordered):
                raise row.fail("DOC case No.", f"{number} is also the order for {order.country} of {order.ordered}")
            merged += 1
        else:
            order = orders[number] = Order(row, number, country, code, ordered)
        order.products.append(product)
    for key in sorted(set(fixes) - applied):
        raise fixes[key][2].fail("line", f"this fix matches no row of {ORDERS}; review it")
    return orders, {"skipped": skipped, "dropped": dropped, "shifted": shifted, "merged": merged,
                    "applied": len(applied)}


Fixes = dict[tuple[int, str], tuple[str, str | None, Row]]  # (line, column) -> (found, corrected, fix row)


def _fixes(ctx: BuildContext) -> Fixes:
    fixes: Fixes = {}
    for row in read_csv(ctx.data / FIXES, required=("line", "column", "found", "corrected", "evidence")):
        key = (row.integer("line", required=True), row.text("column", required=True))
        if key[1] not in COLUMNS:
            raise row.fail("column", f"{key[1]!r} is not a column the loader reads")
        row.text("evidence", required=True)
        fixes[key] = (row.text("found", required=True), row.text("corrected"), row)  # no correction: drop
    return fixes


def _fixed(row: Row, fixes: Fixes, applied: set[tuple[int, str]]) -> Row | None:
    """The row with its reviewed corrections applied; None if a fix drops it."""
    values = list(row.values)
    for column in COLUMNS:
        if (fix := fixes.get((row.line, column))) is None:
            continue
        found, corrected, _ = fix
        if normalise(row.raw(column)) != found:
            raise row.fail(column, f"{normalise(row.raw(column))!r} is not {found!r}, which the reviewed fix in "
                                   f"{FIXES} expects; has the file changed?")
        applied.add((row.line, column))
        if corrected is None:
            return None
        values[row.column(column) - 1] = corrected
    return dataclasses.replace(row, values=values)


def _order(order: Order, cases: list[str], initiated: dict[str, dt.date]) -> Iterator[Triple]:
    node = measure_node("us-adcvd", order.number)
    kind = KINDS[order.number[0]]
    name = "anti-dumping" if kind == AD else "countervailing duty"
    products = "; ".join(dict.fromkeys(order.products))
    yield from record(node, f"{products} from {order.country} (US {name} order {order.number}, USITC list entry)",
                      [order.economy] if order.economy else [])
    yield node, TKG.stage, text(f"{name} order in place (USITC list, about mid-2020)")
    yield node, DCTERMS.identifier, text(order.number)
    yield node, TKG.docCaseNumber, text(order.number)
    yield node, TKG.startDate, date(order.ordered)
    for case in cases:
        yield node, SKOS.closeMatch, gad_node(case)
