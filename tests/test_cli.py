"""The tradekg command as a user types it."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from tradekg.cli import cli
from tradekg.data import bundled

DS544 = ("SELECT ?c WHERE { <https://w3id.org/tradekg/id/dispute/DS544> "
         "<https://w3id.org/tradekg/ontology#complainant> ?c }")


@pytest.fixture(scope="module")
def store(full_build):
    return str(full_build[0])


def invoke(*args: str, input: str | None = None):
    return CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)


def test_help_reads_well():
    result = invoke("--help")
    assert result.exit_code == 0
    for command in ("build", "sparql", "stats"):
        assert command in result.output


def test_readme_first_query_prints_china(store):
    result = invoke("sparql", "--store", store, DS544)
    assert result.exit_code == 0
    assert "id:economy/CHN" in result.output


@pytest.mark.parametrize("fmt", ["csv", "tsv", "json"])
def test_sparql_results_formats(store, fmt):
    result = invoke("sparql", "--store", store, "--format", fmt, DS544)
    assert result.exit_code == 0
    china = "https://w3id.org/tradekg/id/economy/CHN"
    if fmt == "csv":
        assert list(csv.reader(io.StringIO(result.output))) == [["c"], [china]]
        assert result.stdout_bytes.endswith(b"\r\n")  # SPARQL 1.1 CSV uses CRLF
    elif fmt == "tsv":
        assert result.output == f"?c\n<{china}>\n"
    else:
        answer = json.loads(result.output)
        assert answer["head"]["vars"] == ["c"]
        assert answer["results"]["bindings"] == [{"c": {"type": "uri", "value": china}}]


def test_query_from_file_and_stdin(store, tmp_path):
    path = tmp_path / "q.rq"
    path.write_text(DS544)
    assert "CHN" in invoke("sparql", "--store", store, f"@{path}").output
    assert "CHN" in invoke("sparql", "--store", store, "-", input=DS544).output


def test_ask_and_construct(store):
    assert invoke("sparql", "--store", store, "ASK { ?d a <https://w3id.org/tradekg/ontology#Dispute> }").output == "true\n"
    out = invoke("sparql", "--store", store,
                 "CONSTRUCT { ?d <http://ex.org/c> ?c } WHERE { <https://w3id.org/tradekg/id/dispute/DS544> "
                 "<https://w3id.org/tradekg/ontology#complainant> ?c BIND(<http://ex.org/d> AS ?d) }").output
    assert out.strip() == "<http://ex.org/d> <http://ex.org/c> <https://w3id.org/tradekg/id/economy/CHN> ."


def test_malformed_query_is_a_message_not_a_traceback(store):
    result = invoke("sparql", "--store", store, "SELECT * WHERE { ?s ?p }")
    assert result.exit_code == 1
    assert "SPARQL syntax error" in result.output and "1:" in result.output
    assert "Traceback" not in result.output


def test_missing_store_says_what_to_do(tmp_path):
    result = invoke("sparql", "--store", str(tmp_path / "nothing"), DS544)
    assert result.exit_code == 1
    assert "run `tradekg build` first" in result.output


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        return list(csv.DictReader(handle))


def test_stats_counts_classes_and_graphs(store):
    # Every dispute the sources hold, counted from the files: the WTO gateway's cases, the curated rows of
    # new WTO disputes (with or without a DS number), and the USMCA chapter 31 disputes and consultations.
    data = bundled()
    disputes = (len({r["case_code"] for r in _rows(data / "wto-ds-gateway" / "ds_cases.csv")})
                + sum(r["record_type"].startswith("new dispute") for r in _rows(data / "curated" / "wto_disputes_extra.csv"))
                + len(_rows(data / "curated" / "usmca_disputes.csv"))
                + len(_rows(data / "curated" / "usmca_consultations.csv")))
    result = invoke("stats", "--store", store, "--format", "csv")
    assert result.exit_code == 0
    classes, graphs = result.output.split("\n\n", 1)
    counts = {row["class"]: int(row["instances"]) for row in csv.DictReader(io.StringIO(classes))}
    assert counts["https://w3id.org/tradekg/ontology#Dispute"] == disputes
    assert "https://w3id.org/tradekg/graph/wto-ds-gateway" in {row["graph"] for row in csv.DictReader(io.StringIO(graphs))}


def test_build_command_exits_nonzero_on_bad_rows(data_copy, tmp_path):
    cases = data_copy / "wto-ds-gateway" / "ds_cases.csv"
    cases.write_text(cases.read_text().replace("1995-01-24", "1995-01-32", 1))
    bad = CliRunner().invoke(cli, ["build", "--store", str(tmp_path / "s"), "--data", str(data_copy)])
    assert bad.exit_code == 1
    assert "ds_cases.csv, line 3, column 8 (consultations_requested)" in bad.output
