"""A network view made ready for export: projected, filtered, with centrality, communities, WTO
status, dates and sources as plain attributes; :mod:`tradekg.graph.exporters` then writes any format.

Builds on :mod:`.projections` (the views), :mod:`.analyses` (centrality, communities, ego networks)
and :mod:`.paths` (the combined graph behind the ``ego`` view); it adds only what an analyst's tool
needs: attributes it can show, and the metadata that titles a picture.

Attributes (besides the projections' ``label``, ``type``, ``code``, ``bipartite``; edges' ``weight``,
``first``, ``last`` and the list of disputes, measures or agreements behind each edge):

* nodes: ``degree``, ``strength``, ``betweenness``, ``eigenvector`` (as in ``tradekg network
  centrality``), ``community`` (Louvain, fixed seed), for economies ``wto_status`` and
  ``member_since``, and ``sources``: the named graphs describing the node or stating its links;
* edges: ``spells`` (one ``(date, end)`` per dated link, for GEXF's timeline and the page's slider),
  ``dates`` (link → date) and ``sources``. The triples behind an edge (``via``) are summarised as
  ``sources`` and the list of links: ``tradekg network ego`` and ``/network/{view}/edges`` give them whole.
"""

from __future__ import annotations

import networkx as nx

from ..graph.errors import BadParameters
from ..graph.exporters import ExportMeta
from ..graph.store import Store
from . import CONVERTERS, analyses, paths, projections, run

EGO = "ego"  # the view around one entity: economies linked by agreements, disputes and measures
VIEWS = (*projections.VIEWS, EGO)
ABOUT_EGO = "economies linked by agreements, disputes and measures (one edge per kind), around one entity"


def _simple(graph: nx.Graph) -> nx.Graph:
    """A multigraph collapsed to one edge per pair (weights summed), for the measures that need that."""
    if not graph.is_multigraph():
        return graph
    simple = nx.DiGraph() if graph.is_directed() else nx.Graph()
    simple.add_nodes_from(graph.nodes(data=True))
    for u, v, d in graph.edges(data=True):
        w = d.get("weight", 1) + (simple[u][v]["weight"] if simple.has_edge(u, v) else 0)
        simple.add_edge(u, v, weight=w)
    return simple


def economies_filter(graph: nx.Graph, economies: str) -> nx.Graph:
    """Keep the listed economies (``USA,MEX``), the other nodes (measures, agreements) linked to one of
    them, and the edges among those; an unknown code is an error, as is a list none of whose economies
    has links in the view."""
    wanted = {str(CONVERTERS["economy"](code.strip())) for code in economies.split(",") if code.strip()}
    if not wanted:
        raise BadParameters(f"economies: expected codes such as USA,MEX, not {economies!r}")
    present = wanted & set(graph)
    if not present:
        raise BadParameters(f"none of {economies} has links in the {graph.graph.get('view')} view with these filters")
    keep = set(present)
    for node in present:
        keep.update(n for n in nx.all_neighbors(graph, node) if graph.nodes[n].get("type") != "economy")
    sub = graph.subgraph(keep).copy()
    sub.graph.update(graph.graph)
    return sub


def _base(store: Store, view: str, as_of: str | None, center: str | None, radius: int,
          filters: dict[str, str | None]) -> tuple[nx.Graph, str]:
    if view != EGO:
        spec = projections.view(view)  # a clear error for an unknown view
        graph = projections.project(store, view, as_of=as_of, **filters)
        return (analyses.ego(graph, center, radius) if center else graph), spec.about
    if not center:
        raise BadParameters("the ego view needs a center: an economy code or IRI (--center USA)")
    given = sorted(k for k, v in filters.items() if v not in (None, ""))
    if given:
        raise BadParameters(f"the ego view takes no {', '.join(given)} filter; it takes as_of")
    return analyses.ego(paths.combined(store, as_of=as_of), center, radius), ABOUT_EGO


def _edges(graph: nx.Graph):
    return graph.edges(keys=True, data=True) if graph.is_multigraph() else \
        ((u, v, None, d) for u, v, d in graph.edges(data=True))


def decorate(store: Store, graph: nx.Graph) -> set[str]:
    """Turn the projection's edge provenance into plain attributes (in place); the sources used."""
    node_sources: dict[str, set[str]] = {n: set() for n in graph}
    used: set[str] = set()  # the sources stating the view's links (not those merely describing a node)
    for u, v, key, d in _edges(graph):
        via, dates, ends = d.pop("via", {}) or {}, d.get("dates") or {}, d.get("ends") or {}
        graphs = sorted({g for triples in via.values() for t in triples for g in t.graphs})
        d["sources"] = graphs
        d["spells"] = sorted((str(dates[e]), ends.get(e)) for e in via if dates.get(e))
        stamps = sorted(str(x) for x in dates.values())
        d.setdefault("first", stamps[0] if stamps else None)
        d.setdefault("last", stamps[-1] if stamps else None)
        if key is not None:  # the combined graph: one edge per kind of link, which it names
            d["kind"], d["links"] = str(key), sorted(via)
        node_sources[u].update(graphs)
        node_sources[v].update(graphs)
        used.update(graphs)
    profiles: dict[str, dict] = {}
    for r in run(store, "economy_attributes"):
        p = profiles.setdefault(str(r["economy"]), {"graphs": set()})
        p["graphs"].add(str(r["graph"]))
        if "wto_status" in r:
            p["wto_status"] = str(r["wto_status"])
        if "member_since" in r:
            p["member_since"] = min(p.get("member_since", str(r["member_since"])), str(r["member_since"]))
    for n, d in graph.nodes(data=True):
        p = profiles.get(n)
        if p:
            d["wto_status"] = p.get("wto_status", "neither")
            if "member_since" in p:
                d["member_since"] = p["member_since"]
            node_sources[n].update(p["graphs"])
        d["sources"] = sorted(node_sources[n])
    return used


def add_scores(graph: nx.Graph) -> None:
    """Centrality scores and Louvain communities as node attributes (in place)."""
    simple = _simple(graph)
    rows, _ = analyses.centrality(simple)
    for *_, d in _edges(graph):
        d.pop("distance", None)  # 1/weight, set by the centrality measures: a working value, not data
    for row in rows:
        graph.nodes[row["node"]].update({k: row[k] for k in analyses.MEASURES})
    found, _ = analyses.communities(simple.to_undirected() if simple.is_directed() else simple)
    for community in found:
        for n in community["nodes"]:
            graph.nodes[n]["community"] = community["community"]


def export_view(store: Store, view: str, as_of: str | None = None, economies: str | None = None,
                center: str | None = None, radius: int = 1, **filters: str | None) -> tuple[nx.Graph, ExportMeta]:
    """The network view ``view`` (see :data:`VIEWS`) with its filters, ready for
    :func:`tradekg.graph.exporters.write`, and the metadata that titles it.

    >>> graph, meta = export_view(store, "disputes", **{"from": "2018-01-01", "to": "2024-12-31"})  # doctest: +SKIP
    >>> write(graph, "png", Path("disputes.png"), meta)                                             # doctest: +SKIP
    """
    if view not in VIEWS:
        raise BadParameters(f"no network view named {view!r}; the views are {', '.join(VIEWS)}")
    graph, about = _base(store, view, as_of, center, radius, filters)
    if economies:
        graph = economies_filter(graph, economies)
    used = decorate(store, graph)
    add_scores(graph)
    retrieved = {str(r["graph"]): str(r["retrieved"]) for r in run(store, "sources_retrieved")}
    dates = [retrieved[g] for g in used if g in retrieved]
    shown = {**({"as_of": as_of} if as_of else {}), **(graph.graph.get("filters") or {})}
    shown.update({k: v for k, v in {"economies": economies, "center": center and _code(graph, center),
                                    "radius": str(radius) if center else None}.items() if v})
    shown = {k: (v.rsplit("/", 1)[-1] if isinstance(v, str) and v.startswith("https://w3id.org/") else str(v))
             for k, v in shown.items()}
    return graph, ExportMeta(view=view, about=about, filters=shown, data_date=max(dates, default=None),
                             sources=tuple(sorted(used)))


def _code(graph: nx.Graph, center: str) -> str:
    node = graph.graph.get("center")
    return str(graph.nodes[node].get("code") or center) if node in graph else center
