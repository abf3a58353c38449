"""US imports for consumption from China, Canada and Mexico in calendar 2024, by 10-digit HTS line
(SOURCES.md 8a), with the duties the Census Bureau calculated on them.

Each row is one ``tkg:TradeFlow`` from the partner to the USA in 2024, on the US tariff-line node of
its HTS10 code (under HS 2022 through the product linker: the 2024 HTS is HS 2022 based). Each HTS10
node also gets ``skos:broaderTransitive`` to its HTS8 line, so a measure listing HTS8 lines (Section 301)
reaches the HTS10 flows by an exact national-line match, with no string prefixes at query time.
Chapters 98/99 (special classification provisions) are national: they hang from US chapter nodes.

Source defects handled: values are text (``CON_VAL_YR``; ``imports`` is the same number as a float,
not used), and ``time`` is the December year-to-date, i.e. the calendar year; any other month fails.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..context import BuildContext
from ..sources import read_csv
from ..terms import SKOS
from . import Triple
from .trade_common import NATIONAL_CHAPTERS, USA, NationalProducts, flow, flow_node, partner, usd

SOURCE = "census-us-imports-hs10-2024"
FOLDER = "census-us-imports-hs10-2024"
FILES = ("2024-hs10-imports5700_china.csv", "2024-hs10-imports1220_canada.csv",
         "2024-hs10-imports2010_mexico.csv")
COLUMNS = ("CTY_NAME", "CON_VAL_YR", "CAL_DUT_YR", "I_COMMODITY", "time", "COMM_LVL", "CTY_CODE")
YEAR, PERIOD = 2024, "2024-12-01"
KIND = "census-hs10"
CHAPTER_LABELS = {"98": "US special classification provisions (HTS chapter 98)",
                  "99": "US temporary legislation and special provisions (HTS chapter 99)"}


def triples(ctx: BuildContext) -> Iterator[Triple]:
    national = NationalProducts(ctx.products)
    linked: set[str] = set()
    for name in FILES:
        path = ctx.data / FOLDER / name
        flows = 0
        for row in read_csv(path, required=COLUMNS):
            where = f"{FOLDER}/{name}:{row.line}"
            exporter = partner(row)
            if row.text("COMM_LVL") != "HS10":
                raise row.fail("COMM_LVL", f"{row.raw('COMM_LVL')!r}: this loader reads HS10 rows only")
            if row.text("time") != PERIOD:
                raise row.fail("time", f"{row.raw('time')!r}: expected {PERIOD}, the year-to-date of {YEAR}")
            code = row.text("I_COMMODITY", required=True)
            if not (code.isdigit() and len(code) == 10):
                raise row.fail("I_COMMODITY", f"{code!r} is not a 10-digit HTS code")
            if code[:2] in NATIONAL_CHAPTERS:
                product, described = national.line(code, CHAPTER_LABELS[code[:2]])
                yield from described
            else:
                product = ctx.products.tariff_line(USA, code, where)
                if product is None:
                    continue  # reported by the linker with the build notes
                if code not in linked:
                    hs8 = ctx.products.tariff_line(USA, code[:8], where)
                    if hs8 is not None:
                        yield product, SKOS.broaderTransitive, hs8
            linked.add(code)
            yield from flow(ctx, SOURCE, flow_node(KIND, exporter, USA, code, str(YEAR)), exporter, USA, product, YEAR,
                            usd(row, "CON_VAL_YR"), usd(row, "CAL_DUT_YR"))
            flows += 1
        ctx.note(SOURCE, f"{name}: {flows} flows (HTS10 lines) to the USA in {YEAR}")
