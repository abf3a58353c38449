"""Memory mode (`tradekg serve --memory on|auto`) parses the N-Quads copy of the graph that the build writes beside
the database (graph/snapshot.py), more than twice as fast as reading the database quad by quad. The graph it then holds is the
database's, quad for quad and blank-node labels included; once the database changes (an authorised update) or
when the copy is damaged, it reads the database instead."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest

from conftest import foundation_loaders
from tradekg.graph import layout, snapshot
from tradekg.graph.build import build
from tradekg.graph.store import EmbeddedStore, memory_fits, store_bytes


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    target = tmp_path_factory.mktemp("memory-mode") / "store"
    build(target, loaders=foundation_loaders(), check_shapes=False)
    return target


def copy_of(built: Path, tmp_path: Path) -> Path:
    target = tmp_path / "store"
    shutil.copytree(built, target)
    return target


def quads(db: ox.Store) -> set[str]:
    """Every quad as N-Quads text: blank nodes by their labels, so a relabelled copy would not compare equal."""
    return {str(q) for q in db.quads_for_pattern(None, None, None, None)}


def test_memory_mode_reads_the_builds_copy_and_holds_the_databases_graph(built):
    version = layout.current(built)
    assert snapshot.present(version)
    memory = EmbeddedStore.in_memory(built)
    assert memory.loaded_from == "the build's N-Quads copy"
    database = quads(EmbeddedStore(built).db)
    assert any(line.startswith("_:") for line in database), "blank nodes should be there to compare"
    assert quads(memory.db) == database
    assert memory.loaded[0] == len(database)
    assert store_bytes(built) < sum(f.stat().st_size for f in version.rglob("*") if f.is_file()), \
        "the copy is not counted as the database's size (memory mode auto decides on that)"


def test_a_damaged_copy_is_left_for_the_database(built, tmp_path):
    store = copy_of(built, tmp_path)
    plain = layout.current(store) / snapshot.PLAIN
    lines = plain.read_bytes().splitlines(keepends=True)
    plain.write_bytes(b"".join(lines[: len(lines) // 2]))  # cut at a line: parses, but half is missing
    memory = EmbeddedStore.in_memory(store)
    assert memory.loaded_from == "the database"
    assert quads(memory.db) == quads(EmbeddedStore(store).db)


def test_an_update_retires_the_copy_and_memory_mode_sees_it(built, tmp_path):
    store = copy_of(built, tmp_path)
    EmbeddedStore(store).update('INSERT DATA { GRAPH <https://w3id.org/tradekg/graph/test> '
                                '{ <https://w3id.org/tradekg/id/test/a> <https://w3id.org/tradekg/id/test/b> "c" } }')
    assert not any((layout.current(store) / name).exists() for name in snapshot.FILES)
    memory = EmbeddedStore.in_memory(store)
    assert memory.loaded_from == "the database"
    assert memory.ask("ASK { <https://w3id.org/tradekg/id/test/a> ?p \"c\" }")


def test_auto_counts_every_server_process_that_shares_the_graph(built):
    """`--memory auto` with `--workers N` (docs/benchmarks.md): 4 × the database, and 1 × more for each more server
    process, must fit in a quarter of MemAvailable. Checked against this machine's MemAvailable and the size of the
    database's files, both read here, with a factor of two either side (MemAvailable moves while the test runs)."""
    version = layout.current(built)
    database = sum(f.stat().st_size for f in version.rglob("*") if f.is_file() and f.name not in snapshot.FILES)
    with open("/proc/meminfo") as f:
        available = next(int(line.split()[1]) * 1024 for line in f if line.startswith("MemAvailable:"))
    most = int(available / 4 / database) - 3  # 4 + (n - 1) database sizes within a quarter: n ≤ this
    assert most > 4, "this machine has too little memory for the test's small store"
    assert memory_fits(built) and memory_fits(built, processes=most // 2)
    assert not memory_fits(built, processes=most * 2)
