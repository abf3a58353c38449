"""The one store abstraction: everything above this module asks a :class:`Store` and never knows
whether the graph lives in an embedded pyoxigraph database or behind a SPARQL 1.1 endpoint.

Answers come back as rdflib terms (``Rows``), so the query catalog, the CLI and the API share one
term type and can escape values with ``n3()``. Queries without ``GRAPH`` see the union of all
named graphs, as researchers expect; ``GRAPH ?g`` still tells which source said what.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import logging
import os
import shutil
import threading
import time
import weakref
from collections.abc import Iterable, Iterator, Mapping
from concurrent.futures import Executor
from pathlib import Path
from typing import Protocol

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.term import Identifier

from . import layout, snapshot, sparql_text, statistics
from .errors import BadParameters, QuerySyntaxError, StoreError, TradeKGError
from .pool import Limits
from .worker import Answer, Job, replay

log = logging.getLogger("tradekg.store")


class Rows(list[dict[str, Identifier]]):
    """SELECT answers: one dict per solution (unbound variables absent), plus the variable order."""

    def __init__(self, rows: Iterable[dict[str, Identifier]] = (), variables: Iterable[str] = ()):
        super().__init__(rows)
        self.variables = list(variables)

_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


class Store(Protocol):
    """What the loaders, the catalog, the analyses and the API need from a triple store."""

    def select(self, text: str, bindings: Mapping[str, Identifier] | None = None) -> Rows: ...

    def ask(self, text: str, bindings: Mapping[str, Identifier] | None = None) -> bool: ...

    def construct(self, text: str, bindings: Mapping[str, Identifier] | None = None) -> str:
        """CONSTRUCT/DESCRIBE answers as N-Triples text."""
        ...

    def update(self, text: str) -> None: ...

    def named_graphs(self) -> list[str]: ...

    def reopen(self) -> None:
        """See the store as it is now (after an update or a rebuild by another process)."""
        ...

    def query_service(self, limits: Limits) -> QueryService:
        """Where SPARQL protocol requests (:class:`~tradekg.graph.worker.Job`) are answered."""
        ...

    def changed(self) -> bool:
        """Whether the store was replaced (rebuilt) since this handle last opened it."""
        ...

    def close(self) -> None: ...


class QueryService(Protocol):
    """Answers protocol requests with bodies serialised by the engine, each within a time limit."""

    forwards: bool  # True: the body is a remote server's answer in its own format (``Job.accept`` decides)

    def run(self, job: Job, cancel: threading.Event | None = None, deadline: float | None = None) -> Answer:
        """The answer; ``cancel`` set = the client went away; ``deadline`` is monotonic."""
        ...

    async def run_async(self, job: Job, executor: Executor, cancel: threading.Event | None = None,
                        deadline: float | None = None) -> Answer:
        """:meth:`run` awaited on an event loop; what would block waits on a thread of ``executor``."""
        ...

    def warm_up(self) -> None: ...

    def refresh(self) -> None:
        """Drop every handle that sees an older state of the store."""
        ...

    def apply(self, changes: list[tuple]) -> bool:
        """The store's graph was changed in place by ``changes`` (:func:`~tradekg.graph.worker.replay`): make the
        answers from now on see them; False when only :meth:`refresh` after a reload can."""
        ...

    def close(self) -> None: ...


def to_rdflib(term: ox.NamedNode | ox.BlankNode | ox.Literal | None) -> Identifier | None:
    """A pyoxigraph term as the rdflib term the rest of tradekg speaks."""
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    if term.datatype.value == _XSD_STRING:
        return Literal(term.value)
    return Literal(term.value, datatype=URIRef(term.datatype.value))


def to_oxigraph(term: Identifier) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """An rdflib term as a pyoxigraph term (for bound query parameters)."""
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"cannot bind {term!r}: not an IRI, blank node or literal")


class _Gate:
    """Reads of the graph by this process's threads go through many at once; a fork of this process waits until
    none is under way and holds new ones back while it forks. The in-memory engine locks each quad it visits, and
    a fork taken while another thread holds such a lock leaves it held in the child for ever: a query touching
    that quad would hang in every query worker forked from it."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._reading = 0
        self._forking = False

    @contextlib.contextmanager
    def reading(self) -> Iterator[None]:
        with self._changed:
            while self._forking:
                self._changed.wait()
            self._reading += 1
        try:
            yield
        finally:
            with self._changed:
                self._reading -= 1
                self._changed.notify_all()

    @property
    def fork_waiting(self) -> bool:
        """A fork waits for the reads under way (a long one, such as a dump of the graph, may give way)."""
        return self._forking

    @contextlib.contextmanager
    def forking(self) -> Iterator[None]:
        with self._changed:
            while self._forking:
                self._changed.wait()
            self._forking = True
            while self._reading:
                self._changed.wait()
        try:
            yield
        finally:
            with self._changed:
                self._forking = False
                self._changed.notify_all()


class EmbeddedStore:
    """A persistent pyoxigraph store on disk (or in memory when ``path`` is None).

    Opened read-only by default so that several readers (CLI, API workers) can share one store;
    the build opens a fresh folder read-write and swaps it in when it is complete.
    """

    memory = False          # True: the graph at ``path`` was loaded into memory (see :meth:`in_memory`)
    keep_copy = False       # memory mode: write the N-Quads copy again when it is missing (see :meth:`in_memory`)
    loaded: tuple[int, float] = (0, 0.0)   # memory mode: quads loaded, seconds taken
    loaded_from = ""        # memory mode: the snapshot file or the database

    def __init__(self, path: Path | None = None, *, read_only: bool = True):
        self.path, self.read_only = path, read_only and path is not None
        self.root, self._pin = path, None  # root: the folder given; path: the version opened (graph/layout.py)
        self.version = None
        self._services: weakref.WeakSet[QueryService] = weakref.WeakSet()  # kept in step by update()
        # one update at a time; changed() does not look in the middle of one; no fork server is forked while the graph
        # in memory is written or dumped (re-entrant: an update that loads the graph again starts new fork servers)
        self._writing = threading.RLock()
        self._copy_due, self._copying, self._copy_lock = 0.0, False, threading.Lock()
        self._updates = 0  # updates through this handle: a copy dumped across one is not published
        self._stopping = threading.Event()  # close() or the process's exit: a copy being dumped is dropped
        self._gate = _Gate()  # reads in this process against forks of it (memory mode's fork servers)
        try:
            if path is None:
                self.db = ox.Store()
            elif read_only:
                self._pin = layout.pin(path)  # the current version, held so no build deletes it under us
                self.path = path = self._pin.path
                self.version = _identity(path)
                self.db = ox.Store.read_only(str(path))
            else:
                self.db = ox.Store(str(path))
        except OSError as e:
            self.close()
            raise StoreError(f"cannot open the store at {path}: {e}") from e

    def _query(self, text: str, bindings: Mapping[str, Identifier] | None):
        substitutions = {ox.Variable(k): to_oxigraph(v) for k, v in (bindings or {}).items()}
        try:
            return self.db.query(text, use_default_graph_as_union=True,
                                 substitutions=substitutions or None)
        except SyntaxError as e:
            raise QuerySyntaxError(f"SPARQL syntax error: {e}") from e
        except RuntimeError as e:
            if "SELECT projection" in str(e):
                raise BadParameters(f"{e}: a bound parameter must be a projected variable "
                                    "(so that every engine binds it the same way)") from e
            raise StoreError(f"query failed: {e}") from e
        except OSError as e:
            raise StoreError(f"query failed: {e}") from e

    def reading(self) -> contextlib.AbstractContextManager[None]:
        """Held by a thread that reads ``db`` outside this class's methods (they hold it themselves): no fork server
        is forked from this process meanwhile (see :class:`_Gate`)."""
        return self._gate.reading()

    def select(self, text: str, bindings: Mapping[str, Identifier] | None = None) -> Rows:
        with self._gate.reading():  # the solutions are read here, to the last
            result = self._query(text, bindings)
            if not isinstance(result, ox.QuerySolutions):
                raise QuerySyntaxError("expected a SELECT query")
            names = [v.value for v in result.variables]
            return Rows(({n: to_rdflib(sol[n]) for n in names if sol[n] is not None} for sol in result), names)

    def ask(self, text: str, bindings: Mapping[str, Identifier] | None = None) -> bool:
        with self._gate.reading():
            result = self._query(text, bindings)
        if not isinstance(result, ox.QueryBoolean):
            raise QuerySyntaxError("expected an ASK query")
        return bool(result)

    def construct(self, text: str, bindings: Mapping[str, Identifier] | None = None) -> str:
        with self._gate.reading():
            result = self._query(text, bindings)
            if not isinstance(result, ox.QueryTriples):
                raise QuerySyntaxError("expected a CONSTRUCT or DESCRIBE query")
            return result.serialize(format=ox.RdfFormat.N_TRIPLES).decode("utf-8")

    def update(self, text: str) -> None:
        """Apply a SPARQL update, then count the graph's statistics again (graph/statistics.py) with the
        same handle. On a store opened read-only, through a short-lived read-write handle (the folder's
        lock is held only for the update), after which this handle and the query workers see the change.

        In memory mode an update of data alone (:func:`~tradekg.graph.sparql_text.ground_data`) is applied to
        the database and to the graph in memory, the statistics are counted in memory and written to the
        database as counted, and the query workers' fork server applies the same changes: ~2 s on the bundle,
        where it took ~40 s to count the statistics on disk and load the graph from the database twice. Any
        other update (a WHERE clause may pick rows in each store's own order; NOW() differs) is applied to the
        database, and the graph is loaded from it again."""
        if not self.read_only:
            _apply(self.db, text)
            _apply(self.db, statistics.refresh_update())
            return
        with self._writing, snapshot.locked(self.path):
            self._updates += 1
            # the build's N-Quads copy no longer matches once the database changes: memory mode reads the database
            snapshot.retire(self.path)
            try:
                writer = ox.Store(str(self.path))
            except OSError as e:
                raise StoreError(f"cannot open the store at {self.path} for writing (is a build running?): {e}") \
                    from e
            try:
                _apply(writer, text)
                changes = self._changed_in_memory(text) if self.memory and sparql_text.ground_data(text) else None
                if changes is not None:
                    replay(writer, changes[1:])  # the statistics as counted in memory, blank-node labels included
                else:
                    _apply(writer, statistics.refresh_update())
                writer.flush()
            finally:
                del writer
            services = list(self._services)
            if changes is not None and all(service.apply(changes) for service in services):
                self.version = _identity(self.path)  # this handle wrote it: not a rebuild to switch to
                if self.keep_copy:
                    self._want_copy()
                return
            self.reopen()
            for service in services:
                service.refresh()

    def _want_copy(self) -> None:
        """Write the N-Quads copy (graph/snapshot.py) from the graph in memory, in the background once updates have
        paused for COPY_QUIET_S, so that the next start reads it (~4 s for the bundle) instead of the database
        (~11 s). Written only while the graph in memory is the database's (no other process wrote since)."""
        with self._copy_lock:
            self._copy_due = time.monotonic() + COPY_QUIET_S
            if self._copying or self._stopping.is_set():
                return
            self._copying = True
        copier = threading.Thread(target=self._copy_when_quiet, name="tradekg-graph-copy", daemon=True)
        copier.start()
        atexit.register(self._stop_copying, copier)  # a daemon thread is not waited for: its temporary files would stay

    def _stop_copying(self, copier: threading.Thread) -> None:
        self._stopping.set()
        copier.join(10)  # the dump stops at its next chunk

    def _copy_when_quiet(self) -> None:
        while True:
            while (wait := self._copy_due - time.monotonic()) > 0:
                if self._stopping.wait(wait):
                    return
            started = time.monotonic()
            self._write_copy()
            with self._copy_lock:
                if self._copy_due <= started:  # no update since: done
                    self._copying = False
                    return

    def _write_copy(self) -> None:
        """Dumped while the server answers and updates go on (a read: forks of this process wait for it), then put
        in place only if no update came meanwhile, from this process or another (else the next one writes it)."""
        with self._writing:
            db, updates, version = self.db, self._updates, self.version
        if db is None:
            return  # closed
        started = time.perf_counter()
        try:
            with self.reading():  # gives way to a fork (REST reads wait while a fork waits)
                written = snapshot.prepare(db, self.path,
                                           stop=lambda: self._stopping.is_set() or self._gate.fork_waiting)
            try:
                with self._writing, snapshot.locked(self.path):
                    if self._updates != updates or self.version != version or store_version(self.root) != version:
                        return
                    snapshot.publish(self.path, written)
            finally:
                snapshot.discard(written)
            log.info("wrote the graph's N-Quads copy for the next start in %.1f s", time.perf_counter() - started)
        except snapshot.Stopped:
            if not self._stopping.is_set():  # a fork came first: again once it is done
                with self._copy_lock:
                    self._copy_due = time.monotonic() + COPY_QUIET_S
        except (OSError, RuntimeError, ValueError) as e:
            log.warning("could not write the graph's N-Quads copy (the next start reads the database): %s", e)

    def _changed_in_memory(self, text: str) -> list[tuple] | None:
        """``text`` applied to the graph in memory and the statistics counted again there; the changes for
        the other copies (:func:`~tradekg.graph.worker.replay`), or None if that failed (the caller loads the
        graph again)."""
        try:
            _apply(self.db, text)
            _apply(self.db, statistics.refresh_update())
            counts = self.db.quads_for_pattern(None, None, None, ox.NamedNode(statistics.GRAPH))
            return [("update", text), ("graph", statistics.GRAPH, ox.serialize(counts, format=ox.RdfFormat.N_QUADS))]
        except TradeKGError as e:
            log.warning("the update could not be applied to the graph in memory (%s); loading it again", e)
            return None

    @classmethod
    def in_memory(cls, path: Path, keep_copy: bool = False) -> EmbeddedStore:
        """The store at ``path`` loaded into an in-memory store (memory mode: scans run several times
        faster than on disk). Read-only like a disk handle; :meth:`reopen` loads the folder again.
        ``keep_copy``: write the N-Quads copy again in the background when it is missing (:meth:`_want_copy`);
        not in a process that forks others while it runs (a dump under way would be copied into them)."""
        store = cls(path)
        store.memory, store.keep_copy = True, keep_copy
        store._load()
        return store

    def _follow(self) -> None:
        """Point ``path`` at the store's current version (a rebuild may have switched it), held against
        deletion, and let go of the version held before."""
        if self.root is None or not self.read_only:
            return
        pin, old = layout.pin(self.root), self._pin
        self._pin, self.path = pin, pin.path
        if old is not None:
            old.release()

    def _load(self) -> None:
        self.version = _identity(self.path)
        started = time.perf_counter()
        db = None
        if snapshot.present(self.path):  # the N-Quads copy: parsed in well under half the time
            try:
                db = snapshot.load(self.path)
                self.loaded_from = "the N-Quads copy"
            except (OSError, RuntimeError, SyntaxError, ValueError) as e:  # damaged: the database is the truth
                log.warning("cannot use the N-Quads copy in %s (%s); loading the database instead", self.path, e)
                db = None
        if db is None:
            try:
                disk = ox.Store.read_only(str(self.path))
                db = ox.Store()
                # quad by quad from the database: no N-Quads text in between, and no 300 MB dump held at once
                db.bulk_extend(disk.quads_for_pattern(None, None, None, None))
                del disk
                self.loaded_from = "the database"
            except (OSError, RuntimeError, SyntaxError) as e:
                raise StoreError(f"cannot load the store at {self.path} into memory: {e}") from e
        self.loaded = (len(db), time.perf_counter() - started)
        self.db = db
        if self.loaded_from == "the database" and self.keep_copy:
            self._want_copy()

    def reopen(self) -> None:
        """A fresh read-only handle (an open one keeps seeing the store as it was when it was opened);
        in memory mode the folder is loaded again, and the old graph answers until that is done."""
        self._follow()
        if self.memory:
            self._load()
        elif self.read_only:
            self.version = _identity(self.path)
            self.db = EmbeddedStore(self.path).db

    def changed(self) -> bool:
        """Whether a build replaced the store folder since it was opened (or loaded)."""
        if self.path is None:
            return False
        with self._writing:  # an update under way writes to the folder too
            now = store_version(self.root)
            return now is not None and now != self.version

    def query_service(self, limits: Limits) -> QueryService:
        """Worker processes (a runaway query is killed): forked from a copy of this process holding
        the graph in memory (memory mode), or started over the store folder; or this process for a
        store without a folder (tests: no time limit). :meth:`update` keeps the workers in step."""
        if self.path is None:
            return InProcess(self)
        from .pool import ExecLauncher, ForkLauncher, QueryPool

        if self.memory:
            def launcher() -> ForkLauncher:
                # not while a thread of this process reads, writes or dumps the graph (see _Gate)
                with self._writing, self._gate.forking():
                    return ForkLauncher(self.db, limits.memory_mb)
            pool = QueryPool(launcher(), limits, relaunch=launcher)
        else:
            pool = QueryPool(ExecLauncher(self.root, limits.memory_mb), limits)  # workers open the current version
        self._services.add(pool)
        return pool

    def drop_graph(self, graph: str) -> None:
        self.db.remove_graph(ox.NamedNode(graph))

    def named_graphs(self) -> list[str]:
        with self._gate.reading():
            return sorted(g.value for g in self.db.named_graphs() if isinstance(g, ox.NamedNode))

    def optimize(self) -> None:
        self.db.optimize()

    def close(self) -> None:
        """Flush and let go of the store, releasing its lock for other processes."""
        if hasattr(self, "_stopping"):
            self._stopping.set()  # a copy being dumped from the graph in memory is dropped
        if getattr(self, "db", None) is not None and self.path is not None and not self.read_only:
            self.db.flush()
        self.db = None  # type: ignore[assignment]
        if getattr(self, "_pin", None) is not None:
            self._pin.release()


def _apply(db: ox.Store, text: str) -> None:
    try:
        db.update(text)
    except SyntaxError as e:
        raise QuerySyntaxError(f"SPARQL syntax error: {e}") from e
    except (RuntimeError, OSError) as e:
        raise StoreError(f"update failed: {e}") from e


class BlockingService:
    """A query service whose :meth:`run` answers in the calling thread: awaited on a thread of the caller's
    executor, with no processes to start, renew or stop (the in-process engine, a remote server)."""

    forwards = False

    def run(self, job: Job, cancel: threading.Event | None = None, deadline: float | None = None) -> Answer:
        raise NotImplementedError

    async def run_async(self, job: Job, executor: Executor, cancel: threading.Event | None = None,
                        deadline: float | None = None) -> Answer:
        return await asyncio.get_running_loop().run_in_executor(executor, self.run, job, cancel, deadline)

    def warm_up(self) -> None:
        pass

    def refresh(self) -> None:
        pass

    def apply(self, changes: list[tuple]) -> bool:
        return True  # the graph it answers from is the one changed (in this process, or the remote server's)

    def close(self) -> None:
        pass


class InProcess(BlockingService):
    """Protocol requests answered in the calling thread (a store without a folder: nothing to kill)."""

    def __init__(self, store: EmbeddedStore):
        self.store = store

    def run(self, job: Job, cancel: threading.Event | None = None, deadline: float | None = None) -> Answer:
        from .worker import answer

        with self.store.reading():
            return answer(self.store.db, job)


def store_version(path: Path) -> tuple | None:
    """What changes when a build switches the store at ``path`` to a new version, or an update writes to it
    (None while there is no store)."""
    try:
        return _identity(layout.current(path))
    except StoreError:
        return None


def _identity(version: Path) -> tuple | None:
    try:
        current = (version / "CURRENT").stat()
    except OSError:
        return None
    return str(version), current.st_ino, current.st_mtime_ns


def store_bytes(path: Path) -> int:
    """The size on disk of the store's current version: its database, not the build's N-Quads copy."""
    try:
        version = layout.current(path)
    except StoreError:
        return 0
    return sum(f.stat().st_size for f in version.rglob("*") if f.is_file()) - snapshot.size(version)


COPY_QUIET_S = 2.0     # memory mode: the N-Quads copy is written again once updates have paused this long
MEMORY_FACTOR = 4      # memory mode against the database's size: 603 MB RSS for 412 MB, ~2.2 GB PSS with its workers
MEMORY_SHARE = 0.25    # memory mode "auto" takes at most this share of the memory available
# each more server process sharing the graph (`serve --workers N`, api/prefork.py), against the database's size: its
# query workers copy the pages they write (+225-270 MB each for the bundle's 412 MB after every catalog query)
MEMORY_PER_PROCESS = 1


def memory_fits(path: Path, processes: int = 1) -> bool:
    """Memory mode "auto": whether the graph at ``path``, shared by ``processes`` server processes, takes a small
    share of the available memory."""
    try:
        with open("/proc/meminfo") as f:
            available = next(int(line.split()[1]) * 1024 for line in f if line.startswith("MemAvailable:"))
    except (OSError, StopIteration, ValueError):
        available = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_AVPHYS_PAGES")
    return store_bytes(path) * (MEMORY_FACTOR + MEMORY_PER_PROCESS * (processes - 1)) <= available * MEMORY_SHARE


def convert_rdf(data: bytes, source: str, target: str) -> bytes:
    """RDF text from one format to another (pyoxigraph ``RdfFormat`` names, e.g. TURTLE → JSON_LD)."""
    if source == target:
        return data
    triples = ox.parse(data, format=getattr(ox.RdfFormat, source))
    return ox.serialize(triples, format=getattr(ox.RdfFormat, target)) or b""


def remove(path: Path) -> None:
    """Delete a store folder (a failed build's leftovers)."""
    shutil.rmtree(path, ignore_errors=True)


def open_store(path: Path | None = None, endpoint: str | None = None,
               update_endpoint: str | None = None, timeout_s: float = 30.0) -> Store:
    """The embedded store at ``path``, or the SPARQL endpoint if one is given: chosen by configuration alone."""
    if endpoint:
        from .remote import RemoteStore

        return RemoteStore(endpoint, update_endpoint, timeout_s=timeout_s)
    if path is None:
        raise StoreError("no store: give a store folder or an endpoint URL")
    return EmbeddedStore(path)
