"""``/trade``: trade flows between two economies per year and per month, and the trade a measure covers."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field
from rdflib import Literal

from ..deps import CatalogDep
from ..settings import DEFAULT_PAGE_SIZE
from .common import Cursor, Limit, Page, PageLink, local, number, paged, text

router = APIRouter(prefix="/trade", tags=["Trade"])
Economy = Annotated[str | None, Query(max_length=200, description="An economy code, name or IRI.", examples=["CHN"])]


def usd(term: Any) -> int | float | None:
    """A USD amount (xsd:decimal in the graph) as a JSON number."""
    if not isinstance(term, Literal):
        return None
    value = Decimal(str(term))
    return int(value) if value == value.to_integral_value() else float(value)


class TradeCovered(BaseModel):
    """The trade a measure covers in one year, from one source of flows, by one matching method."""

    year: int = Field(examples=[2024])
    exporter: str = Field(examples=["CHN"])
    importer: str = Field(examples=["USA"])
    basis: str = Field(description="in force that year; baseline: the year before it took effect.",
                       examples=["in force that year"])
    method: str = Field(description="exact national-line match; HS code match; HS6 aggregation (upper bound).",
                        examples=["exact national-line match"])
    source: str = Field(description="Named graph of the trade flows.",
                        examples=["https://w3id.org/tradekg/graph/census-us-imports-hs10-2024"])
    value_usd: int | float = Field(examples=[24089936836])
    duties_usd: int | float | None = Field(None, description="Calculated duties on those flows, where given.")
    flows: int = Field(examples=[1344])
    lines_matched: int = Field(description="The measure's lines with at least one flow.", examples=[706])


def trade_covered(catalog, measure_iri: str, year: int | None = None) -> list[dict[str, Any]]:
    """Rows of `trade_covered` for one measure (every year when ``year`` is None)."""
    params = {"measure": measure_iri, **({"year": str(year)} if year is not None else {})}
    return [{"year": number(r["flowYear"]), "exporter": local(r["exporter"]), "importer": local(r["importer"]),
             "basis": text(r["basis"]), "method": text(r["method"]), "source": text(r["source"]), "value_usd": usd(r["value"]),
             "duties_usd": usd(r.get("duties")), "flows": number(r["flows"]),
             "lines_matched": number(r["linesMatched"])} for r in catalog.run("trade_covered", **params)]


class TradeTotal(BaseModel):
    """The trade from an exporter to an importer in one year, from one source of flows."""

    exporter: str = Field(examples=["CHN"])
    importer: str = Field(examples=["USA"])
    year: int = Field(examples=[2019])
    source: str = Field(examples=["https://w3id.org/tradekg/graph/census-us-trade-hs2-monthly"])
    monthly: bool = Field(description="The source is monthly: its months are summed (2020 ends in October).")
    value_usd: int | float
    duties_usd: int | float | None = None
    flows: int


@router.get("", response_model=Page[TradeTotal], summary="Trade between economies per year")
def trade(catalog: CatalogDep, link: PageLink, exporter: Economy = None, importer: Economy = None,
          year: Annotated[int | None, Query(ge=1900, le=2100, examples=[2019])] = None,
          limit: Limit = DEFAULT_PAGE_SIZE, cursor: Cursor = None) -> dict[str, Any]:
    """Totals per exporter, importer, year and source of flows (`trade_between`): compare rows of one source."""
    from .economies import resolve

    given = {k: v for k, v in {"exporter": exporter and resolve(catalog, exporter),
                               "importer": importer and resolve(catalog, importer),
                               "year": None if year is None else str(year)}.items() if v}

    def build() -> list[dict[str, Any]]:
        return [{"exporter": local(r["exporter"]), "importer": local(r["importer"]), "year": number(r["flowYear"]),
                 "source": text(r["source"]), "monthly": str(r["monthly"]) == "true", "value_usd": usd(r["value"]),
                 "duties_usd": usd(r.get("duties")), "flows": number(r["flows"]), "_sources": [text(r["source"])]}
                for r in catalog.run("trade_between", **given)]

    return paged(catalog, build, lambda t: (t["year"], t["source"], t["exporter"], t["importer"]), limit, cursor,
                 link=link, memo=("trade", tuple(sorted(given.items()))))


class MonthlyTrade(BaseModel):
    """All HS chapters of one month from an exporter to an importer."""

    exporter: str = Field(examples=["CHN"])
    importer: str = Field(examples=["USA"])
    month: str = Field(examples=["2018-07"])
    value_usd: int | float
    duties_usd: int | float | None = None


@router.get("/monthly", response_model=Page[MonthlyTrade], summary="Trade between economies by month")
def monthly(catalog: CatalogDep, link: PageLink, exporter: Economy = None, importer: Economy = None,
            limit: Limit = DEFAULT_PAGE_SIZE, cursor: Cursor = None) -> dict[str, Any]:
    """Monthly totals over all HS chapters (`trade_by_month`; US Census data, 2013-01 to 2020-10)."""
    from .economies import resolve

    given = {k: v for k, v in {"exporter": exporter and resolve(catalog, exporter),
                               "importer": importer and resolve(catalog, importer)}.items() if v}

    def build() -> list[dict[str, Any]]:
        return [{"exporter": local(r["exporter"]), "importer": local(r["importer"]), "month": text(r["month"]),
                 "value_usd": usd(r["value"]), "duties_usd": usd(r.get("duties")),
                 "_sources": ["https://w3id.org/tradekg/graph/census-us-trade-hs2-monthly"]}
                for r in catalog.run("trade_by_month", **given)]

    return paged(catalog, build, lambda t: (t["exporter"], t["importer"], t["month"]), limit, cursor, link=link,
                 memo=("trade-monthly", tuple(sorted(given.items()))))
