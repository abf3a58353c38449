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
from .economies import Code, resolve
from .measures import measure_id

router = APIRouter(prefix="/economies", tags=["Economies"])
MAX_LINKS = 20


class Partner(BaseModel):
    """An economy linked to the one asked about, and how: the links explain the edge."""

    economy: str = Field(examples=["CHN"])
    label: str | None = Field(None, examples=["China"])
    count: int = Field(description="Measures (either way), disputes or agreements linking the two.", examples=[8])
    roles: list[str] = Field(description="How the partner is linked, e.g. affected_by (its goods are targeted "
                                         "by the economy's measures), imposes_on, or dispute roles.",
                             examples=[["affected_by"]])
    links: list[str] = Field(default_factory=list, description=f"Ids of up to {MAX_LINKS} of the linking measures, "
                             "disputes or agreements (in id order), where the query names them (through measures: "
                             "the partner's measures naming this economy); `count` is the total.")


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
    agreements both are party to (in force on `as_of` if given), most links first: the catalog queries
    `partners_via_measures`, `partners_via_disputes` and `partners_via_agreements`."""
    economy = resolve(catalog, code)
    return paged(catalog, lambda: _partners(catalog, economy, via, as_of), lambda p: (-p["count"], p["economy"]),
                 limit, cursor, link=link, memo=("partners", economy, via, as_of))


# Each `via` is one catalog query giving a row per partner (`tradekg query partners_via_disputes -p economy=CHN`
# answers the same), and the kind of thing its links name.
_VIA = {"measures": ("partners_via_measures", "measure"), "disputes": ("partners_via_disputes", "dispute"),
        "agreements": ("partners_via_agreements", "agreement")}


def _partners(catalog: Catalog, economy: str, via: str, as_of: dt.date | None) -> list[dict[str, Any]]:
    name, kind = _VIA[via]
    day = as_of.isoformat() if as_of else None
    items, imposed = [], None
    for row in catalog.run(name, economy=economy, as_of=day):
        links = str(row.get("links") or "").split()  # every linking IRI, sorted (Query.tidy)
        roles = str(row["roles"]).split()
        item = {"economy": local(row["partner"]), "label": text(row.get("label")), "count": number(row["count"]),
                "roles": roles, "links": [ids.local(link, kind) for link in links[:MAX_LINKS]], "_iris": links}
        if "affected_by" in roles:  # the economy's own measures are counted, not named: the sources of all
            if imposed is None:     # its measures (in force on the day) stand for them
                imposed = catalog.sources(row_iris(catalog.run("measures", imposer=economy, as_of=day)))
            item["_sources"] = imposed
        items.append(item)
    return items


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
