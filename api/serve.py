"""Start the API: settings, a graph to serve (built from the bundled data on a fresh machine), uvicorn.

Behind `tradekg serve`; kept here so the CLI stays a thin shell.
"""

from __future__ import annotations

import dataclasses
import functools
import os
import socket
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi import FastAPI

from ..graph import layout
from ..graph.errors import StoreError
from ..graph.store import EmbeddedStore, Store, memory_fits, open_store
from ..settings import default_store
from .settings import Settings


def _store_path(settings: Settings) -> Path:
    return (settings.store or default_store()).expanduser()


def ensure_graph(settings: Settings, echo: Callable[[str], None]) -> None:
    """Build the graph from the bundled data if the embedded store does not exist yet."""
    if settings.endpoint:
        return
    path = _store_path(settings)
    try:
        layout.current(path)
        return
    except StoreError:
        pass  # no whole graph there yet
    from ..graph.build import build

    echo(f"no graph at {path} yet: building it from the bundled data first (about 40 s of CPU: under a minute on "
         "an idle 2-core machine, minutes on a busy one; loading and validating ~1.7M triples is CPU-bound) …")
    report = build(path, progress=echo)
    echo(f"built {report.total:,} triples into {path}")


def open_for_serving(settings: Settings, echo: Callable[[str], None] = lambda _m: None, processes: int = 1) -> Store:
    """The store to serve: the endpoint, or the embedded store, loaded into memory when ``settings.memory``
    says so ("auto": when it takes a small share of the memory available, shared by ``processes``)."""
    if settings.endpoint:
        return open_store(None, settings.endpoint, timeout_s=settings.query_timeout_s)
    path = _store_path(settings)
    if settings.memory == "on" or (settings.memory == "auto" and memory_fits(path, processes)):
        store = EmbeddedStore.in_memory(path, keep_copy=processes == 1)  # server processes forked from it: no
        quads, seconds = store.loaded
        echo(f"serving from memory (--memory {settings.memory}): {quads:,} quads loaded from {path} in "
             f"{seconds:.1f} s (read from {store.loaded_from}), RSS {_rss_mb():,.0f} MB; query workers share it")
        return store
    why = "off" if settings.memory == "off" else "auto: the store is large against the memory available"
    echo(f"serving from the store on disk at {path} (--memory {why})")
    return open_store(path, timeout_s=settings.query_timeout_s)


def _rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def app_from(settings: Settings, echo: Callable[[str], None] = lambda _m: None) -> FastAPI:
    from .app import create_app

    return create_app(open_for_serving(settings, echo), settings)


def factory() -> FastAPI:
    """For uvicorn's ``--factory`` with several worker processes: settings from the environment."""
    from .logs import configure

    configure()
    return app_from(Settings.load())


def run(host: str, port: int, settings: Settings, workers: int = 1,
        echo: Callable[[str], None] = print) -> None:
    import uvicorn

    from . import prefork
    from .logs import configure

    _check_port(host, port)  # before the first build, which takes a while
    ensure_graph(settings, echo)
    if not settings.endpoint and settings.store is None:  # print where the default store really is
        settings = dataclasses.replace(settings, store=_store_path(settings))
    forked = prefork.wanted(settings, workers, _store_path(settings))
    if workers > 1 and not forked and settings.memory == "auto":  # each process would load a copy of its own
        settings = dataclasses.replace(settings, memory="off")
    echo("tradekg API settings:\n" + settings.describe())
    echo(f"serving on http://{host}:{port}  (docs: http://{host}:{port}/docs, SPARQL: http://{host}:{port}/sparql)")
    configure()
    common: dict[str, Any] = dict(host=host, port=port, access_log=False, log_level="warning",
                                  timeout_graceful_shutdown=5)
    if forked:  # the graph loaded once here; the server processes are forked from this one and share it
        from . import app as _app  # noqa: F401 - imported before the fork, so the processes share its modules too

        store = open_for_serving(settings, echo, processes=workers)
        if isinstance(store, EmbeddedStore) and store.memory:
            echo(f"{workers} server processes forked from this one share the graph in memory")
            prefork.Supervisor(store, settings, workers, _listening(host, port),
                               functools.partial(_serve_forked, common=common)).run()
            return
        store.close()  # "auto" said no this time (less memory available than a moment ago): each opens the store
        settings = dataclasses.replace(settings, memory="off")
    if workers > 1:  # each worker process opens the store read-only; settings travel by environment
        from uvicorn.supervisors import Multiprocess

        os.environ.update(_as_env(settings))
        config = uvicorn.Config("tradekg.api.serve:factory", factory=True, workers=workers, **common)
        Multiprocess(config, sockets=[_listening(host, port)]).run()
    else:
        uvicorn.run(app_from(settings, echo), **common)


def _serve_forked(store: Store, settings: Settings, sock: socket.socket, common: dict[str, Any]) -> None:
    """One forked server process: the app over the shared graph, served on the shared socket. A process
    retired after a rebuild gets as long as a query may take to finish what it answers."""
    import uvicorn

    from .app import create_app

    config = uvicorn.Config(create_app(store, settings),
                            **{**common, "timeout_graceful_shutdown": settings.query_timeout_s + 5})
    uvicorn.Server(config).run(sockets=[sock])


def _check_port(host: str, port: int) -> None:
    """Refuse a port another program listens on now, with what to do, instead of after building the graph."""
    from ..graph.errors import ConfigError

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # a port in TIME_WAIT is free to reuse
        try:
            probe.bind((host, port))
        except OSError as e:
            raise ConfigError(f"port {port} on {host} is taken ({e.strerror}): another server runs there; "
                              f"stop it, or choose another with --port") from e


def _listening(host: str, port: int) -> socket.socket:
    """The shared listening socket, made with proto=IPPROTO_TCP: asyncio sets TCP_NODELAY only on sockets
    whose proto says TCP, and uvicorn's own (proto 0) leaves Nagle on, which costs 40 ms per keep-alive
    request against a client's delayed ACK (measured: 44 ms instead of 2 ms)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.set_inheritable(True)
    return sock


def _as_env(settings: Settings) -> dict[str, str]:
    env = {"TRADEKG_STORE": str(_store_path(settings)), "TRADEKG_QUERY_TIMEOUT": str(settings.query_timeout_s),
           "TRADEKG_ROW_CAP": str(settings.row_cap), "TRADEKG_SPARQL_WORKERS": str(settings.sparql_workers),
           "TRADEKG_CORS_ORIGINS": ",".join(settings.cors_origins),
           "TRADEKG_ALLOW_SERVICE": "1" if settings.allow_service else "0",
           "TRADEKG_GZIP_MIN_BYTES": str(settings.gzip_min_bytes), "TRADEKG_MEMORY": settings.memory,
           "TRADEKG_HEAVY_AFTER": str(settings.heavy_after_s),
           "TRADEKG_WORKER_MEMORY_MB": str(settings.worker_memory_mb),
           "TRADEKG_RELOAD_CHECK": str(settings.reload_check_s),
           "TRADEKG_REST_TIMEOUT": str(settings.rest_timeout_s), "TRADEKG_REST_SLOTS": str(settings.rest_slots),
           "TRADEKG_ANSWER_CACHE_MB": str(settings.answer_cache_mb)}
    if settings.endpoint:
        env["TRADEKG_ENDPOINT"] = settings.endpoint
    if settings.update_token:
        env["TRADEKG_UPDATE_TOKEN"] = settings.update_token
    return env
