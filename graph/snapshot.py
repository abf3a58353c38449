"""The build's N-Quads copy of a store version, for memory mode (`tradekg serve --memory`).

Reading the database quad by quad into an in-memory store takes ~11 s for the bundle on an idle 2-core
machine; parsing N-Quads takes ~3.6 s. pyoxigraph's ``Store.load`` (the fast parse) gives blank nodes new
labels, so the copy is two files: the quads without blank nodes, loaded that way, and the few hundred with
one, read through ``bulk_extend(parse(…))``, which keeps their labels. The graph in memory is then the
database's, label for label. The copy is written by the build, retired when the database is changed in place
(:meth:`tradekg.graph.store.EmbeddedStore.update`), and written again by a server holding the graph in memory
once that graph is the database's again (after an update applied to both, or a load from the database), so that
the next start reads the copy. A third file says how many quads the copy holds and how large its two files are;
it is written last and removed first, and a copy that does not match it is not used.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO

import pyoxigraph as ox

from .layout import pid_alive

PLAIN = "graph.nq"                 # every quad without a blank node
BLANK = "graph-blank-nodes.nq"     # every quad with one (subject, object or graph name)
FILES = (PLAIN, BLANK)
COUNT = "graph-quads.json"         # {"quads": n, "bytes": {PLAIN: …, BLANK: …}}, written last
LOCK = ".graph-copy.lock"          # held while the copy or the database is written (see :func:`locked`)


def write(graph: ox.Store, folder: Path) -> None:
    """Dump ``graph`` into ``folder`` as the two files, split as the dump streams (no third copy on disk), then
    :data:`COUNT`. Written under temporary names and renamed, so a reader never parses a half-written file."""
    written = prepare(graph, folder)
    try:
        publish(folder, written)
    finally:
        discard(written)


class Stopped(Exception):
    """The copy was being written when the process began to stop: nothing is left of it."""


def prepare(graph: ox.Store, folder: Path, stop: Callable[[], bool] = lambda: False) -> dict[str, Path]:
    """The copy of ``graph`` written under temporary names in ``folder`` (:func:`publish` puts it in place); raises
    :class:`Stopped` as soon as ``stop()`` says so. Temporary files left by a process that no longer runs (killed
    while it wrote a copy) are removed first."""
    for name in (*FILES, COUNT):
        for left in folder.glob(f"{name}.*.tmp"):
            pid = left.name.removeprefix(name + ".").removesuffix(".tmp")
            if pid.isdigit() and not pid_alive(int(pid)):
                left.unlink(missing_ok=True)
    temporary = f".{os.getpid()}.tmp"
    written = {name: folder / (name + temporary) for name in (*FILES, COUNT)}
    try:
        with written[PLAIN].open("wb") as plain, written[BLANK].open("wb") as blank:
            splitter = _Splitter(plain, blank, stop)
            graph.dump(splitter, format=ox.RdfFormat.N_QUADS)
            splitter.close()
        written[COUNT].write_text(json.dumps({"quads": splitter.lines, "bytes": {
            name: written[name].stat().st_size for name in FILES}}), encoding="utf-8")
    except BaseException:
        discard(written)
        raise
    return written


def publish(folder: Path, written: dict[str, Path]) -> None:
    """The copy :func:`prepare` wrote, renamed into place: :data:`COUNT` out first and in last."""
    (folder / COUNT).unlink(missing_ok=True)
    for name in (*FILES, COUNT):
        os.replace(written[name], folder / name)


def discard(written: dict[str, Path]) -> None:
    for path in written.values():
        path.unlink(missing_ok=True)


@contextlib.contextmanager
def locked(folder: Path) -> Iterator[None]:
    """Held (across processes: ``flock``) by whoever writes the database in place or the copy, so that a copy
    is never published from a graph that an update changed in the meantime."""
    with open(folder / LOCK, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


class _Splitter:
    """A writer sending each N-Quads line with a blank node to ``blank``, the others to ``plain``. The test is
    by text: a literal that happens to contain " _:" sends its quad to the blank-node file, which is read
    correctly too, only more slowly. Chunks without "_:" at all (nearly all) are written whole."""

    def __init__(self, plain: BinaryIO, blank: BinaryIO, stop: Callable[[], bool] = lambda: False):
        self.plain, self.blank, self.rest, self.stop = plain, blank, b"", stop
        self.lines = 0

    def write(self, data: bytes) -> int:
        if self.stop():
            raise Stopped
        chunk = self.rest + bytes(data)
        cut = chunk.rfind(b"\n") + 1
        self.rest = chunk[cut:]
        self._lines(chunk[:cut])
        return len(data)

    def _lines(self, lines: bytes) -> None:
        self.lines += lines.count(b"\n")
        if b"_:" not in lines:
            self.plain.write(lines)
            return
        for line in lines.splitlines(keepends=True):
            (self.blank if line.startswith(b"_:") or b" _:" in line else self.plain).write(line)

    def flush(self) -> None:
        pass

    def close(self) -> None:
        self._lines(self.rest)
        self.rest = b""


def present(folder: Path) -> bool:
    return all((folder / name).is_file() for name in FILES)


def retire(folder: Path) -> None:
    """The database is about to change: the copy would no longer match it."""
    for name in (COUNT, *FILES):
        (folder / name).unlink(missing_ok=True)


def load(folder: Path) -> ox.Store:
    """The copy as an in-memory store; ValueError when it does not hold as many quads as was written (a
    damaged or cut file), or its files are not those :data:`COUNT` describes, so the caller reads the database."""
    counted = _counted(folder)
    with open(folder / PLAIN, "rb") as plain, open(folder / BLANK, "rb") as blank:
        # the files as opened now (a copy written meanwhile is renamed over them, not into them)
        sizes = {PLAIN: os.fstat(plain.fileno()).st_size, BLANK: os.fstat(blank.fileno()).st_size}
        if counted is not None and sizes != counted.get("bytes"):
            raise ValueError(f"the copy's files are {sizes} bytes where {COUNT} says {counted.get('bytes')}")
        db = ox.Store()
        # lenient: the copy is the store's own dump, so every IRI and tag in it was checked on the way into the
        # database; checking them again is a quarter of the parse (4.9 → 3.6 s for the bundle). A cut or damaged
        # file still fails the syntax or the count below.
        db.load(path=f"/proc/self/fd/{plain.fileno()}", format=ox.RdfFormat.N_QUADS, lenient=True)
        db.bulk_extend(ox.parse(path=f"/proc/self/fd/{blank.fileno()}", format=ox.RdfFormat.N_QUADS,
                                lenient=True))  # keeps labels
    expected = int(counted["quads"]) if counted is not None else _built_quads(folder)
    if expected is not None and expected != len(db):
        raise ValueError(f"{len(db):,} quads where {expected:,} were written")
    return db


def size(folder: Path) -> int:
    return sum((folder / name).stat().st_size for name in FILES if (folder / name).is_file())


def _counted(folder: Path) -> dict | None:
    """What :data:`COUNT` says (None for a copy written before there was one)."""
    try:
        return json.loads((folder / COUNT).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as e:
        raise ValueError(f"unreadable {COUNT}: {e}") from e


def _built_quads(folder: Path) -> int | None:
    """How many quads the build wrote into this version (its build-report.json), if it says."""
    try:
        return int(json.loads((folder / "build-report.json").read_text(encoding="utf-8"))["total"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
