"""The JSON and table formats: Cytoscape.js JSON, networkx node-link JSON, and CSV (a zip of two files)."""

from __future__ import annotations

import csv
import io
import json
import zipfile

import networkx as nx

from . import ExportMeta, layout
from .attrs import SEPARATOR, column_types, flat_attrs, json_attrs
from .xml import _edges

_CY_RESERVED = {"id", "source", "target", "parent"}  # keys Cytoscape reads as structure, not data


def _meta(meta: ExportMeta, graph: nx.Graph) -> dict:
    return json_attrs({"name": meta.title, "view": meta.view, "about": meta.about or None,
                       "filters": dict(meta.filters), "data_date": meta.data_date, "sources": list(meta.sources),
                       "directed": graph.is_directed(), "multigraph": graph.is_multigraph()}, nested=True)


def _dump(value: object) -> bytes:
    return (json.dumps(value, ensure_ascii=False, indent=1, sort_keys=False) + "\n").encode("utf-8")


def cy_elements(graph: nx.Graph, meta: ExportMeta, nested: bool = False) -> dict:
    """``{"nodes": [{"data": …, "position": …}], "edges": [{"data": …}]}``: node data carries ``id`` and
    ``name`` (the label Cytoscape desktop shows), edge data ``id``, ``source``, ``target`` and
    ``interaction`` (the view, or the multigraph key); an attribute named like one of those gets a
    trailing ``_attr``. Lists of scalars stay arrays; dicts become JSON strings unless ``nested``."""
    def data(attrs: dict) -> dict:
        return {(f"{k}_attr" if k in _CY_RESERVED else k): v for k, v in json_attrs(attrs, nested).items()}

    pos = layout(graph)
    nodes = [{"data": {"id": str(n), "name": str(d.get("label", n)), **data(d)},
              "position": {"x": round(pos[n][0] * 1000, 2), "y": round(-pos[n][1] * 1000, 2)}}
             for n, d in graph.nodes(data=True)]
    edges = [{"data": {"id": f"e{i}", "source": str(u), "target": str(v),
                       "interaction": str(k) if k is not None else meta.view, **data(d)}}
             for i, (u, v, k, d) in enumerate(_edges(graph))]
    return {"nodes": nodes, "edges": edges}


def cyjs(graph: nx.Graph, meta: ExportMeta) -> bytes:
    """Cytoscape.js JSON, which Cytoscape desktop (File → Import → Network from File) and
    ``cytoscape({elements: …})`` read as is."""
    return _dump({"format_version": "1.0", "generated_by": meta.creator, "target_cytoscapejs_version": "~3.35",
                  "data": _meta(meta, graph), "elements": cy_elements(graph, meta)})


def node_link(graph: nx.Graph, meta: ExportMeta) -> bytes:
    """networkx node-link JSON with explicit keys (``nodes``, ``links``, ``source``, ``target``, ``id``,
    ``key``): ``nx.node_link_graph(data, edges="links")`` reads it back. Values stay nested JSON."""
    copy = graph.__class__()
    copy.add_nodes_from((n, json_attrs(d, nested=True)) for n, d in graph.nodes(data=True))
    for u, v, k, d in _edges(graph):
        attrs = json_attrs(d, nested=True)
        copy.add_edge(u, v, key=k, **attrs) if graph.is_multigraph() else copy.add_edge(u, v, **attrs)
    copy.graph.update(_meta(meta, graph))
    return _dump(nx.node_link_data(copy, edges="links", nodes="nodes", source="source", target="target",
                                   name="id", key="key"))


_README = """{title}

nodes.csv and edges.csv, with the column names Gephi's spreadsheet import (Data Laboratory → Import
Spreadsheet) recognises: Id and Label for nodes; Source, Target, Type and Weight for edges.
Lists are joined with "{sep}"; dicts and nested lists are JSON strings; an empty cell means the value
is absent (None). Written by tradekg from the named graphs: {sources}.
"""


def _table(rows: list[dict], first: list[str]) -> str:
    columns = first + sorted(column_types(rows).keys() - set(first))
    out = io.StringIO()
    writer = csv.DictWriter(out, columns, lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def csv_zip(graph: nx.Graph, meta: ExportMeta) -> bytes:
    """A zip of ``nodes.csv``, ``edges.csv`` and ``README.txt`` (one download, one API answer)."""
    nodes = [{"Id": n, "Label": d.get("label", n), **flat_attrs({k: v for k, v in d.items() if k != "label"})}
             for n, d in graph.nodes(data=True)]
    kind = "Directed" if graph.is_directed() else "Undirected"
    edges = [{"Source": u, "Target": v, "Type": kind, **({"Key": k} if k is not None else {}),
              "Weight": d.get("weight", 1), **flat_attrs({a: x for a, x in d.items() if a != "weight"})}
             for u, v, k, d in _edges(graph)]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, text in (("nodes.csv", _table(nodes, ["Id", "Label"])),
                           ("edges.csv", _table(edges, ["Source", "Target", "Type", "Weight"])),
                           ("README.txt", _README.format(title=meta.title, sep=SEPARATOR,
                                                         sources=", ".join(meta.sources) or "(not given)"))):
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))  # same bytes on every run
            info.compress_type, info.external_attr = zipfile.ZIP_DEFLATED, 0o644 << 16
            zf.writestr(info, text.encode("utf-8"))
    return buffer.getvalue()
