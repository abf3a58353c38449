"""Network views of the graph: each a networkx graph projected from the rows of one catalog query.

Views are built from SPARQL answers (``queries.run``), never by re-reading source files, so they work
the same on the embedded store and on a remote endpoint. Nodes are IRIs carrying ``label``, ``type``
and ``code`` (the ISO 3166 alpha-3 code for economies); every edge carries its ``weight`` and ``via``:
for each agreement, dispute or measure behind the edge, the triples that link it to the two ends,
each with the named graphs that state it. PERF-BASELINES.md: project views, not the whole graph.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from itertools import combinations

import networkx as nx

from ..graph.errors import BadParameters
from ..graph.store import Rows, Store
from . import run

ID = "https://w3id.org/tradekg/id/"
TKG = "https://w3id.org/tradekg/ontology#"
DISPUTE_FILTERS = ("as_of", "from", "to", "chapter")
MEASURE_FILTERS = ("as_of", "from", "to", "measure_type", "chapter")
AGREEMENT_FILTERS = ("as_of", "from", "to", "agreement_type")
TRADE_FILTERS = ("year",)


@dataclass(frozen=True)
class Triple:
    """One statement behind an edge, with the named graphs (sources) that state it."""

    subject: str
    predicate: str
    object: str
    graphs: tuple[str, ...]

    def as_dict(self) -> dict[str, object]:
        return {"subject": self.subject, "predicate": self.predicate, "object": self.object,
                "graphs": list(self.graphs)}


@dataclass(frozen=True)
class View:
    name: str
    query: str
    directed: bool
    filters: tuple[str, ...]
    entity: str  # what links two economies: dispute, agreement or measure
    build: Callable[[nx.Graph, Rows], None]
    about: str
    weight: str | None = None  # an edge attribute the builder sets, as the weight; None: the number of links


def _merge(triples: Iterable[Triple]) -> tuple[Triple, ...]:
    """One Triple per statement, with every named graph that states it."""
    graphs: dict[tuple[str, str, str], set[str]] = {}
    for t in triples:
        graphs.setdefault((t.subject, t.predicate, t.object), set()).update(t.graphs)
    return tuple(Triple(s, p, o, tuple(sorted(gs))) for (s, p, o), gs in graphs.items())


def _link(graph: nx.Graph, u: str, v: str, entity: str, triples: tuple[Triple, ...], date: str | None) -> None:
    """Add ``entity`` (an agreement, dispute or measure) and the triples behind it to the edge u–v."""
    if not graph.has_edge(u, v):
        graph.add_edge(u, v, via={}, dates={})
    data = graph[u][v]
    known = data["via"].get(entity)
    data["via"][entity] = _merge(known + triples) if known else triples
    if date:
        data["dates"][entity] = date


def _t(s: str, p: str, o: str, g: object) -> Triple:
    return Triple(s, p, o, (str(g),))


def _disputes(graph: nx.Graph, rows: Rows) -> None:
    for r in rows:
        d, c, x = str(r["dispute"]), str(r["complainant"]), str(r["respondent"])
        _link(graph, c, x, d, (_t(d, TKG + "complainant", c, r["complainant_graph"]),
                               _t(d, TKG + "respondent", x, r["respondent_graph"])), _opt(r, "requested"))


def _third_parties(graph: nx.Graph, rows: Rows) -> None:
    for r in rows:
        d, t, p = str(r["dispute"]), str(r["third_party"]), str(r["party"])
        _link(graph, t, p, d, (_t(d, TKG + "thirdParty", t, r["third_party_graph"]),
                               _t(d, str(r["role"]), p, r["party_graph"])), _opt(r, "requested"))


def _measures(graph: nx.Graph, rows: Rows) -> None:
    for r in rows:
        m, i, a = str(r["measure"]), str(r["imposer"]), str(r["affected"])
        _link(graph, i, a, m, (_t(m, TKG + "imposedBy", i, r["imposer_graph"]),
                               _t(m, TKG + "affects", a, r["affected_graph"])), _opt(r, "start"))


def _trade(graph: nx.Graph, rows: Rows) -> None:
    """Importer → exporter, weighted by the USD value of the exporter's goods that the importer's measures in
    force cover (one tkg:TradeCoverageTotal per pair, year and flow source). One year per view: the one
    asked for, else the latest with covered trade. Where a pair has totals from several sources of flows
    (which cover different goods), the largest is the weight; all are listed."""
    rows = list(rows)
    latest = max((int(str(r["flowYear"])) for r in rows), default=None)
    for r in rows:
        if int(str(r["flowYear"])) != latest:
            continue
        t, i, x, year = str(r["total"]), str(r["importer"]), str(r["exporter"]), str(r["flowYear"])
        _link(graph, i, x, t, (_t(t, TKG + "coverageImporter", i, r["graph"]),
                               _t(t, TKG + "coverageExporter", x, r["graph"])), f"{year}-01-01")
        data = graph[i][x]
        value = int(Decimal(str(r["value"])))  # whole US dollars, as the Census reports them
        data["value_usd"] = max(data.get("value_usd", 0), value)
        data["year"] = year
        data.setdefault("flow_sources", []).append(str(r["source"]))
        data["measure_count"] = max(data.get("measure_count", 0), int(str(r["measures"])))
        data["methods"] = str(r["methods"])
    graph.graph["year"] = str(latest) if latest is not None else None


def _agreements(graph: nx.Graph, rows: Rows) -> None:
    """Pair up the parties of each agreement whose periods as parties overlap (pairing here costs a
    few hundred ms; pairing in SPARQL returns ~40k rows and took 3.3 s on the full bundle)."""
    parties: dict[str, dict[str, tuple[str, str, Triple]]] = {}
    for r in rows:
        a, e = str(r["agreement"]), str(r["economy"])
        party = _t(a, TKG + "party", e, r["graph"])
        known = parties.setdefault(a, {}).get(e)
        parties[a][e] = (str(r["start"]), _opt(r, "end") or "9999-12-31",
                         _merge((known[2], party))[0] if known else party)
    for agreement, members in parties.items():
        for (a, (sa, ea, ta)), (b, (sb, eb, tb)) in combinations(sorted(members.items()), 2):
            if sa <= eb and sb <= ea:  # party at the same time
                _link(graph, a, b, agreement, (ta, tb), max(sa, sb))


def _bipartite(subject: str, predicate: str | None, obj: str, date: str) -> Callable[[nx.Graph, Rows], None]:
    def build(graph: nx.Graph, rows: Rows) -> None:
        for r in rows:
            s, o = str(r[subject]), str(r[obj])
            p = str(r[predicate]) if predicate in r else TKG + "party"
            _link(graph, o, s, s, (_t(s, p, o, r["graph"]),), _opt(r, date))
            graph[o][s]["role"] = p
    return build


VIEWS = {v.name: v for v in (
    View("disputes", "dispute_edges", True, DISPUTE_FILTERS, "dispute", _disputes,
         "complainant → respondent, weighted by the number of disputes"),
    View("third-parties", "third_party_edges", True, DISPUTE_FILTERS, "dispute", _third_parties,
         "third party → each party to the dispute, weighted by the number of disputes"),
    View("agreements", "economy_agreement_edges", False, AGREEMENT_FILTERS, "agreement", _agreements,
         "economies linked by the regional trade agreements they are party to together"),
    View("measures", "measure_edges", True, MEASURE_FILTERS, "measure", _measures,
         "imposing economy → affected economy, weighted by the number of measures"),
    View("economy-measure", "economy_measure_edges", False, MEASURE_FILTERS, "measure",
         _bipartite("measure", "role", "economy", "start"), "economies and the measures they impose or face"),
    View("economy-agreement", "economy_agreement_edges", False, AGREEMENT_FILTERS, "agreement",
         _bipartite("agreement", None, "economy", "start"), "economies and the agreements they are party to"),
    View("trade-covered", "trade_coverage_edges", True, TRADE_FILTERS, "coverage", _trade,
         "importer → exporter, weighted by the exporter's trade (USD) the importer's measures in force cover "
         "in one year (--year, default the latest), each flow once", weight="value_usd"),
)}


def _opt(row: dict, key: str) -> str | None:
    return str(row[key]) if key in row else None


def _short(kind: str, value: str) -> str:
    """Short forms for the CLI: section-232 for a measure type, FTA for an agreement type."""
    if value.startswith(("http://", "https://")):
        return value
    if kind == "measure_type":
        return f"{ID}measure-type/{value.strip().lower()}"
    if kind == "agreement_type":
        return f"{ID}rta-type/{value.strip().upper()}"
    if kind == "chapter" and not (value.strip().isdigit() and len(value.strip()) == 2):
        raise BadParameters(f"chapter: not a 2-digit HS chapter such as 72: {value!r}")
    return value


def view(name: str) -> View:
    if name not in VIEWS:
        raise BadParameters(f"no network view named {name!r}; the views are {', '.join(VIEWS)}")
    return VIEWS[name]


def query_params(name: str, filters: dict[str, str | None]) -> dict[str, str]:
    """The catalog parameters of ``name``'s query, from filters given to a view (None: left out)."""
    spec = view(name)
    given = {k: v for k, v in filters.items() if v not in (None, "")}
    unknown = sorted(given.keys() - set(spec.filters))
    if unknown:
        raise BadParameters(f"the {name} view takes no {', '.join(unknown)} filter; it takes "
                            f"{', '.join(spec.filters)}")
    return {k: _short(k, str(v)) for k, v in given.items()}


def nodes(store: Store, types: Iterable[str]) -> dict[str, dict[str, str]]:
    """Label, type and code of every node of these types (network_nodes.rq), by IRI."""
    found: dict[str, dict[str, str]] = {}
    for kind in types:
        for r in run(store, "network_nodes", type=kind):
            attrs = found.setdefault(str(r["node"]), {"type": kind})
            if "label" in r and "label" not in attrs:
                attrs["label"] = str(r["label"])
            if "code" in r:  # several codes (ISO and notation agree): keep the shortest, then the first
                attrs["code"] = min(attrs.get("code", str(r["code"])), str(r["code"]), key=lambda c: (len(c), c))
    return found


def project(store: Store, name: str, as_of: str | None = None, **filters: str | None) -> nx.Graph:
    """The network view ``name`` (see VIEWS), optionally as of a date and filtered.

    >>> g = project(store, "disputes", as_of="2019-01-01")            # doctest: +SKIP
    >>> g.edges[ID + "economy/CHN", ID + "economy/USA"]["weight"]     # doctest: +SKIP
    """
    spec = view(name)
    params = query_params(name, {"as_of": as_of, **filters})
    graph: nx.Graph = nx.DiGraph() if spec.directed else nx.Graph()
    spec.build(graph, run(store, spec.query, **params))
    for _, _, data in graph.edges(data=True):
        data["weight"] = data[spec.weight] if spec.weight else len(data["via"])
        data[spec.entity + "s"] = sorted(data["via"])
        dates = sorted(data["dates"].values())  # dates: entity → its date (requested, start)
        data["first"], data["last"] = (dates[0], dates[-1]) if dates else (None, None)
    bipartite = spec.name.startswith("economy-")  # economies and the agreements or measures themselves
    known = nodes(store, ["economy", spec.entity] if bipartite else ["economy"])
    for node in graph.nodes:
        attrs = known.get(node, {"type": "economy" if "/economy/" in node else spec.entity})
        graph.nodes[node].update(label=attrs.get("label", node.rsplit("/", 1)[-1]), type=attrs["type"],
                                 code=attrs.get("code", ""), bipartite=0 if attrs["type"] == "economy" else 1)
    year = graph.graph.pop("year", None)  # the trade view's year, when none was asked for: the latest
    graph.graph.update(view=name, filters={**params, **({"year": year} if year else {})})
    return graph


def for_export(graph: nx.Graph) -> nx.Graph:
    """A copy with only scalar attributes (lists joined by spaces), as GraphML and GEXF require."""
    flat = graph.copy()
    for _, _, data in flat.edges(data=True):
        for key, value in list(data.items()):
            if value is None or isinstance(value, dict):  # via and dates: kept in the IRI lists
                del data[key]
            elif isinstance(value, (list, tuple)):
                data[key] = " ".join(value)
    flat.graph = {"view": graph.graph.get("view", "")}
    return flat
