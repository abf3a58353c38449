"""How two economies are linked: the k shortest paths over disputes, agreements and measures.

The paths run over a multigraph of economies with one edge per view between two economies
(``agreements``, ``disputes``, ``measures``), so each hop says what kind of tie it is and lists every
agreement, dispute or measure behind it with the triples that link it to both ends and the named
graphs that state them. Paths are ranked by length (hops), then by cost: the sum over hops of
1 / weight, where the weight is the number of links behind the hop, so a hop backed by many
disputes or agreements is a stronger tie and costs less; remaining ties go by economy codes and view.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass
from itertools import pairwise, product

import networkx as nx

from ..graph.errors import BadParameters
from ..graph.store import Store
from .analyses import node
from .projections import Triple, nodes, project

PATH_VIEWS = ("agreements", "disputes", "measures")
_HOP = 1_000_000.0  # rank = hops * _HOP + cost, so shorter paths always come first (cost per hop <= 1)


@dataclass(frozen=True)
class Link:
    """One agreement, dispute or measure behind a hop, and the triples that tie it to both ends."""

    entity: str
    label: str
    code: str
    date: str | None
    triples: tuple[Triple, ...]


@dataclass(frozen=True)
class Hop:
    source: str
    target: str
    view: str
    weight: int
    links: tuple[Link, ...]


@dataclass(frozen=True)
class Path:
    hops: tuple[Hop, ...]
    cost: float

    def as_dict(self, graph: nx.Graph) -> dict:
        def code(n: str) -> str:
            return graph.nodes[n].get("code") or n
        return {"length": len(self.hops), "cost": self.cost,
                "economies": [code(self.hops[0].source)] + [code(h.target) for h in self.hops],
                "hops": [{"source": code(h.source), "target": code(h.target), "view": h.view, "weight": h.weight,
                          "links": [{"entity": ln.entity, "label": ln.label, "code": ln.code, "date": ln.date,
                                     "triples": [t.as_dict() for t in ln.triples]} for ln in h.links]}
                         for h in self.hops]}


def combined(store: Store, as_of: str | None = None) -> nx.MultiGraph:
    """Economies linked by agreements, disputes and measures: one keyed edge per view (directions merged)."""
    multi = nx.MultiGraph(view="combined", filters={"as_of": as_of} if as_of else {})
    for name in PATH_VIEWS:
        view = project(store, name, as_of=as_of)
        multi.add_nodes_from(view.nodes(data=True))
        for u, v, data in view.edges(data=True):
            if not multi.has_edge(u, v, key=name):
                multi.add_edge(u, v, key=name, via={}, dates={})
            edge = multi[u][v][name]
            edge["via"].update(data["via"])
            edge["dates"].update(data["dates"])
            edge["weight"] = len(edge["via"])
    multi.graph["entities"] = nodes(store, ("agreement", "dispute", "measure"))
    return multi


def _hop(multi: nx.MultiGraph, u: str, v: str, key: str) -> Hop:
    edge, entities = multi[u][v][key], multi.graph.get("entities", {})
    links = [Link(e, entities.get(e, {}).get("label", e), entities.get(e, {}).get("code", ""),
                  edge["dates"].get(e), triples) for e, triples in edge["via"].items()]
    links.sort(key=lambda ln: (ln.date or "", ln.entity), reverse=True)  # the most recent first
    return Hop(u, v, key, edge["weight"], tuple(links))


def k_paths(multi: nx.MultiGraph, a: str, b: str, k: int = 5) -> list[Path]:
    """The ``k`` best paths from economy ``a`` to ``b`` (codes, names or IRIs), ranked as the module says."""
    source, target = node(multi, a), node(multi, b)
    if source == target:
        raise BadParameters(f"{a!r} and {b!r} are the same economy")
    if k < 1:
        raise BadParameters(f"k must be 1 or more, not {k}")
    simple = nx.Graph()
    for u, v, data in multi.edges(data=True):
        cost = 1.0 / data["weight"]
        if not simple.has_edge(u, v) or cost < simple[u][v]["cost"]:
            simple.add_edge(u, v, cost=cost, rank=_HOP + cost)
    # Economy sequences come cheapest first (Yen's algorithm); each expands into one path per choice
    # of view on each hop, none cheaper than the sequence itself, so a candidate strictly cheaper than
    # the next sequence is final.
    found: list[tuple[int, float, tuple[str, ...], tuple[str, ...]]] = []
    best: list[tuple[int, float, tuple[str, ...], tuple[str, ...]]] = []
    try:
        for economies in nx.shortest_simple_paths(simple, source, target, weight="rank"):
            steps = list(pairwise(economies))
            bound = (len(steps), round(sum(simple[u][v]["cost"] for u, v in steps), 9))
            while found and found[0][:2] < bound and len(best) < k:
                best.append(heapq.heappop(found))
            if len(best) == k:
                break
            for keys in product(*(sorted(multi[u][v]) for u, v in steps)):
                cost = round(sum(1.0 / multi[u][v][key]["weight"] for (u, v), key in zip(steps, keys)), 9)
                heapq.heappush(found, (len(steps), cost, tuple(economies), keys))
    except nx.NetworkXNoPath:
        pass
    while found and len(best) < k:
        best.append(heapq.heappop(found))
    return [Path(tuple(_hop(multi, u, v, key) for (u, v), key in zip(pairwise(economies), keys)), cost)
            for _, cost, economies, keys in best]


def _short(iri: str) -> str:
    return iri.rsplit("#", 1)[-1] if "#" in iri else iri.rsplit("/", 1)[-1]


def _name(link: Link, width: int = 90) -> str:
    """RTA 1087 United States-Mexico-Canada Agreement (…); DS544: US — Steel …; a measure's label."""
    code = f"RTA {link.code}" if "/agreement/rta/" in link.entity and link.code else link.code
    name = link.label if not code or code in link.label else f"{code} {link.label}"
    return name if len(name) <= width else name[:width - 1] + "…"


def describe(path: Path, graph: nx.Graph, links: int = 3) -> list[str]:
    """A path as lines of text: one per hop, then its links, each as the triples read from the hop's
    source to its target (arrows point from subject to object) with the named graphs stating them."""
    def code(n: str) -> str:
        return graph.nodes[n].get("code") or _short(n)
    lines = []
    for hop in path.hops:
        lines.append(f"{code(hop.source)} — {hop.view} ({hop.weight}) — {code(hop.target)}")
        for link in hop.links[:links]:
            into = next((t for t in link.triples if t.object == hop.source), link.triples[0])
            out = next((t for t in link.triples if t.object == hop.target), link.triples[-1])
            name = _name(link)
            graphs = sorted({_short(g) for t in link.triples for g in t.graphs})
            lines.append(f"    {code(hop.source)} ←{_short(into.predicate)}— {name} —{_short(out.predicate)}→ "
                         f"{code(hop.target)}  [{', '.join(graphs)}]" + (f"  {link.date}" if link.date else ""))
        if len(hop.links) > links:
            lines.append(f"    … and {len(hop.links) - links} more {hop.view}")
    return lines
