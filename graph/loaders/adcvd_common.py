"""What the US anti-dumping / countervailing duty loaders (gad_usa, us_adcvd, itip_us_ad, us_adcvd_orders)
share: source records, the core triples of a trade-remedy measure, strict date parsing, and economies that
no longer exist.

The three sources describe the same orders, so each states what it says about a proceeding as a
``tkg:MeasureRecord`` in its own named graph (:func:`record`), and ``us_adcvd_orders`` derives one
``tkg:Measure`` per order from them (``measure/us-order/{Commerce case number}``).

Legal basis: a US AD (CVD) duty is tied to the WTO Anti-Dumping Agreement (Agreement on Subsidies and
Countervailing Measures) only for proceedings begun from 1 January 1995, when those agreements took
effect; older measures get no legal basis rather than an anachronistic one. The agreement nodes are
the dispute gateway's (``agreement/wto/ADP``, ``agreement/wto/SCM``, labelled there), also typed
``tkg:LegalInstrument`` here.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator

import pycountry
from pyoxigraph import NamedNode

from ..context import BuildContext
from ..economies import iso_record
from ..sources import Row
from ..terms import A, RDFS, TKG, economy, instance, text
from . import Triple

USA = "USA"
WTO_START = dt.date(1995, 1, 1)
AD, CVD = "anti-dumping-duty", "countervailing-duty"
AGREEMENT = {AD: "ADP", CVD: "SCM"}

# Date shapes seen in these sources; each loader says which it accepts.
ISO = (re.compile(r"\d{4}-\d{2}-\d{2}"), "%Y-%m-%d", "YYYY-MM-DD")
ISO_TIME = (re.compile(r"\d{4}-\d{2}-\d{2} 00:00:00"), "%Y-%m-%d 00:00:00", "YYYY-MM-DD 00:00:00")
US = (re.compile(r"\d{1,2}/\d{1,2}/\d{4}"), "%m/%d/%Y", "mm/dd/yyyy")
YMD_SLASH = (re.compile(r"\d{4}/\d{2}/\d{2}"), "%Y/%m/%d", "yyyy/mm/dd")


def measure_node(*path: str) -> NamedNode:
    return instance("measure", *path)


def gad_node(case_id: str) -> NamedNode:
    """The agreed IRI of a Global Antidumping Database case: ``measure/gad/USA-AD-1234``."""
    return measure_node("gad", case_id)


def source_date(row: Row, column: str, formats: Iterable[tuple], missing: Iterable[str] = ()) -> dt.date | None:
    """A date in one of ``formats``; None when empty or one of the source's ``missing`` markers.

    Anything else (another layout, an impossible day) fails with the file, line and column.
    """
    value = row.raw(column).strip()
    if not value or value in set(missing):
        return None
    formats = list(formats)
    for pattern, layout, _ in formats:
        if pattern.fullmatch(value):
            try:
                return dt.datetime.strptime(value, layout).date()
            except ValueError:
                raise row.fail(column, f"{value!r} is not a real date") from None
    expected = " or ".join(name for _, _, name in formats)
    raise row.fail(column, f"{value!r} is not a date ({expected})")


def economy_code(ctx: BuildContext, name_or_code: str, where: str) -> str | None:
    """Reconcile an economy; a former one (ISO 3166-3, e.g. DDR, SUN) gets its ISO name as label."""
    code = ctx.economy(name_or_code, where)
    if code is not None and iso_record(code) is None and "iso" not in ctx.names[code]:
        if (former := pycountry.historic_countries.get(alpha_3=code)) is not None:
            ctx.name(code, former.name, "iso")
    return code


def measure(node: NamedNode, label: str, kind: str, affects: Iterable[str],
            begun: dt.date | None) -> Iterator[Triple]:
    """Type, label, imposing economy (the US), measure type, targets and WTO legal basis of a remedy."""
    yield node, A, TKG.Measure
    yield node, RDFS.label, text(label)
    yield node, TKG.imposedBy, economy(USA)
    yield node, TKG.measureType, instance("measure-type", kind)
    for code in affects:
        yield node, TKG.affects, economy(code)
    if begun is not None and begun >= WTO_START:
        agreement = instance("agreement", "wto", AGREEMENT[kind])
        yield agreement, A, TKG.LegalInstrument
        yield node, TKG.legalBasis, agreement


def one_line(value: str) -> str:
    """A label from a cell that may hold line breaks or doubled spaces."""
    return " ".join(value.split())


def record(node: NamedNode, label: str, economies: Iterable[str]) -> Iterator[Triple]:
    """A source's record of a proceeding: what it is and which origin it names; not a measure."""
    yield node, A, TKG.MeasureRecord
    yield node, RDFS.label, text(label)
    for code in economies:
        yield node, TKG.recordEconomy, economy(code)


def order_node(key: str) -> NamedNode:
    """The one measure of an order: ``measure/us-order/A-570-983`` (or a source's key where no number is known)."""
    return measure_node("us-order", key)
