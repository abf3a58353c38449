"""Pictures for reports: PNG and SVG drawn with matplotlib (no display needed: the Agg backend).

Nodes are coloured as on the HTML page (by type, or by community where all nodes are of one type)
and sized by a centrality score; up to ``label_top`` nodes are labelled with their code (or label) by the rule
of :mod:`.labels` (the economies the filter names, and the biggest of each community), and the legend names
each community by its largest members; the title states the view, its filters and how old the data is.
"""

from __future__ import annotations

import io

import networkx as nx

from . import ExportMeta, labels, layout
from .attrs import colours, sizes

LABEL_BOX = {"boxstyle": "round,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.75}
MAX_ARROWS = 600  # past this many edges, plain lines (matplotlib draws one patch per arrow: slow)


def _draw(graph: nx.Graph, meta: ExportMeta, fmt: str) -> bytes:
    import matplotlib
    from matplotlib.figure import Figure  # no pyplot: no global state, safe in the API's threads
    from matplotlib.lines import Line2D

    by = meta.colour_attr(graph)
    colour, legend = colours({n: d.get(by, "") for n, d in graph.nodes(data=True)}, by)
    score = {n: float(d.get(meta.size_by, graph.degree(n)) or 0) for n, d in graph.nodes(data=True)}
    crowd = min(1.0, (200 / max(len(graph), 1)) ** 0.5)  # smaller marks on big graphs
    size = sizes(score, 3 * crowd, max(22 * crowd, 10))
    pos = layout(graph)
    with matplotlib.rc_context({"svg.fonttype": "none", "font.size": 9}):
        fig = Figure(figsize=(12, 9), dpi=110)
        ax = fig.add_subplot()
        simple = nx.DiGraph(graph) if graph.is_directed() else nx.Graph(graph)
        weights = [float(d.get("weight", 1)) for _, _, d in simple.edges(data=True)]
        top = max(weights, default=1.0)
        widths = [(0.4 + 2.6 * (w / top) ** 0.5) * crowd for w in weights]
        arrows = graph.is_directed() and simple.number_of_edges() <= MAX_ARROWS
        nx.draw_networkx_edges(simple, pos, ax=ax, width=widths, alpha=0.35 if crowd == 1 else 0.15,
                               edge_color="#555555",
                               arrows=arrows, node_size=[size[n] ** 2 for n in simple],
                               **({"connectionstyle": "arc3,rad=0.08", "arrowsize": 8} if arrows else {}))
        nx.draw_networkx_nodes(simple, pos, ax=ax, node_size=[size[n] ** 2 for n in simple],
                               node_color=[colour[n] for n in simple], linewidths=0.6, edgecolors="white")
        named = set(labels.named(graph, meta))
        for n in labels.main_nodes(graph, meta):  # beside the node, not over it: its colour stays visible
            offset = size[n] / 2 + 1
            ax.annotate(labels.text(graph, n), pos[n], xytext=(offset, offset), textcoords="offset points",
                        fontsize=10 if n in named else 9, fontweight="bold",
                        bbox={**LABEL_BOX, "ec": "#222222"} if n in named else LABEL_BOX)
        names = labels.community_names(graph) if by == "community" else {}
        handles = [Line2D([], [], marker="o", linestyle="", markersize=8, markerfacecolor=c,
                          markeredgecolor="white", label=labels.legend_label(by, v, names)) for v, c in legend.items()]
        ax.legend(handles=handles, title=by.replace("_", " "), loc="upper left", bbox_to_anchor=(1.0, 1.0),
                  frameon=False, fontsize=8)
        ax.set_title(meta.title, fontsize=12, loc="left")
        note = (f"{graph.number_of_nodes()} nodes, {graph.number_of_edges()} edges · node size: {meta.size_by} · "
                f"labels: {'the economies the filter names (boxed), then ' if named else ''}the biggest by weight "
                "(strength) in each community, more in the bigger ones")
        if meta.about:
            note = f"{meta.about}\n{note}"
        ax.text(0, -0.02, note, transform=ax.transAxes, fontsize=8, va="top", color="#444444")
        ax.set_axis_off()
        fig.tight_layout()
        buffer = io.BytesIO()
        fig.savefig(buffer, format=fmt, bbox_inches="tight", metadata=_metadata(fmt, meta))
        return buffer.getvalue()


def _metadata(fmt: str, meta: ExportMeta) -> dict:
    """Fixed metadata, so the same view gives the same bytes (no creation date)."""
    if fmt == "svg":
        return {"Title": meta.title, "Date": None, "Creator": meta.creator}
    return {"Title": meta.title, "Software": meta.creator}


def png(graph: nx.Graph, meta: ExportMeta) -> bytes:
    return _draw(graph, meta, "png")


def svg(graph: nx.Graph, meta: ExportMeta) -> bytes:
    return _draw(graph, meta, "svg")
