"""Bad input gets a clear error that names file, line and column, and a failed build loses nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from tradekg.graph.build import build
from tradekg.graph.errors import ReconciliationError, SourceError, ValidationError
from tradekg.graph.store import EmbeddedStore
from tradekg.graph.terms import A, TKG, instance

from conftest import PREFIXES, foundation_loaders


def replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture text {old!r} not found in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def disputes(store_path: Path) -> int:
    store = EmbeddedStore(store_path)
    try:
        query = "SELECT (COUNT(?d) AS ?n) WHERE { GRAPH <https://w3id.org/tradekg/graph/wto-ds-gateway> { ?d a tkg:Dispute } }"
        return int(store.select(PREFIXES + query)[0]["n"])
    finally:
        store.close()


def test_mini_build_holds_the_cut_cases(mini_data, tmp_path):
    report = build(tmp_path / "store", mini_data, loaders=foundation_loaders())
    assert disputes(tmp_path / "store") == 9
    assert report.triples["wto-ds-gateway"] > 0


def test_bad_date_names_file_line_and_column(mini_data, tmp_path):
    cases = mini_data / "wto-ds-gateway" / "ds_cases.csv"
    replace_in(cases, "2018-04-05", "2018-04-31")  # DS544 is the 4th data row: line 5
    with pytest.raises(SourceError) as caught:
        build(tmp_path / "store", mini_data, loaders=foundation_loaders())
    error = caught.value
    assert (Path(error.path).name, error.line, error.column, error.field) == ("ds_cases.csv", 5, 8, "consultations_requested")
    assert "'2018-04-31' is not a date" in str(error)


def test_ragged_row_is_rejected(mini_data, tmp_path):
    members = mini_data / "wto-members-wikipedia" / "wto_members.csv"
    replace_in(members, "Albania,2000-09-08,8 September 2000,FALSE,,", "Albania,2000-09-08,8 September 2000,FALSE,,,extra")
    with pytest.raises(SourceError, match=r"wto_members.csv, line 3, column 7: has 7 fields, the header has 6"):
        build(tmp_path / "store", mini_data, loaders=foundation_loaders())


def test_mismatched_case_code_is_rejected(mini_data, tmp_path):
    replace_in(mini_data / "wto-ds-gateway" / "ds_cases.csv", "2,DS2,", "2,DS3,")
    with pytest.raises(SourceError, match=r"line 3, column 2 \(case_code\): 'DS3' does not match ds_number 2"):
        build(tmp_path / "store", mini_data, loaders=foundation_loaders())


def test_missing_column_is_named(mini_data, tmp_path):
    replace_in(mini_data / "wto-ds-gateway" / "ds_cases.csv", "respondent_codes", "respondents")
    with pytest.raises(SourceError, match=r"missing column\(s\) \['respondent_codes'\]"):
        build(tmp_path / "store", mini_data, loaders=foundation_loaders())


def test_unknown_economy_name_fails_with_the_list(mini_data, tmp_path):
    replace_in(mini_data / "wto-members-wikipedia" / "wto_members.csv", "Albania,", "Albanai,")
    with pytest.raises(ReconciliationError) as caught:
        build(tmp_path / "store", mini_data, loaders=foundation_loaders())
    assert "'Albanai' at wto-members-wikipedia/wto_members.csv:3" in str(caught.value)
    assert "economy_aliases.csv" in str(caught.value)


def test_failed_build_leaves_previous_store_intact(mini_data, tmp_path):
    target = tmp_path / "store"
    build(target, mini_data, loaders=foundation_loaders())
    before = sorted(p.name for p in target.iterdir())
    replace_in(mini_data / "wto-ds-gateway" / "ds_cases.csv", "1995-01-24", "24/01/1995")
    with pytest.raises(SourceError):
        build(target, mini_data, loaders=foundation_loaders())
    assert disputes(target) == 9
    assert sorted(p.name for p in target.iterdir()) == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no staging leftovers


def test_shape_violation_fails_the_build_and_keeps_the_old_store(mini_data, tmp_path):
    target = tmp_path / "store"
    build(target, mini_data, loaders=foundation_loaders())

    def broken(ctx):  # a dispute with no title, parties or identifier
        yield instance("dispute", "DS9999"), A, TKG.Dispute

    loaders = foundation_loaders() + [("wto-ds-crawl-2018", broken)]
    with pytest.raises(ValidationError, match=r"DS9999"):
        build(target, mini_data, loaders=loaders)
    assert disputes(target) == 9
