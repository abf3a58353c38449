"""A build killed at any instant never loses the graph, and what it leaves is cleaned by the next build.

Each build runs in a child process (the foundation loaders over a nine-case cut of the bundle, so it is quick)
and is killed with SIGKILL: either at a named step of the swap (``$TRADEKG_TEST_CRASH_AT``, read by
``graph/layout.crash_point``) or after a random delay within the time a whole build took on this machine.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tradekg.graph import layout
from tradekg.graph.build import build
from tradekg.graph.store import EmbeddedStore

from conftest import PREFIXES, foundation_loaders

TESTS = Path(__file__).parent
CHILD = f"""
import sys
from pathlib import Path
sys.path.insert(0, {str(TESTS)!r})
from conftest import foundation_loaders
from tradekg.graph.build import build
build(Path(sys.argv[1]), Path(sys.argv[2]), loaders=foundation_loaders(), check_shapes=False)
"""
STEPS = ("loaded", "closed", "renamed", "pointer-written", "pointed", "cleaning")
KILLS = int(os.environ.get("TRADEKG_TEST_KILLS", "20"))


def start(target: Path, data: Path, crash_at: str | None = None) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if k != layout.CRASH_ENV}
    if crash_at:
        env[layout.CRASH_ENV] = crash_at
    return subprocess.Popen([sys.executable, "-c", CHILD, str(target), str(data)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def finish(process: subprocess.Popen) -> int:
    _, err = process.communicate()
    if process.returncode not in (0, -signal.SIGKILL):
        pytest.fail(f"the child build failed on its own: {err.decode()[-2000:]}")
    return process.returncode


def build_here(target: Path, data: Path) -> None:
    """The same build in this process, where no kill is wanted (quicker than a child)."""
    build(target, data, loaders=foundation_loaders(), check_shapes=False)


def assert_whole(target: Path) -> None:
    """The store opens, holds the nine cut cases, and every named graph has as many triples as the build
    declared for it in the meta graph (written last, so a partial load can't pass)."""
    store = EmbeddedStore(target)
    try:
        disputes = store.select(PREFIXES + "SELECT (COUNT(?d) AS ?n) WHERE { GRAPH "
                                "<https://w3id.org/tradekg/graph/wto-ds-gateway> { ?d a tkg:Dispute } }")
        assert int(disputes[0]["n"]) == 9
        declared = store.select(PREFIXES + "SELECT ?g ?n WHERE { GRAPH <https://w3id.org/tradekg/graph/meta> "
                                "{ ?g tkg:tripleCount ?n } }")
        assert {str(r["g"]).rsplit("/", 1)[-1] for r in declared} >= {"ontology", "wto-members", "wto-ds-gateway"}
        for row in declared:
            if str(row["g"]).endswith("/meta"):
                continue  # the meta graph's own count is taken before its description is added
            stored = store.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{row['g']}> {{ ?s ?p ?o }} }}")
            assert int(stored[0]["n"]) == int(row["n"]), row["g"]
    finally:
        store.close()


def leftovers(target: Path) -> list[str]:
    """Everything in and beside the store that is not the current version, its pointer or its report."""
    keep = {layout.POINTER, "build-report.json", layout.current_name(target)}
    inside = [p.name for p in target.iterdir() if p.name not in keep]
    beside = [p.name for p in target.parent.iterdir() if p.name.startswith(f".{target.name}.")]
    return sorted(inside + beside)


@pytest.mark.slow
def test_kills_at_random_points_never_lose_the_graph(mini_data, tmp_path):
    target = tmp_path / "store"
    started = time.monotonic()
    assert finish(start(target, mini_data)) == 0
    whole_build = time.monotonic() - started  # scales the random kill times to this machine's speed
    assert_whole(target)
    seed = int(os.environ.get("TRADEKG_TEST_SEED", random.randrange(10**6)))
    rng = random.Random(seed)
    for i in range(KILLS):
        step = STEPS[i // 2 % len(STEPS)] if i % 2 == 0 else None
        process = start(target, mini_data, crash_at=step)
        if step is None:
            delay = rng.uniform(0, whole_build * 1.2)
            try:
                process.wait(timeout=delay)
            except subprocess.TimeoutExpired:
                process.send_signal(signal.SIGKILL)
        code = finish(process)
        if step is not None:
            assert code == -signal.SIGKILL, f"the build never reached step {step!r}"
        if step not in (None, "cleaning"):
            # the step comes after the build's first clean-up: no staging folder of an earlier build remains
            assert all(name.endswith(f"-{process.pid}") for name in leftovers(target)
                       if name.startswith(("building-", ".store."))), (step, leftovers(target))
        assert_whole(target), f"kill {i} ({step or 'random'}, seed {seed})"
    assert finish(start(target, mini_data)) == 0
    assert_whole(target)
    assert leftovers(target) == []


def test_a_reader_keeps_its_version_until_it_lets_go(mini_data, tmp_path):
    target = tmp_path / "store"
    build_here(target, mini_data)
    reader = EmbeddedStore(target)
    first = reader.path
    build_here(target, mini_data)
    assert layout.current(target) != first  # the rebuild is what new readers see ...
    assert (first / "CURRENT").is_file()  # ... and the version still open was not deleted
    assert len(reader.select("SELECT ?s WHERE { ?s ?p ?o } LIMIT 1")) == 1
    reader.close()
    build_here(target, mini_data)
    assert not first.exists()  # released, so the next build removed it
    assert leftovers(target) == []


def test_a_live_build_keeps_its_staging_folder(mini_data, tmp_path):
    target = tmp_path / "store"
    build_here(target, mini_data)
    live = target / "building-20000101T000000000000-1"
    live.mkdir()
    lock = layout.hold_build_lock(live)  # as a build running in another process holds it
    try:
        build_here(target, mini_data)
        assert live.exists()
    finally:
        os.close(lock)
    build_here(target, mini_data)
    assert not live.exists()


def test_a_bare_store_from_older_builds_is_converted_and_a_crash_between_its_renames_recovers(mini_data, tmp_path):
    target = tmp_path / "store"
    build_here(target, mini_data)
    bare = tmp_path / "bare"
    shutil.copytree(layout.current(target), bare)  # a bare pyoxigraph folder, as builds used to leave
    shutil.rmtree(target)
    bare.rename(target)
    assert layout.is_legacy(target)
    assert_whole(target)
    assert finish(start(target, mini_data, crash_at="legacy-aside")) == -signal.SIGKILL
    assert not target.exists()  # the old store sits aside, as older builds' crashes left it ...
    assert_whole(target)  # ... and opening puts it back
    build_here(target, mini_data)
    assert not layout.is_legacy(target)
    assert_whole(target)
    assert leftovers(target) == []


def test_os_errors_become_error_lines(tmp_path):
    in_the_way = tmp_path / "a-file"
    in_the_way.write_text("not a folder")
    for store in (in_the_way / "store", in_the_way):
        result = subprocess.run([sys.executable, "-m", "tradekg", "build", "--store", str(store)],
                                capture_output=True, text=True, timeout=600)
        assert result.returncode == 1, result.stderr
        assert "Error: cannot build the store at" in result.stderr
        assert "Traceback" not in result.stderr
