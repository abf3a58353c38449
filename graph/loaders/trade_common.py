"""What the trade-flow loaders share: the US Census partner codes, flow IRIs, and reading USD values.

A flow is one ``tkg:TradeFlow`` node with seven or eight triples (type, exporter, importer, product,
year, month for monthly data, value in USD, calculated duties where the source gives them): about
100,000 flows in all, so nothing else is stated per flow. What the value means (imports for
consumption at customs value, or total exports) is said once, on the source's named graph.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

from pyoxigraph import Literal, NamedNode

from ..products import tariff_line_scheme, tariff_line_node
from ..sources import Row
from ..terms import A, SKOS, TKG, XSD, decimal, economy, instance, integer, text
from . import Triple

if TYPE_CHECKING:
    from ..context import BuildContext

USA = "USA"
# The Census Bureau's own country codes (CTY_CODE) of the three partners in these files.
CENSUS_PARTNERS = {"5700": ("CHN", "CHINA"), "1220": ("CAN", "CANADA"), "2010": ("MEX", "MEXICO")}
# HS chapters 98 and 99 are left to each country's own use; in US data they are the HTS's special
# classification provisions, not HS products (HS 2022's "99" in hs-datasets is a Comtrade artefact).
NATIONAL_CHAPTERS = frozenset({"98", "99"})


def flow_node(kind: str, exporter: str, importer: str, code: str, period: str) -> NamedNode:
    """``id/trade-flow/census-hs10/CHN-USA/8517130000/2024``: one per source kind, pair, product, period."""
    return instance("trade-flow", kind, f"{exporter}-{importer}", code, period)


def gyear(year: int) -> Literal:
    return Literal(f"{year:04d}", datatype=XSD.gYear)


def gyearmonth(month: str) -> Literal:
    return Literal(month, datatype=XSD.gYearMonth)


def partner(row: Row, column: str = "CTY_CODE") -> str:
    """The ISO alpha-3 code of a Census partner code; the name column must agree with it."""
    code = row.text(column, required=True)
    if code not in CENSUS_PARTNERS:
        raise row.fail(column, f"{code!r} is not a Census partner code this loader knows "
                               f"({', '.join(sorted(CENSUS_PARTNERS))})")
    iso, name = CENSUS_PARTNERS[code]
    if "CTY_NAME" in row.header and row.text("CTY_NAME") != name:
        raise row.fail("CTY_NAME", f"{row.raw('CTY_NAME')!r} does not match Census code {code} ({name})")
    return iso


def usd(row: Row, column: str) -> Decimal:
    """A non-negative amount in US dollars ("17300", "72252603.0"), normalised to a plain number."""
    value = row.text(column, required=True)
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise row.fail(column, f"{value!r} is not an amount in US dollars") from None
    if not number.is_finite() or number < 0:
        raise row.fail(column, f"{value!r} is not a non-negative amount in US dollars")
    return number.quantize(Decimal(1)) if number == number.to_integral_value() else number


@dataclass(frozen=True)
class FlowRecord:
    """What covered-trade sums need of one flow, kept in the build context (``ctx.flows``)."""

    source: str
    exporter: str
    importer: str
    product: NamedNode
    year: int
    value: Decimal
    duties: Decimal | None


def flow(ctx: BuildContext, source: str, node: NamedNode, exporter: str, importer: str, product: NamedNode,
         year: int, value: Decimal, duties: Decimal | None = None, month: str | None = None) -> Iterator[Triple]:
    """The triples of one trade flow; the flow is also recorded in ``ctx.flows``."""
    if not ctx.flows or ctx.flows[-1].source != source:  # once per source: the economies loader describes them
        for code in {exporter, importer, *(iso for iso, _name in CENSUS_PARTNERS.values()), USA}:
            ctx.economy(code, source)
    ctx.flows.append(FlowRecord(source, exporter, importer, product, year, value, duties))
    yield node, A, _FLOW
    yield node, _EXPORTER, _economy(exporter)
    yield node, _IMPORTER, _economy(importer)
    yield node, _PRODUCT, product
    yield node, _YEAR, gyear(year)
    if month is not None:
        yield node, _MONTH, gyearmonth(month)
    yield node, _VALUE, decimal(value)
    if duties is not None:
        yield node, _DUTIES, decimal(duties)


# Terms made once: a build writes about 100,000 flows.
_FLOW, _EXPORTER, _IMPORTER, _PRODUCT = TKG.TradeFlow, TKG.exporter, TKG.importer, TKG.product
_YEAR, _MONTH, _VALUE, _DUTIES = TKG.year, TKG.month, TKG.valueUSD, TKG.calculatedDutiesUSD
_economy = cache(economy)
gyear = cache(gyear)


def national_chapter(code: str, label: str) -> tuple[NamedNode, list[Triple]]:
    """A US national chapter (98, 99) as a product of the US tariff-line scheme, outside HS 2022."""
    node = tariff_line_node(USA, code)
    return node, [(node, A, TKG.Product), (node, A, SKOS.Concept), (node, SKOS.notation, text(code)),
                  (node, SKOS.inScheme, tariff_line_scheme(USA)), (node, TKG.hsLevel, integer(2)),
                  (node, SKOS.prefLabel, text(label))]


class NationalProducts:
    """US chapters 98/99 and their lines, described once per build in the graph of the first source using them.

    They are registered with the product linker too, so a later source naming the same line gets this
    node rather than a second description under HS 2022's chapter-99 artefact.
    """

    def __init__(self, linker) -> None:
        self.linker = linker

    def chapter(self, code: str, label: str) -> tuple[NamedNode, list[Triple]]:
        key = (USA, code)
        if key in self.linker.lines:
            return self.linker.lines[key], []
        node, described = national_chapter(code, label)
        self.linker.lines[key] = node
        return node, described

    def line(self, digits: str, chapter_label: str) -> tuple[NamedNode, list[Triple]]:
        """A national line (``9801001098``) under its national chapter."""
        key = (USA, digits)
        chapter, described = self.chapter(digits[:2], chapter_label)
        if key in self.linker.lines:
            return self.linker.lines[key], described
        node = tariff_line_node(USA, digits)
        self.linker.lines[key] = node
        return node, described + [
            (node, A, TKG.Product), (node, A, SKOS.Concept), (node, SKOS.notation, text(digits)),
            (node, SKOS.inScheme, tariff_line_scheme(USA)), (node, TKG.hsLevel, integer(len(digits))),
            (node, SKOS.broader, chapter), (node, SKOS.broaderTransitive, chapter)]
