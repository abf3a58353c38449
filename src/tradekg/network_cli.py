"""``tradekg network …``: centrality, communities, paths and ego networks of the graph's network views.

A thin shell over tradekg.queries.projections / analyses / paths; registered on the main group in cli.py.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from .cli_options import _open, store_option

OUTPUT = click.Choice(["table", "json"])


def view_filters(command):
    """--as-of and the filters a view may take (a view refuses the ones it has no use for)."""
    for name, help_text in reversed((
            ("--as-of", "Only what held on this day (YYYY-MM-DD): disputes requested by then, "
                        "agreements and measures in force then."),
            ("--from", "Only what held at some time on or after this day."),
            ("--to", "Only what held at some time on or before this day."),
            ("--measure-type", "Measure views: a measure type, e.g. section-232 or anti-dumping-duty."),
            ("--chapter", "Dispute and measure views: a 2-digit HS chapter, e.g. 72."),
            ("--agreement-type", "Agreement views: FTA, CU, EIA or PSA."),
            ("--year", "trade-covered view: the year of the flows (default: the latest with covered trade)."))):
        dest = name[2:].replace("-", "_") + ("_" if name == "--from" else "")
        command = click.option(name, dest, default=None, help=help_text)(command)
    return command


def _filters(options: dict) -> dict[str, str | None]:
    return {("from" if k == "from_" else k): v for k, v in options.items()}


def _echo_json(value: object) -> None:
    click.echo(json.dumps(value, indent=2, ensure_ascii=False))


@click.group()
def network() -> None:
    """Network analyses of one view of the graph (economies as nodes).

    \b
    Views: disputes (complainant → respondent), third-parties (third party → party),
    agreements (economies party to the same RTAs), measures (imposer → affected),
    economy-measure and economy-agreement (bipartite). Edge weight = number of links;
    trade-covered (importer → exporter): USD of the exporter's trade the importer's measures cover.
    """


@network.command("centrality")
@store_option
@click.argument("view")
@view_filters
@click.option("--top", default=20, show_default=True, type=click.IntRange(0), help="Rows to show (0: all).")
@click.option("--by", default="degree", show_default=True,
              type=click.Choice(["degree", "strength", "betweenness", "eigenvector"]))
@click.option("--format", "-f", "fmt", type=OUTPUT, default="table", show_default=True)
def centrality_command(store_path: Path | None, endpoint: str | None, update_endpoint: str | None, view: str,
                       top: int, by: str, fmt: str, **options: str | None) -> None:
    """Degree, strength, betweenness and eigenvector centrality of VIEW's nodes, e.g. `disputes`."""
    from .queries.analyses import centrality, table
    from .queries.projections import project

    graph = project(_open(store_path, endpoint, update_endpoint), view, **_filters(options))
    rows, method = centrality(graph, top or None, by)
    if fmt == "json":
        _echo_json({"view": view, "filters": graph.graph["filters"], "eigenvector_method": method, "rows": rows})
        return
    click.echo(table(rows, ["code", "label", "degree", "strength", "betweenness", "eigenvector"]), nl=False)
    click.echo(f"eigenvector column: {method}; betweenness with distance = 1/weight")


@network.command("communities")
@store_option
@click.argument("view")
@view_filters
@click.option("--resolution", default=1.0, show_default=True, help="Louvain resolution (>1: smaller communities).")
@click.option("--format", "-f", "fmt", type=OUTPUT, default="table", show_default=True)
def communities_command(store_path: Path | None, endpoint: str | None, update_endpoint: str | None, view: str,
                        resolution: float, fmt: str, **options: str | None) -> None:
    """Louvain communities of VIEW (weighted, fixed seed), largest first."""
    from .queries.analyses import communities, table
    from .queries.projections import project

    graph = project(_open(store_path, endpoint, update_endpoint), view, **_filters(options))
    rows, modularity = communities(graph, resolution)
    if fmt == "json":
        _echo_json({"view": view, "filters": graph.graph["filters"], "modularity": modularity, "communities": rows})
        return
    click.echo(table(rows, ["community", "size", "members"]), nl=False)
    click.echo(f"modularity {modularity}")


@network.command("paths")
@store_option
@click.argument("a")
@click.argument("b")
@click.option("-k", "k", default=5, show_default=True, type=click.IntRange(1, 100), help="How many paths.")
@click.option("--as-of", default=None, help="Only agreements, disputes and measures that held on this day.")
@click.option("--format", "-f", "fmt", type=OUTPUT, default="table", show_default=True)
def paths_command(store_path: Path | None, endpoint: str | None, update_endpoint: str | None, a: str, b: str,
                  k: int, as_of: str | None, fmt: str) -> None:
    """How economies A and B are linked: the k shortest paths over agreements, disputes and measures.

    Ranked by hops, then by the sum of 1/weight over hops (a hop backed by more links costs less).
    Each hop lists the agreements, disputes or measures behind it, the triples and their named graphs.
    """
    from .queries import CONVERTERS
    from .queries.paths import combined, describe, k_paths

    for code in (a, b):  # a misspelt economy is refused now, not after projecting every view
        CONVERTERS["economy"](code)
    graph = combined(_open(store_path, endpoint, update_endpoint), as_of)
    found = k_paths(graph, a, b, k)
    if fmt == "json":
        _echo_json([{"rank": i, **p.as_dict(graph)} for i, p in enumerate(found, 1)])
        return
    if not found:
        click.echo(f"no path links {a} and {b}")
    for i, path in enumerate(found, 1):
        click.echo(f"{i}. {len(path.hops)} hop{'s' if len(path.hops) > 1 else ''}, cost {path.cost:.4f}")
        click.echo("\n".join("   " + line for line in describe(path, graph)))


@network.command("ego")
@store_option
@click.argument("center")
@click.argument("view")
@click.option("--radius", default=1, show_default=True, type=click.IntRange(1), help="Links from the center.")
@view_filters
@click.option("--format", "-f", "fmt", type=OUTPUT, default="table", show_default=True)
def ego_command(store_path: Path | None, endpoint: str | None, update_endpoint: str | None, center: str,
                view: str, radius: int, fmt: str, **options: str | None) -> None:
    """The ego network of CENTER (an economy) in VIEW: everything within --radius links, either way."""
    from .queries.analyses import edge_rows, ego, table
    from .queries.projections import project

    sub = ego(project(_open(store_path, endpoint, update_endpoint), view, **_filters(options)), center, radius)
    rows = edge_rows(sub)
    if fmt == "json":
        _echo_json({"view": view, "center": sub.graph["center"], "radius": radius, "filters": sub.graph["filters"],
                    "nodes": [{"node": n, **d} for n, d in sorted(sub.nodes(data=True))], "edges": rows})
        return
    click.echo(f"{sub.number_of_nodes()} nodes within {radius} link{'s' if radius > 1 else ''} of {center}")
    click.echo(table(rows, ["source", "target", "weight", "first", "last", "links"]), nl=False)
