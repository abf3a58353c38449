"""One self-contained HTML page: Cytoscape.js and the graph inlined, nothing fetched (analysts are
often offline; the page's Content-Security-Policy forbids any request, so a slip would show).

The library is the minified Cytoscape.js from the npm registry, vendored in ``graph/vendor/`` with
its licence (see the README there). Positions are computed here (a fixed-seed layout, as in the
pictures), so the browser only draws: the page opens at once and looks the same every time.
"""

from __future__ import annotations

import html as html_lib
import json
import re
from functools import cache
from importlib.resources import files

import networkx as nx

from . import CENTRALITY, ExportMeta, labels
from .attrs import colours, spells
from .tables import cy_elements
from .xml import _edges

_PLACEHOLDER = re.compile(r"/\*__LIBRARY__\*/|__TITLE__|__DATA__")


@cache
def _template() -> str:
    return (files("tradekg.graph.exporters") / "page.html").read_text(encoding="utf-8")


@cache
def library() -> str:
    """The vendored Cytoscape.js (its licence header is part of the minified file)."""
    return (files("tradekg.graph") / "vendor" / "cytoscape.min.js").read_text(encoding="utf-8")


def _legends(graph: nx.Graph, meta: ExportMeta) -> dict[str, dict[str, str]]:
    """Colour legends for every attribute worth colouring by: type, community, WTO status (if present)."""
    out = {}
    first = meta.colour_attr(graph)
    for attr in dict.fromkeys([first, "type", "community", "wto_status"]):
        values = {n: d[attr] for n, d in graph.nodes(data=True) if attr in d}
        if values:
            out[attr] = colours({n: graph.nodes[n].get(attr, "") for n in graph}, attr)[1]
    return out


def page_data(graph: nx.Graph, meta: ExportMeta) -> dict:
    elements = cy_elements(graph, meta, nested=True)
    for edge, (_, _, _, d) in zip(elements["edges"], _edges(graph)):
        if d.get("spells"):
            edge["data"]["spells"] = [list(s) for s in spells(d)]
    main = {str(n) for n in labels.main_nodes(graph, meta)}
    for node in elements["nodes"]:  # labelled at every zoom, the opening one included (see page.html)
        if node["data"]["id"] in main:
            node["classes"] = "main"
    size_options = [c for c in CENTRALITY if any(c in d for _, d in graph.nodes(data=True))] or ["degree"]
    if not any(meta.size_by in d for _, d in graph.nodes(data=True)):  # size by degree as drawn
        for node in elements["nodes"]:
            node["data"].setdefault("degree", graph.degree(node["data"]["id"]))
    return {"meta": {"view": meta.view, "about": meta.about, "title": meta.title, "filters": meta.filters,
                     "data_date": meta.data_date, "sources": list(meta.sources), "directed": graph.is_directed(),
                     "colour_by": meta.colour_attr(graph), "legends": _legends(graph, meta),
                     "community_names": labels.community_names(graph),
                     "size_by": meta.size_by if meta.size_by in size_options else "degree",
                     "size_options": size_options},
            "elements": elements}


def page(graph: nx.Graph, meta: ExportMeta) -> bytes:
    """The page: pan and zoom, search (highlights the node and its links), click for details and
    sources, colour by type or community, size by centrality, a legend, and a year slider when the
    edges carry dates."""
    data = json.dumps(page_data(graph, meta), ensure_ascii=False, separators=(",", ":"))
    data = data.replace("<", "\\u003c")  # no "</script>" or "<!--" inside the script element (JSON escape)
    parts = {"/*__LIBRARY__*/": library(), "__TITLE__": html_lib.escape(meta.title), "__DATA__": data}
    return _PLACEHOLDER.sub(lambda m: parts[m.group(0)], _template()).encode("utf-8")
