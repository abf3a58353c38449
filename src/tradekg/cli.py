"""The ``tradekg`` command: a thin shell over the library; library errors become readable messages."""

from __future__ import annotations

import re
import sys
import time
from pathlib import Path

import click

from . import __version__
from .cli_options import FORMATS, _open, store_option
from .export_cli import export
from .graph.errors import TradeKGError
from .network_cli import network
from .settings import default_store


class _Group(click.Group):
    """Turns every TradeKGError into a one-paragraph message and exit code 1, never a traceback."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except TradeKGError as e:
            raise click.ClickException(str(e)) from e


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="tradekg")
def cli() -> None:
    """tradekg: a knowledge graph of international trade relationships.

    \b
    Start here:
      tradekg build                 build the graph from the bundled real data
      tradekg stats                 what is in it, per class and per source
      tradekg sparql "SELECT …"     ask it anything in SPARQL
    The store lives in ~/.local/share/tradekg/store unless --store or $TRADEKG_STORE says otherwise.
    """
    import warnings

    # A warning (e.g. a remote store left half-pushed) is one line on stderr, not a source excerpt.
    warnings.showwarning = lambda message, *_args, **_kw: click.echo(f"warning: {message}", err=True)


@cli.command()
@store_option
@click.option("--data", type=click.Path(exists=True, file_okay=False, path_type=Path), default=None,
              help="Source data folder [default: the data bundled with tradekg].")
@click.option("--no-validate", is_flag=True, help="Skip the SHACL validation (faster; for development).")
def build(store_path: Path | None, endpoint: str | None, update_endpoint: str | None, data: Path | None,
          no_validate: bool) -> None:
    """Build the graph from the source data, validate it, and swap it in.

    The new graph is built in a fresh folder; if anything fails (a malformed row, an unknown
    economy name, a SHACL violation) the previous store is left untouched. With --endpoint the
    validated graph is then pushed to that SPARQL endpoint (each named graph replaced whole).
    """
    import tempfile

    from .graph.build import build as run_build

    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="tradekg-") as scratch:
        target = Path(scratch) / "store" if endpoint else (store_path or default_store())
        report = run_build(target, data, check_shapes=not no_validate, progress=lambda m: click.echo(m, err=True))
        if endpoint:
            _push(target, endpoint, update_endpoint)
    click.echo(f"built {report.total:,} triples into {endpoint or report.store} in {time.perf_counter() - started:.1f} s")
    width = max(len(k) for k in report.triples)
    for key, count in report.triples.items():
        click.echo(f"  {key.ljust(width)}  {count:>9,}")
    for key, notes in report.notes.items():
        for note in notes[:3]:
            click.echo(f"note [{key}]: {note}", err=True)
        if len(notes) > 3:
            click.echo(f"note [{key}]: … {len(notes) - 3} more in {report.store / 'build-report.json'}", err=True)
    for name, places in report.ignored_names.items():
        click.echo(f"left out on purpose: {name!r} ({len(places)}×, see data/crosswalks/economy_aliases.csv)", err=True)


def _push(store_path: Path, endpoint: str, update_endpoint: str | None, graph_store: str | None = None,
          chunk: int | None = None, timeout: float | None = None, send_all: bool = False) -> None:
    from .graph.push import PushOptions
    from .graph.remote import RemoteStore, push as run_push
    from .graph.store import EmbeddedStore

    options = PushOptions.from_env(chunk=chunk, timeout_s=timeout, send_all=send_all or None)
    local, remote = EmbeddedStore(store_path), RemoteStore(endpoint, update_endpoint, store_url=graph_store)
    try:
        started = time.perf_counter()
        sent = run_push(local, remote, progress=lambda m: click.echo(m, err=True), options=options)
        total, seconds = sum(n for n, _ in sent.values()), time.perf_counter() - started
        unchanged = len(local.named_graphs()) - len(sent)
        click.echo(f"pushed {total:,} triples in {len(sent)} named graphs to {endpoint} "
                   f"in {seconds:.1f} s ({total / max(seconds, 1e-9):,.0f} triples/s)"
                   + (f"; {unchanged} graphs the server held unchanged were not sent" if unchanged else ""))
    finally:
        local.close()


@cli.command()
@click.option("--store", "store_path", type=click.Path(path_type=Path), default=None,
              help="The embedded store to push [default: $TRADEKG_STORE or ~/.local/share/tradekg/store].")
@click.option("--endpoint", envvar="TRADEKG_ENDPOINT", required=True,
              help="SPARQL 1.1 query endpoint of the target store, e.g. http://127.0.0.1:7878/query.")
@click.option("--update-endpoint", envvar="TRADEKG_UPDATE_ENDPOINT", default=None,
              help="SPARQL 1.1 Update URL [default: derived from --endpoint].")
@click.option("--graph-store", envvar="TRADEKG_GRAPH_STORE", default=None,
              help="Graph Store Protocol URL [default: per known server: Oxigraph …/store, Virtuoso "
                   "…/sparql-graph-crud]; '' to use INSERT DATA only.")
@click.option("--chunk", type=click.IntRange(min=50), default=None,
              help="Triples per upload request [default: 50,000, or $TRADEKG_PUSH_CHUNK]; halved when the "
                   "server says a request is too large.")
@click.option("--timeout", type=click.FloatRange(min=1), default=None,
              help="Seconds per request, plus 1 s per 1,000 triples it carries [default: 60, or "
                   "$TRADEKG_PUSH_TIMEOUT].")
@click.option("--clean", is_flag=True,
              help="Drop what an interrupted push left (its staging graphs) and push nothing.")
@click.option("--all", "send_all", is_flag=True,
              help="Send every graph, even those the server already holds unchanged (same content digest and "
                   "triple count), e.g. after editing the server's copy by hand.")
def push(store_path: Path | None, endpoint: str, update_endpoint: str | None, graph_store: str | None,
         chunk: int | None, timeout: float | None, clean: bool, send_all: bool) -> None:
    """Upload a built graph (every named graph, provenance included) to a SPARQL 1.1 store.

    Each graph goes to a staging graph first; one update then swaps them all in, so readers see
    the old graphs or the new ones. An interrupted push is resumed by the next `tradekg push`.
    Graphs the server already holds unchanged are not sent again (--all sends them anyway).
    Uses the Graph Store HTTP Protocol where the server offers it, else chunked INSERT DATA.
    Credentials: $TRADEKG_ENDPOINT_USER and _PASSWORD (Basic or Digest), or $TRADEKG_ENDPOINT_TOKEN.
    """
    if clean:
        from .graph.push import PushOptions, Server, cleanup
        from .graph.remote import RemoteStore

        remote = RemoteStore(endpoint, update_endpoint, store_url=graph_store)
        dropped = cleanup(Server(remote.query_url, remote.update_url, PushOptions.from_env(timeout_s=timeout)))
        click.echo(f"dropped {len(dropped)} staging graphs of an interrupted push" if dropped
                   else "nothing to clean up")
        return
    _push(store_path or default_store(), endpoint, update_endpoint, graph_store, chunk, timeout, send_all)


_FORM = re.compile(r"\b(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", re.IGNORECASE)
_UPDATE = re.compile(r"\b(INSERT|DELETE|LOAD|CLEAR|DROP|CREATE|ADD|MOVE|COPY)\b", re.IGNORECASE)
_PROLOGUE = re.compile(r"^\s*(?:(?:PREFIX\s+[\w-]*:\s*|BASE\s+)<[^>]*>\s*)*", re.IGNORECASE)


def _query_form(text: str) -> str:
    """SELECT, ASK, CONSTRUCT or DESCRIBE; an update or a misspelt keyword is refused with what to do, before
    the store is opened (the parser would only say which token it expected)."""
    from .graph.errors import BadParameters

    body = re.sub(r"#[^\n]*", "", text)
    if form := _FORM.search(body):
        return form.group(1).upper()
    start = body[_PROLOGUE.match(body).end():].strip()
    if _UPDATE.match(start):
        raise BadParameters("`tradekg sparql` answers queries (SELECT, ASK, CONSTRUCT, DESCRIBE), not updates: the "
                            "graph is rebuilt from the source data by `tradekg build` (edit data/ and rebuild), or "
                            "send the update to the API's /sparql with its update token (TRADEKG_UPDATE_TOKEN)")
    first = start.splitlines()[0][:60] if start else "(nothing)"
    raise BadParameters(f"a SPARQL query starts with SELECT, ASK, CONSTRUCT or DESCRIBE (after any PREFIX lines); "
                        f"this one starts with {first!r}")


def _read_query(query: str) -> str:
    if query == "-":
        return sys.stdin.read()
    if query.startswith("@"):
        path = Path(query[1:])
        if not path.is_file():
            raise click.BadParameter(f"no such file: {path}", param_hint="QUERY")
        return path.read_text(encoding="utf-8")
    return query


@cli.command()
@store_option
@click.option("--format", "-f", "fmt", type=FORMATS, default="table", show_default=True,
              help="Output format for SELECT answers (csv/tsv/json are the SPARQL 1.1 results formats).")
@click.argument("query")
def sparql(store_path: Path | None, endpoint: str | None, update_endpoint: str | None, fmt: str,
           query: str) -> None:
    """Run a SPARQL QUERY (or @file.rq, or - for stdin) against the graph.

    A query without GRAPH sees the union of all named graphs; GRAPH ?g shows which source said what.
    CONSTRUCT and DESCRIBE print N-Triples; ASK prints true or false.
    """
    from .graph.results import write

    text = _read_query(query)
    kind = _query_form(text)
    store = _open(store_path, endpoint, update_endpoint)
    if kind == "ASK":
        click.echo("true" if store.ask(text) else "false")
    elif kind in ("CONSTRUCT", "DESCRIBE"):
        click.echo(store.construct(text), nl=False)
    else:
        click.echo(write(store.select(text), fmt), nl=False)


@cli.command("queries")
def list_queries() -> None:
    """List the query catalog: every named question, with its parameters."""
    from .queries import get, names

    for name in names():
        query = get(name)
        params = ", ".join(f"{p.name} ({p.type})" for p in query.params.values())
        click.echo(f"{name}\n    {query.title}" + (f"\n    parameters: {params}" if params else ""))


@cli.command("query")
@store_option
@click.argument("name")
@click.option("--param", "-p", "params", multiple=True, metavar="KEY=VALUE",
              help="A parameter, repeatable; `tradekg queries` lists each query's parameters.")
@click.option("--format", "-f", "fmt", type=FORMATS, default="table", show_default=True)
@click.option("--show", is_flag=True, help="Print the SPARQL with the parameters bound, instead of running it.")
def run_query(store_path: Path | None, endpoint: str | None, update_endpoint: str | None, name: str,
              params: tuple[str, ...], fmt: str, show: bool) -> None:
    """Run the catalog query NAME, e.g. `tradekg query disputes_between -p a=USA -p b=CHN`."""
    from .graph.remote import bind_values
    from .graph.results import write
    from .queries import get, run

    raw = {}
    for item in params:
        key, sep, value = item.partition("=")
        if not sep:
            raise click.BadParameter(f"{item!r} is not KEY=VALUE", param_hint="--param")
        raw[key.strip()] = value
    query = get(name)
    bindings = query.bind(raw)
    if show:
        click.echo(bind_values(query.sparql(bindings), bindings))
        return
    click.echo(write(run(_open(store_path, endpoint, update_endpoint), name, **raw), fmt), nl=False)


@cli.command()
@store_option
@click.option("--format", "-f", "fmt", type=FORMATS, default="table", show_default=True)
def stats(store_path: Path | None, endpoint: str | None, update_endpoint: str | None, fmt: str) -> None:
    """Count the graph's contents: instances per class and triples per named graph (source)."""
    from .graph.results import write
    from .queries import run

    store = _open(store_path, endpoint, update_endpoint)
    click.echo(write(run(store, "instances_per_class"), fmt))
    click.echo(write(run(store, "triples_per_graph"), fmt), nl=False)


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--store", "store_path", type=click.Path(path_type=Path), default=None,
              help="Folder of the embedded store [default: $TRADEKG_STORE or ~/.local/share/tradekg/store]; "
                   "built from the bundled data if it does not exist.")
@click.option("--endpoint", default=None, help="Serve a SPARQL 1.1 endpoint's graph instead [$TRADEKG_ENDPOINT].")
@click.option("--config", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="TOML settings file [$TRADEKG_CONFIG]; TRADEKG_* variables override it.")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64),
              help="Server processes. In memory mode they are forked from the process that loaded the graph "
                   "and share it; on disk, or with an update token, each opens the store itself.")
@click.option("--memory", type=click.Choice(["auto", "on", "off"]), default=None,
              help="Serve from an in-memory copy of the store, shared by the query workers (faster scans); "
                   "auto: when it takes a small share of the memory available [$TRADEKG_MEMORY, default auto].")
def serve(host: str, port: int, store_path: Path | None, endpoint: str | None, config: Path | None,
          workers: int, memory: str | None) -> None:
    """Serve the HTTP API: relationship endpoints, /sparql, and the docs at /docs.

    On a fresh machine the graph is first built from the bundled data. Settings (timeouts, row cap,
    CORS, update token) come from TRADEKG_* variables or --config; they are printed at start-up,
    secrets left out.
    """
    from .api.serve import run
    from .api.settings import Settings

    settings = Settings.load(config=config, store=store_path, endpoint=endpoint, memory=memory)
    run(host, port, settings, workers, echo=lambda m: click.echo(m, err=True))


cli.add_command(network)  # `tradekg network …`
cli.add_command(export)   # `tradekg export VIEW --out FILE`
from .dump_cli import dump  # noqa: E402 - `tradekg dump [--format nquads|trig] [--graph NAME] --out FILE`

cli.add_command(dump)
