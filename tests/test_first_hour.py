"""A newcomer's first hour: wrong arguments are refused at once, before any expensive work, with a message that
says what to do. Every test here points the command at a store that does not exist: the answer must be about
the argument, not about the store (which would have come first had the command started working)."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from click.testing import CliRunner

from tradekg.cli import cli


def invoke(*args: str):
    return CliRunner().invoke(cli, list(args))


@pytest.fixture
def nothing(tmp_path: Path) -> str:
    return str(tmp_path / "no-store-here")


def test_serve_refuses_a_port_out_of_range(nothing):
    result = invoke("serve", "--store", nothing, "--port", "99999")
    assert result.exit_code == 2 and "99999" in result.output and "65535" in result.output
    assert not Path(nothing).exists()  # nothing was built


def test_serve_refuses_a_taken_port_before_building(nothing):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = invoke("serve", "--store", nothing, "--port", str(port))
    assert result.exit_code == 1
    assert f"port {port}" in result.output and "--port" in result.output
    assert not Path(nothing).exists()  # refused before the first build, not after it


def test_network_paths_refuses_an_unknown_economy_first(nothing):
    result = invoke("network", "paths", "USA", "XYZ", "--store", nothing)
    assert result.exit_code == 1 and "'XYZ'" in result.output and "no tradekg store" not in result.output


def test_export_refuses_a_missing_folder_first(nothing, tmp_path):
    out = tmp_path / "nodir" / "x.png"
    result = invoke("export", "disputes", "--out", str(out), "--store", nothing)
    assert result.exit_code == 1 and str(out.parent) in result.output and "no tradekg store" not in result.output


@pytest.mark.parametrize("text", ["INSERT DATA { <https://example.org/a> <https://example.org/b> 1 }",
                                  "PREFIX ex: <https://example.org/>\nDELETE WHERE { ?s ex:b ?o }"])
def test_sparql_says_updates_are_not_queries(nothing, text):
    result = invoke("sparql", "--store", nothing, text)
    assert result.exit_code == 1
    assert "not updates" in result.output and "tradekg build" in result.output and "expected" not in result.output


def test_sparql_says_how_a_query_starts(nothing):
    result = invoke("sparql", "--store", nothing, "SELEC ?x WHERE { ?x ?p ?o }")
    assert result.exit_code == 1
    assert "SELECT, ASK, CONSTRUCT or DESCRIBE" in result.output and "SELEC ?x" in result.output
