"""One SPARQL query, answered and serialised inside pyoxigraph, with a row cap.

This module runs in the /sparql query worker processes (see :mod:`tradekg.graph.pool`), so it imports
only the standard library and pyoxigraph: a worker starts in a fraction of a second, and killing
it on a timeout really stops the work. :func:`answer` is also usable in-process (in-memory store).

The row cap without building Python objects per row: SELECT answers are first written as TSV
(one solution per line, by the SPARQL 1.1 TSV rules) into a writer that stops the engine after
``cap`` lines; the kept lines are parsed back by the engine and written in the client's format.
Graphs are capped the same way through N-Triples (one triple per line).
"""

from __future__ import annotations

import os
import pickle
import re
import resource
import signal
import socket
import struct
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path

import pyoxigraph as ox

from . import layout
from .errors import StoreError

MAX_NESTING = 500  # brackets deep; the engine's parser overflows its stack somewhere past 2,000


@dataclass(frozen=True)
class Job:
    query: str
    results_format: str | None          # QueryResultsFormat name for SELECT/ASK, None = not acceptable
    graph_format: str | None            # RdfFormat name for CONSTRUCT/DESCRIBE, None = not acceptable
    row_cap: int
    default_graphs: tuple[str, ...] | None = None   # protocol default-graph-uri (None = not given)
    named_graphs: tuple[str, ...] | None = None     # protocol named-graph-uri (None = not given)
    union: bool = True                  # no dataset in the request or the query: query the union of graphs
    accept: str = ""                    # the client's Accept header, for a remote server to negotiate


@dataclass(frozen=True)
class Answer:
    ok: bool
    kind: str = ""                      # "results" | "boolean" | "graph" | error kind: syntax, not-acceptable, failed
    format: str = ""                    # the format name the body is in
    body: bytes = b""
    truncated: bool = False
    message: str = ""
    rows: int = field(default=0)
    media: str = ""                     # a forwarded answer's content type (the remote server chose it)
    status: int = 200                   # a forwarded answer's HTTP status


class _Stop(Exception):
    """Raised from the writer to stop the engine once the cap is reached."""


class _LineCap:
    """A binary writer keeping the first ``limit`` lines; raises _Stop when it has seen more."""

    def __init__(self, limit: int):
        self.limit, self.lines, self.chunks, self.over = limit, 0, [], False

    def write(self, data: bytes) -> int:
        data = bytes(data)
        count = data.count(b"\n")
        if self.lines + count > self.limit:
            keep = self.limit - self.lines
            cut = -1
            for _ in range(keep):
                cut = data.index(b"\n", cut + 1)
            self.chunks.append(data[: cut + 1])
            self.lines, self.over = self.limit, True
            raise _Stop
        self.chunks.append(data)
        self.lines += count
        return len(data)

    def flush(self) -> None:
        pass

    def value(self) -> bytes:
        return b"".join(self.chunks)


def _run(store: ox.Store, job: Job):
    kwargs: dict = {}
    if job.default_graphs is not None or job.named_graphs is not None:
        kwargs["default_graph"] = [ox.NamedNode(g) for g in job.default_graphs or ()]
        kwargs["named_graphs"] = [ox.NamedNode(g) for g in job.named_graphs or ()]
    else:
        kwargs["use_default_graph_as_union"] = job.union
    return store.query(job.query, **kwargs)


def _capped(result, fmt, cap: int) -> tuple[bytes, bool]:
    """The result serialised in ``fmt`` (TSV or N-Triples), cut after ``cap`` rows (+1 header line for TSV)."""
    writer = _LineCap(cap + (1 if fmt is ox.QueryResultsFormat.TSV else 0))
    try:
        result.serialize(writer, format=fmt)
    except _Stop:
        pass
    except OSError as e:  # pyoxigraph may wrap the writer's exception
        if not writer.over:
            raise RuntimeError(str(e)) from e
    return writer.value(), writer.over


_TOKENS = re.compile(r'''"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^'\\]|\\.|'(?!''))*\'\'\''''
                     r'''|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|<[^<>"{}|^`\\\x00-\x20]*>|#[^\n]*|[{(\[]|[})\]]''', re.S)


def too_deep(text: str, limit: int = MAX_NESTING) -> str | None:
    """Why the query nests brackets deeper than ``limit`` (with line and column), or None.

    The engine's parser recurses per bracket and crashes the process past a few thousand levels;
    strings, IRIs and comments are skipped, so brackets inside them do not count."""
    if sum(text.count(c) for c in "{([") <= limit:  # too few brackets to nest that deep: no scan (~50 µs a query)
        return None
    depth = 0
    for match in _TOKENS.finditer(text):
        token = match.group()
        if token in "{([":
            depth += 1
            if depth > limit:
                line = text.count("\n", 0, match.start()) + 1
                column = match.start() - text.rfind("\n", 0, match.start())
                return (f"brackets nested deeper than {limit} levels at line {line}, column {column}; "
                        "no real query needs that many, so it is refused before parsing")
        elif token in "})]":
            depth = max(depth - 1, 0)
    return None


def answer(store: ox.Store, job: Job) -> Answer:
    """Run ``job`` and serialise its result; every failure becomes an Answer, never an exception."""
    try:
        if (why := too_deep(job.query)) is not None:
            return Answer(False, "syntax", message=why)
        result = _run(store, job)
        if isinstance(result, ox.QueryBoolean):
            if job.results_format is None:
                return Answer(False, "not-acceptable", message="ASK answers are available as SPARQL results "
                              "JSON, XML, CSV or TSV")
            fmt = getattr(ox.QueryResultsFormat, job.results_format)
            return Answer(True, "boolean", job.results_format, result.serialize(format=fmt), rows=1)
        if isinstance(result, ox.QuerySolutions):
            if job.results_format is None:
                return Answer(False, "not-acceptable", message="SELECT answers are available as SPARQL "
                              "results JSON, XML, CSV or TSV")
            tsv, truncated = _capped(result, ox.QueryResultsFormat.TSV, job.row_cap)
            rows = max(tsv.count(b"\n") - 1, 0)
            if job.results_format == "TSV":
                return Answer(True, "results", "TSV", tsv, truncated, rows=rows)
            parsed = ox.parse_query_results(tsv, format=ox.QueryResultsFormat.TSV)
            body = parsed.serialize(format=getattr(ox.QueryResultsFormat, job.results_format))
            return Answer(True, "results", job.results_format, body, truncated, rows=rows)
        if job.graph_format is None:
            return Answer(False, "not-acceptable", message="CONSTRUCT and DESCRIBE answers are available as "
                          "Turtle, N-Triples, N-Quads, TriG, RDF/XML or JSON-LD")
        nt, truncated = _capped(result, ox.RdfFormat.N_TRIPLES, job.row_cap)
        rows = nt.count(b"\n")
        if job.graph_format == "N_TRIPLES":
            return Answer(True, "graph", "N_TRIPLES", nt, truncated, rows=rows)
        triples = ox.parse(nt, format=ox.RdfFormat.N_TRIPLES)
        body = ox.serialize(triples, format=getattr(ox.RdfFormat, job.graph_format))
        return Answer(True, "graph", job.graph_format, body or b"", truncated, rows=rows)
    except SyntaxError as e:
        return Answer(False, "syntax", message=str(e))
    except MemoryError:
        return Answer(False, "memory", message="the query used more memory than a query worker may")
    except (OSError, RuntimeError, ValueError) as e:
        return Answer(False, "failed", message=str(e))


def _vm_bytes() -> int:
    """This process's address space now (VmSize)."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")


def _limit_memory(memory_mb: int) -> None:
    """A backstop under the pool's watchdog: the address space may grow by at most twice the cap
    (the watchdog, measuring what the query really uses, stops it at the cap itself)."""
    if memory_mb > 0:
        limit = _vm_bytes() + 2 * memory_mb * 2**20 + 256 * 2**20
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def serve(path: str, conn: Connection, memory_mb: int = 0) -> None:
    """A worker process's loop: open the store read-only once, then answer jobs until the pipe closes."""
    try:
        pin = layout.pin(Path(path))  # the store's current version, held while this worker reads it
        store = ox.Store.read_only(str(pin.path))
    except (OSError, StoreError) as e:
        conn.send(Answer(False, "failed", message=f"cannot open the store at {path}: {e}"))
        return
    _limit_memory(memory_mb)
    _loop(store, conn)


def _loop(store: ox.Store, conn: Connection) -> None:
    conn.send(Answer(True, "ready"))
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        conn.send(answer(store, job))


def replay(store: ox.Store, changes: list[tuple]) -> None:
    """Apply ``changes`` made to another copy of the same graph: ``("update", text)`` runs a SPARQL update (one
    that leaves every copy equal, see :func:`tradekg.graph.sparql_text.ground_data`); ``("graph", iri, nquads)``
    replaces a named graph with the quads given, blank-node labels kept (``Store.load`` would relabel them)."""
    for change in changes:
        if change[0] == "update":
            store.update(change[1])
        else:
            graph = ox.NamedNode(change[1])
            store.remove_graph(graph)
            store.extend(ox.parse(change[2], format=ox.RdfFormat.N_QUADS))


def _received(control: socket.socket, have: bytes, size: int) -> bytes:
    """``size`` bytes from ``control``, the first of them already in ``have``."""
    chunks, count = [have], len(have)
    while count < size:
        chunk = control.recv(min(size - count, 1 << 20))
        if not chunk:
            os._exit(0)
        chunks.append(chunk)
        count += len(chunk)
    return b"".join(chunks)


def zygote(store: ox.Store, control: socket.socket, memory_mb: int) -> None:
    """The fork server of memory mode, run in a child forked from the API process right after it
    loaded the graph: on each request (a socket passed over ``control``) it forks a worker that
    answers on that socket from the same in-memory graph, its pages shared, not copied. Replies
    with the worker's pid (for the pool to kill it on a timeout). An authorised update that the API
    process applied to its copy comes as ``u``, its length and its pickled changes (:func:`replay`),
    so that the workers forked next see it; replied 0 when applied, -1 when not. Never returns."""
    keep = control.fileno()
    os.closerange(3, keep)  # the API's sockets and other workers' pipes are not the zygote's to hold
    os.closerange(keep + 1, 65536)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # workers are reaped by the kernel
    signal.signal(signal.SIGINT, signal.SIG_IGN)   # Ctrl-C in the terminal is for the server
    # one forked from the running server (after a rebuild or an update) would run uvicorn's SIGTERM handler, which
    # writes to a wakeup socket the zygote closed ("Exception ignored ...", and it lived on): SIGTERM ends it
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.set_wakeup_fd(-1)
    while True:
        try:
            message, fds, _, _ = socket.recv_fds(control, 16, 1)
            if message[:1] == b"u":
                message = _received(control, message, 9)
                changes = pickle.loads(_received(control, message[9:], struct.unpack("!Q", message[1:9])[0]))
                try:
                    replay(store, changes)
                    done = 0
                except (OSError, RuntimeError, SyntaxError, ValueError):
                    done = -1
                control.sendall(struct.pack("!i", done))
                continue
        except OSError:
            os._exit(0)
        if not message or not fds:
            os._exit(0)
        pid = os.fork()
        if pid == 0:
            try:
                control.close()
                signal.signal(signal.SIGCHLD, signal.SIG_DFL)
                _limit_memory(memory_mb)
                _loop(store, Connection(fds[0]))
            finally:
                os._exit(0)
        os.close(fds[0])
        try:
            control.sendall(struct.pack("!i", pid))
        except OSError:
            os._exit(0)


if __name__ == "__main__":  # python -m tradekg.graph.worker FD STORE_PATH MEMORY_MB (started by tradekg.graph.pool)
    import sys

    from tradekg.graph.worker import serve as _serve  # so Answer pickles as tradekg.graph.worker.Answer

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C in the terminal is for the server, which stops us
    _serve(sys.argv[2], Connection(int(sys.argv[1])), int(sys.argv[3]) if len(sys.argv) > 3 else 0)
