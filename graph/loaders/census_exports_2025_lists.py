"""US exports in 2024 to Canada and China on the HS6 subheadings of their March 2025 retaliation lists
(SOURCES.md 8c).

Each row is one ``tkg:TradeFlow`` from the USA in 2024 on an HS 2022 subheading. The files hold only the
subheadings on the lists, so they are the whole 2024 flow of those subheadings, not of the listed
tariff items: Canada's list is at 8-digit tariff items, so summing HS6 overstates what it covers (an
upper bound: C$30 bn announced, US$39.2 bn here). The ``tariff`` column belongs to the measures (the
retaliation loaders), not to the flows; ``export_share`` and ``color`` are not used. Canada's list has
11 Schedule B chapter-98 codes (special classification): they hang from the US chapter-98 node.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..context import BuildContext
from ..sources import read_csv
from . import Triple
from .census_imports_hs10 import CHAPTER_LABELS
from .trade_common import NATIONAL_CHAPTERS, USA, NationalProducts, flow, flow_node, usd

SOURCE = "census-us-exports-2025-lists"
FOLDER = "census-us-exports-2024-on-2025-retaliation-lists"
FILES = {"canada-US-exports-030425.csv": "CAN", "china-10-percent-US-exports-030425.csv": "CHN",
         "china-15-percent-US-exports-030425.csv": "CHN"}
COLUMNS = ("exports", "description", "hs-code", "tariff")
YEAR = 2024
KIND = "census-hs6-exports"


def triples(ctx: BuildContext) -> Iterator[Triple]:
    seen: dict[tuple[str, str], str] = {}
    national = NationalProducts(ctx.products)
    for name, importer in FILES.items():
        flows = 0
        for row in read_csv(ctx.data / FOLDER / name, required=COLUMNS):
            where = f"{FOLDER}/{name}:{row.line}"
            code = row.text("hs-code", required=True)
            if not (code.isdigit() and len(code) == 6):
                raise row.fail("hs-code", f"{code!r} is not a 6-digit HS subheading")
            if (importer, code) in seen:
                raise row.fail("hs-code", f"{code} to {importer} is already in {seen[(importer, code)]}")
            seen[(importer, code)] = where
            if code[:2] in NATIONAL_CHAPTERS:  # Schedule B chapter 98 (special classification), not HS
                product, described = national.line(code, CHAPTER_LABELS[code[:2]])
                yield from described
            else:
                product = ctx.products.hs(code, where)
                if product is None:
                    continue  # reported by the linker with the build notes
                if (parent := ctx.products.hs_parent(code)) != code:
                    ctx.note(SOURCE, f"{where}: {code} is not in the bundled HS 2022 table; the flow is on {parent}")
            yield from flow(ctx, SOURCE, flow_node(KIND, USA, importer, code, str(YEAR)), USA, importer, product, YEAR,
                            usd(row, "exports"))
            flows += 1
        ctx.note(SOURCE, f"{name}: {flows} HS6 flows from the USA to {importer} in {YEAR}")
