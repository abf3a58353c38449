"""US imports from and exports to China, Canada and Mexico by HS chapter and month, January 2013 –
October 2020 (SOURCES.md 8b): the trade war's before and after.

Each row is one ``tkg:TradeFlow`` with ``tkg:month`` (and its ``tkg:year``), on the HS 2022 chapter
node. Imports are imports for consumption (``CON_VAL_MO``) with calculated duties (``CAL_DUT_MO``);
exports are total exports (``ALL_VAL_MO``, Schedule B chapters, which are the HS chapters).
Chapters 98 and 99 are US national chapters (special classification provisions), not HS 2022's
chapter-99 artefact: they get US chapter nodes, so monthly totals add up to the Census totals.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..context import BuildContext
from ..sources import read_csv
from . import Triple
from .trade_common import NATIONAL_CHAPTERS, USA, NationalProducts, flow, flow_node, partner, usd

SOURCE = "census-us-trade-hs2-monthly"
FOLDER = "census-us-trade-hs2-monthly-2013-2020"
PARTNER_FILES = ("5700data_china", "1220data_canada", "2010data_mexico")
KIND = "census-hs2-monthly"
_MONTH = re.compile(r"(\d{4})-(0[1-9]|1[0-2])")
# direction -> (value column, duty column or None, commodity column, description column)
DIRECTIONS = {"imports": ("CON_VAL_MO", "CAL_DUT_MO", "I_COMMODITY", "I_COMMODITY_SDESC"),
              "exports": ("ALL_VAL_MO", None, "E_COMMODITY", "E_COMMODITY_SDESC")}


def triples(ctx: BuildContext) -> Iterator[Triple]:
    national = NationalProducts(ctx.products)
    for direction, (value_col, duty_col, code_col, desc_col) in DIRECTIONS.items():
        required = tuple(c for c in (value_col, duty_col, code_col, desc_col, "time", "COMM_LVL", "CTY_CODE") if c)
        for stem in PARTNER_FILES:
            name = f"{direction}_{stem}.csv"
            flows = 0
            for row in read_csv(ctx.data / FOLDER / name, required=required):
                other = partner(row)
                exporter, importer = (other, USA) if direction == "imports" else (USA, other)
                if row.text("COMM_LVL") != "HS2":
                    raise row.fail("COMM_LVL", f"{row.raw('COMM_LVL')!r}: this loader reads HS2 rows only")
                month = row.text("time", required=True)
                if not (match := _MONTH.fullmatch(month)):
                    raise row.fail("time", f"{month!r} is not a month (YYYY-MM)")
                code = row.text(code_col, required=True)
                if not (code.isdigit() and len(code) == 2):
                    raise row.fail(code_col, f"{code!r} is not a 2-digit HS chapter")
                if code in NATIONAL_CHAPTERS:
                    product, described = national.chapter(code, f"{row.text(desc_col)} (US chapter {code})")
                    yield from described
                else:
                    product = ctx.products.hs(code, f"{FOLDER}/{name}:{row.line}")
                    if product is None:
                        continue  # reported by the linker with the build notes
                duties = usd(row, duty_col) if duty_col else None
                yield from flow(ctx, SOURCE, flow_node(KIND, exporter, importer, code, month), exporter, importer, product,
                                int(match.group(1)), usd(row, value_col), duties, month)
                flows += 1
            ctx.note(SOURCE, f"{name}: {flows} monthly flows by HS chapter")
