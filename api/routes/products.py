"""``/products/{hs}``: the measures and disputes touching an HS 2022 product, at any level of the tree."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, Field

from ..deps import CatalogDep
from ..settings import DEFAULT_PAGE_SIZE
from . import ids
from .common import Cursor, Limit, Page, PageLink, local, number, paged, text

router = APIRouter(prefix="/products", tags=["Products"])
Hs = Annotated[str, Path(description="An HS 2022 chapter, heading or subheading: 72, 7208 or 720810 (dots allowed).",
                         examples=["7208"], pattern=r"^[0-9.]{2,8}$")]


class ProductLink(BaseModel):
    """A measure covering the product, or a dispute concerning it, and the HS node through which it matched."""

    kind: Literal["measure", "dispute"] = Field(examples=["measure"])
    id: str = Field(examples=["us-232-steel"])
    label: str | None = None
    via: str | None = Field(None, description="The HS code that matched: the product itself, one under it "
                                              "(a measure on a subheading) or one above it (a dispute on a chapter).",
                            examples=["72"])
    matches: int | None = Field(None, description="How many HS nodes matched.")


class ProductPage(Page[ProductLink]):
    product: str = Field(examples=["7208"])


@router.get("/{hs}", response_model=ProductPage, summary="Measures and disputes on a product")
def product(hs: Hs, catalog: CatalogDep, link: PageLink,
            kind: Annotated[Literal["measure", "dispute"] | None, Query()] = None,
            limit: Limit = DEFAULT_PAGE_SIZE, cursor: Cursor = None) -> dict[str, Any]:
    """Measures covering the product or anything under it, and disputes concerning it or anything above it
    (`product_measures_and_disputes`)."""
    def build() -> list[dict[str, Any]]:
        rows = catalog.run("product_measures_and_disputes", product=hs)
        return [{"kind": str(r["kind"]), "id": ids.local(str(r["item"]), str(r["kind"])), "label": text(r.get("label")),
                 "via": local(r.get("via")), "matches": number(r.get("matches")), "_iris": [str(r["item"])]}
                 for r in rows if kind is None or str(r["kind"]) == kind]

    page = paged(catalog, build, lambda i: (i["kind"], i["id"]), limit, cursor, link=link, memo=("product", hs, kind))
    return {**page, "product": hs.replace(".", "")}
