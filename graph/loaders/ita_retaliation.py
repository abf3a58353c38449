"""Foreign retaliation against US goods in force on 2025-03-28: the US International Trade Administration's
product matrix (SOURCES.md 7a), one measure per imposing economy with its national tariff lines and rates.

The file is a snapshot, not a history: it names no measure, no effective date and no legal act, so each
measure gets ``tkg:inForceAsOf 2025-03-28`` (``tkg:endStatus`` in-force) and no start date (none is invented), and it cannot tell Canada's
two March 2025 lists apart. The rate is the row's "current total estimated retaliatory tariff", which
appears to be the sum of all retaliatory increments on the line, MFN excluded (an inference of SOURCES.md,
said so on each measure). One rate for every line of an imposer is the measure's ``tkg:rate``; otherwise
each line's rate is a ``tkg:DutyRate``. Codes of six digits or fewer (Turkey's) are HS codes and point to
their HS 2022 node, the code kept on the duty rate; longer ones are the imposer's tariff lines, taken to be
in HS 2022, the edition national tariffs used in 2025 (the file does not say).
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterator
from decimal import Decimal

from ..context import BuildContext
from ..sources import Row, read_csv
from ..terms import A, RDFS, TKG, date, decimal, economy, text
from . import Triple
from .us_common import end_status, measure_node, measure_type

SOURCE = "ita-retaliation-2025"
FILE = "ita-foreign-retaliation-2025/ita_retaliation_product_matrix_2025-03-28.csv"
LINE, COUNTRY, RATE, HS6 = ("Foreign National Tariff Line", "Country", "Current Total Estimated Retaliatory Tariff",
                            "HS Subheading")
COLUMNS = (LINE, COUNTRY, "Foreign Tariff Line Description", RATE, "Source.Name", HS6)
AS_OF = dt.date(2025, 3, 28)
EDITION = "HS 2022"
_RATE = re.compile(r"(\d+(?:\.\d+)?)%")
USA = "USA"
SNAPSHOT = ("A snapshot: the US International Trade Administration's matrix of foreign retaliation lists these "
            "lines as subject to retaliatory tariffs on US goods on 2025-03-28. It gives no start date, end date "
            "or legal act, and may merge several of the imposer's measures. The rates are the matrix's estimated "
            "total retaliatory tariff per line, which appears to exclude the MFN duty.")


def snapshot_node(code: str):
    """``measure/chn-retaliation-snapshot-2025-03-28``."""
    return measure_node(f"{code.lower()}-retaliation-snapshot-{AS_OF.isoformat()}")


def triples(ctx: BuildContext) -> Iterator[Triple]:
    lines: dict[str, list[tuple[str, Decimal, Row]]] = defaultdict(list)
    for row in read_csv(ctx.data / FILE, required=COLUMNS):
        code = row.text(LINE, required=True)
        if not code.isdigit() or len(code) not in (4, 6, 8, 10):
            raise row.fail(LINE, f"{code!r} is not a tariff line or HS code of 4, 6, 8 or 10 digits")
        if row.text(HS6, required=True) != code[:6]:
            raise row.fail(HS6, f"{row.raw(HS6)!r} is not the first six digits of {code}")
        match = _RATE.fullmatch(row.text(RATE, required=True))
        if match is None:
            raise row.fail(RATE, f"{row.raw(RATE)!r} is not a percentage like 25.0%")
        imposer = ctx.economy(row.text(COUNTRY, required=True), f"{FILE}:{row.line}")
        if imposer is None or imposer == USA:
            raise row.fail(COUNTRY, f"{row.raw(COUNTRY)!r} is not an economy retaliating against the US")
        lines[imposer].append((code, Decimal(match.group(1)).normalize(), row))
    for imposer in sorted(lines):
        yield from _measure(ctx, imposer, lines[imposer])


def _measure(ctx: BuildContext, imposer: str, lines: list[tuple[str, Decimal, Row]]) -> Iterator[Triple]:
    node = snapshot_node(imposer)
    name = lines[0][2].text(COUNTRY)
    yield node, A, TKG.Measure
    yield node, RDFS.label, text(f"{name}: retaliatory tariffs on US goods in force on {AS_OF.isoformat()} "
                                 "(ITA snapshot)")
    yield node, TKG.imposedBy, economy(imposer)
    yield node, TKG.affects, economy(USA)
    yield node, TKG.measureType, measure_type("retaliatory-tariff")
    yield from end_status(node, in_force_as_of=AS_OF)
    yield node, TKG.stage, text("in force (snapshot)")
    yield node, RDFS.comment, text(SNAPSHOT)
    rates = {rate for _, rate, _ in lines}
    if len(rates) == 1:
        yield node, TKG.rate, decimal(next(iter(rates)))
    seen: set[str] = set()
    for code, rate, row in lines:
        if code in seen:
            raise row.fail(LINE, f"{code} is listed twice for {name}")
        seen.add(code)
        product = ctx.products.tariff_line(imposer, code, f"{FILE}:{row.line}")
        if product is None:
            continue
        yield node, TKG.coversProduct, product
        if len(code) > 6:
            yield product, TKG.nomenclature, text(EDITION)
        if len(rates) == 1 and len(code) > 6:
            continue
        step = measure_node(f"{node.value.rsplit('/', 1)[1]}/rate/{code}")
        yield step, A, TKG.DutyRate
        yield step, TKG.ofMeasure, node
        yield step, TKG.onProduct, product
        yield step, TKG.rate, decimal(rate)
        if len(code) <= 6:
            yield step, TKG.productCode, text(code)
    coarse = sum(len(ctx.products.hs_parent(code) or "") < min(6, len(code)) for code in seen)
    ctx.note(SOURCE, f"{imposer}: {len(lines)} lines ({coarse} linked only to an HS 2022 heading or chapter), rates {', '.join(f'{r:f}%' for r in sorted(rates))}")
