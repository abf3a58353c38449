"""Shared fixtures: the whole bundle built once per session, and small real cuts of it."""

from __future__ import annotations

import csv
import shutil
from collections.abc import Iterable
from pathlib import Path

import pytest

from tradekg.data import bundled
from tradekg.graph.build import build
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


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A private copy of the bundled data, for tests that corrupt a file."""
    target = tmp_path / "data"
    shutil.copytree(bundled(), target, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    return target


@pytest.fixture
def mini_data(data_copy: Path) -> Path:
    """The bundle with the dispute table cut to a few real cases (DS1, DS2, DS490, DS544, DS574, DS600)."""
    cases = data_copy / "wto-ds-gateway" / "ds_cases.csv"
    cut_csv(bundled() / "wto-ds-gateway" / "ds_cases.csv", cases, keep=[0, 1, 489, 543, 573, 599])
    return data_copy


@pytest.fixture(scope="session")
def full_build(tmp_path_factory: pytest.TempPathFactory):
    """The whole bundled data built (and validated) once per test session."""
    target = tmp_path_factory.mktemp("full") / "store"
    report = build(target)
    return target, report


@pytest.fixture(scope="session")
def full_store(full_build) -> EmbeddedStore:
    store = EmbeddedStore(full_build[0])
    yield store
    store.close()
