"""``/links`` (ranked, explained paths between two economies) and ``/network/{view}`` (centrality,
communities, edges of a network view), over :mod:`tradekg.queries.paths`, ``.projections`` and ``.analyses``.

Projecting a view runs its catalog query and builds a networkx graph (the combined graph for paths
takes seconds), so projections are kept per (view, filters) while the read-only store is served.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

import networkx as nx
from fastapi import APIRouter, Depends, Path, Query
from pydantic import BaseModel, Field

from ...queries import analyses, paths, projections
from .. import pagination
from ..deps import Catalog, CatalogDep
from ..settings import DEFAULT_PAGE_SIZE
from .common import AsOf, Cursor, Limit, Page, PageLink, paged

router = APIRouter(tags=["Network"])
ViewName = Literal[tuple(projections.VIEWS)]  # type: ignore[valid-type]
MAX_PATHS = 50  # paths per page
MAX_RANK = 250  # paths a client can page through in all: each costs a shortest-path search


def graph_sources(graph: nx.Graph) -> list[str]:
    """The named graphs stating the triples behind a view's edges."""
    if "sources" not in graph.graph:
        graph.graph["sources"] = sorted({g for _, _, data in graph.edges(data=True)
                                         for triples in data.get("via", {}).values() for t in triples
                                         for g in t.graphs})
    return graph.graph["sources"]


class Triple(BaseModel):
    subject: str
    predicate: str
    object: str
    graphs: list[str] = Field(description="Named graphs stating this triple.")


class LinkModel(BaseModel):
    entity: str = Field(examples=["https://w3id.org/tradekg/id/agreement/rta/1087"])
    label: str
    code: str
    date: str | None = None
    triples: list[Triple]


class HopModel(BaseModel):
    source: str = Field(examples=["USA"])
    target: str = Field(examples=["MEX"])
    view: str = Field(examples=["agreements"])
    weight: int = Field(description="Links behind this hop; the stronger the tie, the cheaper the hop.")
    links: list[LinkModel]


class PathModel(BaseModel):
    """One path between the two economies, its hops explained by the agreements, disputes or measures behind them."""

    rank: int = Field(examples=[1])
    length: int = Field(examples=[1])
    cost: float
    economies: list[str] = Field(examples=[["USA", "MEX"]])
    hops: list[HopModel]


@router.get("/links", response_model=Page[PathModel], summary="How two economies are linked")
def links(catalog: CatalogDep, link: PageLink,
          source: Annotated[str, Query(description="Economy code, name or alias.", max_length=100, examples=["USA"])],
          target: Annotated[str, Query(description="Economy code, name or alias.", max_length=100, examples=["MEX"])],
          k: Annotated[int, Query(ge=1, le=MAX_PATHS, description="Paths per page.")] = 5,
          as_of: AsOf = None, cursor: Cursor = None) -> dict[str, Any]:
    """The `k` best paths between two economies over agreements, disputes and measures: shortest first, then
    by cost (1/weight per hop). Each hop lists the links behind it with their triples and named graphs.
    At most the best 250 paths can be paged through; work over the request budget answers 503."""
    from .economies import resolve

    a, b = resolve(catalog, source), resolve(catalog, target)
    after = pagination.decode_offset(cursor, MAX_RANK - 1) if cursor else 0
    day = as_of.isoformat() if as_of else None
    multi: nx.MultiGraph = catalog.memo("combined", (day,), lambda: paths.combined(catalog.store, as_of=day), 4)
    wanted = min(after + k, MAX_RANK)
    found = catalog.memo("paths", (day, a, b, wanted + 1), lambda: paths.k_paths(multi, a, b, k=wanted + 1), 64)
    ranked = [{"rank": i + 1, **p.as_dict(multi)} for i, p in enumerate(found)]
    chunk = ranked[after:wanted]
    following = pagination.encode((wanted,)) if len(ranked) > wanted and wanted < MAX_RANK else None
    graphs = sorted({g for p in chunk for h in p["hops"] for ln in h["links"] for t in ln["triples"]
                     for g in t["graphs"]})
    return {"items": chunk, "next": link.to(following), "limit": k, "sources": graphs}


class ViewInfo(BaseModel):
    view: str = Field(examples=["disputes"])
    about: str
    directed: bool
    filters: list[str] = Field(examples=[["as_of", "from", "to", "chapter"]])
    nodes: int | None = None
    edges: int | None = None


class Centrality(BaseModel):
    code: str = Field(examples=["USA"])
    label: str
    type: str = Field(examples=["economy"])
    degree: int
    strength: float
    betweenness: float
    eigenvector: float


class Community(BaseModel):
    community: int
    size: int
    members: list[str] = Field(examples=[["USA", "CAN", "MEX"]])


class Edge(BaseModel):
    source: str = Field(examples=["CHN"])
    target: str = Field(examples=["USA"])
    weight: int
    first: str | None = None
    last: str | None = None
    links: list[str] = Field(description="Ids of the disputes, measures or agreements behind the edge.")


class CommunityPage(Page[Community]):
    modularity: float


Filter = Annotated[str | None, Query(max_length=100)]
Year = Annotated[int | None, Query(ge=1900, le=2100, description="trade-covered view: the year of the flows "
                                                                 "(default: the latest with covered trade).")]


def _view(catalog: CatalogDep, view: Annotated[ViewName, Path()], as_of: AsOf = None,
          date_from: Annotated[AsOf, Query(alias="from")] = None, date_to: Annotated[AsOf, Query(alias="to")] = None,
          measure_type: Filter = None, agreement_type: Filter = None, chapter: Filter = None,
          year: Year = None) -> nx.Graph:
    """The projected view (kept per filters); a filter the view does not take is a 422 problem."""
    given = {"as_of": as_of, "from": date_from, "to": date_to, "measure_type": measure_type,
             "agreement_type": agreement_type, "chapter": chapter, "year": year}
    filters = {k: v.isoformat() if hasattr(v, "isoformat") else str(v) for k, v in given.items() if v}
    return catalog.memo("views", (view, tuple(sorted(filters.items()))),
                        lambda: projections.project(catalog.store, view, **filters), 16)


View = Annotated[nx.Graph, Depends(_view)]


def _key(graph: nx.Graph) -> tuple:
    return graph.graph.get("view"), tuple(sorted((graph.graph.get("filters") or {}).items()))


def _analysis(catalog: Catalog, graph: nx.Graph, name: str, run: Any) -> Any:
    return catalog.memo("analyses", (*_key(graph), name), run, 64)


@router.get("/network", response_model=list[ViewInfo], summary="The network views")
def views() -> list[dict[str, Any]]:
    """Every network view: what links the economies in it, and the filters it takes."""
    return [{"view": v.name, "about": v.about, "directed": v.directed, "filters": list(v.filters)}
            for v in projections.VIEWS.values()]


@router.get("/network/{view}", response_model=ViewInfo, summary="One network view: its size")
def network_view(view: ViewName, graph: View) -> dict[str, Any]:
    spec = projections.VIEWS[view]
    return {"view": view, "about": spec.about, "directed": spec.directed, "filters": list(spec.filters),
            "nodes": graph.number_of_nodes(), "edges": graph.number_of_edges()}


@router.get("/network/{view}/centrality", response_model=Page[Centrality], summary="Centrality in a view")
def centrality(view: ViewName, graph: View, catalog: CatalogDep, link: PageLink,
               by: Literal[analyses.MEASURES] = "degree",  # type: ignore[valid-type]
               limit: Limit = DEFAULT_PAGE_SIZE, cursor: Cursor = None) -> dict[str, Any]:
    """Degree, strength, betweenness (distance 1/weight) and eigenvector centrality per node, highest first."""
    page = paged(catalog, lambda: analyses.centrality(graph, by=by)[0],
                 lambda r: (-r[by], -r["strength"], r["code"] or r["node"]), limit, cursor, link=link,
                 memo=("centrality", *_key(graph), by))
    return {**page, "sources": graph_sources(graph)}


@router.get("/network/{view}/communities", response_model=CommunityPage, summary="Communities in a view")
def communities(view: ViewName, graph: View, catalog: CatalogDep, link: PageLink, limit: Limit = DEFAULT_PAGE_SIZE,
                cursor: Cursor = None) -> dict[str, Any]:
    """Louvain communities (weighted, fixed seed), largest first, with the partition's modularity."""
    rows, modularity = _analysis(catalog, graph, "communities", lambda: analyses.communities(graph))
    page = paged(catalog, rows, lambda c: (c["community"],), limit, cursor, link=link)
    return {**page, "sources": graph_sources(graph), "modularity": modularity}


@router.get("/network/{view}/edges", response_model=Page[Edge], summary="Edges of a view")
def edges(view: ViewName, graph: View, catalog: CatalogDep, link: PageLink, limit: Limit = DEFAULT_PAGE_SIZE,
          cursor: Cursor = None) -> dict[str, Any]:
    """The view's edges, heaviest first, with the ids of the links behind each."""
    page = paged(catalog, lambda: analyses.edge_rows(graph), lambda r: (-r["weight"], r["source"], r["target"]),
                 limit, cursor, link=link, memo=("edges", *_key(graph)))
    return {**page, "sources": graph_sources(graph)}
