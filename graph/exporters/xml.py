"""The markup formats: GraphML (networkx's writer), GEXF 1.3 with time intervals, and Graphviz DOT."""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET

import networkx as nx

from . import ExportMeta, layout
from .attrs import colours, column_types, flat_attrs, hex_rgb, interval, sizes, spells, steps

GEXF_NS = "http://gexf.net/1.3"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
_BAD_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")  # not allowed in XML 1.0


def clean(value: object) -> str:
    return _BAD_XML.sub("", str(value))


def flat_copy(graph: nx.Graph, meta: ExportMeta) -> nx.Graph:
    """A copy holding only values a flat format can hold (attrs.flat), each attribute of one type, and
    the meta as graph attributes."""
    out = graph.__class__()
    node_rows = {n: flat_attrs(d) for n, d in graph.nodes(data=True)}
    edge_rows = [(u, v, k, flat_attrs(d)) for u, v, k, d in _edges(graph)]
    ntypes = column_types(node_rows.values())
    etypes = column_types(r for *_, r in edge_rows)
    for n, row in node_rows.items():
        out.add_node(n, **{k: _typed(v, ntypes[k]) for k, v in row.items()})
    for u, v, k, row in edge_rows:
        attrs = {a: _typed(x, etypes[a]) for a, x in row.items()}
        out.add_edge(u, v, key=k, **attrs) if graph.is_multigraph() else out.add_edge(u, v, **attrs)
    out.graph.update(flat_attrs({"view": meta.view, "title": meta.title, "about": meta.about or None,
                                 "data_date": meta.data_date, "sources": list(meta.sources) or None,
                                 **{f"filter_{k}": v for k, v in meta.filters.items()}}))
    return out


def _typed(value, kind):
    return clean(value) if kind is str else kind(value)


def _edges(graph: nx.Graph):
    if graph.is_multigraph():
        yield from graph.edges(keys=True, data=True)
    else:
        for u, v, d in graph.edges(data=True):
            yield u, v, None, d


def graphml(graph: nx.Graph, meta: ExportMeta) -> bytes:
    buffer = io.BytesIO()
    nx.write_graphml_xml(flat_copy(graph, meta), buffer, encoding="utf-8", prettyprint=True)
    return buffer.getvalue()


# --- GEXF 1.3 ------------------------------------------------------------------------------------

_GEXF_TYPES = {bool: "boolean", int: "long", float: "double", str: "string"}
# Written as GEXF's own label, weight, viz position and time intervals instead of attributes.
_SKIP = {"node": {"label", "x", "y"}, "edge": {"label", "weight", "spells"}}


def _gexf_value(value) -> str:
    return ("true" if value else "false") if isinstance(value, bool) else clean(value)


def gexf(graph: nx.Graph, meta: ExportMeta) -> bytes:
    """GEXF 1.3 (valid against the official XSD): nodes and edges with typed attributes, Gephi's
    colours, sizes and positions, and — where edges carry ``spells`` — a dynamic graph whose edges
    start at their first dated link (and end after their last, when every link has ended), nodes at
    their first edge, and a dynamic ``links in force`` count, so Gephi's timeline plays it."""
    ET.register_namespace("", GEXF_NS)
    flat = flat_copy(graph, meta)
    times = {(u, v, k): spells(d) for u, v, k, d in _edges(graph)}
    dynamic = any(times.values())
    q = lambda tag: f"{{{GEXF_NS}}}{tag}"  # noqa: E731
    root = ET.Element(q("gexf"), {"version": "1.3"})
    head = ET.SubElement(root, q("meta"), {"lastmodifieddate": meta.data_date} if meta.data_date else {})
    ET.SubElement(head, q("creator")).text = meta.creator
    ET.SubElement(head, q("keywords")).text = ", ".join([meta.view, *meta.sources])
    ET.SubElement(head, q("description")).text = clean(" — ".join(p for p in (meta.title, meta.about) if p))
    attrs = {"defaultedgetype": "directed" if graph.is_directed() else "undirected", "idtype": "string",
             "mode": "dynamic" if dynamic else "static"}
    if dynamic:
        attrs.update(timeformat="date", timerepresentation="interval")
    top = ET.SubElement(root, q("graph"), attrs)
    node_cols = _declare(top, q, "node", column_types(flat_attrs(d) for _, d in flat.nodes(data=True)))
    edge_cols = _declare(top, q, "edge", column_types(d for *_, d in _edges(flat)))
    if dynamic:
        block = ET.SubElement(top, q("attributes"), {"class": "edge", "mode": "dynamic"})
        ET.SubElement(block, q("attribute"), {"id": "active", "title": "links in force", "type": "integer"})

    pos = layout(graph)
    colour, _ = colours({n: d.get(meta.colour_attr(graph), "") for n, d in graph.nodes(data=True)},
                        meta.colour_attr(graph))
    size = sizes({n: float(d.get(meta.size_by, graph.degree(n)) or 0) for n, d in graph.nodes(data=True)})
    node_span: dict[object, list] = {n: [] for n in graph}
    for (u, v, _), found in times.items():
        node_span[u].append(interval(found))
        node_span[v].append(interval(found))

    nodes = ET.SubElement(top, q("nodes"), {"count": str(flat.number_of_nodes())})
    for n, d in flat.nodes(data=True):
        el = ET.SubElement(nodes, q("node"), {"id": clean(n), "label": clean(d.get("label", n))})
        spans = node_span[n]
        if dynamic and spans and all(s for s, _ in spans):
            el.set("start", min(s for s, _ in spans))
            if all(e for _, e in spans):
                el.set("end", max(e for _, e in spans))
        _attvalues(el, q, node_cols, d)
        r, g, b = hex_rgb(colour[n])
        ET.SubElement(el, q("color"), {"r": str(r), "g": str(g), "b": str(b)})
        ET.SubElement(el, q("size"), {"value": str(size[n])})
        ET.SubElement(el, q("position"), {"x": f"{pos[n][0] * 1000:.2f}", "y": f"{pos[n][1] * 1000:.2f}"})

    edges = ET.SubElement(top, q("edges"), {"count": str(flat.number_of_edges())})
    for i, (u, v, k, d) in enumerate(_edges(flat)):
        el = ET.SubElement(edges, q("edge"), {"id": f"e{i}", "source": clean(u), "target": clean(v)})
        if "label" in d:
            el.set("label", clean(d["label"]))
        if isinstance(d.get("weight"), (int, float)) and not isinstance(d.get("weight"), bool):
            el.set("weight", str(d["weight"]))
        if k is not None:
            el.set("kind", clean(k))
        start, end = interval(times[(u, v, k)])
        if start:
            el.set("start", start)
        if end:
            el.set("end", end)
        values = _attvalues(el, q, edge_cols, d)
        for s, e, count in steps(times[(u, v, k)]):
            values = values if values is not None else ET.SubElement(el, q("attvalues"))
            ET.SubElement(values, q("attvalue"), {"for": "active", "value": str(count), "start": s,
                                                  **({"end": e} if e else {})})
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def _declare(top: ET.Element, q, cls: str, types: dict[str, type]) -> dict[str, str]:
    """Declare the static attributes of ``cls``; returns attribute name → GEXF id."""
    cols = {k: f"{cls[0]}{i}" for i, k in enumerate(sorted(k for k in types if k not in _SKIP[cls]))}
    if cols:
        block = ET.SubElement(top, q("attributes"), {"class": cls, "mode": "static"})
        for key, ident in cols.items():
            ET.SubElement(block, q("attribute"), {"id": ident, "title": clean(key), "type": _GEXF_TYPES[types[key]]})
    return cols


def _attvalues(el: ET.Element, q, cols: dict[str, str], data: dict) -> ET.Element | None:
    present = [(cols[k], v) for k, v in sorted(data.items()) if k in cols]
    if not present:
        return None
    values = ET.SubElement(el, q("attvalues"))
    for ident, value in present:
        ET.SubElement(values, q("attvalue"), {"for": ident, "value": _gexf_value(value)})
    return values


# --- Graphviz DOT --------------------------------------------------------------------------------

def _quote(value: object) -> str:
    text = clean(value).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{text}"'


_DOT_ID = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _dot_attrs(attrs: dict) -> str:
    """``key="value"`` pairs; a key is quoted only when it is not a plain DOT identifier."""
    return ", ".join(f"{k if _DOT_ID.fullmatch(str(k)) else _quote(k)}={_quote(v)}" for k, v in attrs.items())


def dot(graph: nx.Graph, meta: ExportMeta) -> bytes:
    """Graphviz DOT that renders as it is, in seconds at any size: every node pinned at our layout's position
    (``pos="x,y!"`` in points, ``inputscale=72``, ``notranslate``) and ``layout=neato`` set in the file, so
    ``dot -Tsvg``, ``neato -Tsvg`` and ``neato -n -Tsvg`` all draw our picture instead of searching for one
    (plain ``dot`` never finished on the bigger views). Every attribute is kept (flat); the node's ``label``
    is what Graphviz writes in it: the economy's code (bold when :mod:`.labels` names it), nothing on other
    nodes but the ones it names; the full name is kept as ``tooltip`` (shown on hover in SVG; a ``name``
    attribute would break pydot, whose Node takes ``name`` as its id)."""
    from . import labels

    flat = flat_copy(graph, meta)
    pos = layout(graph)
    colour, _ = colours({n: d.get(meta.colour_attr(graph), "") for n, d in graph.nodes(data=True)},
                        meta.colour_attr(graph))
    score = {n: float(d.get(meta.size_by, graph.degree(n)) or 0) for n, d in graph.nodes(data=True)}
    size = sizes(score, 0.18, 0.7)  # inches
    main = set(labels.main_nodes(graph, meta))
    half = max(300.0, 40.0 * graph.number_of_nodes() ** 0.5)  # points: room grows with the number of nodes
    weights = [float(d.get("weight", 1)) for *_, d in _edges(graph) if isinstance(d.get("weight", 1), (int, float))]
    top = max(weights, default=1.0) or 1.0
    arrow = "->" if graph.is_directed() else "--"
    settings = {"label": meta.title, "labelloc": "t", "layout": "neato", "inputscale": "72", "notranslate": "true",
                "overlap": "true", "splines": "false", "outputorder": "edgesfirst"}
    lines = [f"{'digraph' if graph.is_directed() else 'graph'} {_quote(meta.view)} {{",
             f"  graph [{_dot_attrs({**settings, **flat.graph})}];",
             '  node [shape="circle", fixedsize="shape", style="filled", color="white", penwidth="0.5", '
             'fontname="Helvetica", fontsize="8"];',
             '  edge [color="#55555577", arrowsize="0.4"];']
    for n, d in flat.nodes(data=True):
        x, y = pos[n]
        economy = graph.nodes[n].get("type", "economy") == "economy"
        shown = labels.text(graph, n) if (economy or n in main) else ""
        extra = {"tooltip": d.get("label", str(n)), "label": shown,
                 "fillcolor": colour[n], "width": f"{size[n]:.2f}", "pos": f"{x * half:.1f},{y * half:.1f}!"}
        if n in main:
            extra.update(fontname="Helvetica-Bold", fontsize="11")
        lines.append(f"  {_quote(n)} [{_dot_attrs({**{k: v for k, v in d.items() if k != 'label'}, **extra})}];")
    for u, v, k, d in _edges(flat):
        w = d.get("weight", 1)
        width = 0.4 + 2.6 * (float(w) / top) ** 0.5 if isinstance(w, (int, float)) and not isinstance(w, bool) else 1
        attrs = {**d, **({"key": k} if k is not None else {}), "penwidth": f"{width:.2f}"}
        lines.append(f"  {_quote(u)} {arrow} {_quote(v)} [{_dot_attrs(attrs)}];")
    lines.append("}")
    return ("\n".join(lines) + "\n").encode("utf-8")
