"""Licences: the code's LICENSE matches pyproject, and each data source states its licence, whether it was
verified and whether it is share-alike, in data/sources/*.json, in data/README.md and in the meta graph."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

from tradekg.data import bundled
from tradekg.graph.build import BuildReport, _provenance
from tradekg.graph.terms import TKG, graph_iri

ROOT = Path(__file__).resolve().parents[1]


def test_license_file_is_the_mit_licence_pyproject_declares():
    assert re.search(r'^license = "MIT"', (ROOT / "pyproject.toml").read_text(encoding="utf-8"), re.M)
    assert (ROOT / "LICENSE").read_text(encoding="utf-8").startswith("MIT License")


def _sources() -> dict[str, dict]:
    return {path.stem: json.loads(path.read_text(encoding="utf-8")) for path in (bundled() / "sources").glob("*.json")}


def test_every_source_names_its_licence_and_the_readme_table_agrees():
    readme = (bundled() / "README.md").read_text(encoding="utf-8")
    table = readme[readme.index("## Data licences"):]
    for key, info in _sources().items():
        assert info["license"].strip(), key
        if "license_verified" not in info:  # a source added without the fields: the graph says "not verified"
            continue
        row = next((line for line in table.splitlines() if line.startswith(f"| `{key}` |")), None)
        assert row is not None, f"data/README.md 'Data licences' has no row for {key}"
        cells = [cell.strip() for cell in row.strip("|").split("|")]
        assert cells[-2].strip("*") == ("yes" if info["license_verified"] else "no"), key
        assert cells[-1].strip("*") == ("yes" if info["share_alike"] else "no"), key
    assert _sources()["wto-members"]["share_alike"] is True  # Wikipedia, CC BY-SA 4.0
    assert _sources()["wto-ds-gateway"]["license_verified"] is False  # WTO terms not checked


def test_the_meta_graph_states_verification_and_share_alike(tmp_path):
    sources = _sources()
    report = BuildReport(tmp_path, triples={"wto-members": 1, "wto-ds-gateway": 1})
    triples = list(_provenance(bundled(), sources, report, dt.datetime(2026, 11, 30, tzinfo=dt.timezone.utc)))
    facts = {(s, p): o for s, p, o in triples if p in (TKG.licenceVerified, TKG.shareAlike)}
    assert facts[(graph_iri("wto-members"), TKG.shareAlike)].value == "true"
    assert facts[(graph_iri("wto-members"), TKG.licenceVerified)].value == "false"
    assert facts[(graph_iri("wto-ds-gateway"), TKG.licenceVerified)].value == "false"
