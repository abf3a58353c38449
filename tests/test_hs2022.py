"""HS 2022: the hierarchy every product code hangs from, checked against facts read by hand in
data/hs-datasets/harmonized-system.csv; corrupt rows fail with file, line and column."""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
import pytest

from tradekg.data import bundled
from tradekg.graph.build import build
from tradekg.graph.context import BuildContext
from tradekg.graph.errors import SourceError
from tradekg.graph.loaders import hs2022, ontology
from tradekg.graph.products import ProductLinker
from tradekg.graph.terms import SKOS, TKG, instance

from conftest import PREFIXES, cut_csv

HS = "https://w3id.org/tradekg/id/hs2022/"


@pytest.fixture(scope="module")
def hs_store() -> ox.Store:
    """The loader's triples for the full bundled table, in memory (no build: fast)."""
    store = ox.Store()
    store.extend(ox.Quad(s, p, o) for s, p, o in hs2022.triples(BuildContext.for_data(bundled())))
    return store


def values(store: ox.Store, query: str) -> list[str]:
    return [str(row[0].value) for row in store.query(PREFIXES + query)]


def objects(store: ox.Store, code: str, predicate: ox.NamedNode) -> set[str]:
    return {q.object.value for q in store.quads_for_pattern(ox.NamedNode(HS + code), predicate, None)}


def test_counts_per_level(hs_store):
    counts = {int(row["l"].value): int(row["n"].value) for row in hs_store.query(
        PREFIXES + "SELECT ?l (COUNT(?p) AS ?n) WHERE { ?p a tkg:Product ; tkg:hsLevel ?l } GROUP BY ?l")}
    assert counts == {0: 21, 2: 97, 4: 1229, 6: 5613}


def test_720810_rolls_up_to_7208_72_and_section_xv(hs_store):
    assert objects(hs_store, "720810", SKOS.broader) == {HS + "7208"}
    assert objects(hs_store, "7208", SKOS.broader) == {HS + "72"}
    assert objects(hs_store, "72", SKOS.broader) == {HS + "section/XV"}
    assert objects(hs_store, "720810", SKOS.broaderTransitive) == {HS + "7208", HS + "72", HS + "section/XV"}
    assert objects(hs_store, "720810", TKG.hsChapter) == {HS + "72"}
    assert objects(hs_store, "720810", TKG.hsSection) == {HS + "section/XV"}
    assert objects(hs_store, "72", TKG.hsSection) == {HS + "section/XV"}
    assert objects(hs_store, "72", TKG.hsChapter) == set()  # the chapter shortcut is for headings and below
    assert objects(hs_store, "72", SKOS.prefLabel) == {"Iron and steel"}
    assert objects(hs_store, "section/XV", SKOS.prefLabel) == {"Base metals and articles of base metal"}


def test_leading_zeros_kept(hs_store):
    assert objects(hs_store, "0101", SKOS.notation) == {"0101"}
    assert objects(hs_store, "0101", SKOS.prefLabel) == {"Horses, asses, mules and hinnies; live"}
    assert objects(hs_store, "0101", SKOS.broader) == {HS + "01"}
    assert objects(hs_store, "101", SKOS.notation) == set()


def test_new_hs2022_codes_present(hs_store):
    for code in ("8549", "3827", "854231"):
        assert objects(hs_store, code, SKOS.inScheme) == {"https://w3id.org/tradekg/id/scheme/hs2022"}, code


def test_closure_is_complete(hs_store):
    """Every subheading reaches its heading, chapter and section; no product is missing a link."""
    assert values(hs_store, "SELECT ?p WHERE { ?p tkg:hsLevel 6 . FILTER NOT EXISTS { ?p tkg:hsSection ?s } }") \
        == [HS + "999999"]
    short = values(hs_store, "SELECT ?p WHERE { ?p tkg:hsLevel 6 . { SELECT ?p (COUNT(?a) AS ?n) "
                             "WHERE { ?p skos:broaderTransitive ?a } GROUP BY ?p } FILTER (?n != 3) }")
    assert short == [HS + "999999"]  # Comtrade's artefact: 9999 and 99 only, no section


def test_sections_are_the_top_concepts_and_total_is_skipped(hs_store):
    tops = set(values(hs_store, "SELECT ?t WHERE { id:scheme\\/hs2022 skos:hasTopConcept ?t }"))
    assert len(tops) == 22 and HS + "section/I" in tops and HS + "section/XXI" in tops
    assert HS + "99" in tops  # Comtrade's chapter 99 is in no section
    assert objects(hs_store, "999999", SKOS.broaderTransitive) == {HS + "9999", HS + "99"}
    assert objects(hs_store, "TOTAL", SKOS.notation) == set()
    assert values(hs_store, "SELECT ?p WHERE { ?p skos:notation 'TOTAL' }") == []


def test_tariff_lines_get_the_closure_too():
    linker = ProductLinker.from_data(bundled())
    steel = linker.tariff_line("USA", "7208.10.15", "test")
    under_heading = linker.tariff_line("USA", "72089999", "test")  # 720899 does not exist: falls under 7208
    triples = list(linker.take_lines())

    def of(node, predicate):
        return {o.value for s, p, o in triples if s == node and p == predicate}

    assert of(steel, SKOS.broader) == {HS + "720810"}
    assert of(steel, SKOS.broaderTransitive) == {HS + "720810", HS + "7208", HS + "72", HS + "section/XV"}
    assert of(steel, TKG.hsChapter) == {HS + "72"} and of(steel, TKG.hsSection) == {HS + "section/XV"}
    assert of(under_heading, SKOS.broader) == {HS + "7208"}
    assert of(under_heading, SKOS.broaderTransitive) == {HS + "7208", HS + "72", HS + "section/XV"}


def lines_loader(ctx):
    """A stand-in source that uses two tariff lines, so their nodes are validated with the HS nodes."""
    ctx.products.tariff_line("USA", "7208.10.15", "test")
    ctx.products.tariff_line("USA", "0101.21.00", "test")
    yield from ()


def test_cut_build_conforms_to_the_shapes(data_copy, tmp_path):
    table = data_copy / "hs-datasets" / "harmonized-system.csv"
    # chapter 01 with 0101 and 010121, chapter 72 with 7208 and 720810, and chapter 99 (0-based data rows)
    cut_csv(bundled() / "hs-datasets" / "harmonized-system.csv", table, keep=[0, 1, 2, 4530, 4574, 4575,
                                                                           6936, 6937, 6938, 6939])
    (data_copy / "sources" / "test-lines.json").write_text(json.dumps(
        json.loads((data_copy / "sources" / "hs2022.json").read_text()) | {"title": "test lines"}))
    report = build(tmp_path / "store", data_copy, loaders=[(ontology.SOURCE, ontology.triples),
                                                           (hs2022.SOURCE, hs2022.triples),
                                                           ("test-lines", lines_loader)])
    assert report.triples["hs2022"] > 21 * 8 and report.triples["test-lines"] == 2 * 12


STEEL = 'XV,720810,"Iron or non-alloy steel; in coils, flat-rolled, of a width 600mm or more, hot-rolled, ' \
        'with patterns in relief"'


def corrupt(data: Path, old: str, new: str) -> None:
    table = data / "hs-datasets" / "harmonized-system.csv"
    text = table.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    table.write_text(text.replace(old, new), encoding="utf-8")


@pytest.mark.parametrize("old, new, line, column, message", [
    (STEEL + ",7208,6", STEEL + ",7208,3", 4577, 5, "3 is not an HS level"),
    (STEEL + ",7208,6", STEEL + ",7207,6", 4577, 4, "'7207' is not an HS code of 4 digits that 720810 falls under"),
    ("I,0101,\"Horses, asses, mules and hinnies; live\",01,4", "I,0101,\"Horses, asses, mules and hinnies; live\",01,5",
     3, 5, "5 is the level of the TOTAL root marker only"),
    ("XV,7208,", "XIV,7208,", 4576, 1, "its chapter 72 is in XV"),
    ("I,010121,", "I,010129,", 5, 2, "'010129' is listed twice"),
    ("XV,72,Iron and steel,TOTAL,2", "XV,72,Iron and steel,TOTAL,two", 4532, 5, "'two' is not a whole number"),
])
def test_corrupt_row_names_file_line_and_column(data_copy, old, new, line, column, message):
    corrupt(data_copy, old, new)
    with pytest.raises(SourceError) as caught:
        list(hs2022.triples(BuildContext.for_data(data_copy)))
    error = caught.value
    assert (Path(error.path).name, error.line, error.column) == ("harmonized-system.csv", line, column)
    assert message in str(error)
