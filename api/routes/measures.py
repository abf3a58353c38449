"""``/measures``: trade measures (US Section 232/301/201, MFN tariff, USMCA labour cases …)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, Field

from ..deps import CatalogDep
from ..errors import NotFound
from ..settings import DEFAULT_PAGE_SIZE
from . import ids
from .common import AsOf, Cursor, Limit, Page, PageLink, local, number, paged, text
from .trade import TradeCovered, trade_covered

router = APIRouter(prefix="/measures", tags=["Measures"])
MeasureId = Annotated[str, Path(description="The measure's id: the end of its IRI after /id/measure/.",
                                examples=["us-232-steel"], max_length=200)]


def measure_id(value: Any) -> str:
    return ids.local(str(value), "measure")


class Measure(BaseModel):
    """A measure in a list."""

    id: str = Field(examples=["us-232-steel"])
    iri: str = Field(examples=["https://w3id.org/tradekg/id/measure/us-232-steel"])
    label: str | None = Field(None, examples=["US Section 232 tariff on steel articles, from 2018-03-23"])
    imposer: str | None = Field(None, examples=["USA"])
    types: list[str] = Field(default_factory=list, examples=[["section-232"]])
    start: str | None = Field(None, examples=["2018-03-23"])
    end: str | None = None


class MeasureDetail(Measure):
    """Everything the graph says about one measure, with the sources that say it."""

    identifier: str | None = Field(None, examples=["S232-STEEL-2018"])
    decision_date: str | None = None
    rate: str | None = Field(None, examples=["25"])
    stage: str | None = None
    legal_bases: list[str] = Field(default_factory=list, examples=[["us-trade-expansion-act-1962-s232"]])
    affects: list[str] = Field(default_factory=list, description="Economies the measure names; empty for "
                               "measures on imports from all origins.", examples=[["CHN"]])
    products: int = Field(0, description="Number of HS products (any level) it covers.", examples=[168])
    pages: list[str] = Field(default_factory=list, description="Web pages the facts were taken from.")
    responds_to: list[str] = Field(default_factory=list, description="Measures this one answers (tkg:respondsTo), "
                                   "e.g. a retaliation's target.", examples=[["us-232-steel"]])
    responded_to_by: list[str] = Field(default_factory=list, description="Measures answering this one: the "
                                       "retaliation against it.", examples=[["chn-retaliation-2018-04-02"]])
    sources: list[str] = Field(default_factory=list)
    trade_covered: list[TradeCovered] = Field(default_factory=list, description="The targets' exports to the "
                                              "imposer on the products it covers, per year it was in force, "
                                              "source of flows and method (`trade_covered`).")


def _last(value: Any) -> list[str]:
    return [v.rsplit("/", 1)[-1] for v in str(value or "").split()]


def find(catalog, measure: str) -> list[dict]:
    """The measure's detail rows, or NotFound."""
    rows = catalog.run("measure_details", measure=ids.iri("measure", measure))
    if not rows:
        raise NotFound(f"no measure {measure!r} (`GET /measures` lists them)")
    return rows


Filter = Annotated[str | None, Query(max_length=200)]


@router.get("", response_model=Page[Measure], summary="Measures, filtered")
def measures(catalog: CatalogDep, link: PageLink, imposer: Filter = None, affected: Filter = None,
             affects: Annotated[str | None, Query(max_length=200, description="Same as `affected`: an economy the "
                                                  "measure names as a target.", examples=["USA"])] = None,
             type: Annotated[str | None, Query(max_length=200, description="A measure type: section-301, "
                                               "anti-dumping-duty, additional-tariff (includes narrower types)… or "
                                               "an IRI.", examples=["section-232"])] = None,
             hs: Annotated[str | None, Query(pattern=r"^[0-9.]{2,8}$", description="HS code at any level: measures "
                                             "covering it or a product under it.", examples=["7208"])] = None,
             legal_basis: Annotated[str | None, Query(max_length=200, description="A legal instrument id "
                                                      "(us-trade-act-1974-s301) or IRI.")] = None,
             as_of: AsOf = None, limit: Limit = DEFAULT_PAGE_SIZE, cursor: Cursor = None) -> dict[str, Any]:
    """Measures by imposing economy (any economy), targeted economy (`affected` or `affects`), type, HS product,
    legal basis, and in force on a date (`measures`), earliest start first."""
    from .economies import resolve

    affected = affected or affects
    params = {"imposer": imposer and resolve(catalog, imposer), "affected": affected and resolve(catalog, affected),
              "measure_type": type and _term("measure-type", type), "product": hs,
              "legal_basis": legal_basis and _term("legal", legal_basis), "as_of": as_of and as_of.isoformat()}
    given = {k: v for k, v in params.items() if v}

    def build() -> list[dict[str, Any]]:
        found: dict[str, dict[str, Any]] = {}
        for r in catalog.run("measures", **given):
            item = found.setdefault(str(r["measure"]), {
                "id": measure_id(r["measure"]), "iri": str(r["measure"]), "label": text(r.get("label")),
                "imposer": local(r.get("imposer")), "types": [], "start": text(r.get("start")),
                "end": text(r.get("end")), "_iris": [str(r["measure"])]})
            kind = local(r.get("measureType"))
            if kind and kind not in item["types"]:
                item["types"].append(kind)
        return list(found.values())

    return paged(catalog, build, lambda m: (m["start"] or "9999", m["id"]), limit, cursor, link=link,
                 memo=("measures", tuple(sorted(given.items()))))


def _term(kind: str, value: str) -> str:
    return value if value.startswith(("http://", "https://")) else ids.iri(kind, value.strip())


class MeasurePartner(BaseModel):
    """An economy linked to a measure: imposing it, named by it, or disputing it."""

    economy: str = Field(examples=["CHN"])
    label: str | None = Field(None, examples=["China"])
    roles: list[str] = Field(examples=[["complainant"]])
    disputes: list[str] = Field(default_factory=list, description="Disputes through which the link runs.",
                                examples=[["DS544"]])


@router.get("/{measure:path}/partners", response_model=Page[MeasurePartner], summary="Economies linked to a measure")
def measure_partners(measure: MeasureId, catalog: CatalogDep, link: PageLink, limit: Limit = DEFAULT_PAGE_SIZE,
                     cursor: Cursor = None) -> dict[str, Any]:
    """Who imposes the measure, whom it names, and who challenged it in which dispute (`economies_linked_to_measure`)."""
    find(catalog, measure)
    return paged(catalog, lambda: _partners(catalog, measure), lambda p: (p["economy"],), limit, cursor, link=link,
                 memo=("measure-partners", measure))


def _partners(catalog, measure: str) -> list[dict[str, Any]]:
    items: dict[str, dict[str, Any]] = {}
    for row in catalog.run("economies_linked_to_measure", measure=ids.iri("measure", measure)):
        item = items.setdefault(str(row["economy"]), {
            "economy": local(row["economy"]), "label": text(row.get("economyLabel")), "roles": [],
            "disputes": [], "_iris": [str(row["measure"])]})
        if str(row["role"]) not in item["roles"]:
            item["roles"].append(str(row["role"]))
        if "dispute" in row:
            item["disputes"].append(ids.local(str(row["dispute"]), "dispute"))
            item["_iris"].append(str(row["dispute"]))
    return list(items.values())


@router.get("/{measure:path}", response_model=MeasureDetail, summary="One measure")
def get_measure(measure: MeasureId, catalog: CatalogDep) -> dict[str, Any]:
    """A measure's imposer, types, legal bases, named partners, dates, rate and product count (`measure_details`)."""
    rows = find(catalog, measure)
    row = rows[0]
    links: dict[str, list[str]] = {"responds_to": [], "responded_to_by": []}
    for link in catalog.run("measure_responses", measure=str(row["measure"])):
        links[str(link["direction"])].append(measure_id(link["other"]))
    return {**links, "id": measure_id(row["measure"]), "iri": str(row["measure"]), "label": text(row.get("label")),
            "imposer": _last(row.get("imposer"))[0] if row.get("imposer") else None,
            "types": _last(row.get("types")), "start": text(row.get("start")), "end": text(row.get("end")),
            "identifier": text(row.get("identifier")), "decision_date": text(row.get("decision")),
            "rate": text(row.get("rate")), "stage": text(row.get("stage")),
            "legal_bases": _last(row.get("legalBases")), "affects": _last(row.get("affects")),
            "products": number(row.get("products")) or 0, "pages": str(row.get("pages") or "").split(),
            "sources": catalog.sources([str(row["measure"])]),
            "trade_covered": trade_covered(catalog, str(row["measure"]))}
