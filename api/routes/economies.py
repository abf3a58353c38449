"""``/economies`` and ``/economies/{code}``: WTO members, observers and other economies, and a profile.

``{code}`` is an ISO 3166 code in any case, a name or an alias (EU, EEC, European Union, US,
Chinese Taipei); an unknown one answers 404 with the closest codes.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path
from pydantic import BaseModel, Field

from ..deps import Catalog, CatalogDep
from ..errors import NotFound
from ..settings import DEFAULT_PAGE_SIZE
from . import ids
from .common import Cursor, Limit, Page, PageLink, number, paged, text

router = APIRouter(prefix="/economies", tags=["Economies"])
Code = Annotated[str, Path(description="ISO 3166 alpha-3 or alpha-2 code in any case, a name, or an alias "
                                       "(EU, EEC, European Union, US, Chinese Taipei).", examples=["USA"],
                           max_length=100)]


class Economy(BaseModel):
    code: str = Field(examples=["USA"])
    iri: str = Field(examples=["https://w3id.org/tradekg/id/economy/USA"])
    label: str | None = Field(None, examples=["United States of America"])
    wto_member_since: str | None = Field(None, examples=["1995-01-01"])
    wto_observer: bool = Field(False, examples=[False])


class Aspect(BaseModel):
    aspect: str = Field(examples=["disputes as complainant"])
    value: str | None = Field(None, examples=["European Union"])
    count: int | None = Field(None, examples=[112])


class Profile(Economy):
    """An economy at a glance: its WTO status and how many agreements, measures and disputes involve it."""

    aspects: list[Aspect]
    see_also: dict[str, str] = Field(description="Where the lists behind the counts are.",
                                     examples=[{"disputes": "/economies/EUN/disputes"}])
    sources: list[str] = Field(default_factory=list)


def resolve(catalog: Catalog, code: str) -> str:
    """The economy's IRI, or a 404 with the closest codes and names (also for a valid ISO code the graph
    does not hold, such as ATA)."""
    economy = ids.economy(code, lambda: _known(catalog))
    if economy not in _economies(catalog):
        raise NotFound(f"{code!r} is not an economy in the graph", ids.suggest(code, _known(catalog)))
    return economy


def _economies(catalog: Catalog) -> dict[str, dict[str, Any]]:
    """Every economy in the graph by IRI (the `economies` query, built once)."""
    def build() -> dict[str, dict[str, Any]]:
        found: dict[str, dict[str, Any]] = {}
        for r in catalog.run("economies"):
            found.setdefault(str(r["economy"]), {
                "code": text(r.get("code")) or local(r["economy"]), "iri": str(r["economy"]),
                "label": text(r.get("label")), "wto_member_since": text(r.get("memberSince")),
                "wto_observer": str(r.get("observer")) == "true", "_iris": [str(r["economy"])]})
        return found
    return catalog.memo("economies", (), build, 1)


def _known(catalog: Catalog) -> list[tuple[str, str]]:
    return [(e["code"], e["label"] or "") for e in _economies(catalog).values()]


@router.get("", response_model=Page[Economy], summary="Every economy")
def economies(catalog: CatalogDep, link: PageLink, limit: Limit = DEFAULT_PAGE_SIZE,
              cursor: Cursor = None) -> dict[str, Any]:
    """WTO members, observers and other economies named by a source, by code (`economies`)."""
    return paged(catalog, lambda: list(_economies(catalog).values()), lambda e: (e["code"],), limit, cursor,
                 link=link, memo=("economies",))


@router.get("/{code}", response_model=Profile, summary="One economy's profile")
def profile(code: Code, catalog: CatalogDep) -> dict[str, Any]:
    """Name, WTO membership, and counts of agreements in force, measures and disputes (`economy_profile`)."""
    economy = resolve(catalog, code)
    found = _economies(catalog)[economy]
    aspects = [{"aspect": str(r["aspect"]), "value": text(r.get("value")) or None, "count": number(r.get("count"))}
               for r in catalog.run("economy_profile", economy=economy)]
    short = found["code"]
    return {**found, "aspects": aspects, "sources": catalog.sources([economy]),
            "see_also": {"partners": f"/economies/{short}/partners", "measures": f"/economies/{short}/measures",
                         "disputes": f"/economies/{short}/disputes"}}


def label(catalog: Catalog, economy: str) -> str | None:
    """An economy's name, by IRI (None for one the graph does not hold)."""
    return _economies(catalog).get(economy, {}).get("label")
