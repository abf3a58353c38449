"""Network views and analyses (tradekg.queries.projections / analyses / paths, `tradekg network`), with
answers checked against the source files in data/ (each test says which)."""

from __future__ import annotations

import csv
import json

import pytest
from click.testing import CliRunner

from tradekg.cli import cli
from tradekg.data import bundled
from tradekg.graph.errors import BadParameters
from tradekg.queries.analyses import centrality, communities, ego
from tradekg.queries.paths import combined, describe, k_paths
from tradekg.queries.projections import VIEWS, for_export, project

ID = "https://w3id.org/tradekg/id/"
TKG = "https://w3id.org/tradekg/ontology#"
GRAPH = "https://w3id.org/tradekg/graph/"
USA, CHN, MEX = (f"{ID}economy/{code}" for code in ("USA", "CHN", "MEX"))


def _rows(relative: str) -> list[dict[str, str]]:
    with (bundled() / relative).open(newline="", encoding="utf-8-sig") as handle:
        return list(csv.DictReader(handle))


def _gateway_disputes(complainant: str, respondent: str) -> set[str]:
    """Disputes of the WTO gateway's table with these parties (codes are ';'-separated WTO codes)."""
    return {f"{ID}dispute/{r['case_code']}" for r in _rows("wto-ds-gateway/ds_cases.csv")
            if complainant in r["complainant_codes"].split(";") and respondent in r["respondent_codes"].split(";")}


def test_disputes_edge_china_united_states(full_store):
    # data/wto-ds-gateway/ds_cases.csv: 18 cases with CHN among the complainants and USA among the
    # respondents (DS252 … DS623, first requested 2002-03-26); counted by hand with csv.DictReader.
    gateway = _gateway_disputes("CHN", "USA")
    assert len(gateway) == 18 and f"{ID}dispute/DS544" in gateway
    edge = project(full_store, "disputes", to="2024-12-31").edges[CHN, USA]
    assert edge["weight"] == len(gateway) == len(edge["disputes"])
    assert set(edge["disputes"]) == gateway and edge["first"] == "2002-03-26"
    ds544 = edge["via"][f"{ID}dispute/DS544"]
    assert {(t.predicate, t.object) for t in ds544} == {(TKG + "complainant", CHN), (TKG + "respondent", USA)}
    assert all(GRAPH + "wto-ds-gateway" in t.graphs for t in ds544)
    # Without a date the two 2025 requests of data/curated/wto_disputes_extra.csv (DS633 and the
    # unnumbered one of 2025-04-04) count too.
    extra = [r for r in _rows("curated/wto_disputes_extra.csv")
             if r["record_type"].startswith("new dispute") and (r["complainant"], r["respondent"]) == ("CHN", "USA")]
    assert len(extra) == 2
    assert project(full_store, "disputes").edges[CHN, USA]["weight"] == len(gateway) + len(extra)


def test_united_states_leads_the_disputes_view_by_degree(full_store):
    # ds_cases.csv: the USA has 43 distinct counterparts, the EU (EEC) 33, Brazil and India 16 each.
    rows, method = centrality(project(full_store, "disputes"), top=3)
    assert [r["code"] for r in rows][:2] == ["USA", "EUN"]
    assert method == "eigenvector" and rows[0]["betweenness"] > rows[1]["betweenness"] > 0


def test_united_states_and_mexico_are_linked_by_usmca(full_store):
    # data/wto-rta/AllRTAs.csv: RTA 1087 (USMCA) in force 2020-07-01, parties Canada, Mexico, United
    # States; RTA 122 (NAFTA) in force 1994-01-01, inactive 2020-07-01.
    graph = combined(full_store)
    found = k_paths(graph, "USA", "Mexico", k=5)
    assert [len(p.hops) for p in found] == sorted(len(p.hops) for p in found)  # shortest first
    direct = {p.hops[0].view: p for p in found if len(p.hops) == 1}
    assert set(direct) == {"agreements", "disputes", "measures"}
    links = {ln.entity: ln for ln in direct["agreements"].hops[0].links}
    assert set(links) == {f"{ID}agreement/rta/1087", f"{ID}agreement/rta/122"}
    usmca = links[f"{ID}agreement/rta/1087"]
    assert {(t.subject, t.predicate, t.object) for t in usmca.triples} == {
        (f"{ID}agreement/rta/1087", TKG + "party", USA), (f"{ID}agreement/rta/1087", TKG + "party", MEX)}
    assert all(t.graphs == (GRAPH + "wto-rta",) for t in usmca.triples) and usmca.date == "2020-07-01"
    text = "\n".join(describe(direct["agreements"], graph))
    assert "USA ←party— RTA 1087 United States-Mexico-Canada Agreement" in text and "[wto-rta]" in text
    costs = [(len(p.hops), p.cost) for p in found]
    assert costs == sorted(costs)  # ranked by length, then by the sum of 1/weight


def test_as_of_changes_the_agreements_view(full_store):
    # AllRTAs.csv (see above): on 2019-01-01 the USA and Mexico shared NAFTA only; on 2021-01-01 USMCA only.
    before = project(full_store, "agreements", as_of="2019-01-01").edges[USA, MEX]["agreements"]
    after = project(full_store, "agreements", as_of="2021-01-01").edges[USA, MEX]["agreements"]
    assert before == [f"{ID}agreement/rta/122"] and after == [f"{ID}agreement/rta/1087"]
    bipartite = project(full_store, "economy-agreement", as_of="2019-01-01")
    assert not bipartite.has_edge(USA, f"{ID}agreement/rta/1087")
    assert bipartite.has_edge(USA, f"{ID}agreement/rta/122")


def test_measures_view_section_301_on_china(full_store):
    # data/curated/us_section301.csv: the tariff actions on CHN in effect on 2019-06-01 are Lists 1, 2 and
    # 3 (2018-07-06, 2018-08-23, 2018-09-24); List 4A began 2019-09-01 and List 4B has no date.
    edge = project(full_store, "measures", as_of="2019-06-01", measure_type="section-301").edges[USA, CHN]
    assert edge["measures"] == [f"{ID}measure/us-301-list-{n}" for n in (1, 2, 3)]
    assert project(full_store, "measures", measure_type="section-301", chapter="72").has_edge(USA, CHN)


def test_ego_network_of_china(full_store):
    # ds_cases.csv: China's counterparts include the USA (18 cases as complainant), the EU and Mexico.
    sub = ego(project(full_store, "disputes"), "CHN", radius=1)
    assert {USA, f"{ID}economy/EUN", MEX} <= set(sub) and sub.has_edge(CHN, USA)
    assert set(ego(project(full_store, "disputes"), "CHN", radius=2)) > set(sub)


def test_communities_are_reproducible(full_store):
    graph = project(full_store, "agreements", as_of="2024-01-01")
    first, second = communities(graph), communities(graph)
    assert first == second and first[1] > 0.1
    together = next(c["nodes"] for c in first[0] if f"{ID}economy/FRA" in c["nodes"])
    assert f"{ID}economy/DEU" in together  # both EU members: party to the same EU agreements


def test_bad_names_are_refused(full_store):
    with pytest.raises(BadParameters, match="no network view named 'trade'"):
        project(full_store, "trade")
    with pytest.raises(BadParameters, match="no economy is known as 'Atlantis'"):
        ego(project(full_store, "disputes"), "Atlantis")
    with pytest.raises(BadParameters, match="has no links in the disputes view"):
        ego(project(full_store, "disputes"), "MNG")  # Mongolia: in no dispute in ds_cases.csv
    with pytest.raises(BadParameters, match="takes no measure_type filter"):
        project(full_store, "disputes", measure_type="section-232")
    with pytest.raises(BadParameters, match="2-digit HS chapter"):
        project(full_store, "measures", chapter="7208")
    with pytest.raises(BadParameters, match="same economy"):
        k_paths(combined(full_store), "USA", "United States")


def _summary(graph):
    return {(u, v): (d["weight"], tuple(sorted(d["via"].items())), d["first"], d["last"])
            for u, v, d in graph.edges(data=True)}


def _filters(name: str) -> tuple[dict[str, str], ...]:
    if name == "trade-covered":  # takes a year, not dates
        return ({}, {"year": "2024"})
    return ({}, {"chapter": "72"} if name == "disputes" else {"as_of": "2019-01-01"})


@pytest.fixture(scope="module")
def embedded_views(full_store):
    return {(name, i): _summary(project(full_store, name, **given))
            for name in VIEWS for i, given in enumerate(_filters(name))}


@pytest.mark.parametrize("name", list(VIEWS))
def test_views_are_the_same_on_every_store(name, any_store, embedded_views):
    """The views come from catalog queries only, so a SPARQL server gives the very same edges."""
    for i, given in enumerate(_filters(name)):
        summary = _summary(project(any_store, name, **given))
        assert summary and summary == embedded_views[name, i]


def test_export_copy_has_only_scalars(full_store):
    import networkx as nx

    flat = for_export(project(full_store, "disputes"))
    assert all(not isinstance(v, (list, dict, tuple)) for _, _, d in flat.edges(data=True) for v in d.values())
    assert "DS544" in flat.edges[CHN, USA]["disputes"]
    nx.generate_graphml(flat)  # would raise on a list-valued attribute


def test_cli_network_commands(full_build):
    store = str(full_build[0])
    runner = CliRunner()
    result = runner.invoke(cli, ["network", "centrality", "disputes", "--store", store, "--top", "3",
                                 "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["rows"][0]["code"] == "USA"
    result = runner.invoke(cli, ["network", "paths", "USA", "MEX", "--store", store, "-k", "3"])
    assert result.exit_code == 0 and "RTA 1087" in result.output and "[wto-rta]" in result.output
    result = runner.invoke(cli, ["network", "ego", "CHN", "disputes", "--store", store, "--format", "json"])
    assert result.exit_code == 0 and USA in {n["node"] for n in json.loads(result.output)["nodes"]}
    result = runner.invoke(cli, ["network", "communities", "agreements", "--store", store, "--as-of", "2024-01-01"])
    assert result.exit_code == 0 and "modularity" in result.output
    result = runner.invoke(cli, ["network", "centrality", "trade", "--store", store])
    assert result.exit_code == 1 and "no network view named 'trade'" in result.output
