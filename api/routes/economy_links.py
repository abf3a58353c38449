"""``/economies/{code}/partners``, ``/measures`` and ``/disputes``: what links an economy to others.

The answers are built from catalog rows once per question and kept (see :func:`.common.paged`), so a
page is a slice; ``as_of`` keeps what was in force on that day.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field

from ..deps import Catalog, CatalogDep, row_iris
from ..settings import DEFAULT_PAGE_SIZE
from . import ids
from .common import AsOf, Cursor, Limit, Page, PageLink, local, number, paged, text
from .disputes import dispute_id
from .economies import Code, label, resolve
from .measures import measure_id

router = APIRouter(prefix="/economies", tags=["Economies"])
MAX_LINKS = 20


class Partner(BaseModel):
    """An economy linked to the one asked about, and how: the links explain the edge."""

    economy: str = Field(examples=["CHN"])
    label: str | None = Field(None, examples=["China"])
    count: int = Field(description="Measures, disputes or agreements linking the two.", examples=[8])
    roles: list[str] = Field(description="How the partner is linked, e.g. affected_by (its goods are targeted "
                                         "by the economy's measures), imposes_on, or dispute roles.",
                             examples=[["affected_by"]])
    links: list[str] = Field(default_factory=list, description=f"Ids of up to {MAX_LINKS} of the linking measures, "
                             "disputes or agreements (in id order), where the query names them; "
                             "`count` is the total.")


class EconomyMeasure(BaseModel):
    measure: str = Field(examples=["us-301-list-1"])
    label: str | None = None
    imposer: str | None = Field(None, examples=["USA"])
    types: list[str] = Field(default_factory=list, examples=[["section-301"]])
    start: str | None = Field(None, examples=["2018-07-06"])
    end: str | None = None


class EconomyDispute(BaseModel):
    dispute: str = Field(examples=["DS544"])
    label: str | None = None
    role: str = Field(examples=["complainant"])
    counterparts: list[str] = Field(description="The other parties, with their roles as code:role.",
                                    examples=[["USA:respondent"]])
    requested: str | None = Field(None, examples=["2018-04-05"])


@router.get("/{code}/partners", response_model=Page[Partner], summary="Partners of an economy")
def partners(code: Code, catalog: CatalogDep, link: PageLink,
             via: Literal["measures", "disputes", "agreements"] = "measures",
             as_of: AsOf = None, limit: Limit = DEFAULT_PAGE_SIZE, cursor: Cursor = None) -> dict[str, Any]:
    """Economies linked to this one through trade measures (either way), disputes (any roles) or regional
    agreements both are party to (in force on `as_of` if given), most links first."""
    economy = resolve(catalog, code)
    return paged(catalog, lambda: _partners(catalog, economy, via, as_of), lambda p: (-p["count"], p["economy"]),
                 limit, cursor, link=link, memo=("partners", economy, via, as_of))


def _partners(catalog: Catalog, economy: str, via: str, as_of: dt.date | None) -> list[dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}

    def add(row: dict, partner: str, label: Any, role: str, link: str | None = None, count: int = 1) -> None:
        entry = found.setdefault(local(row[partner]) or "", {
            "economy": local(row[partner]), "label": text(row.get(label)) if label else None,
            "count": 0, "roles": set(), "links": set(), "_iris": []})
        entry["roles"].add(role)
        entry["_iris"].extend(row_iris([row]))
        if link:
            entry["links"].add(link)
            entry["count"] = len(entry["links"])
        else:
            entry["count"] += count

    if via == "measures":
        day = as_of.isoformat() if as_of else None
        # the counts name no measures: their sources are those of all the economy's measures
        imposed = catalog.sources(row_iris(catalog.run("measures", imposer=economy, as_of=day)))
        for row in catalog.run("partners_affected_by_measures", imposer=economy, **{"from": day, "to": day}):
            add(row, "partner", "partnerLabel", "affected_by", count=number(row.get("measures")) or 1)
            found[local(row["partner"]) or ""]["_sources"] = imposed
        for row in catalog.run("measures_affecting_economy", economy=economy, as_of=day):
            add(row, "imposer", "imposerLabel", "imposes_on", measure_id(row["measure"]))
    elif via == "disputes":
        for row in catalog.run("disputes_between", a=economy):
            if as_of is None or (text(row.get("requested")) or "9999") <= as_of.isoformat():
                add(row, "b", None, str(row["roleB"]), dispute_id(row["dispute"]))
                found[local(row["b"]) or ""]["label"] = label(catalog, str(row["b"]))
    else:
        for row in catalog.run("common_agreements", a=economy, as_of=as_of.isoformat() if as_of else None):
            add(row, "b", None, "party", ids.local(str(row["agreement"]), "agreement"))
            found[local(row["b"]) or ""]["label"] = label(catalog, str(row["b"]))
    return [{**e, "roles": sorted(e["roles"]), "links": sorted(e["links"])[:MAX_LINKS]} for e in found.values()]


@router.get("/{code}/measures", response_model=Page[EconomyMeasure], summary="Measures of an economy")
def economy_measures(code: Code, catalog: CatalogDep, link: PageLink, role: Literal["imposed", "affected"] = "affected",
                     as_of: AsOf = None, limit: Limit = DEFAULT_PAGE_SIZE, cursor: Cursor = None) -> dict[str, Any]:
    """Measures that name this economy as a target, or that it imposes (in force on `as_of` if given)."""
    economy = resolve(catalog, code)
    return paged(catalog, lambda: _measures(catalog, economy, role, as_of), lambda m: (m["start"] or "", m["measure"]),
                 limit, cursor, link=link, memo=("economy-measures", economy, role, as_of))


def _measures(catalog: Catalog, economy: str, role: str, as_of: dt.date | None) -> list[dict[str, Any]]:
    if role == "affected":
        rows = list(catalog.run("measures_affecting_economy", economy=economy,
                                as_of=as_of.isoformat() if as_of else None))
    else:
        rows = list(catalog.run("measures", imposer=economy, as_of=as_of.isoformat() if as_of else None))
    items: dict[str, dict[str, Any]] = {}
    for row in rows:
        item = items.setdefault(str(row["measure"]), {
            "measure": measure_id(row["measure"]), "label": text(row.get("measureLabel") or row.get("label")),
            "imposer": local(row.get("imposer")), "types": [], "start": text(row.get("start")),
            "end": text(row.get("end")), "_iris": [str(row["measure"])]})
        kind = local(row.get("measureType") or row.get("measure_type"))
        if kind and kind not in item["types"]:
            item["types"].append(kind)
    return list(items.values())


@router.get("/{code}/disputes", response_model=Page[EconomyDispute], summary="Disputes of an economy")
def economy_disputes(code: Code, catalog: CatalogDep, link: PageLink,
                     role: Literal["any", "complainant", "respondent", "third_party"] = "any",
                     limit: Limit = DEFAULT_PAGE_SIZE, cursor: Cursor = None) -> dict[str, Any]:
    """Disputes in which this economy takes part (in the given role), newest first, with the other parties."""
    economy = resolve(catalog, code)
    return paged(catalog, lambda: _disputes(catalog, economy, role), _newest_first, limit, cursor, link=link,
                 memo=("economy-disputes", economy, role))


def _disputes(catalog: Catalog, economy: str, role: str) -> list[dict[str, Any]]:
    items: dict[str, dict[str, Any]] = {}
    for row in catalog.run("disputes_between", a=economy):
        if role != "any" and str(row["roleA"]) != role:
            continue
        item = items.setdefault(f"{row['dispute']} {row['roleA']}", {
            "dispute": dispute_id(row["dispute"]), "label": text(row.get("label")), "role": str(row["roleA"]),
            "counterparts": [], "requested": text(row.get("requested")), "_iris": [str(row["dispute"])]})
        item["counterparts"].append(f"{local(row['b'])}:{row['roleB']}")
    for item in items.values():
        item["counterparts"].sort()
    return list(items.values())


def _newest_first(item: dict[str, Any]) -> tuple:
    return (-int((item["requested"] or "0000-00-00").replace("-", "")), item["dispute"], item["role"])
