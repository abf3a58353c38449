"""Exports of network views (tradekg.graph.exporters, tradekg.queries.exports, `tradekg export`,
GET /export/{view}): every format read back with the same nodes, edges and attributes as the view,
GEXF valid against the official 1.3 schema, and the offline page opened in headless Chromium."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import os
import zipfile
from pathlib import Path

import networkx as nx
import pytest
from click.testing import CliRunner
from lxml import etree

from tradekg.cli import cli
from tradekg.data import bundled
from tradekg.graph import exporters
from tradekg.graph.errors import BadParameters, ExportError
from tradekg.graph.exporters import FORMATS, ExportMeta, render, write
from tradekg.graph.exporters.attrs import flat, for_json, jsonable, steps
from tradekg.queries.exports import export_view

ID = "https://w3id.org/tradekg/id/"
CHN, USA, MEX, CAN = (f"{ID}economy/{c}" for c in ("CHN", "USA", "MEX", "CAN"))
GEXF = "{http://gexf.net/1.3}"
SCHEMA = Path(__file__).parent / "data" / "schemas" / "gexf-1.3" / "gexf.xsd"
CHROMIUM = Path("/usr/bin/chromium")
PERIOD = {"from": "2018-01-01", "to": "2024-12-31"}


@pytest.fixture(scope="module")
def disputes(full_store):
    """The dispute network 2018–2024, as exported."""
    return export_view(full_store, "disputes", **PERIOD)


def _gateway(start: str, end: str) -> list[dict[str, str]]:
    with (bundled() / "wto-ds-gateway" / "ds_cases.csv").open(newline="", encoding="utf-8-sig") as handle:
        return [r for r in csv.DictReader(handle) if start <= r["consultations_requested"] <= end]


def _flat_nodes(graph: nx.Graph) -> dict[str, dict]:
    return {n: {k: flat(v) for k, v in d.items() if v is not None} for n, d in graph.nodes(data=True)}


def _flat_edges(graph: nx.Graph) -> dict[tuple[str, str], dict]:
    return {(u, v): {k: flat(v) for k, v in d.items() if v is not None} for u, v, d in graph.edges(data=True)}


# --- the view as exported -------------------------------------------------------------------------

def test_dispute_network_2018_2024(disputes):
    graph, meta = disputes
    # data/wto-ds-gateway/ds_cases.csv, consultations requested 2018-01-01…2024-12-31 (csv.DictReader, by
    # hand): 89 disputes among 45 codes (CHT is TWN, EEC is EUN); China v. United States: DS543, DS544,
    # DS562, DS563, DS565, DS587, DS615, DS623, first 2018-04-04, last 2024-03-26.
    cases = _gateway(PERIOD["from"], PERIOD["to"])
    codes = {c for r in cases for c in r["complainant_codes"].split(";") + r["respondent_codes"].split(";")}
    assert len(cases) == 89 and len(codes) == 45 == graph.number_of_nodes()
    edge = graph.edges[CHN, USA]
    assert edge["weight"] == 8 and edge["first"] == "2018-04-04" and edge["last"] == "2024-03-26"
    assert [s for s, _ in edge["spells"]][:2] == ["2018-04-04", "2018-04-05"] and len(edge["spells"]) == 8
    assert edge["sources"] == ["https://w3id.org/tradekg/graph/wto-ds-gateway"] and "via" not in edge
    china = graph.nodes[CHN]
    # data/wto-members: China joined the WTO on 2001-12-11.
    assert (china["code"], china["wto_status"], china["member_since"]) == ("CHN", "member", "2001-12-11")
    assert {"degree", "strength", "betweenness", "eigenvector", "community"} <= china.keys()
    assert max(graph, key=lambda n: graph.nodes[n]["degree"]) == USA
    assert meta.filters == PERIOD and meta.data_date and "wto-ds-gateway" in " ".join(meta.sources)
    assert meta.title.startswith("disputes · from 2018-01-01 · to 2024-12-31 · data as of ")


def test_economies_filter_and_center(full_store):
    graph, meta = export_view(full_store, "disputes", economies="USA,CHN,MEX", **PERIOD)
    assert set(graph) == {USA, CHN, MEX} and meta.filters["economies"] == "USA,CHN,MEX"
    # ds_cases.csv 2018–2024: DS551 (MEX v. USA) and DS560 (USA v. MEX); none between MEX and CHN.
    assert graph.has_edge(MEX, USA) and graph.has_edge(USA, MEX) and not graph.has_edge(MEX, CHN)
    ego, meta = export_view(full_store, "disputes", center="MEX", **PERIOD)
    assert set(ego) == {MEX, USA} and meta.filters["center"] == "MEX" and meta.filters["radius"] == "1"


def test_ego_view_exports_one_edge_per_kind(full_store, tmp_path):
    """The ego view runs over paths.combined (agreements, disputes, measures) as it ships, and exports as a
    multigraph: one keyed edge per kind of tie."""
    graph, meta = export_view(full_store, "ego", center="MEX")
    assert graph.is_multigraph() and meta.filters == {"center": "MEX", "radius": "1"}
    kinds = {d["kind"] for *_, d in graph.edges(keys=True, data=True)}
    assert kinds <= {"agreements", "disputes", "measures"} and all(d["links"] for *_, d in graph.edges(data=True))
    assert graph.has_edge(MEX, USA, key="disputes")  # DS551, DS560 (ds_cases.csv)
    assert graph.has_edge(MEX, USA, key="agreements")  # USMCA, RTA 1087 (wto-rta/AllRTAs.csv)
    doc = etree.fromstring(render(graph, "gexf", meta)).getroottree()
    etree.XMLSchema(etree.parse(str(SCHEMA))).assertValid(doc)
    assert {e.get("kind") for e in doc.iter(f"{GEXF}edge")} == kinds
    back = nx.read_graphml(write(graph, "graphml", tmp_path / "ego.graphml", meta), force_multigraph=True)
    assert sorted((u, v) for u, v, _ in back.edges) == sorted((u, v) for u, v, _ in graph.edges)


@pytest.mark.parametrize("call, message", [
    (dict(view="nope"), "no network view named"),
    (dict(view="disputes", chapter="7"), "2-digit HS chapter"),
    (dict(view="disputes", as_of="2019-13-01"), "not a date"),
    (dict(view="disputes", measure_type="section-232"), "takes no measure_type"),
    (dict(view="disputes", economies="ZZZ"), "no economy is known"),
    (dict(view="ego"), "needs a center"),
    (dict(view="ego", center="USA", chapter="72"), "takes no chapter"),
])
def test_bad_values_are_clear_errors(full_store, call, message):
    with pytest.raises(BadParameters, match=message):
        export_view(full_store, **call)


# --- attribute rules ----------------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class Thing:
    name: str
    graphs: tuple[str, ...]


def test_values_writers_cannot_hold_are_converted():
    assert flat(None) is None and flat(3) == 3 and flat(True) is True
    assert flat(["a", 1]) == "a; 1" and flat({"b", "a"}) == "a; b"
    assert flat({"k": [1, 2]}) == '{"k": [1, 2]}' and flat([[1], [2]]) == "[[1], [2]]"
    assert json.loads(flat(Thing("x", ("g",)))) == {"name": "x", "graphs": ["g"]}
    assert for_json(["a"], nested=False) == ["a"] and for_json({"a": 1}, nested=False) == '{"a": 1}'
    assert jsonable({"t": (Thing("x", ()),)}) == {"t": [{"name": "x", "graphs": []}]}


def test_steps_count_links_in_force():
    spells = [("2019-01-01", None), ("2020-01-01", "2020-06-30")]
    assert steps(spells) == [("2019-01-01", "2019-12-31", 1), ("2020-01-01", "2020-06-30", 2), ("2020-07-01", None, 1)]


def _odd_graph() -> nx.MultiDiGraph:
    """Every awkward value at once, on a multigraph with parallel edges."""
    g = nx.MultiDiGraph()
    g.add_node("a", label="A <&> \"quoted\"", type="economy", tags=["x", "y"], extra={"k": 1}, gone=None,
               thing=Thing("t", ("g1",)), score=0.5, flag=True)
    g.add_node("b", label="B", type="measure", score=2)  # score int here, float above: one column type
    g.add_edge("a", "b", key="disputes", weight=2, spells=[("2019-05-01", None), ("2021-01-01", "2022-01-01")])
    g.add_edge("a", "b", key="measures", weight=1, note=None)
    return g


ODD_LABEL = 'A <&> "quoted"'


def _labels_read_back(fmt: str, data: bytes) -> tuple[str, int]:
    """Node a's label and the number of edges, read back from one export by a reader of that format."""
    if fmt == "graphml":
        back = nx.read_graphml(io.BytesIO(data), force_multigraph=True)
        return back.nodes["a"]["label"], back.number_of_edges()
    if fmt == "gexf":
        root = etree.fromstring(data)
        etree.XMLSchema(etree.parse(str(SCHEMA))).assertValid(root.getroottree())
        node = next(n for n in root.iter(f"{GEXF}node") if n.get("id") == "a")
        return node.get("label"), len(list(root.iter(f"{GEXF}edge")))
    if fmt == "cyjs":
        elements = json.loads(data)["elements"]
        return next(n["data"]["name"] for n in elements["nodes"] if n["data"]["id"] == "a"), len(elements["edges"])
    if fmt == "json":
        back = nx.node_link_graph(json.loads(data), edges="links")
        return back.nodes["a"]["label"], back.number_of_edges()
    if fmt == "dot":
        back = nx.nx_pydot.read_dot(io.StringIO(data.decode("utf-8")))
        return back.nodes["a"]["label"][1:-1].replace('\\"', '"'), back.number_of_edges()  # pydot keeps the quotes
    if fmt == "csv":
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            nodes = list(csv.DictReader(io.StringIO(zf.read("nodes.csv").decode("utf-8"))))
            edges = list(csv.DictReader(io.StringIO(zf.read("edges.csv").decode("utf-8"))))
        return next(r["Label"] for r in nodes if r["Id"] == "a"), len(edges)
    if fmt == "html":  # the graph travels as JSON inside a script: no raw "<" that could end it early
        text = data.decode("utf-8")
        assert "A <&>" not in text
        marker = '<script id="tradekg-data" type="application/json">'
        elements = json.JSONDecoder().raw_decode(text, text.index(marker) + len(marker))[0]["elements"]
        return next(n["data"]["name"] for n in elements["nodes"] if n["data"]["id"] == "a"), len(elements["edges"])
    if fmt == "svg":
        root = etree.fromstring(data)
        return next(t for t in root.itertext() if "quoted" in t).strip(), 2
    if fmt == "png":
        from PIL import Image

        with Image.open(io.BytesIO(data)) as image:
            image.verify()
            assert image.format == "PNG"
        return ODD_LABEL, 2  # a picture holds no text to read back
    raise AssertionError(f"no reader for {fmt}")


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_awkward_values_never_crash(fmt):
    """Markup characters and quotes survive every format (read back by that format's reader), and both
    parallel edges of the multigraph are kept."""
    data = render(_odd_graph(), fmt, ExportMeta(view="odd", filters={"as_of": "2020-01-01"}))
    data = data if isinstance(data, bytes) else data.encode("utf-8")
    assert _labels_read_back(fmt, data) == (ODD_LABEL, 2)


# --- each format read back ----------------------------------------------------------------------

def test_graphml_round_trip(disputes, tmp_path):
    graph, meta = disputes
    back = nx.read_graphml(write(graph, "graphml", tmp_path / "d.graphml", meta))
    assert back.is_directed() and set(back) == set(graph) and set(back.edges) == set(graph.edges)
    assert {n: d for n, d in back.nodes(data=True)} == _flat_nodes(graph)
    assert {(u, v): d for u, v, d in back.edges(data=True)} == _flat_edges(graph)
    assert back.graph["view"] == "disputes" and back.graph["filter_from"] == "2018-01-01"


def test_gexf_is_valid_and_dynamic(disputes, tmp_path):
    graph, meta = disputes
    path = write(graph, "gexf", tmp_path / "d.gexf", meta)
    doc = etree.parse(str(path))
    etree.XMLSchema(etree.parse(str(SCHEMA))).assertValid(doc)
    top = doc.getroot().find(f"{GEXF}graph")
    assert (top.get("mode"), top.get("timeformat"), top.get("defaultedgetype")) == ("dynamic", "date", "directed")
    titles = {a.get("id"): a.get("title") for a in top.iter(f"{GEXF}attribute")}
    nodes = {n.get("id"): n for n in top.iter(f"{GEXF}node")}
    assert set(nodes) == set(graph)
    expected = _flat_nodes(graph)
    for node_id, el in nodes.items():
        values = {titles[v.get("for")]: v.get("value") for v in el.iter(f"{GEXF}attvalue")}
        want = {k: ("true" if v is True else "false" if v is False else str(v))
                for k, v in expected[node_id].items() if k != "label"}
        assert values == want and el.get("label") == graph.nodes[node_id]["label"]
    edges = {(e.get("source"), e.get("target")): e for e in top.iter(f"{GEXF}edge")}
    assert set(edges) == set(graph.edges)
    china_usa = edges[(CHN, USA)]
    assert (china_usa.get("weight"), china_usa.get("start"), china_usa.get("end")) == ("8", "2018-04-04", None)
    active = [v for v in china_usa.iter(f"{GEXF}attvalue") if v.get("for") == "active"]
    assert [v.get("value") for v in active][-1] == "8" and active[-1].get("start") == "2024-03-26"
    assert active[0].get("end") == "2018-04-04"  # one dispute on 2018-04-04, a second the next day
    assert nodes[CHN].get("start") == min(s for (u, v), e in edges.items() if CHN in (u, v) for s in [e.get("start")])


def test_cyjs_round_trip(disputes, tmp_path):
    graph, meta = disputes
    data = json.loads(write(graph, "cyjs", tmp_path / "d.cyjs", meta).read_text(encoding="utf-8"))
    nodes, edges = data["elements"]["nodes"], data["elements"]["edges"]
    assert {n["data"]["id"] for n in nodes} == set(graph) and all("position" in n for n in nodes)
    china = next(n["data"] for n in nodes if n["data"]["id"] == CHN)
    assert china["name"] == "China" and china == {"id": CHN, "name": "China",
                                                  **{k: for_json(v, False) for k, v in graph.nodes[CHN].items()}}
    assert {(e["data"]["source"], e["data"]["target"]) for e in edges} == set(graph.edges)
    edge = next(e["data"] for e in edges if (e["data"]["source"], e["data"]["target"]) == (CHN, USA))
    assert edge["weight"] == 8 and edge["interaction"] == "disputes" and isinstance(edge["dates"], str)
    assert data["data"]["view"] == "disputes" and data["data"]["directed"] is True


def test_node_link_json_round_trip(disputes, tmp_path):
    graph, meta = disputes
    data = json.loads(write(graph, "json", tmp_path / "d.json", meta).read_text(encoding="utf-8"))
    assert {"nodes", "links"} <= data.keys() and {"source", "target"} <= data["links"][0].keys()
    back = nx.node_link_graph(data, edges="links")
    assert set(back) == set(graph) and set(back.edges) == set(graph.edges)
    for n, d in graph.nodes(data=True):
        assert back.nodes[n] == jsonable({k: v for k, v in d.items() if v is not None})
    assert back.edges[CHN, USA]["dates"][f"{ID}dispute/DS544"] == "2018-04-05"
    assert back.graph["filters"] == PERIOD


def test_dot_round_trip(disputes, tmp_path):
    pytest.importorskip("pydot", reason="pip install pydot (a test dependency) to read DOT back")
    graph, meta = disputes
    back = nx.nx_pydot.read_dot(write(graph, "dot", tmp_path / "d.dot", meta))
    strip = lambda v: v.strip('"').replace('\\"', '"')  # noqa: E731 - pydot keeps the quotes
    assert {strip(n) for n in back} == set(graph)
    assert {(strip(u), strip(v)) for u, v, _ in back.edges} == set(graph.edges)
    china = {k: strip(v) for k, v in back.nodes[CHN].items()}
    want = _flat_nodes(graph)[CHN]
    assert china.pop("tooltip") == want.pop("label") == "China" and china["label"] == "CHN"  # label: what is drawn
    assert all(china[k] == str(v) for k, v in want.items())
    assert all(strip(d["pos"]).endswith("!") for _, d in back.nodes(data=True))  # pinned for Graphviz
    assert strip(back.edges[CHN, USA, 0]["weight"]) == "8"


def test_csv_zip_round_trip(disputes, tmp_path):
    graph, meta = disputes
    with zipfile.ZipFile(write(graph, "csv", tmp_path / "d.zip", meta)) as zf:
        assert sorted(zf.namelist()) == ["README.txt", "edges.csv", "nodes.csv"]
        nodes = list(csv.DictReader(io.StringIO(zf.read("nodes.csv").decode("utf-8"))))
        edges = list(csv.DictReader(io.StringIO(zf.read("edges.csv").decode("utf-8"))))
    assert {r["Id"] for r in nodes} == set(graph) and len(edges) == graph.number_of_edges()
    china = next(r for r in nodes if r["Id"] == CHN)
    want = _flat_nodes(graph)[CHN]
    assert china["Label"] == want.pop("label") and all(china[k] == str(v) for k, v in want.items())
    row = next(r for r in edges if (r["Source"], r["Target"]) == (CHN, USA))
    assert (row["Type"], row["Weight"], row["first"]) == ("Directed", "8", "2018-04-04")


@pytest.mark.parametrize("fmt", ["png", "svg"])
def test_pictures_are_valid_images(disputes, tmp_path, fmt):
    graph, meta = disputes
    path = write(graph, fmt, tmp_path / f"d.{fmt}", meta)
    assert path.stat().st_size > 30_000
    if fmt == "png":
        from PIL import Image

        with Image.open(path) as image:
            image.verify()
        with Image.open(path) as image:
            assert image.format == "PNG" and image.size[0] > 800 and image.size[1] > 600
    else:
        root = etree.parse(str(path)).getroot()
        assert root.tag == "{http://www.w3.org/2000/svg}svg"
        text = path.read_text(encoding="utf-8")
        assert meta.title in text and "USA" in text and "community 1" in text  # title, labels, legend


def test_writes_are_atomic(disputes, tmp_path, monkeypatch):
    graph, meta = disputes
    target = tmp_path / "d.gexf"
    target.write_text("old")
    with pytest.raises(ExportError, match="does not exist"):
        write(graph, "gexf", tmp_path / "missing" / "d.gexf", meta)
    with pytest.raises(BadParameters, match="no export format 'pdf'"):
        write(graph, "pdf", target, meta)

    def broken(handle, *args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(exporters.os, "replace", broken)
    with pytest.raises(ExportError, match="No space left"):
        write(graph, "gexf", target, meta)
    assert target.read_text() == "old" and os.listdir(tmp_path) == ["d.gexf"]  # no temporary file left


# --- the command line and the API -----------------------------------------------------------------

def test_cli_export(full_build, tmp_path):
    store = str(full_build[0])
    out = tmp_path / "disputes.gexf"
    result = CliRunner().invoke(cli, ["export", "disputes", "--store", store, "--from", "2018-01-01",
                                      "--to", "2024-12-31", "--out", str(out)])
    assert result.exit_code == 0, result.output
    etree.XMLSchema(etree.parse(str(SCHEMA))).assertValid(etree.parse(str(out)))
    assert "45 nodes" in result.output
    bad = CliRunner().invoke(cli, ["export", "disputes", "--store", store, "--out", str(tmp_path / "x.pdf")])
    assert bad.exit_code == 1 and "give --format" in bad.output
    ego = CliRunner().invoke(cli, ["export", "ego", "--store", store, "--out", str(tmp_path / "x.png")])
    assert ego.exit_code == 1 and "needs a center" in ego.output


def test_api_export(full_store):
    from fastapi.testclient import TestClient

    from tradekg.api.app import create_app
    from tradekg.api.settings import Settings

    with TestClient(create_app(full_store, Settings(sparql_workers=1))) as client:
        answer = client.get("/export/disputes", params={"format": "json", **PERIOD})
        assert answer.status_code == 200 and answer.headers["content-type"].startswith("application/json")
        assert 'filename="disputes.json"' in answer.headers["content-disposition"]
        assert len(answer.json()["nodes"]) == 45
        assert client.get("/export/disputes", params={"format": "pdf"}).status_code == 422
        assert client.get("/export/disputes", params={"chapter": "7"}).status_code == 422
        assert client.get("/export/ego").status_code == 422


# --- the offline page in a real browser -----------------------------------------------------------

@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium: apt-get update && apt-get install -y "
                                                  "chromium (CI's .ci/run installs it)")
def test_html_page_in_headless_chromium(disputes, tmp_path):
    from playwright.sync_api import sync_playwright

    graph, meta = disputes
    page_file = write(graph, "html", tmp_path / "disputes.html", meta)
    cyjs = write(graph, "cyjs", tmp_path / "disputes.cyjs", meta)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run"])
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            requests, messages = [], []
            page.on("request", lambda r: requests.append(r.url))
            page.on("console", lambda m: messages.append((m.type, m.text)))
            page.on("pageerror", lambda e: messages.append(("pageerror", str(e))))
            page.goto(page_file.as_uri())
            page.wait_for_selector("body[data-ready='1']", timeout=15_000)
            assert page.evaluate("window.tradekg.cy.nodes().length") == graph.number_of_nodes()
            assert page.evaluate("window.tradekg.cy.edges().length") == graph.number_of_edges()
            assert page.evaluate("window.tradekg.cy.nodes().filter(n => n.renderedBoundingBox().w > 0).length") \
                == graph.number_of_nodes()
            page.fill("#search", "China")
            page.press("#search", "Enter")
            assert page.evaluate("window.tradekg.cy.$('node.highlighted').map(n => n.id())") == [CHN]
            assert "2001-12-11" in page.inner_text("#details") and "wto-ds-gateway" in page.inner_text("#details")
            assert page.evaluate("window.tradekg.years") == list(range(2018, 2025))
            page.evaluate("window.tradekg.setDate('2018-12-31')")
            visible = page.evaluate("window.tradekg.cy.edges().not('.hidden').length")
            assert visible == sum(1 for *_, d in graph.edges(data=True) if d["first"] <= "2018-12-31")
            page.evaluate("window.tradekg.setDate(null)")
            page.wait_for_timeout(300)  # the search's centring animation
            page.screenshot(path=str(tmp_path / "disputes-page.png"))
            # Cytoscape.js reads the .cyjs export as is.
            loaded = page.evaluate("(d) => cytoscape({headless: true, elements: d.elements}).nodes().length",
                                   json.loads(cyjs.read_text(encoding="utf-8")))
            assert loaded == graph.number_of_nodes()
        finally:
            browser.close()
    assert requests == [page_file.as_uri()], "the page must fetch nothing"
    assert messages == [], messages
    assert (tmp_path / "disputes-page.png").stat().st_size > 30_000
