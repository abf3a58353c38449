"""Older HS editions linked to HS 2022 (issue 16): the links are checked against UNSD's correlation rows read
here with csv, and a Section 301 line published in HS 2017 terms that the digits alone left under a heading
now reaches its HS 2022 subheading. In memory, from the bundled files: no build."""

from __future__ import annotations

import csv
import shutil
from collections import defaultdict

import pyoxigraph as ox
import pytest

from tradekg.data import bundled
from tradekg.graph.context import BuildContext
from tradekg.graph.errors import SourceError
from tradekg.graph.hs_versions import read_correlation
from tradekg.graph.loaders import hs2017
from tradekg.graph.products import ProductLinker
from tradekg.graph.terms import SKOS, TKG

HS22 = "https://w3id.org/tradekg/id/hs2022/"
HS17 = "https://w3id.org/tradekg/id/hs2017/"
CSV = bundled() / "hs-correlation-unsd" / "HS2022toHS2017_correlation.csv"
LINK = {"1:1": SKOS.exactMatch, "n:1": SKOS.narrowMatch, "1:n": SKOS.broadMatch}


@pytest.fixture(scope="module")
def unsd() -> dict[str, dict[str, str]]:
    """UNSD's rows read independently: old HS 2017 code -> {HS 2022 code: relationship}."""
    with CSV.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert rows[0][0] == "Between" and rows[1][0].strip() == "HS2022"
    table: dict[str, dict[str, str]] = defaultdict(dict)
    for new, old, relationship in rows[2:]:
        table[old][new] = relationship
    return table


@pytest.fixture(scope="module")
def store() -> ox.Store:
    store = ox.Store()
    store.extend(ox.Quad(s, p, o) for s, p, o in hs2017.triples(BuildContext.for_data(bundled())))
    return store


def links(store: ox.Store, old: str, predicate: ox.NamedNode) -> set[str]:
    return {q.object.value for q in store.quads_for_pattern(ox.NamedNode(HS17 + old), predicate, None)}


def test_one_to_one_split_and_merge_follow_the_unsd_rows(store, unsd):
    # one-to-one and renumbered: HS 2017 030510 (fish meal) is one HS 2022 code with another number
    assert set(unsd["030510"].values()) == {"1:1"} and "030510" not in unsd["030510"]
    assert links(store, "030510", SKOS.exactMatch) == {HS22 + code for code in unsd["030510"]}
    # a split: HS 2017 851712 (mobile phones) went to HS 2022 851713/851714 (n:1, each narrower) and, with other
    # codes, into many-to-many groups (n:n: closeMatch, except the e-waste heading 8549, a group only)
    split = {new for new, rel in unsd["851712"].items() if rel == "n:1"}
    close = {new for new, rel in unsd["851712"].items() if rel == "n:n" and not new.startswith("8549")}
    assert len(split) > 1 and close
    assert links(store, "851712", SKOS.narrowMatch) == {HS22 + code for code in split}
    assert links(store, "851712", SKOS.closeMatch) == {HS22 + code for code in close}
    # a merge: HS 2022 040320 (yoghurt) takes all of an HS 2017 code (1:n) and part of another: broader
    merged = [old for old, news in unsd.items() if news == {"040320": "1:n"}]
    assert merged and len([old for old, news in unsd.items() if "040320" in news]) > len(merged)
    for old in merged:
        assert links(store, old, SKOS.broadMatch) == {HS22 + "040320"}
    # every row of the file has its link (but the 8549 group's), and no other link exists
    link = LINK | {"n:n": SKOS.closeMatch}
    expected = {(HS17 + old, link[rel].value, HS22 + new) for old, news in unsd.items() for new, rel in news.items()
                if not (rel == "n:n" and new.startswith("8549"))}
    stated = {(q.subject.value, q.predicate.value, q.object.value) for p in link.values()
              for q in store.quads_for_pattern(None, p, None)}
    assert stated == expected


def test_the_8549_e_waste_rows_are_one_group_without_pairwise_links(store, unsd):
    # the many-to-many (n:n) rows of heading 8549; its 1:1 and split rows have their pairwise links
    olds = {old for old, news in unsd.items() if any(n.startswith("8549") and r == "n:n" for n, r in news.items())}
    news = {n for news in unsd.values() for n, r in news.items() if n.startswith("8549") and r == "n:n"}
    assert len(olds) > 500 and len(news) > 5
    group = ox.NamedNode("https://w3id.org/tradekg/id/hs-group/hs2017/8549")
    members = {q.object.value for q in store.quads_for_pattern(group, SKOS.member, None)}
    assert members == {HS17 + old for old in olds} | {HS22 + new for new in news}
    assert list(store.quads_for_pattern(group, ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
                                        SKOS.Collection))
    assert not [q for q in store.quads_for_pattern(None, SKOS.closeMatch, None) if q.object.value[len(HS22):].startswith("8549")]


def test_a_section_301_line_in_hs_2017_terms_now_reaches_hs_2022():
    # List 3's HTS 2018 line 0305.10.20: its HS 2017 subheading 030510 is not a HS 2022 subheading
    with (bundled() / "us-section301-dw" / "section301_china_tariff_lines.csv").open(newline="", encoding="utf-8") as f:
        assert any(row["hts_code"] == "03051020" for row in csv.DictReader(f))
    before = ProductLinker.from_data(bundled())
    before.use_editions = False
    line = before.tariff_line("USA", "03051020", "test", "HS 2017")
    assert {o.value for s, p, o in before.take_lines() if s == line and p == SKOS.broader} == {HS22 + "0305"}

    after = ProductLinker.from_data(bundled())
    line = after.tariff_line("USA", "03051020", "test", "HS 2017")
    triples = list(after.take_lines())
    assert {o.value for s, p, o in triples if s == line and p == SKOS.broader} == {HS22 + "030910"}
    assert HS22 + "0309" in {o.value for s, p, o in triples if s == line and p == SKOS.broaderTransitive}
    assert {o.value for s, p, o in triples if s == line and p == TKG.hsEditionCode} == {HS17 + "030510"}
    # a split code has no single HS 2022 subheading: the line stays under its heading, with its old code
    split = after.tariff_line("USA", "85171200", "test", "HS 2017")
    triples = list(after.take_lines())
    assert {o.value for s, p, o in triples if s == split and p == SKOS.broader} == {HS22 + "8517"}
    assert {o.value for s, p, o in triples if s == split and p == TKG.hsEditionCode} == {HS17 + "851712"}
    # an HS 2022 line is linked by its digits, as before
    assert after.tariff_line("USA", "85171300", "test") is not None
    assert {o.value for s, p, o in after.take_lines() if p == SKOS.broader} == {HS22 + "851713"}


def test_a_malformed_correlation_row_names_its_file_line_and_column(tmp_path):
    folder = tmp_path / "hs-correlation-unsd"
    folder.mkdir()
    lines = CSV.read_text(encoding="utf-8").splitlines()[:5]
    new, _, relationship = lines[3].split(",")
    lines[3] = f"{new},85171,{relationship}"  # a 5-digit HS 2017 code on line 4
    (folder / CSV.name).write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(SourceError) as error:
        read_correlation(tmp_path, "HS 2017")
    assert error.value.line == 4 and error.value.column == 2
    assert CSV.name in str(error.value)
    shutil.rmtree(folder)
