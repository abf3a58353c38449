"""National-security defences (curated wto_security_exceptions.csv): facts read by hand in the file, and
malformed rows failing with file, line and column."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from tradekg.data import bundled
from tradekg.graph.context import BuildContext
from tradekg.graph.errors import SourceError
from tradekg.graph.loaders import wto_security_exceptions as loader
from tradekg.graph.terms import TKG, economy, instance

FILE = "curated/wto_security_exceptions.csv"
XXI = instance("agreement", "wto", "GATT1994", "article", "XXI")


@pytest.fixture(scope="module")
def triples() -> set[tuple]:
    return set(loader.triples(BuildContext.for_data(bundled())))


def objects(triples, node, predicate) -> set:
    return {o for s, p, o in triples if s == node and p == predicate}


def test_ds512_russia_invoked_article_xxi_and_the_panel_found_it_met(triples):
    """Row DS512: RUS, GATT1994:XXI, panel report 2019-04-05, not appealed."""
    dispute = instance("dispute", "DS512")
    assert objects(triples, dispute, TKG.invokedException) == {XXI}
    (invocation,) = objects(triples, dispute, TKG.exceptionInvocation)
    assert objects(triples, invocation, TKG.invokedBy) == {economy("RUS")}
    assert {o.value for o in objects(triples, invocation, TKG.findingDate)} == {"2019-04-05"}
    assert {o.value for o in objects(triples, invocation, TKG.findingAppealed)} == {"false"}
    assert any("XXI(b)(iii)" in o.value for o in objects(triples, invocation, TKG.panelFinding))


def test_ds526_names_three_provisions_and_ds528_none(triples):
    """DS526 (UAE): GATT XXI, GATS XIV bis, TRIPS 73; DS528 (Saudi Arabia): 'unspecified (national security)'."""
    assert objects(triples, instance("dispute", "DS526"), TKG.invokedException) == {
        XXI, instance("agreement", "wto", "GATS", "article", "XIV_bis"), instance("agreement", "wto", "TRIPS", "article", "73")}
    ds528 = instance("dispute", "DS528")
    assert objects(triples, ds528, TKG.invokedException) == set()
    (invocation,) = objects(triples, ds528, TKG.exceptionInvocation)
    assert objects(triples, invocation, TKG.invokedBy) == {economy("SAU")}


def test_every_row_is_one_invocation(triples):
    rows = list(csv.DictReader((bundled() / FILE).open(encoding="utf-8")))
    invoked = {s.value.rsplit("/", 1)[1] for s, p, o in triples if p == TKG.exceptionInvocation}
    assert invoked == {row["ds_number"] for row in rows if row["invoked"] == "yes"}


@pytest.fixture
def small_data(tmp_path: Path) -> Path:
    for folder in ("curated", "wto-ds-gateway", "crosswalks"):
        shutil.copytree(bundled() / folder, tmp_path / folder)
    return tmp_path


@pytest.mark.parametrize("line, column, value", [
    (2, "ds_number", "DS9999"),
    (2, "respondent", "USA"),          # DS512's respondent is Russia
    (3, "provision", "GATT1994:XXI; GATS"),
    (2, "panel_report_date", "2019-04-31"),
    (2, "appealed", "maybe"),
])
def test_malformed_row_names_file_line_and_column(small_data, line, column, value):
    path = small_data / FILE
    rows = list(csv.reader(path.open(encoding="utf-8", newline="")))
    index = rows[0].index(column)
    rows[line - 1][index] = value
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)
    with pytest.raises(SourceError) as caught:
        list(loader.triples(BuildContext.for_data(small_data)))
    assert f"wto_security_exceptions.csv, line {line}, column {index + 1} ({column})" in str(caught.value)
