"""One ``tkg:Measure`` per US anti-dumping or countervailing duty order, derived from the records of the
Global Antidumping Database (gad-usa), the USITC list of orders in place (us-adcvd) and the WTO I-TIP
export (itip-us-ad), which describe the same orders. Each source's statements stay on its records
(``tkg:MeasureRecord``) in its own named graph; this graph holds the orders and links them both ways
(``prov:wasDerivedFrom`` record, ``tkg:recordOf`` order).

The match rule (explicit, no fuzzy matching):
1. An order is identified by its Commerce case number (A-570-983 anti-dumping, C-570-984 countervailing):
   ``measure/us-order/{number}``. A USITC entry is the order with its number (after the reviewed fixes of
   crosswalks/usitc_adcvd_order_fixes.csv). A GAD case with a final anti-dumping measure belongs to the
   order(s) of the number(s) in its CASE_ITA; several cases with one number are one order (one number,
   several product classes). A GAD case with a final measure and no number is its own order
   (``us-order/gad-{CASE_ID}``).
2. An I-TIP record that entered into force belongs to the order(s) of the GAD case it is linked to (same
   economy and Commerce initiation date, see itip_us_ad); failing that, to the USITC anti-dumping order of
   the same economy whose order date is its "In force" date, when exactly one order has that pair; failing that,
   it is its own order (``us-order/itip-{row}``, reported).
3. ``crosswalks/adcvd_order_matches.csv`` (record, order, evidence), reviewed by hand, overrides the
   rule for the records it names: ``order`` is the order key, or ``none`` for a record that is no order.
A GAD case without a final measure and an I-TIP record that never entered into force are investigations:
records of no order.

Facts of an order, with the precedence used when sources differ (differences are counted in the notes):
start = USITC order date, else GAD final measure date, else I-TIP "In force"; end = I-TIP "Withdrawn",
else GAD revocation when no newer source lists the order in force; otherwise ``tkg:endStatus`` in-force
with ``tkg:inForceAsOf`` the newest date a source lists it (I-TIP export 2020-09-10; the USITC list: its
latest order date, as the list is undated; GAD "IF": 2015-12-31, its Q4_2015 version), or not-sourced.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field

from pyoxigraph import NamedNode

from ..context import BuildContext
from ..sources import Row, read_csv
from ..terms import DCTERMS, PROV, TKG, date, text
from . import Triple
from .adcvd_common import AD, CVD, ISO_TIME, US, USA, gad_node, measure, measure_node, one_line, order_node, \
    source_date
from .gad_usa import MISSING, PRODUCTS, index as gad_index, read_cases
from .itip_us_ad import FILE as ITIP_FILE, gad_links, read_records
from .us_adcvd import read_orders
from .us_common import end_status

SOURCE = "us-adcvd-orders"
MATCHES = "crosswalks/adcvd_order_matches.csv"
ITIP_AS_OF = dt.date(2020, 9, 10)   # the export's date (file name and SOURCES.md 5c)
GAD_AS_OF = dt.date(2015, 12, 31)   # GAD version Q4_2015: "IF" = in force then
_KEY = re.compile(r"[AC]-\d{3}-\d{3}|gad-USA-AD-\d+[a-z]?(-[A-Z])?|itip-\d+")
_RECORD = re.compile(r"(gad|itip|usitc):(\S+)")


@dataclass
class Order:
    key: str
    economies: set[str] = field(default_factory=set)
    labels: dict[str, str] = field(default_factory=dict)        # source -> label part
    starts: dict[str, dt.date] = field(default_factory=dict)    # source -> date
    ends: dict[str, dt.date] = field(default_factory=dict)
    in_force: dict[str, dt.date] = field(default_factory=dict)
    initiated: list[dt.date] = field(default_factory=list)
    records: list[NamedNode] = field(default_factory=list)
    products: set[NamedNode] = field(default_factory=set)


def triples(ctx: BuildContext) -> Iterator[Triple]:
    overrides = _overrides(ctx)
    used: set[str] = set()
    orders: dict[str, Order] = {}
    counts: Counter[str] = Counter()

    def order(key: str) -> Order:
        return orders.setdefault(key, Order(key))

    def target(record: str, default: list[str]) -> list[str]:
        if record in overrides:
            used.add(record)
            key = overrides[record][0]
            return [] if key == "none" else [key]
        return default

    usitc, _ = read_orders(ctx)
    snapshot = max(o.ordered for o in usitc.values())
    for number, entry in usitc.items():
        for key in target(f"usitc:{number}", [number]):
            o = order(key)
            o.records.append(measure_node("us-adcvd", number))
            o.starts.setdefault("usitc", entry.ordered)
            o.in_force["usitc"] = snapshot
            o.labels.setdefault("usitc", f"{'; '.join(dict.fromkeys(entry.products))} from {entry.country}")
            if entry.economy:
                o.economies.add(entry.economy)

    gad_products = _gad_products(ctx)
    gad_orders: dict[str, list[str]] = {}
    for case in read_cases(ctx):
        row = case.row
        final = source_date(row, "F_AD_DATE", [ISO_TIME, US], MISSING)
        default = ([] if final is None else list(case.doc_numbers) or [f"gad-{case.case_id}"])
        keys = gad_orders[case.case_id] = target(f"gad:{case.case_id}", default)
        counts["gad investigations"] += not keys
        for key in keys:
            o = order(key)
            o.records.append(gad_node(case.case_id))
            o.initiated.append(case.initiated)
            if final is not None:
                o.starts["gad"] = min(final, o.starts.get("gad", final))
            revoked = source_date(row, "REVOKE_DATE", [ISO_TIME], (*MISSING, "IF"))
            if revoked is not None:
                o.ends["gad"] = max(revoked, o.ends.get("gad", revoked))
            if row.raw("REVOKE_DATE").strip() == "IF":
                o.in_force["gad"] = GAD_AS_OF
            o.labels.setdefault("gad", f"{one_line(row.text('PRODUCT', required=True))} from "
                                       f"{row.text('INV_CTY_NAME', required=True)}")
            if case.economy:
                o.economies.add(case.economy)
            o.products |= _case_products(gad_products, case.case_id)

    records = read_records(ctx)
    links, _ = gad_links(records, gad_index(ctx))
    by_order_date: dict[tuple[str, dt.date], list[str]] = defaultdict(list)
    for number, entry in usitc.items():
        if entry.economy and number.startswith("A-"):  # I-TIP lists anti-dumping measures only
            by_order_date[(entry.economy, entry.ordered)].append(number)
    for record in records:
        default: list[str] = []
        if record.in_force is not None:
            if record.number in links and gad_orders.get(links[record.number]):
                default, how = gad_orders[links[record.number]], "via GAD"
            elif len(record.economies) == 1 and len(by_order_date[(record.economies[0], record.in_force)]) == 1:
                default, how = by_order_date[(record.economies[0], record.in_force)], "via USITC order date"
            else:
                default, how = [f"itip-{record.number}"], "alone"
            counts[f"itip {how}"] += 1
        else:
            counts["itip investigations"] += 1
        for key in target(f"itip:{record.number}", default):
            o = order(key)
            o.records.append(measure_node("itip", str(record.number)))
            if record.initiated:
                o.initiated.append(record.initiated)
            if record.in_force:
                o.starts["itip"] = min(record.in_force, o.starts.get("itip", record.in_force))
            if record.withdrawn:
                o.ends["itip"] = record.withdrawn
            elif record.in_force:
                o.in_force["itip"] = ITIP_AS_OF
            o.labels.setdefault("itip", f"{one_line(record.row.text('Product description', required=True))} "
                                        f"from {' and '.join(record.partners)}")
            o.economies.update(record.economies)
            for code in dict.fromkeys(record.row.split("HS", ",")):
                if (product := ctx.products.tariff_line(USA, code, f"{ITIP_FILE}:{record.row.line}")) is not None:
                    o.products.add(product)

    for name in sorted(set(overrides) - used):
        raise overrides[name][1].fail("record", f"{name} is no record of the sources; review this row")
    for key in sorted(orders):
        yield from _order(orders[key], counts)
    ctx.note(SOURCE, f"{len(orders)} orders ({sum(k.startswith('A-') for k in orders)} AD by number, "
                     f"{sum(k.startswith('C-') for k in orders)} CVD, {sum(k.startswith('gad-') for k in orders)} "
                     f"GAD cases without a number, {sum(k.startswith('itip-') for k in orders)} I-TIP records "
                     f"matched to no other source) from {len(usitc)} USITC entries, GAD and I-TIP; "
                     f"{counts['gad investigations']} GAD cases and {counts['itip investigations']} I-TIP records "
                     f"are investigations without a measure; I-TIP records in force, by the rule: {counts['itip via GAD']} "
                     f"via GAD, {counts['itip via USITC order date']} via the USITC order date, "
                     f"{counts['itip alone']} unmatched, of which {len(used)} placed by the reviewed {MATCHES}")
    ctx.note(SOURCE, f"sources disagree on the start date of {counts['start differs']} orders and on the end of "
                     f"{counts['end differs']} (the precedence of the module docstring applied); "
                     f"{counts['end before listed']} orders end before a date a source still lists them in force "
                     f"(the end is kept); the USITC list is taken as in force on its latest order date, {snapshot}")


def _overrides(ctx: BuildContext) -> dict[str, tuple[str, Row]]:
    """Reviewed placements: record → (order key or 'none', the row that says so)."""
    found: dict[str, tuple[str, Row]] = {}
    for row in read_csv(ctx.data / MATCHES, required=("record", "order", "evidence")):
        record, key = row.text("record", required=True), row.text("order", required=True)
        if not _RECORD.fullmatch(record):
            raise row.fail("record", f"{record!r} is not a record like gad:USA-AD-1201, itip:218 or usitc:A-570-983")
        if key != "none" and not _KEY.fullmatch(key):
            raise row.fail("order", f"{key!r} is not an order key (A-570-983, gad-USA-AD-12, itip-17) or none")
        if len(row.text("evidence", required=True)) < 20:
            raise row.fail("evidence", "is too short to say why the record belongs there")
        if record in found:
            raise row.fail("record", f"{record} has a row already")
        found[record] = (key, row)
    return found


def _gad_products(ctx: BuildContext) -> dict[str, set[NamedNode]]:
    """Each GAD case's products, as the gad-usa loader reads them."""
    found: dict[str, set[NamedNode]] = defaultdict(set)
    for row in read_csv(ctx.data / PRODUCTS, required=("CASE_ID", "HS_CODE")):
        code = row.text("HS_CODE")
        if code is None or code in MISSING or not code.isdigit():
            continue
        if (product := ctx.products.tariff_line(USA, code, f"{PRODUCTS}:{row.line}")) is not None:
            found[row.text("CASE_ID", required=True)].add(product)
    return found


def _case_products(products: dict[str, set[NamedNode]], case_id: str) -> set[NamedNode]:
    """A case's products; the rows of USA-AD-44 also belong to USA-AD-44a and 44b (see gad_usa)."""
    return products.get(case_id) or products.get(re.sub(r"[a-z]$", "", case_id), set())


def _order(o: Order, counts: Counter[str]) -> Iterator[Triple]:
    node = order_node(o.key)
    kind = CVD if o.key.startswith("C-") else AD
    start = o.starts.get("usitc") or o.starts.get("gad") or o.starts.get("itip")
    counts["start differs"] += len(set(o.starts.values())) > 1
    newer_in_force = "usitc" in o.in_force or "itip" in o.in_force
    end = o.ends.get("itip") or (o.ends.get("gad") if not newer_in_force else None)
    counts["end differs"] += len(set(o.ends.values())) > 1 or ("gad" in o.ends and newer_in_force)
    listed = max(o.in_force.values(), default=None)
    counts["end before listed"] += end is not None and listed is not None and end < listed
    begun = min(o.initiated, default=start)
    what = "anti-dumping" if kind == AD else "countervailing duty"
    label = o.labels.get("usitc") or o.labels.get("gad") or o.labels.get("itip") or o.key
    number = o.key if re.fullmatch(r"[AC]-\d{3}-\d{3}", o.key) else None
    yield from measure(node, f"{label} (US {what} order {number or 'without a Commerce number'})", kind,
                       sorted(o.economies), begun)
    yield node, DCTERMS.identifier, text(o.key)
    if number:
        yield node, TKG.docCaseNumber, text(number)
    if o.initiated:
        yield node, TKG.initiationDate, date(min(o.initiated))
    if start is not None:
        yield node, TKG.startDate, date(start)
    yield from end_status(node, end, None if end is not None else listed)
    for record in dict.fromkeys(o.records):
        yield node, PROV.wasDerivedFrom, record
        yield record, TKG.recordOf, node
    for product in o.products:
        yield node, TKG.coversProduct, product
