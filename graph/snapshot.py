"""The build's N-Quads copy of a store version, for memory mode (`tradekg serve --memory`).

Reading the database quad by quad into an in-memory store takes ~11 s for the bundle on an idle 2-core
machine; parsing N-Quads takes ~3.6 s. pyoxigraph's ``Store.load`` (the fast parse) gives blank nodes new
labels, so the copy is two files: the quads without blank nodes, loaded that way, and the few hundred with
one, read through ``bulk_extend(parse(…))``, which keeps their labels. The graph in memory is then the
database's, label for label. The copy is written once per version by the build and retired when the
database is changed in place (:meth:`tradekg.graph.store.EmbeddedStore.update`).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import BinaryIO

import pyoxigraph as ox

PLAIN = "graph.nq"                 # every quad without a blank node
BLANK = "graph-blank-nodes.nq"     # every quad with one (subject, object or graph name)
FILES = (PLAIN, BLANK)


def write(graph: ox.Store, folder: Path) -> None:
    """Dump ``graph`` into ``folder`` as the two files, split as the dump streams (no third copy on disk)."""
    with (folder / PLAIN).open("wb") as plain, (folder / BLANK).open("wb") as blank:
        splitter = _Splitter(plain, blank)
        graph.dump(splitter, format=ox.RdfFormat.N_QUADS)
        splitter.close()


class _Splitter:
    """A writer sending each N-Quads line with a blank node to ``blank``, the others to ``plain``. The test is
    by text: a literal that happens to contain " _:" sends its quad to the blank-node file, which is read
    correctly too, only more slowly. Chunks without "_:" at all (nearly all) are written whole."""

    def __init__(self, plain: BinaryIO, blank: BinaryIO):
        self.plain, self.blank, self.rest = plain, blank, b""

    def write(self, data: bytes) -> int:
        chunk = self.rest + bytes(data)
        cut = chunk.rfind(b"\n") + 1
        self.rest = chunk[cut:]
        self._lines(chunk[:cut])
        return len(data)

    def _lines(self, lines: bytes) -> None:
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
    for name in FILES:
        (folder / name).unlink(missing_ok=True)


def load(folder: Path) -> ox.Store:
    """The copy as an in-memory store; ValueError when it does not hold as many quads as the build wrote
    (a damaged or cut file), so the caller reads the database instead."""
    db = ox.Store()
    # lenient: the copy is the store's own dump, so every IRI and tag in it was checked on the way into the
    # database; checking them again is a quarter of the parse (4.9 → 3.6 s for the bundle). A cut or damaged
    # file still fails the syntax or the count below.
    db.load(path=str(folder / PLAIN), format=ox.RdfFormat.N_QUADS, lenient=True)
    db.bulk_extend(ox.parse(path=str(folder / BLANK), format=ox.RdfFormat.N_QUADS, lenient=True))  # keeps labels
    expected = _built_quads(folder)
    if expected is not None and expected != len(db):
        raise ValueError(f"{len(db):,} quads where the build wrote {expected:,}")
    return db


def size(folder: Path) -> int:
    return sum((folder / name).stat().st_size for name in FILES if (folder / name).is_file())


def _built_quads(folder: Path) -> int | None:
    """How many quads the build wrote into this version (its build-report.json), if it says."""
    try:
        return int(json.loads((folder / "build-report.json").read_text(encoding="utf-8"))["total"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
