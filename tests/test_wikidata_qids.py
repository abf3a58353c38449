"""Wikidata identifiers on economies: links read from the OWID table checked against the file itself, the
Netherlands and EU exceptions, and a malformed QID failing with file, line and column."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from tradekg.data import bundled
from tradekg.graph.context import BuildContext
from tradekg.graph.errors import SourceError
from tradekg.graph.loaders import wikidata_qids, wto_members

FILE = "wikidata-country-qid-owid/countries_regions_owid_2022-11.csv"


def links(data: Path) -> tuple[dict[tuple[str, str], set[str]], BuildContext]:
    """(economy code, SKOS property local name) -> QIDs, after the WTO members loader named the economies."""
    ctx = BuildContext.for_data(data)
    for _ in wto_members.triples(ctx):
        pass
    found: dict[tuple[str, str], set[str]] = {}
    for subject, predicate, obj in wikidata_qids.triples(ctx):
        found.setdefault((subject.value.rsplit("/", 1)[1], predicate.value.rsplit("#", 1)[1]), set()).add(obj.value)
    return found, ctx


def table() -> dict[str, str]:
    with (bundled() / FILE).open(encoding="utf-8") as handle:
        return {r["iso_alpha3"]: r["wikidata_uri"] for r in csv.DictReader(handle) if r["wikidata_uri"]}


def test_economies_link_to_the_tables_qids():
    found, _ctx = links(bundled())
    qids = table()
    for code in ("USA", "CHN", "CAN", "MEX", "DEU", "JPN", "TWN", "HKG"):
        assert found[(code, "exactMatch")] == {qids[code]}, code
    assert all(uri.startswith("http://www.wikidata.org/entity/Q") for uris in found.values() for uri in uris)


def test_netherlands_is_a_broad_match_and_the_eu_has_none():
    found, ctx = links(bundled())
    assert ("NLD", "exactMatch") not in found
    assert found[("NLD", "broadMatch")] == {table()["NLD"]}  # the Kingdom of the Netherlands
    assert not any(code == "EUN" for code, _ in found)
    assert any("EUN" in note for note in ctx.notes["wikidata-qids"])


def test_a_malformed_qid_names_file_line_and_column(data_copy):
    path = data_copy / FILE
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("http://www.wikidata.org/entity/Q30,", "https://www.wikidata.org/wiki/Q30,", 1),
                    encoding="utf-8")
    line = next(i for i, row in enumerate(text.splitlines(), start=1) if row.startswith("USA,"))
    with pytest.raises(SourceError) as caught:
        links(data_copy)
    assert (Path(caught.value.path).name, caught.value.line, caught.value.column, caught.value.field) == (
        Path(FILE).name, line, 13, "wikidata_uri")

