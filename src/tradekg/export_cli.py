"""``tradekg export VIEW --format FMT --out FILE``: a network view for Gephi, Cytoscape, Graphviz, a
browser or a report. A thin shell over tradekg.queries.exports and tradekg.graph.exporters;
registered on the main group in cli.py.
"""

from __future__ import annotations

from pathlib import Path

import click

from .cli_options import _open, store_option
from .network_cli import _filters, view_filters

SUFFIXES = {".graphml": "graphml", ".gexf": "gexf", ".cyjs": "cyjs", ".json": "json", ".dot": "dot", ".gv": "dot",
            ".zip": "csv", ".csv": "csv", ".html": "html", ".htm": "html", ".png": "png", ".svg": "svg"}


@click.command("export")
@store_option
@click.argument("view")
@click.option("--format", "-f", "fmt", default=None,
              help="graphml, gexf, cyjs, json, dot, csv (a zip of nodes.csv and edges.csv), html, png or svg "
                   "[default: from the --out suffix].")
@click.option("--out", "-o", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The file to write (replaced atomically).")
@view_filters
@click.option("--economies", default=None, help="Only these economies (comma-separated codes, e.g. USA,MEX) and "
                                                "the measures or agreements linked to them.")
@click.option("--center", default=None, help="The ego network around this economy (code or IRI); "
                                             "required by the `ego` view.")
@click.option("--radius", default=1, show_default=True, type=click.IntRange(1), help="Links from --center.")
@click.option("--size-by", default="degree", show_default=True,
              type=click.Choice(["degree", "strength", "betweenness", "eigenvector"]),
              help="The centrality score that sizes nodes (html, png, svg, gexf).")
@click.option("--labels", default=20, show_default=True, type=click.IntRange(0),
              help="png, svg, dot, html: label this many nodes: the economies --economies/--center name, then "
                   "the biggest (by strength) of each community in turn.")
def export(store_path: Path | None, endpoint: str | None, update_endpoint: str | None, view: str, fmt: str | None,
           out: Path, economies: str | None, center: str | None, radius: int, size_by: str, labels: int,
           **options: str | None) -> None:
    """Write network VIEW to a file: disputes, third-parties, agreements, measures, economy-measure,
    economy-agreement, or ego (economies linked by agreements, disputes and measures; needs --center).

    \b
    tradekg export disputes --from 2018-01-01 --to 2024-12-31 --out disputes.gexf
    tradekg export measures --chapter 72 --format html --out steel.html
    tradekg export ego --center MEX --radius 1 --out mexico.png
    """
    from dataclasses import replace

    from .graph.errors import BadParameters, ExportError
    from .graph.exporters import check_format, write
    from .queries.exports import export_view

    if fmt is None:
        fmt = SUFFIXES.get(out.suffix.lower())
        if fmt is None:
            raise BadParameters(f"cannot tell the format from {out.name!r}: give --format "
                                f"(graphml, gexf, cyjs, json, dot, csv, html, png or svg)")
    check_format(fmt)
    if not out.parent.is_dir():  # refused now, not after projecting the view
        raise ExportError(f"no such folder: {out.parent}; create it first, or give --out a file in an existing folder")
    graph, meta = export_view(_open(store_path, endpoint, update_endpoint), view, economies=economies,
                              center=center, radius=radius, **_filters(options))
    write(graph, fmt, out, replace(meta, size_by=size_by, label_top=labels))
    click.echo(f"wrote {out} ({fmt}: {graph.number_of_nodes()} nodes, {graph.number_of_edges()} edges; "
               f"{meta.title})", err=True)
