"""`tradekg dump`: the graph as one N-Quads or TriG file, each statement in its source's named graph."""

from __future__ import annotations

from pathlib import Path

import click

from .cli_options import _open, store_option


@click.command()
@store_option
@click.option("--format", "-f", "fmt", type=click.Choice(["nquads", "trig"]), default="nquads", show_default=True)
@click.option("--graph", "-g", "graphs", multiple=True, metavar="NAME",
              help="Only this named graph (e.g. usmca, or its IRI); repeatable. Default: every graph.")
@click.option("--out", "-o", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="The file to write; gzip-compressed when it ends in .gz.")
def dump(store_path: Path | None, endpoint: str | None, update_endpoint: str | None, fmt: str,
         graphs: tuple[str, ...], out: Path) -> None:
    """Write the graph to a file, e.g. `tradekg dump --out tradekg.nq.gz` (reload it anywhere: every
    triple store reads N-Quads and TriG)."""
    from .graph.dump import write

    count = write(_open(store_path, endpoint, update_endpoint), out, fmt, graphs)
    click.echo(f"{count:,} statements written to {out}", err=True)
