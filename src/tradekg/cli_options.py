"""What every command that reads the graph shares: where the graph lives (--store, --endpoint,
--update-endpoint) and the output formats. Its own module so that cli.py, network_cli.py and export_cli.py
all import it and none imports another (no import cycle).
"""

from __future__ import annotations

from pathlib import Path

import click

from .settings import default_store

FORMATS = click.Choice(["table", "csv", "tsv", "json"])


def store_option(command):
    """--store, --endpoint and --update-endpoint: where the graph lives (one of the two kinds)."""
    command = click.option("--update-endpoint", envvar="TRADEKG_UPDATE_ENDPOINT", default=None,
                           help="SPARQL 1.1 Update URL [default: derived from --endpoint, e.g. …/update].")(command)
    command = click.option("--endpoint", envvar="TRADEKG_ENDPOINT", default=None,
                           help="Use this SPARQL 1.1 endpoint instead of the embedded store [$TRADEKG_ENDPOINT]. "
                                "Credentials: $TRADEKG_ENDPOINT_TOKEN, or $TRADEKG_ENDPOINT_USER and _PASSWORD.")(command)
    return click.option("--store", "store_path", type=click.Path(path_type=Path), default=None,
                        help="Folder of the embedded store [default: $TRADEKG_STORE or "
                             "~/.local/share/tradekg/store].")(command)


def _open(store_path: Path | None, endpoint: str | None = None, update_endpoint: str | None = None):
    from .graph.store import open_store

    return open_store(store_path or default_store(), endpoint, update_endpoint)
