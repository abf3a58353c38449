"""``/agreements``: WTO agreements, regional trade agreements (WTO RTA database) and DESTA treaties."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, Field

from ...graph.errors import BadParameters
from ..deps import ID, CatalogDep
from ..errors import NotFound
from ..settings import DEFAULT_PAGE_SIZE
from . import ids
from .common import AsOf, Cursor, Limit, Page, PageLink, local, paged, text

router = APIRouter(prefix="/agreements", tags=["Agreements"])
AgreementId = Annotated[str, Path(description="rta/1087 (or 1087) for a WTO RTA, wto/GATT1994 (or GATT1994) for a "
                                              "WTO agreement, desta/1007 for a DESTA treaty.",
                                  examples=["rta/1087"], max_length=200)]


def agreement_id(value: Any) -> str:
    return ids.local(str(value), "agreement")


class Party(BaseModel):
    economy: str = Field(examples=["MEX"])
    start: str | None = Field(None, description="When this party's membership began, where the source says.",
                              examples=["2020-07-01"])
    end: str | None = None


class Agreement(BaseModel):
    """An agreement in a list, with when it was in force (for the party asked about, if one was)."""

    id: str = Field(examples=["rta/1087"])
    iri: str = Field(examples=["https://w3id.org/tradekg/id/agreement/rta/1087"])
    label: str | None = Field(None, examples=["United States-Mexico-Canada Agreement (USMCA/CUSMA/T-MEC)"])
    types: list[str] = Field(default_factory=list, examples=[["FTA", "EIA"]])
    start: str | None = Field(None, examples=["2020-07-01"])
    end: str | None = None


class AgreementDetail(BaseModel):
    id: str = Field(examples=["rta/1087"])
    iri: str = Field(examples=["https://w3id.org/tradekg/id/agreement/rta/1087"])
    label: str | None = Field(None, examples=["United States-Mexico-Canada Agreement (USMCA/CUSMA/T-MEC)"])
    types: list[str] = Field(default_factory=list, examples=[["FTA", "EIA"]])
    signed: str | None = Field(None, examples=["2018-11-30"])
    in_force: str | None = Field(None, examples=["2020-07-01"])
    notation: str | None = Field(None, examples=["1087"])
    inactive: str | None = None
    status: str | None = Field(None, examples=["in-force"])
    coverage: str | None = Field(None, examples=["Goods & Services"])
    same_as: list[str] = Field(default_factory=list, examples=[["desta/1007"]])
    parties: list[Party] = Field(default_factory=list)
    sources: list[str] = Field(default_factory=list)


@router.get("", response_model=Page[Agreement], summary="Agreements, filtered")
def agreements(catalog: CatalogDep, link: PageLink,
               party: Annotated[str | None, Query(max_length=100, description="An economy party to it.",
                                                  examples=["MEX"])] = None,
               type: Annotated[Literal["FTA", "CU", "EIA", "PSA"] | None, Query(description="RTA type.")] = None,
               as_of: AsOf = None, limit: Limit = DEFAULT_PAGE_SIZE, cursor: Cursor = None) -> dict[str, Any]:
    """WTO agreements and regional trade agreements, by party, type, and in force on a date (`agreements`)."""
    from .economies import resolve

    params = {"party": party and resolve(catalog, party), "agreement_type": type and f"{ID}rta-type/{type}",
              "as_of": as_of and as_of.isoformat()}
    given = {k: v for k, v in params.items() if v}

    def build() -> list[dict[str, Any]]:
        found: dict[str, dict[str, Any]] = {}
        for r in catalog.run("agreements", **given):
            found.setdefault(str(r["agreement"]), {
                "id": agreement_id(r["agreement"]), "iri": str(r["agreement"]), "label": text(r.get("label")),
                "types": [t.strip() for t in str(r.get("type") or "").split("&") if t.strip()],
                "start": text(r.get("start")), "end": text(r.get("end")), "_iris": [str(r["agreement"])]})
        return list(found.values())

    return paged(catalog, build, lambda a: (a["id"],), limit, cursor, link=link,
                 memo=("agreements", tuple(sorted(given.items()))))


class CommonAgreement(BaseModel):
    """An agreement every one of the economies asked about is party to."""

    id: str = Field(examples=["rta/1087"])
    iri: str = Field(examples=["https://w3id.org/tradekg/id/agreement/rta/1087"])
    label: str | None = Field(None, examples=["United States-Mexico-Canada Agreement (USMCA/CUSMA/T-MEC)"])
    type: str | None = Field(None, examples=["FTA & EIA"])
    start: str | None = Field(None, description="When the last of the economies became party.",
                              examples=["2020-07-01"])
    end: str | None = None


# common_agreements takes the economies as its parameters a to e.
MAX_COMMON = 5
Economies = Annotated[str, Query(description=f"Two to {MAX_COMMON} economy codes or names, comma-separated "
                                             f"(more is refused with 422).",
                                 examples=["USA,MEX"], min_length=3, max_length=500)]


@router.get("/common", response_model=Page[CommonAgreement], summary="Agreements economies share")
def common(economies: Economies, catalog: CatalogDep, link: PageLink, as_of: AsOf = None,
           limit: Limit = DEFAULT_PAGE_SIZE,
           cursor: Cursor = None) -> dict[str, Any]:
    """Agreements every listed economy is party to (regional trade agreements, and DESTA treaties that match
    none), in force for all of them on `as_of` if given: the catalog query `common_agreements` with the
    economies as a, b, c, d, e. An economy named twice counts once."""
    from .economies import resolve

    codes = [c.strip() for c in economies.split(",") if c.strip()]
    if len(set(codes)) < 2:
        raise BadParameters("economies: give at least two different economies, e.g. USA,MEX")
    economies_ = list(dict.fromkeys(resolve(catalog, c) for c in codes))  # USA,us: one economy
    if len(economies_) < 2:
        raise BadParameters("economies: give at least two different economies, e.g. USA,MEX")
    if len(economies_) > MAX_COMMON:
        raise BadParameters(f"economies: at most {MAX_COMMON} economies (got {len(economies_)})")
    params = dict(zip("abcde", economies_))

    def build() -> list[dict[str, Any]]:
        rows = catalog.run("common_agreements", **params, as_of=as_of.isoformat() if as_of else None)
        return list({str(r["agreement"]): _common(r) for r in rows}.values())

    return paged(catalog, build, lambda a: (a["start"] or "", a["id"]), limit,
                 cursor, link=link, memo=("common", tuple(economies_), as_of))


def _common(row: dict) -> dict[str, Any]:
    return {"id": agreement_id(row["agreement"]), "iri": str(row["agreement"]), "label": text(row.get("label")),
            "type": text(row.get("type")), "start": text(row.get("start")), "end": text(row.get("end")),
            "_iris": [str(row["agreement"])]}


@router.get("/{agreement:path}", response_model=AgreementDetail, summary="One agreement")
def get_agreement(agreement: AgreementId, catalog: CatalogDep) -> dict[str, Any]:
    """An agreement's name, types, dates, status and parties with their own dates (`agreement_details`)."""
    for candidate in ids.agreement_candidates(agreement):
        rows = catalog.run("agreement_details", agreement=candidate)
        if rows:
            return _detail(rows, catalog.sources([candidate]))
    raise NotFound(f"no agreement {agreement!r}; ids look like rta/1087, wto/GATT1994 or desta/1007")


def _detail(rows: list[dict], sources: list[str]) -> dict[str, Any]:
    row = rows[0]
    parties = {str(r["party"]): r for r in rows if "party" in r}
    return {"id": agreement_id(row["agreement"]), "iri": str(row["agreement"]), "label": text(row.get("label")),
            "types": [v.rsplit("/", 1)[-1] for v in str(row.get("types") or "").split()],
            "signed": text(row.get("signed") or row.get("signedYear")),
            "in_force": text(row.get("inForce") or row.get("inForceYear")),
            "notation": text(row.get("notation")), "inactive": text(row.get("inactive")),
            "status": local(row.get("status")), "coverage": text(row.get("coverage")),
            "same_as": [agreement_id(v) for v in str(row.get("sameAs") or "").split()],
            "parties": [{"economy": local(r["party"]), "start": text(r.get("partyStart")),
                         "end": text(r.get("partyEnd"))} for _, r in sorted(parties.items())],
            "sources": sources}
