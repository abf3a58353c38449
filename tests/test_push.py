"""`tradekg push` on a real Oxigraph server with the mini graph: a push killed at any point leaves the
server answering with a whole graph set (the old one) or warning that a push is incomplete, and the next
`tradekg push` resumes it while `tradekg push --clean` goes back to the old set.

The "old" set is the mini graph without one of its graphs and with a graph of its own; the "new" set is
the mini graph as it is. Both are small on-disk stores, so each push takes a fraction of a second.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import warnings
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Dataset, URIRef

from budgets import budget
from conftest import start_oxigraph
from mini import MINI
from tradekg.cli import cli
from tradekg.graph.push import IncompletePushWarning
from tradekg.graph.remote import RemoteStore, push
from tradekg.graph.store import EmbeddedStore

pytestmark = pytest.mark.slow  # a server per module

OWN = "https://w3id.org/tradekg/graph/"
LEFT_OUT = OWN + "wto-security-exceptions"   # in the new set only
OLD_ONLY = OWN + "retired-source"           # in the old set only: the new push must drop it
CHUNK = 50                                  # the smallest chunk: a mini push takes several requests


def mini_graphs() -> dict[str, list[str]]:
    """mini.trig's named graphs as N-Triples lines, read with rdflib (not with the code under test)."""
    dataset = Dataset()
    dataset.parse(MINI / "mini.trig", format="trig")
    return {str(g.identifier): [f"{s.n3()} {p.n3()} {o.n3()} ." for s, p, o in g]
            for g in dataset.graphs() if isinstance(g.identifier, URIRef) and str(g.identifier).startswith(OWN)
            and len(g)}


def write_store(path: Path, graphs: dict[str, list[str]]) -> Path:
    store = EmbeddedStore(path, read_only=False)
    for graph, lines in graphs.items():  # with the engine's own update: exactly these graphs, no graph/statistics
        store.db.update(f"INSERT DATA {{ GRAPH <{graph}> {{\n" + "\n".join(lines) + "\n} }")
    store.close()
    return path


@pytest.fixture(scope="module")
def sets(tmp_path_factory) -> dict[str, tuple[Path, dict[str, int]]]:
    """The old and the new graph set: a store on disk each, and what each graph should count."""
    new = mini_graphs()
    assert LEFT_OUT in new, "the mini graph changed: pick another graph to leave out of the old set"
    old = {g: lines for g, lines in new.items() if g != LEFT_OUT}
    old[OLD_ONLY] = [f"<{OLD_ONLY}> <http://www.w3.org/2000/01/rdf-schema#label> \"a source since retired\" ."]
    root = tmp_path_factory.mktemp("push-sets")
    return {name: (write_store(root / name, graphs), {g: len(set(lines)) for g, lines in graphs.items()})
            for name, graphs in (("old", old), ("new", new))}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    process, url = start_oxigraph(tmp_path_factory.mktemp("push-oxigraph"))
    yield url
    process.terminate()
    process.wait(timeout=budget(10))


def seen(url: str) -> tuple[dict[str, int], bool]:
    """What a reader of the server gets: triples per tradekg graph, and whether it was warned."""
    remote = RemoteStore(url, timeout_s=budget(30))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        rows = remote.select("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } "
                             f"FILTER(STRSTARTS(STR(?g), \"{OWN}\")) }} GROUP BY ?g")
    warned = any(issubclass(w.category, IncompletePushWarning) for w in caught)
    return {str(r["g"]): int(r["n"]) for r in rows}, warned


def cli_push(store: Path, url: str, *extra: str) -> str:
    result = CliRunner().invoke(cli, ["push", "--store", str(store), "--endpoint", url, "--chunk", str(CHUNK), *extra])
    assert result.exit_code == 0, result.output
    return result.output


def killed_push(store: Path, url: str, crash_at: str) -> None:
    """`tradekg push` in a child process that kills itself (SIGKILL) at ``crash_at``."""
    env = {**os.environ, "TRADEKG_TEST_CRASH_AT": crash_at}
    child = subprocess.run([sys.executable, "-m", "tradekg", "push", "--store", str(store), "--endpoint", url,
                            "--chunk", str(CHUNK)], env=env, capture_output=True, text=True, timeout=budget(120))
    assert child.returncode == -signal.SIGKILL, (crash_at, child.returncode, child.stderr[-2000:])


def reset(url: str, store: Path | None) -> None:
    """Empty the server (a bare SPARQL protocol request: RemoteStore.update would then count the empty graph's
    statistics into graph/statistics), then push ``store`` to it whole (if given)."""
    import urllib.request

    request = urllib.request.Request(url.rsplit("/", 1)[0] + "/update", data=b"DROP ALL", method="POST",
                                     headers={"Content-Type": "application/sparql-update"})
    urllib.request.urlopen(request, timeout=budget(30)).read()
    if store is not None:
        cli_push(store, url)


def chunks_of(counts: dict[str, int]) -> int:
    """Upload requests a push of these graphs takes at CHUNK triples per request (blank nodes: none in mini)."""
    return sum(-(-n // CHUNK) for n in counts.values())


def test_push_is_complete_and_replaces_the_old_set(server, sets):
    (old, old_counts), (new, new_counts) = sets["old"], sets["new"]
    reset(server, old)
    assert seen(server) == (old_counts, False)
    output = cli_push(new, server)
    assert f"pushed {sum(new_counts.values()):,} triples in {len(new_counts)} named graphs" in output
    assert seen(server) == (new_counts, False)  # the retired graph is gone, the new one is in


@pytest.mark.parametrize("then", ["resume", "clean"])
def test_killed_push_answers_the_old_set_with_a_warning(server, sets, then):
    """Killed after a random upload request (every point from the first request to just before the swap is
    a possible draw): the old graphs still answer, whole, and the reader is warned."""
    (old, old_counts), (new, new_counts) = sets["old"], sets["new"]
    points = [f"push-chunk-{n}" for n in range(1, chunks_of(new_counts) + 1)] + ["push-before-swap"]
    crash_at = random.choice(points)
    reset(server, old)
    killed_push(new, server, crash_at)
    assert seen(server) == (old_counts, True), crash_at
    if then == "resume":
        assert "resuming the interrupted push" in cli_push(new, server)
        assert seen(server) == (new_counts, False), crash_at
    else:
        assert "dropped" in cli_push(new, server, "--clean")
        assert seen(server) == (old_counts, False), crash_at


def test_killed_first_push_warns_until_resumed_or_cleaned(server, sets):
    """On an empty server the graphs go in place: a partial set answers, but never without a warning."""
    new, new_counts = sets["new"]
    for crash_at, then in (("push-chunk-2", "clean"), (f"push-chunk-{chunks_of(new_counts) - 1}", "resume")):
        reset(server, None)
        killed_push(new, server, crash_at)
        counts, warned = seen(server)
        assert warned and counts != new_counts, crash_at
        if then == "clean":
            cli_push(new, server, "--clean")
            assert seen(server) == ({}, False)
        else:
            cli_push(new, server)
            assert seen(server) == (new_counts, False)


def test_push_from_another_store_cleans_up_the_interrupted_one(server, sets):
    (old, old_counts), (new, new_counts) = sets["old"], sets["new"]
    reset(server, old)
    killed_push(new, server, "push-chunk-1")
    output = cli_push(old, server)  # other data than the interrupted push's: start over
    assert "cleaning up the interrupted push" in output
    assert seen(server) == (old_counts, False)
    staging = RemoteStore(server).select("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } "
                                         "FILTER(STRSTARTS(STR(?g), \"https://w3id.org/tradekg/push/staging/\")) }")
    assert not list(staging)


class DroppingProxy:
    """A TCP proxy on 127.0.0.1 in front of the server that cuts the 3rd and the 6th connection before answering
    (a reset, as a flaky network or an overloaded server does): the push retries those requests and finishes."""

    def __init__(self, target_url: str):
        import socket
        import threading
        from urllib.parse import urlsplit

        self.target = urlsplit(target_url).port
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.accepted = self.dropped = 0
        threading.Thread(target=self._serve, daemon=True).start()

    def url(self, target_url: str) -> str:
        return target_url.replace(f":{self.target}/", f":{self.port}/")

    def _serve(self) -> None:
        import socket
        import threading

        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            self.accepted += 1
            if self.accepted % 3 == 0 and self.dropped < 2:
                self.dropped += 1
                client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
                client.close()  # a reset, not a refusal
                continue
            upstream = socket.create_connection(("127.0.0.1", self.target))
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(source, sink) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for s in (source, sink):
                try:
                    s.shutdown(2)
                except OSError:
                    pass

    def close(self) -> None:
        self.listener.close()


def test_push_retries_connections_the_server_drops(server, sets):
    new, new_counts = sets["new"]
    reset(server, None)
    proxy = DroppingProxy(server)
    try:
        cli_push(new, proxy.url(server))
    finally:
        proxy.close()
    assert proxy.dropped == 2, "the push should have made more than six requests"
    assert seen(server) == (new_counts, False)


def _graph_lines(store: Path) -> dict[str, set[bytes]]:
    """Each named graph of a built store as its set of N-Triples lines (what "the same graph" means here)."""
    import pyoxigraph as ox

    local = EmbeddedStore(store)
    try:
        return {g: set(local.db.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(g)).splitlines())
                for g in local.named_graphs()}
    finally:
        local.close()


def _push_whole(store: Path, url: str, *extra: str) -> str:
    result = CliRunner().invoke(cli, ["push", "--store", str(store), "--endpoint", url, *extra])
    assert result.exit_code == 0, result.output
    return result.output


def test_a_rebuild_of_the_same_data_sends_only_what_changed(server, tmp_path):
    """Two builds of the same real sources (the WTO foundation: five graphs and the provenance graph): the
    second push sends only the graphs whose triples differ between the builds (the provenance graph, with its
    build time; graphs with blank nodes, whose labels are new each build), and the server then holds the
    second build exactly. A graph edited on the server is sent again; --all sends everything."""
    from conftest import foundation_loaders
    from tradekg.graph.build import build

    first, second = tmp_path / "first", tmp_path / "second"
    for target in (first, second):
        build(target, loaders=foundation_loaders(), check_shapes=False)
    one, two = _graph_lines(first), _graph_lines(second)
    assert one.keys() == two.keys()
    differ = {g for g in two if one[g] != two[g]}
    assert OWN + "meta" in differ and OWN + "wto-ds-gateway" not in differ  # what the test relies on
    counts = {g: len(lines) for g, lines in two.items()}

    reset(server, None)
    _push_whole(first, server)
    output = _push_whole(second, server)
    assert f"pushed {sum(counts[g] for g in differ):,} triples in {len(differ)} named graphs" in output, output
    assert f"{len(two) - len(differ)} graphs the server held unchanged were not sent" in output
    assert seen(server) == (counts, False)
    remote = RemoteStore(server)
    assert {row["s"].n3() for row in remote.select(
        f"SELECT DISTINCT ?s WHERE {{ GRAPH <{OWN}wto-members> {{ ?s ?p ?o }} }}")} == {
        line.split(b" ", 1)[0].decode() for line in two[OWN + "wto-members"]}

    # a triple deleted on the server: its graph no longer matches, so it is sent again (with the provenance
    # graph and the statistics, which carry no digest of their own and always travel)
    removed = sorted(two[OWN + "wto-members"])[0].decode()
    remote.update(f"DELETE DATA {{ GRAPH <{OWN}wto-members> {{ {removed} }} }}")
    output = _push_whole(second, server)
    wanted = [OWN + "meta", OWN + "statistics", OWN + "wto-members"]
    assert f"pushed {sum(counts[g] for g in wanted):,} triples in 3 named graphs" in output, output
    assert seen(server) == (counts, False)

    output = _push_whole(second, server, "--all")
    assert f"pushed {sum(counts.values()):,} triples in {len(counts)} named graphs" in output
    assert "unchanged" not in output


def _member_since(country: str) -> str:
    """A country's accession date, read from the bundled source file (not from the graph)."""
    import csv

    from tradekg.data import bundled

    with open(bundled() / "wto-members-wikipedia" / "wto_members.csv", newline="", encoding="utf-8") as f:
        return next(row["accession_date"] for row in csv.DictReader(f) if row["country_name"] == country)


def test_the_api_over_an_endpoint_follows_a_finished_push(server, tmp_path, caplog):
    """`tradekg serve --endpoint` keeps REST answers; a push that finishes on the server (another process, as
    `tradekg push` would be) makes it drop them, so the next ask sees the new graphs. A push under way is not
    taken for one: its status graph is there until the last step."""
    import logging
    import time

    from fastapi.testclient import TestClient

    from conftest import foundation_loaders
    from tradekg.api.app import create_app
    from tradekg.api.settings import Settings
    from tradekg.graph.build import build

    before, after = tmp_path / "before", tmp_path / "after"
    build(before, loaders=[(k, t) for k, t in foundation_loaders() if k != "wto-members"], check_shapes=False)
    build(after, loaders=foundation_loaders(), check_shapes=False)
    reset(server, None)
    _push_whole(before, server)

    remote = RemoteStore(server, timeout_s=budget(30))
    settings = Settings(endpoint=server, sparql_workers=1, reload_check_s=0.2)
    with caplog.at_level(logging.WARNING, "tradekg.api"), TestClient(create_app(remote, settings)) as client:
        first = client.get("/economies/CHN")
        assert first.status_code == 200 and first.json()["wto_member_since"] is None, first.text
        assert client.get("/economies/CHN", headers={"If-None-Match": first.headers["etag"]}).status_code == 304

        killed_push(after, server, "push-before-swap")  # the status graph stays: an unfinished push
        looker = RemoteStore(server, timeout_s=budget(30))
        assert looker.changed() is False and looker.changed() is False  # the first look is what others compare with
        assert client.get("/economies/CHN").json()["wto_member_since"] is None  # still kept from before

        _push_whole(after, server)  # resumes it, then swaps the graphs in
        assert looker.changed() is True and looker.changed() is False
        deadline = time.monotonic() + budget(30)
        while (now := client.get("/economies/CHN").json())["wto_member_since"] is None:
            assert time.monotonic() < deadline, "the API still answered from before the push"
            time.sleep(0.1)
        assert now["wto_member_since"] == _member_since("China")
    assert any("holds a new push" in r.getMessage() for r in caplog.records)
