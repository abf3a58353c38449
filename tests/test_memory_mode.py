"""Memory mode (`tradekg serve --memory on|auto`) parses the N-Quads copy of the graph that the build writes beside
the database (graph/snapshot.py), more than twice as fast as reading the database quad by quad. The graph it then holds is the
database's, quad for quad and blank-node labels included; once the database changes (an authorised update) or
when the copy is damaged, it reads the database instead."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest

from api_support import WAIT_S, wait_for
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
    assert memory.loaded_from == "the N-Quads copy"
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


# -- updates in memory mode: the graph in memory, the query workers' fork server and the database stay equal --------

TEST_GRAPH = "https://w3id.org/tradekg/graph/test"
STATS = "https://w3id.org/tradekg/graph/statistics"
ADDED = (f'PREFIX tkg: <https://w3id.org/tradekg/ontology#> INSERT DATA {{ GRAPH <{TEST_GRAPH}> {{ '
         '<https://w3id.org/tradekg/id/test/a> a tkg:Dispute ; <https://w3id.org/tradekg/id/test/b> "c" } }')


def answered(pool, query: str, graph: bool = False) -> bytes:
    """The body a query worker answers ``query`` with (N-Triples for a CONSTRUCT, else SPARQL results JSON)."""
    from tradekg.graph.worker import Job

    answer = pool.run(Job(query, None if graph else "JSON", "N_TRIPLES" if graph else None, 100_000))
    assert answer.ok, answer.message
    return answer.body


def statistics_of(quads_text: set[str]) -> set[str]:
    return {q for q in quads_text if q.endswith(f"<{STATS}>")}


@pytest.fixture
def served(built, tmp_path):
    """A copy of the store in memory mode with its query workers, as `tradekg serve` holds it."""
    from tradekg.graph.pool import Limits

    store = EmbeddedStore.in_memory(copy_of(built, tmp_path))
    pool = store.query_service(Limits(timeout_s=60, heavy=1, reserved=1, memory_mb=0))
    pool.warm_up()
    yield store, pool
    pool.close()
    store.close()


def test_a_data_update_reaches_every_copy_without_loading_the_graph_again(served):
    store, pool = served
    ask = "ASK { <https://w3id.org/tradekg/id/test/a> ?p \"c\" }"
    assert b"false" in answered(pool, ask)
    store.update(ADDED)
    # the build's copy is retired by the update: a graph loaded again would say it came from the database
    assert store.loaded_from == "the N-Quads copy"
    assert b"true" in answered(pool, ask)  # a worker forked after the update sees it
    disk = EmbeddedStore(store.root)
    try:
        assert quads(disk.db) == quads(store.db), "the database and the graph in memory differ"
        # the two triples added are counted in the statistics, the same quads (blank-node labels too) everywhere
        count = f"SELECT ?n WHERE {{ GRAPH <{STATS}> {{ <{TEST_GRAPH}> <http://rdfs.org/ns/void#triples> ?n }} }}"
        assert [int(r["n"]) for r in disk.select(count)] == [2]
        in_workers = answered(pool, f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{STATS}> {{ ?s ?p ?o }} }}", graph=True)
        as_quads = {line.removesuffix(" .") + f" <{STATS}>" for line in in_workers.decode().splitlines()}
        assert as_quads == statistics_of(quads(store.db)) == statistics_of(quads(disk.db))
    finally:
        disk.close()


def test_an_update_with_a_where_clause_loads_the_graph_again_so_every_copy_has_the_same_value(served):
    """NOW() is evaluated once, in the database; run again in memory it would give another time."""
    store, pool = served
    store.update(f"INSERT {{ GRAPH <{TEST_GRAPH}> {{ <https://w3id.org/tradekg/id/test/t> "
                 "<https://w3id.org/tradekg/id/test/at> ?now } } WHERE { BIND(NOW() AS ?now) }")
    assert store.loaded_from == "the database"
    at = (ox.NamedNode("https://w3id.org/tradekg/id/test/t"), ox.NamedNode("https://w3id.org/tradekg/id/test/at"))
    in_memory = [q.object.value for q in store.db.quads_for_pattern(*at, None, None)]
    disk = EmbeddedStore(store.root)
    try:
        assert len(in_memory) == 1 and [q.object.value for q in disk.db.quads_for_pattern(*at, None, None)] == in_memory
    finally:
        disk.close()
    when = "SELECT ?now WHERE { <https://w3id.org/tradekg/id/test/t> <https://w3id.org/tradekg/id/test/at> ?now }"
    assert f'"value":"{in_memory[0]}"'.encode() in answered(pool, when)


def test_an_update_through_the_api_in_memory_mode_is_answered_at_once(built, tmp_path):
    from fastapi.testclient import TestClient

    from tradekg.api.app import create_app
    from tradekg.api.settings import Settings

    store = EmbeddedStore.in_memory(copy_of(built, tmp_path))
    settings = Settings(update_token="s3cret", query_timeout_s=60, sparql_workers=1, worker_memory_mb=0)
    ask = {"query": "ASK { <https://w3id.org/tradekg/id/test/a> ?p \"c\" }"}
    with TestClient(create_app(store, settings)) as client:
        assert client.get("/sparql", params=ask).json()["boolean"] is False  # kept by the answer cache (a GET)
        done = client.post("/sparql", content=ADDED, headers={"Content-Type": "application/sparql-update",
                                                              "Authorization": "Bearer s3cret"})
        assert done.status_code == 204, done.text
        assert client.get("/sparql", params=ask).json()["boolean"] is True
        # the relationship routes and the catalog read the graph in this process: counted there too
        rows = client.get("/queries/triples_per_graph").json()["items"]
    assert store.loaded_from == "the N-Quads copy"
    store.close()
    assert [int(row["triples"]) for row in rows if row["graph"] == TEST_GRAPH] == [2]


# -- the N-Quads copy written again, so that the next start reads it instead of the database ---------------------

def copy_written(path: Path) -> bool:
    return (layout.current(path) / snapshot.COUNT).is_file()  # written last, after the two files are in place


def test_a_graph_loaded_from_the_database_writes_the_copy_for_the_next_start(built, tmp_path):
    import subprocess
    import sys

    store = copy_of(built, tmp_path)
    snapshot.retire(layout.current(store))
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()  # a process killed while it wrote a copy left this behind
    left = layout.current(store) / f"{snapshot.PLAIN}.{gone.pid}.tmp"
    left.write_bytes(b"<https://w3id.org/tradekg/id/test/x> <https://w3id.org/tradekg/id/test/y> ")
    first = EmbeddedStore.in_memory(store, keep_copy=True)
    assert first.loaded_from == "the database"
    wait_for(lambda: copy_written(store), "the N-Quads copy written again")
    assert not left.exists()
    assert not list(layout.current(store).glob("*.tmp"))
    second, disk = EmbeddedStore.in_memory(store), EmbeddedStore(store)
    assert second.loaded_from == "the N-Quads copy"
    assert quads(second.db) == quads(disk.db)  # blank-node labels included
    for each in (first, second, disk):
        each.close()


def test_after_a_data_update_the_copy_is_written_again_with_it(built, tmp_path):
    path = copy_of(built, tmp_path)
    store = EmbeddedStore.in_memory(path, keep_copy=True)
    store.update(ADDED)
    wait_for(lambda: copy_written(path), "the N-Quads copy written after the update")
    again, disk = EmbeddedStore.in_memory(path), EmbeddedStore(path)
    assert again.loaded_from == "the N-Quads copy"
    assert again.ask('ASK { <https://w3id.org/tradekg/id/test/a> ?p "c" }')
    assert quads(again.db) == quads(disk.db)
    for each in (store, again, disk):
        each.close()


def test_a_copy_whose_files_are_not_those_it_counted_is_not_used(built, tmp_path):
    """One more valid line: it parses, but the copy is not the one written (graph-quads.json says its sizes)."""
    path = copy_of(built, tmp_path)
    with (layout.current(path) / snapshot.PLAIN).open("ab") as plain:
        plain.write(b'<https://w3id.org/tradekg/id/test/x> <https://w3id.org/tradekg/id/test/y> "z" .\n')
    store = EmbeddedStore.in_memory(path)
    assert store.loaded_from == "the database"
    assert not store.ask("ASK { <https://w3id.org/tradekg/id/test/x> ?p ?o }")
    store.close()


def test_no_fork_server_is_forked_while_a_thread_of_the_server_reads_the_graph(served):
    """The engine locks each quad it visits; a fork server forked in the middle of a read would hold that lock for
    ever, and a query touching the quad would hang in each of its workers. A rebuild's switch forks a new one."""
    import threading

    store, pool = served
    inside, release = threading.Event(), threading.Event()

    def read() -> None:
        with store.reading():
            inside.set()
            release.wait()

    reader = threading.Thread(target=read)
    reader.start()
    assert inside.wait(WAIT_S)
    switch = threading.Thread(target=pool.refresh)  # what a rebuild's switch does after loading the new graph
    switch.start()
    switch.join(1.0)  # a fork takes milliseconds: still waiting after a second, it waits for the read
    try:
        assert switch.is_alive(), "a fork server was forked while a thread read the graph"
    finally:
        release.set()
        reader.join()
    switch.join(WAIT_S)
    assert not switch.is_alive()
    assert b"true" in answered(pool, "ASK { ?s ?p ?o }")


def test_a_fork_server_ends_on_sigterm_though_the_process_it_came_from_handles_it(built, tmp_path):
    """A fork server forked from the running server (after a rebuild, or an update that loads the graph again)
    inherited uvicorn's SIGTERM handler: `pkill` left it running, printing 'Exception ignored ...'."""
    import os
    import signal

    from tradekg.graph.pool import Limits

    def ours() -> set[int]:
        return {int(pid) for task in os.listdir(f"/proc/{os.getpid()}/task")
                for pid in open(f"/proc/{os.getpid()}/task/{task}/children").read().split()}

    store = EmbeddedStore.in_memory(copy_of(built, tmp_path))
    previous = signal.signal(signal.SIGTERM, lambda *_: None)  # a server's handler: SIGTERM asks it to stop
    try:
        before = ours()
        pool = store.query_service(Limits(timeout_s=60, heavy=1, reserved=1, memory_mb=0))
        forked = ours() - before
    finally:
        signal.signal(signal.SIGTERM, previous)
    assert len(forked) == 1, forked  # the fork server; its workers are its children, not ours
    zygote = forked.pop()
    assert b"true" in answered(pool, "ASK { ?s ?p ?o }")  # it has forked a worker: set up, handlers included
    os.kill(zygote, signal.SIGTERM)
    wait_for(lambda: os.waitpid(zygote, os.WNOHANG)[0] == zygote, "the fork server to end on SIGTERM")
    pool.close()
    store.close()
