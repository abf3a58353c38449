"""Write a networkx graph for the tools analysts already use: Gephi, Cytoscape, Graphviz, a browser.

Graph-agnostic on purpose: a writer sees a networkx graph (any of Graph, DiGraph, MultiGraph,
MultiDiGraph) and an :class:`ExportMeta`, never a query or a store, so any view, subgraph or
notebook graph exports the same way. How attribute values are converted is in :mod:`.attrs`.

>>> write(graph, "gexf", Path("disputes.gexf"), ExportMeta(view="disputes"))   # doctest: +SKIP

Formats (extension in brackets): graphml, gexf (GEXF 1.3, with time intervals), cyjs (Cytoscape.js
JSON, ``{"elements": {"nodes": [...], "edges": [...]}}``), json (networkx node-link: ``nodes``,
``links``, ``source``, ``target``), dot (Graphviz, positions pinned: renders as it is), csv (a zip of ``nodes.csv`` and ``edges.csv``
with Gephi's column names), html (one offline page), png and svg (matplotlib).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import networkx as nx

from ..errors import BadParameters, ExportError

FORMATS: dict[str, str] = {  # format → file extension
    "graphml": "graphml", "gexf": "gexf", "cyjs": "cyjs", "json": "json", "dot": "dot", "csv": "zip",
    "html": "html", "png": "png", "svg": "svg",
}
MEDIA_TYPES: dict[str, str] = {
    "graphml": "application/graphml+xml", "gexf": "application/gexf+xml", "cyjs": "application/json",
    "json": "application/json", "dot": "text/vnd.graphviz", "csv": "application/zip",
    "html": "text/html; charset=utf-8", "png": "image/png", "svg": "image/svg+xml",
}
CENTRALITY = ("degree", "strength", "betweenness", "eigenvector")


@dataclass(frozen=True)
class ExportMeta:
    """What the picture or file says about itself: the view, its filters, how old the data is."""

    view: str = "graph"
    about: str = ""  # what an edge means, e.g. "complainant → respondent, weighted by the number of disputes"
    filters: dict[str, str] = field(default_factory=dict)
    data_date: str | None = None  # the latest retrieval date of the sources behind the view
    sources: tuple[str, ...] = ()  # the named graphs behind the view
    size_by: str = "degree"  # node attribute that sizes nodes (a centrality score)
    colour_by: str | None = None  # node attribute that colours nodes; None: type, else community
    label_top: int = 20  # the pictures label this many nodes (the rule is in .labels)
    creator: str = "tradekg"

    @property
    def title(self) -> str:
        """``disputes · from 2018-01-01 · to 2024-12-31 · data as of 2024-04-17``"""
        parts = [self.view] + [f"{k.replace('_', ' ')} {v}" for k, v in sorted(self.filters.items())]
        if self.data_date:
            parts.append(f"data as of {self.data_date}")
        return " · ".join(parts)

    def colour_attr(self, graph: nx.Graph) -> str:
        if self.colour_by:
            return self.colour_by
        types = {d.get("type") for _, d in graph.nodes(data=True)}
        has_community = any("community" in d for _, d in graph.nodes(data=True))
        return "community" if len(types) <= 1 and has_community else "type"


def _writers() -> dict[str, Callable[[nx.Graph, ExportMeta], bytes]]:
    from . import html, static, tables, xml

    return {"graphml": xml.graphml, "gexf": xml.gexf, "dot": xml.dot, "cyjs": tables.cyjs, "json": tables.node_link,
            "csv": tables.csv_zip, "html": html.page, "png": static.png, "svg": static.svg}


def check_format(fmt: str) -> str:
    if fmt not in FORMATS:
        raise BadParameters(f"no export format {fmt!r}; the formats are {', '.join(FORMATS)}")
    return fmt


def layout(graph: nx.Graph, seed: int = 42) -> dict[object, tuple[float, float]]:
    """Node positions in [-1, 1], the same on every run (fixed seed), unless every node already has
    ``x`` and ``y``. Each connected component is laid out on its own (Kamada-Kawai up to 25 nodes,
    then ForceAtlas2, past 1,000 the hubs first) in a square whose side grows with the
    square root of its size, and the squares are packed in rows, largest first, as Graphviz's
    ``pack`` does: a few small components no longer squeeze the main one into a corner."""
    if graph.number_of_nodes() and all("x" in d and "y" in d for _, d in graph.nodes(data=True)):
        return {n: (float(d["x"]), float(d["y"])) for n, d in graph.nodes(data=True)}
    simple = nx.Graph()
    simple.add_nodes_from(graph)
    simple.add_edges_from(graph.edges())
    parts = sorted((sorted(c, key=str) for c in nx.connected_components(simple)), key=lambda c: (-len(c), str(c[0])))
    boxes = []
    for nodes in parts:
        sub = simple.subgraph(nodes)
        if len(nodes) == 1:
            local = {nodes[0]: (0.0, 0.0)}
        elif len(nodes) <= 25:  # Kamada-Kawai draws small parts best; it took 2 s on 75 nodes
            local = nx.kamada_kawai_layout(sub, pos=nx.circular_layout(sub))
        elif len(nodes) <= 1000:  # ForceAtlas2, hubs dissuaded: the labels of the hubs stay readable
            local = nx.forceatlas2_layout(sub, seed=seed, max_iter=300, distributed_action=True)
        else:  # every force layout took 25-60 s on 2,850 nodes: lay out the hubs, place the rest
            local = _hubs_first(sub, seed)
        side = max(len(nodes) ** 0.5, 1.0)
        xs, ys = [p[0] for p in local.values()], [p[1] for p in local.values()]
        span = max(max(xs) - min(xs), max(ys) - min(ys)) or 1.0
        boxes.append((side, {n: ((x - min(xs)) / span * side, (y - min(ys)) / span * side)
                             for n, (x, y) in local.items()}))
    width = max(boxes[0][0], sum(side ** 2 for side, _ in boxes) ** 0.5 * 1.15) if boxes else 1.0
    pos, x0, y0, row = {}, 0.0, 0.0, 0.0
    for side, local in boxes:
        if x0 > 0 and x0 + side > width:
            x0, y0, row = 0.0, y0 + row + 0.6, 0.0
        pos.update({n: (x0 + x, -(y0 + side - y)) for n, (x, y) in local.items()})
        x0, row = x0 + side + 0.6, max(row, side)
    if not pos:
        return {}
    xs, ys = [p[0] for p in pos.values()], [p[1] for p in pos.values()]
    cx, cy = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2
    half = max(max(xs) - min(xs), max(ys) - min(ys)) / 2 or 1.0
    return {n: (round(float((x - cx) / half), 5), round(float((y - cy) / half), 5)) for n, (x, y) in pos.items()}


def _hubs_first(graph: nx.Graph, seed: int, hubs: int = 300) -> dict[object, tuple[float, float]]:
    """A large component in linear time after its ``hubs`` best-linked nodes: those by ForceAtlas2,
    then every other node at the mean of its placed neighbours (jittered, seeded), nearest first.
    In a bipartite view the economies are the hubs and each measure sits among its economies."""
    import random

    ranked = sorted(graph, key=lambda n: (-graph.degree(n), str(n)))
    pos = {n: (float(x), float(y)) for n, (x, y) in
           nx.forceatlas2_layout(graph.subgraph(ranked[:hubs]), seed=seed, max_iter=200,
                                 distributed_action=True).items()}
    xs, ys = [p[0] for p in pos.values()], [p[1] for p in pos.values()]
    spread = 0.03 * (max(max(xs) - min(xs), max(ys) - min(ys)) or 1.0)
    rng = random.Random(seed)
    frontier = [n for n in ranked if n not in pos]
    while frontier:
        waiting = []
        for n in frontier:
            placed = [pos[m] for m in graph[n] if m in pos]
            if not placed:
                waiting.append(n)
                continue
            pos[n] = (sum(p[0] for p in placed) / len(placed) + rng.gauss(0, spread),
                      sum(p[1] for p in placed) / len(placed) + rng.gauss(0, spread))
        if len(waiting) == len(frontier):  # not linked to anything placed (cannot happen in a component)
            pos.update({n: (rng.uniform(min(xs), max(xs)), rng.uniform(min(ys), max(ys))) for n in waiting})
            break
        frontier = waiting
    return pos


def render(graph: nx.Graph, fmt: str, meta: ExportMeta | None = None) -> bytes:
    """The export of ``graph`` in ``fmt`` as bytes (what :func:`write` puts in the file)."""
    return _writers()[check_format(fmt)](graph, meta or ExportMeta())


def write(graph: nx.Graph, fmt: str, path: Path | str, meta: ExportMeta | None = None) -> Path:
    """Export ``graph`` to ``path`` atomically: a temporary file in the same folder, then
    ``os.replace``, so a reader never sees half a file and a failure leaves the old one."""
    path = Path(path)
    data = render(graph, fmt, meta)
    if not path.parent.is_dir():
        raise ExportError(f"cannot write {path}: folder {path.parent} does not exist")
    try:
        handle, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.chmod(temp, 0o644)
        os.replace(temp, path)
    except OSError as e:
        if "temp" in locals() and os.path.exists(temp):
            os.unlink(temp)
        raise ExportError(f"cannot write {path}: {e.strerror or e}") from e
    return path
