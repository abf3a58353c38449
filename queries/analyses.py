"""Analyses of a network view: centrality, communities and ego networks.

Weights are counts of links (disputes, agreements, measures), so a heavier edge is a *stronger* tie;
where an algorithm needs a distance (betweenness, shortest paths) the distance of an edge is
1 / weight. Results are plain rows (dicts) so the CLI, the API and notebooks share them.
"""

from __future__ import annotations

import networkx as nx

from ..graph.errors import BadParameters
from . import CONVERTERS

SEED = 42  # Louvain is randomised: a fixed seed gives the same communities on every run
MEASURES = ("degree", "strength", "betweenness", "eigenvector")
EXACT_UP_TO, SAMPLE = 1000, 200  # exact betweenness up to this many nodes, else from SAMPLE sources


def with_distance(graph: nx.Graph) -> nx.Graph:
    """Set ``distance = 1 / weight`` on every edge (in place), for path-based measures."""
    for _, _, data in graph.edges(data=True):
        data["distance"] = 1.0 / data.get("weight", 1)
    return graph


def node(graph: nx.Graph, value: str) -> str:
    """The node for an economy code, name or IRI (USA, us, China, an IRI), or a clear error."""
    if value in graph:
        return value
    candidate = value if value.startswith(("http://", "https://")) else str(CONVERTERS["economy"](value))
    if candidate not in graph:
        view, filters = graph.graph.get("view", "this"), graph.graph.get("filters") or {}
        given = f" with {', '.join(f'{k}={v}' for k, v in filters.items())}" if filters else ""
        raise BadParameters(f"{value!r} has no links in the {view} view{given}")
    return candidate


def _eigenvector(graph: nx.Graph) -> tuple[dict[str, float], str]:
    """Eigenvector centrality, or PageRank where the power iteration does not converge (it can fail on
    directed views whose links run mostly one way, e.g. measures); the method used is returned too."""
    if graph.number_of_edges() == 0:
        return {n: 0.0 for n in graph}, "none (no edges)"
    try:
        return nx.eigenvector_centrality(graph, max_iter=1000, tol=1e-6, weight="weight"), "eigenvector"
    except (nx.PowerIterationFailedConvergence, nx.NetworkXPointlessConcept, ZeroDivisionError):
        return nx.pagerank(graph, weight="weight"), "pagerank (eigenvector centrality did not converge)"


def centrality(graph: nx.Graph, top: int | None = None, by: str = "degree") -> tuple[list[dict], str]:
    """One row per node: degree (neighbours, in + out on directed views), strength (summed weight),
    betweenness (normalised, distance 1/weight) and eigenvector centrality (on directed views it
    counts incoming links, networkx's convention: the most-targeted rank first), sorted by ``by``.
    Returns the rows and the method that gave the eigenvector column."""
    if by not in MEASURES:
        raise BadParameters(f"cannot sort by {by!r}; choose one of {', '.join(MEASURES)}")
    uniform = len({d.get("weight", 1) for _, _, d in graph.edges(data=True)}) <= 1
    # Same answer without weights when they are all equal, and BFS is 3x faster than Dijkstra (measured).
    # Exact costs O(nodes x edges) in Python (26 s on economy-measure's 2,852 nodes): estimated above
    # EXACT_UP_TO nodes from SAMPLE sources, seeded, so the figures do not change between runs.
    sample = SAMPLE if len(graph) > EXACT_UP_TO else None
    betweenness = nx.betweenness_centrality(with_distance(graph), k=sample, seed=SEED,
                                            weight=None if uniform else "distance")
    eigen, method = _eigenvector(graph)
    if sample:
        method += f"; betweenness estimated from {sample} of {len(graph)} sources (seed {SEED})"
    rows = [{"node": n, "code": graph.nodes[n].get("code", ""), "label": graph.nodes[n].get("label", n),
             "type": graph.nodes[n].get("type", ""), "degree": graph.degree(n),
             "strength": graph.degree(n, weight="weight"), "betweenness": round(betweenness[n], 6),
             "eigenvector": round(eigen[n], 6)} for n in graph]
    rows.sort(key=lambda r: (-r[by], -r["strength"], r["code"] or r["node"]))
    return (rows[:top] if top else rows), method


def communities(graph: nx.Graph, resolution: float = 1.0) -> tuple[list[dict], float]:
    """Louvain communities (networkx, weighted, fixed seed), largest first, and their modularity."""
    if graph.number_of_edges() == 0:
        return [], 0.0
    found = nx.community.louvain_communities(graph, weight="weight", resolution=resolution, seed=SEED)
    ordered = sorted((sorted(c) for c in found), key=lambda c: (-len(c), c[0]))
    modularity = nx.community.modularity(graph, ordered, weight="weight", resolution=resolution)
    rows = [{"community": i + 1, "size": len(members),
             "members": [graph.nodes[m].get("code") or graph.nodes[m].get("label", m) for m in members],
             "nodes": members} for i, members in enumerate(ordered)]
    return rows, round(modularity, 6)


def ego(graph: nx.Graph, center: str, radius: int = 1) -> nx.Graph:
    """The nodes within ``radius`` links of ``center`` (either direction) and the edges among them."""
    if radius < 1:
        raise BadParameters(f"radius must be 1 or more, not {radius}")
    start = node(graph, center)
    # Not nx.ego_graph(undirected=True): it deep-copies every edge's triples first (9 s on agreements).
    either_way = graph.to_undirected(as_view=True) if graph.is_directed() else graph
    sub = graph.subgraph(nx.single_source_shortest_path_length(either_way, start, cutoff=radius)).copy()
    sub.graph.update(graph.graph, center=start, radius=radius)
    return sub


def edge_rows(graph: nx.Graph) -> list[dict]:
    """The edges of a (sub)graph as rows: ends by code, weight, and the IRIs behind each edge."""
    def code(n: str) -> str:
        return graph.nodes[n].get("code") or graph.nodes[n].get("label", n)
    rows = [{"source": code(u), "target": code(v), "weight": d.get("weight", 1), "first": d.get("first"),
             "last": d.get("last"), "via": sorted(d.get("via", {})), "source_iri": u, "target_iri": v,
             "links": [iri.rsplit("/", 1)[-1] for iri in sorted(d.get("via", {}))]}
            for u, v, d in graph.edges(data=True)]
    return sorted(rows, key=lambda r: (-r["weight"], r["source"], r["target"]))


def table(rows: list[dict], columns: list[str]) -> str:
    """An aligned text table of ``columns`` (lists shown joined, long cells cut)."""
    def cell(value: object) -> str:
        text = ", ".join(map(str, value)) if isinstance(value, (list, tuple)) else \
            ("" if value is None else f"{value:.4f}" if isinstance(value, float) else str(value))
        return text if len(text) <= 70 else text[:69] + "…"
    cells = [[cell(r.get(c)) for c in columns] for r in rows]
    widths = [max([len(c)] + [len(row[i]) for row in cells]) for i, c in enumerate(columns)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(columns, widths)).rstrip(),
             "  ".join("-" * w for w in widths)]
    lines += ["  ".join(v.ljust(w) for v, w in zip(row, widths)).rstrip() for row in cells]
    return "\n".join(lines) + f"\n({len(rows)} row{'s' if len(rows) != 1 else ''})\n"
