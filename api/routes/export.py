"""``GET /export/{view}?format=…``: a network view as a file, the same as ``tradekg export``.

A thin shell over :func:`tradekg.queries.exports.export_view` and :func:`tradekg.graph.exporters.render`;
bad values (view, format, filters, economies, center) are 422 problems raised by the library.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query
from fastapi.responses import Response

from ...graph.exporters import FORMATS, MEDIA_TYPES, render
from ...queries.exports import VIEWS, export_view
from ..deps import CatalogDep
from .common import AsOf

router = APIRouter(tags=["Export"])
Format = Literal[tuple(FORMATS)]  # type: ignore[valid-type]
ViewName = Literal[VIEWS]  # type: ignore[valid-type]
Filter = Annotated[str | None, Query(max_length=100)]


@router.get("/export/{view}", summary="A network view as a file: GEXF, GraphML, Cytoscape, DOT, CSV, HTML, PNG, SVG",
            response_class=Response,
            responses={200: {"content": {MEDIA_TYPES[f]: {} for f in FORMATS},
                             "description": "The file; `html` is one offline page, `csv` a zip of two tables."}})
def export(catalog: CatalogDep, view: Annotated[ViewName, Path()], format: Format = "graphml",
           as_of: AsOf = None, date_from: Annotated[AsOf, Query(alias="from")] = None,
           date_to: Annotated[AsOf, Query(alias="to")] = None, measure_type: Filter = None,
           agreement_type: Filter = None, chapter: Filter = None,
           year: Annotated[int | None, Query(ge=1900, le=2100, description="trade-covered view: the year")] = None,
           economies: Annotated[str | None, Query(max_length=1000, description="Codes, e.g. USA,MEX")] = None,
           center: Annotated[str | None, Query(max_length=200, description="Economy code or IRI (ego network)")] = None,
           radius: Annotated[int, Query(ge=1, le=5)] = 1,
           size_by: Literal["degree", "strength", "betweenness", "eigenvector"] = "degree") -> Response:
    """The view with its filters in one of the formats of `tradekg export`: node and edge attributes
    (labels, codes, WTO status, centrality, communities, dates, sources), GEXF with time intervals for
    Gephi's timeline, Cytoscape.js JSON, and a self-contained page with no network requests."""
    from dataclasses import replace

    filters = {"from": date_from, "to": date_to, "measure_type": measure_type, "agreement_type": agreement_type,
               "chapter": chapter, "year": year}
    given = {k: (v.isoformat() if hasattr(v, "isoformat") else str(v)) for k, v in filters.items() if v}

    def work() -> tuple[bytes, object]:
        graph, meta = export_view(catalog.store, view, as_of=as_of.isoformat() if as_of else None,
                                  economies=economies, center=center, radius=radius, **given)
        return render(graph, format, replace(meta, size_by=size_by)), meta

    body, meta = catalog.budget.run(work, f"the {format} export of {view}")  # 503 past TRADEKG_REST_TIMEOUT
    disposition = "inline" if format in ("html", "png", "svg") else "attachment"
    return Response(body, media_type=MEDIA_TYPES[format], headers={
        "Content-Disposition": f'{disposition}; filename="{view}.{FORMATS[format]}"',
        "X-TradeKG-Sources": " ".join(meta.sources)})
