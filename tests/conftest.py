"""Shared fixtures: the whole bundle built once per session, and small real cuts of it."""

from __future__ import annotations

import csv
import json
import shutil
from collections.abc import Iterable
from pathlib import Path

import pytest

from budgets import budget
from tradekg.data import bundled
from tradekg.graph.build import BuildReport
from tradekg.graph.store import EmbeddedStore

TKG = "https://w3id.org/tradekg/ontology#"
ID = "https://w3id.org/tradekg/id/"
PREFIXES = f"PREFIX tkg: <{TKG}>\nPREFIX id: <{ID}>\nPREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n" \
           "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\nPREFIX dcterms: <http://purl.org/dc/terms/>\n"


def cut_csv(source: Path, target: Path, keep: Iterable[int], delimiter: str = ",") -> None:
    """Copy the header and the given data rows (0-based) of a real csv file, unchanged."""
    wanted = set(keep)
    with source.open(newline="", encoding="utf-8-sig") as handle:
        rows = list(csv.reader(handle, delimiter=delimiter))
    with target.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, delimiter=delimiter, lineterminator="\n")
        writer.writerow(rows[0])
        writer.writerows(row for i, row in enumerate(rows[1:]) if i in wanted)


FOUNDATION = ("ontology", "wto-members", "wto-ds-gateway", "wto-ds-crawl-2018", "economies")


def foundation_loaders():
    """The WTO loaders alone: a quick build for tests about building (errors, atomic swap, shapes)."""
    from tradekg.graph.loaders import registry

    return [(key, triples) for key, triples in registry() if key in FOUNDATION]


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A private copy of the bundled data, for tests that corrupt a file."""
    target = tmp_path / "data"
    shutil.copytree(bundled(), target, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    return target


@pytest.fixture
def mini_data(data_copy: Path) -> Path:
    """The bundle with the gateway's dispute table cut to nine real cases: DS1, DS2, DS490, DS544,
    DS574, DS600, and DS552, DS556, DS564 (which the curated national-security rows refer to)."""
    cases = data_copy / "wto-ds-gateway" / "ds_cases.csv"
    cut_csv(bundled() / "wto-ds-gateway" / "ds_cases.csv", cases, keep=[0, 1, 489, 543, 551, 555, 563, 573, 599])
    return data_copy


@pytest.fixture(scope="session")
def first_start(tmp_path_factory: pytest.TempPathFactory):
    """`tradekg serve` on a store that does not exist yet, as the README's first command runs it: it builds the
    whole bundled data (validated), then serves it. Yields (base URL, store folder, server log); the server runs
    for the whole session (test_readme asks it the README's HTTP examples)."""
    from api_support import running_server

    tmp = tmp_path_factory.mktemp("first-start")
    store, log = tmp / "store", tmp / "serve.log"
    with running_server(store, log, start_seconds=240) as base:
        yield base, store, log


@pytest.fixture(scope="session")
def full_build(first_start) -> tuple[Path, BuildReport]:
    """The whole bundled data, built once per session: by the first `tradekg serve` above (the same build()
    `tradekg build` runs), with the report it wrote beside the store."""
    _, store, _ = first_start
    saved = json.loads((store / "build-report.json").read_text(encoding="utf-8"))
    report = BuildReport(store=store, triples=saved["triples"], notes=saved["notes"],
                         ignored_names=saved["ignored_names"], seconds=saved["seconds"],
                         cpu_seconds=saved["cpu_seconds"])
    return store, report


@pytest.fixture(scope="session")
def full_store(full_build) -> EmbeddedStore:
    store = EmbeddedStore(full_build[0])
    yield store
    store.close()


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_oxigraph(location: Path, union: bool = True):
    """A real Oxigraph server (PyPI `oxigraph`) on 127.0.0.1, as a user would deploy it for tradekg."""
    import subprocess
    import time
    import urllib.request

    binary = shutil.which("oxigraph")
    if binary is None:
        pytest.fail("the `oxigraph` server is not installed: pip install -e '.[test]'")
    port = _free_port()
    command = [binary, "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}"]
    if union:
        command.append("--union-default-graph")
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}/query"
    deadline = time.monotonic() + budget(30)
    while True:
        try:
            urllib.request.urlopen(url + "?query=ASK%7B%7D", timeout=budget(2)).read()
            return process, url
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise RuntimeError(f"oxigraph server did not start: {process.stderr.read().decode()}")
            time.sleep(0.1)


@pytest.fixture(scope="session")
def oxigraph_url(tmp_path_factory: pytest.TempPathFactory, full_store):
    """A real Oxigraph server holding the full bundle: started on a backup of the built store (Oxigraph's own
    consistent copy of the on-disk store; the server and pyoxigraph share the format). Pushing the bundle over
    HTTP is tested by the README's `tradekg push` and `build --endpoint` (test_readme) and, chunk by chunk, by
    test_push; doing it a third time here cost CI four minutes on a busy machine."""
    copy = tmp_path_factory.mktemp("oxigraph") / "store"
    full_store.db.backup(str(copy))
    process, url = start_oxigraph(copy)
    yield url
    process.terminate()
    process.wait(timeout=budget(10))


@pytest.fixture(scope="session")
def remote_store(oxigraph_url, full_build):
    """The Oxigraph server above as a RemoteStore. The slowest catalog queries scan the largest graphs, so the
    per-request timeout grows with them and with the machine's load (a 94.5 s limit was hit at load ~5 with 165k
    triples)."""
    from tradekg.graph.remote import RemoteStore

    largest = max(full_build[1].triples.values())
    return RemoteStore(oxigraph_url, timeout_s=budget(60 + largest / 2_500))


# Tests that need the whole bundle built, or a server on top of it, are the slow set: `pytest -m "not slow"`
# leaves them out. Marked here by the fixtures they use, so a new test on the full build is marked too.
SLOW_FIXTURES = {"first_start", "full_build", "full_store", "remote_store", "oxigraph_url", "any_store"}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if SLOW_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(params=["embedded", "remote"])
def any_store(request):
    """Every store test runs on the embedded store and on a real SPARQL server, with identical answers."""
    return request.getfixturevalue("full_store" if request.param == "embedded" else "remote_store")
