"""Which nodes a picture names, and how its legend names communities: one rule for PNG, SVG, DOT and the page.

Labelling the most central nodes of the whole view names one region only (in the agreements view the most
connected economies are all European: the EU's members share its many agreements). A reader looks for the
economies the filter names and for the big players of every group, so the rule is:

1. the economies the filters name (``economies``, ``center``), always;
2. then the biggest member of each community (largest community first), "biggest" by the view's weight
   (``strength``: the sum of the node's edge weights);
3. then the next biggest members, the remaining labels shared among communities in proportion to their number
   of members, until ``label_top`` nodes are named.

Economies come before other nodes (measures, agreements) when a view holds both. A community is named in a
legend by its largest members (``USA, MEX, CAN``), with the same weight.
"""

from __future__ import annotations

import networkx as nx

from . import ExportMeta

NAMED_FILTERS = ("economies", "center")  # filters whose values are economy codes


def weight(graph: nx.Graph, node: object) -> float:
    """The node's weight in the view: its ``strength`` if scored, else the sum of its edge weights."""
    data = graph.nodes[node]
    if isinstance(data.get("strength"), (int, float)):
        return float(data["strength"])
    return float(sum(d.get("weight", 1) for *_, d in _incident(graph, node)))


def _incident(graph: nx.Graph, node: object):
    if graph.is_directed():
        yield from graph.in_edges(node, data=True)
        yield from graph.out_edges(node, data=True)
    else:
        yield from graph.edges(node, data=True)


def text(graph: nx.Graph, node: object) -> str:
    """What a picture writes beside a node: its code, else its label, else its id."""
    data = graph.nodes[node]
    return str(data.get("code") or data.get("label") or node)


def named(graph: nx.Graph, meta: ExportMeta) -> list[object]:
    """The nodes the filters name (``economies=USA,MEX``, ``center=MEX``), in the filter's order."""
    codes = [c.strip().upper() for key in NAMED_FILTERS for c in str(meta.filters.get(key) or "").split(",")
             if c.strip()]
    by_code: dict[str, object] = {}
    for n, d in graph.nodes(data=True):
        for key in (d.get("code"), str(n).rsplit("/", 1)[-1]):
            if key:
                by_code.setdefault(str(key).upper(), n)
    return list(dict.fromkeys(by_code[c] for c in codes if c in by_code))


def _ranked(graph: nx.Graph, nodes) -> list[object]:
    """Nodes biggest first (economies before other kinds), ties by their text: the same order every run."""
    return sorted(nodes, key=lambda n: (graph.nodes[n].get("type", "economy") != "economy", -weight(graph, n),
                                        text(graph, n), str(n)))


def communities(graph: nx.Graph) -> dict[str, list[object]]:
    """Community value → its members, biggest first; communities ordered by total weight, then size. Nodes
    without a community form one group ("")."""
    groups: dict[str, list[object]] = {}
    for n, d in graph.nodes(data=True):
        groups.setdefault(str(d.get("community", "")), []).append(n)
    total = {c: sum(weight(graph, n) for n in members) for c, members in groups.items()}
    order = sorted(groups, key=lambda c: (-total[c], -len(groups[c]), c))
    return {c: _ranked(graph, groups[c]) for c in order}


def main_nodes(graph: nx.Graph, meta: ExportMeta) -> list[object]:
    """The nodes to label (see the module's rule): the named ones, the biggest of each community, then the
    remaining labels shared among communities in proportion to their size (the D'Hondt rule), so a large
    community is not named as sparsely as a group of three islands. (In proportion to weight, the dense
    European community took every label of the agreements view again.)"""
    if meta.label_top <= 0:
        return []
    chosen = dict.fromkeys(named(graph, meta))
    economies = any(d.get("type") == "economy" for _, d in graph.nodes(data=True))
    queues = [[n for n in members if not economies or graph.nodes[n].get("type") == "economy"]
              for members in communities(graph).values()]
    queues = [q for q in queues if q]  # largest community first
    given = [0] * len(queues)
    for i, q in enumerate(queues):  # the biggest of each community
        if len(chosen) >= meta.label_top:
            break
        chosen.setdefault(q[0])
        given[i] = 1
    while len(chosen) < meta.label_top:
        open_ = [i for i, q in enumerate(queues) if given[i] < len(q)]
        if not open_:
            break
        i = max(open_, key=lambda j: (len(queues[j]) / (given[j] + 1), -j))
        chosen.setdefault(queues[i][given[i]])
        given[i] += 1
    return list(chosen)


def community_names(graph: nx.Graph, members: int = 3) -> dict[str, str]:
    """Community value → its largest members (``"USA, MEX, CAN, …"``; economies only where it has any), for
    legends."""
    out = {}
    for c, nodes in communities(graph).items():
        economies = [n for n in nodes if graph.nodes[n].get("type") == "economy"]
        shown = economies or nodes
        if c:
            out[c] = ", ".join(_short(text(graph, n)) for n in shown[:members]) + (", …" if len(shown) > members else "")
    return out


def _short(label: str, most: int = 28) -> str:
    return label if len(label) <= most else label[:most - 1].rstrip() + "…"


def legend_label(by: str, value: str, names: dict[str, str]) -> str:
    """A legend entry: ``community 2: USA, MEX, CAN`` for a community, else the value itself."""
    if by == "community" and value != "other":
        return f"community {value}: {names[value]}" if names.get(value) else f"community {value}"
    return value or "(none)"
