"""``/disputes``: WTO and USMCA disputes, filtered by party, agreement, article, status, years and forum."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, Field

from ...graph.errors import BadParameters
from ..deps import ID, CatalogDep
from ..errors import NotFound
from ..settings import DEFAULT_PAGE_SIZE
from . import ids
from .common import Cursor, Limit, Page, PageLink, local, number, paged, text

router = APIRouter(prefix="/disputes", tags=["Disputes"])
DisputeId = Annotated[str, Path(description="DS544, ds544 or 544 for a WTO dispute; usmca/USMCA-MEX-GE-CORN "
                                            "(or USMCA-MEX-GE-CORN) for a USMCA one.", examples=["DS544"],
                                 max_length=120)]


def dispute_id(value: Any) -> str:
    """``…/dispute/DS544`` → ``DS544``; ``…/dispute/usmca/X`` → ``usmca/X``."""
    return ids.local(str(value), "dispute")


def _codes(value: Any) -> list[str]:
    return [v.rsplit("/", 1)[-1] for v in str(value or "").split()]


def _paths(value: Any, kind: str) -> list[str]:
    return [ids.local(v, kind) for v in str(value or "").split()]


class Dispute(BaseModel):
    """A dispute in a list: where and when it was brought, and its status (parties: see the dispute)."""

    id: str = Field(examples=["DS544"])
    iri: str = Field(examples=["https://w3id.org/tradekg/id/dispute/DS544"])
    label: str | None = Field(None, examples=["DS544: US — Steel and Aluminium Products (China)"])
    forum: str | None = Field(None, examples=["WTO"])
    consultations_requested: str | None = Field(None, examples=["2018-04-05"])
    status: str | None = Field(None, description="The WTO gateway's status code.", examples=["ST4"])


class DisputeDetail(Dispute):
    """Everything the graph says about one dispute, with the sources that say it."""

    complainants: list[str] = Field(default_factory=list, examples=[["CHN"]])
    respondents: list[str] = Field(default_factory=list, examples=[["USA"]])
    title: str | None = None
    short_title: str | None = None
    number: int | None = Field(None, examples=[544])
    status_label: str | None = None
    status_date: str | None = None
    panel_report_circulated: str | None = None
    appeal_date: str | None = None
    reports_adopted: bool | None = None
    outcome: str | None = None
    third_parties: list[str] = Field(default_factory=list, examples=[["JPN", "EUN"]])
    agreements: list[str] = Field(default_factory=list, examples=[["wto/GATT1994", "wto/SG"]])
    provisions: list[str] = Field(default_factory=list, examples=[["wto/GATT1994/article/XIX:1"]])
    measures: list[str] = Field(default_factory=list, examples=[["us-232-steel"]])
    products: list[str] = Field(default_factory=list, description="HS codes", examples=[["72", "73", "76"]])
    sources: list[str] = Field(default_factory=list)


Party = Annotated[str | None, Query(max_length=100, description="Economy code, name or alias.")]


@router.get("", response_model=Page[Dispute], summary="Disputes, filtered")
def disputes(catalog: CatalogDep, link: PageLink, complainant: Party = None, respondent: Party = None,
             third_party: Party = None,
             agreement: Annotated[str | None, Query(max_length=200, description="An agreement cited: GATT1994, "
                                                    "wto/SG, rta/1087 or an IRI.", examples=["GATT1994"])] = None,
             article: Annotated[str | None, Query(max_length=200, description="A provision cited (its paragraphs "
                                                  "count too): XXI with `agreement`, GATT1994:XXI, or an IRI.",
                                                  examples=["GATT1994:XXI"])] = None,
             status: Annotated[str | None, Query(pattern=r"^ST[0-9]+$", description="WTO gateway status code.",
                                                 examples=["ST4"])] = None,
             from_year: Annotated[int | None, Query(ge=1947, le=2100, examples=[2018])] = None,
             to_year: Annotated[int | None, Query(ge=1947, le=2100, examples=[2019])] = None,
             forum: Literal["WTO", "USMCA"] | None = None,
             invoked_exception: Annotated[str | None, Query(
                 max_length=200, description="A treaty exception the respondent invoked in its defence (its "
                 "paragraphs count too): GATT1994:XXI, TRIPS:73 or an IRI.", examples=["GATT1994:XXI"])] = None,
             limit: Limit = DEFAULT_PAGE_SIZE, cursor: Cursor = None) -> dict[str, Any]:
    """Disputes by party, cited agreement or article, status, years of the consultations request and forum,
    oldest first (`disputes`)."""
    from .economies import resolve

    params = {"complainant": complainant and resolve(catalog, complainant),
              "respondent": respondent and resolve(catalog, respondent),
              "third_party": third_party and resolve(catalog, third_party),
              "agreement": agreement and ids.agreement_candidates(agreement)[0],
              "provision": article and _provision(article, agreement),
              "status": status and f"{ID}ds-status/{status}", "forum": forum and f"{ID}forum/{forum}",
              "from": from_year and f"{from_year}-01-01", "to": to_year and f"{to_year}-12-31",
              "invoked_exception": invoked_exception and _provision(invoked_exception, None)}
    given = {k: v for k, v in params.items() if v}

    def build() -> list[dict[str, Any]]:
        found: dict[str, dict[str, Any]] = {}
        for r in catalog.run("disputes", **given):
            found.setdefault(str(r["dispute"]), {
                "id": dispute_id(r["dispute"]), "iri": str(r["dispute"]), "label": text(r.get("label")),
                "forum": local(r.get("forum")), "consultations_requested": text(r.get("requested")),
                "status": local(r.get("status")), "_iris": [str(r["dispute"])]})
        return list(found.values())

    return paged(catalog, build, lambda d: (d["consultations_requested"] or "9999", d["id"]), limit, cursor, link=link,
                 memo=("disputes", tuple(sorted(given.items()))))


def _provision(article: str, agreement: str | None) -> str:
    """GATT1994:XXI, GATT1994/XXI, wto/GATT1994/article/XXI, an IRI, or XXI with the agreement given."""
    if article.startswith(("http://", "https://")):
        return article
    if "/article/" in article:
        return ids.iri("agreement", article if article.startswith("wto/") else f"wto/{article}")
    head, sep, tail = article.replace("/", ":", 1).partition(":") if ":" in article or "/" in article \
        else ("", "", article)
    base = head or (agreement and ids.local(ids.agreement_candidates(agreement)[0], "agreement"))
    if not base:
        raise BadParameters("article: name the agreement too, as GATT1994:XXI or with `agreement=GATT1994`")
    base = base if "/" in base else f"wto/{base}"
    return ids.iri("agreement", f"{base}/article/{tail}")


@router.get("/{dispute:path}", response_model=DisputeDetail, summary="One dispute")
def get_dispute(dispute: DisputeId, catalog: CatalogDep) -> dict[str, Any]:
    """A dispute's parties, forum, dates, status, and what it cites and concerns (`dispute_details`)."""
    for candidate in ids.dispute_candidates(dispute):
        rows = catalog.run("dispute_details", dispute=candidate)
        if rows:
            return _detail(rows[0], catalog.sources([candidate]))
    raise NotFound(f"no dispute {dispute!r}; WTO disputes are DS1 to DS641, USMCA ones e.g. "
                   "usmca/USMCA-MEX-GE-CORN (`GET /disputes` lists them)")


def _detail(row: dict, sources: list[str]) -> dict[str, Any]:
    adopted = row.get("adopted")
    return {
        "id": dispute_id(row["dispute"]), "iri": str(row["dispute"]), "label": text(row.get("label")),
        "forum": local(row.get("forum")), "consultations_requested": text(row.get("requested")),
        "complainants": _codes(row.get("complainants")), "respondents": _codes(row.get("respondents")),
        "title": text(row.get("title")), "short_title": text(row.get("shortTitle")),
        "number": number(row.get("number")), "status": local(row.get("status")),
        "status_label": text(row.get("statusLabel")), "status_date": text(row.get("statusDate")),
        "panel_report_circulated": text(row.get("panelReport")), "appeal_date": text(row.get("appeal")),
        "reports_adopted": None if adopted is None else str(adopted) == "true", "outcome": text(row.get("outcome")),
        "third_parties": _codes(row.get("thirdParties")), "agreements": _paths(row.get("agreements"), "agreement"),
        "provisions": _paths(row.get("provisions"), "agreement"), "measures": _paths(row.get("measures"), "measure"),
        "products": _paths(row.get("products"), "hs2022"), "sources": sources,
    }

