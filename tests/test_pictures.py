"""Pictures people read, and lists people page through: the REST `next` URL and its `Link` header, the
label rule and legend of the PNG/SVG exports, positions in `.dot` files that Graphviz renders as they are, and
the offline HTML page labelling its main nodes at the opening zoom.

Everything here runs on the mini graph (tests/data/mini, a few real facts cut by hand) or a small graph made
in the test, so the facts checked are read from mini.trig or written by hand here.
"""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
from budgets import budget
from fastapi.testclient import TestClient
from mini import MINI, mini_store
from rdflib import Dataset, Namespace

from tradekg.api.app import create_app
from tradekg.api.settings import MAX_PAGE_SIZE, Settings

TKG = Namespace("https://w3id.org/tradekg/ontology#")
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")


@pytest.fixture(scope="module")
def store():
    return mini_store()


@pytest.fixture(scope="module")
def client(store):
    with TestClient(create_app(store, Settings(sparql_workers=1))) as test_client:
        yield test_client


def _mini() -> Dataset:
    """mini.trig read by rdflib alone (every named graph), for facts known without tradekg's code."""
    dataset = Dataset(default_union=True)
    dataset.parse(MINI / "mini.trig", format="trig")
    return dataset


# --- REST: `next` is a URL, and a Link header ------------------------------------------------------------

# (path, parameters): every paged REST route of the mini graph, with a filter where it takes one; each list holds
# at least two rows, so paging one row at a time crosses pages.
PAGED = [
    ("/economies", {}),
    ("/disputes", {"complainant": "CHN"}),
    ("/measures", {}),
    ("/agreements", {}),
    ("/agreements/common", {"economies": "USA,MEX"}),
    ("/economies/USA/partners", {"via": "disputes"}),
    ("/economies/USA/disputes", {}),
    ("/economies/USA/measures", {"role": "imposed"}),
    ("/network/disputes/edges", {}),
    ("/network/disputes/centrality", {"by": "degree"}),
    ("/network/disputes/communities", {}),
    ("/links", {"source": "USA", "target": "MEX"}),
    ("/queries", {}),
    ("/queries/economies", {}),
]


def _page_size(path: str, size: int) -> dict:
    return {"k": min(size, 50)} if path == "/links" else {"limit": size}


def _follow(client: TestClient, path: str, params: dict, size: int) -> tuple[list, int]:
    """Every item of a list by following `next` URLs as they are; checks each page's Link header and filters."""
    answer = client.get(path, params={**params, **_page_size(path, size)})
    items, pages = [], 0
    for _ in range(200):
        assert answer.status_code == 200, answer.text
        body = answer.json()
        items += body["items"]
        pages += 1
        following = body["next"]
        if following is None:
            assert "link" not in answer.headers
            return items, pages
        assert answer.headers["link"] == f'<{following}>; rel="next"'
        url = urlsplit(following)
        assert url.scheme == "http" and url.path == path  # absolute, on the same route
        query = dict(parse_qsl(url.query))
        assert {k: query[k] for k in params} == params  # the same filters
        answer = client.get(following)
    raise AssertionError(f"{path}: paging did not end")


@pytest.mark.parametrize(("path", "params"), PAGED, ids=[p + "?" + "&".join(q) for p, q in PAGED])
def test_next_urls_give_every_row_once(client, path, params):
    size = 10 if path == "/queries" else 1
    whole = client.get(path, params={**params, **_page_size(path, MAX_PAGE_SIZE)})  # one page: the whole list
    assert whole.status_code == 200 and whole.json()["next"] is None and "link" not in whole.headers
    items, pages = _follow(client, path, params, size)
    assert len(items) >= 2 and pages == -(-len(items) // size)
    assert items == whole.json()["items"]  # every row exactly once, in the same order


def test_economies_pages_hold_the_economies_of_mini_trig(client):
    mini = _mini()  # the economies are the subjects with a WTO membership date, listed with their codes
    codes = sorted(str(c) for e in mini.subjects(TKG.wtoMemberSince, None, unique=True)
                   for c in mini.objects(e, SKOS.notation))
    items, pages = _follow(client, "/economies", {}, 2)
    assert sorted(i["code"] for i in items) == codes == ["CAN", "CHN", "JPN", "MEX", "USA", "VEN"] and pages == 3


def test_old_clients_passing_next_as_cursor_still_page(client):
    first = client.get("/economies", params={"limit": 4}).json()
    second = client.get("/economies", params={"limit": 4, "cursor": first["next"]}).json()
    assert [i["code"] for i in first["items"] + second["items"]] == ["CAN", "CHN", "JPN", "MEX", "USA", "VEN"]


@pytest.mark.parametrize("origins", [(), ("https://a.example",)], ids=["public", "allow-list"])
def test_browsers_on_other_sites_can_read_the_link_header(store, origins):
    with TestClient(create_app(store, Settings(sparql_workers=1, cors_origins=origins))) as other:
        answer = other.get("/economies", params={"limit": 2}, headers={"Origin": "https://a.example"})
    assert answer.status_code == 200 and answer.headers["link"].startswith("<http")
    assert "link" in answer.headers["access-control-expose-headers"].lower().replace(" ", "").split(",")


def test_csv_catalog_pages_carry_the_same_link(client):
    json_page = client.get("/queries/economies", params={"limit": 2})
    csv_page = client.get("/queries/economies", params={"limit": 2, "format": "csv"})
    link = lambda answer: dict(parse_qsl(urlsplit(answer.headers["link"][1:].split(">")[0]).query))  # noqa: E731
    assert link(csv_page) == {**link(json_page), "format": "csv"}
    assert link(json_page) == dict(parse_qsl(urlsplit(json_page.json()["next"]).query))


# --- pictures: which economies are named -----------------------------------------------------------------

DS = Namespace("https://w3id.org/tradekg/id/")


def _third_party_strength() -> dict[str, int]:
    """The third-parties view's weight per economy, counted from mini.trig alone: each (dispute, third party,
    party) is one link third party → party, and an economy's strength is the number of links it is on."""
    mini, strength = _mini(), {}
    for dispute in set(mini.subjects(TKG.thirdParty, None)):
        parties = set(mini.objects(dispute, TKG.complainant)) | set(mini.objects(dispute, TKG.respondent))
        for third in mini.objects(dispute, TKG.thirdParty):
            for party in parties:
                for economy in (third, party):
                    code = str(economy).rsplit("/", 1)[-1]
                    strength[code] = strength.get(code, 0) + 1
    return strength


def _svg_texts(data: bytes) -> list[str]:
    from lxml import etree

    root = etree.fromstring(data)
    return ["".join(t.itertext()).strip() for t in root.iter("{http://www.w3.org/2000/svg}text")]


def test_pictures_name_the_biggest_economy_of_each_community(store):
    from dataclasses import replace

    from tradekg.graph.exporters import render
    from tradekg.queries.exports import export_view

    graph, meta = export_view(store, "third-parties")
    strength = _third_party_strength()
    groups: dict[object, set[str]] = {}
    for n, d in graph.nodes(data=True):
        groups.setdefault(d["community"], set()).add(d["code"])
    assert len(groups) >= 2 and set().union(*groups.values()) == set(strength)
    texts = _svg_texts(render(graph, "svg", replace(meta, label_top=len(groups))))
    labels = [t for t in texts if t in strength]
    # one label per community: a member as big as the community's biggest (ties: any of them)
    assert len(labels) == len(groups)
    for members in groups.values():
        biggest = max(strength[c] for c in members)
        assert any(c in members and strength[c] == biggest for c in labels), (members, labels)
    # the legend names each community by its largest members
    for value, members in groups.items():
        entry = next(t for t in texts if t.startswith(f"community {value}: "))
        named = entry.split(": ", 1)[1].replace(", …", "").split(", ")
        assert set(named) <= members and max(strength[c] for c in members) == strength[named[0]]


def test_pictures_name_the_economies_the_filter_names(store):
    from dataclasses import replace

    from tradekg.graph.exporters import render
    from tradekg.queries.exports import export_view

    # mini.trig: Venezuela's one dispute (DS2's stand-in) is against the United States, so its ego network is
    # VEN and USA, equally big. With room for one label, the picture names VEN, the economy the filter names.
    graph, meta = export_view(store, "ego", center="VEN")
    assert {d["code"] for _, d in graph.nodes(data=True)} == {"VEN", "USA"} and meta.filters["center"] == "VEN"
    assert [t for t in _svg_texts(render(graph, "svg", replace(meta, label_top=1))) if t in {"VEN", "USA"}] == ["VEN"]


# --- DOT: positions Graphviz keeps ------------------------------------------------------------------------

@pytest.mark.skipif(shutil.which("dot") is None, reason="needs Graphviz: apt-get install -y graphviz "
                                                         "(CI's .ci/run installs it)")
@pytest.mark.parametrize("view", ["third-parties", "economy-agreement"])
def test_dot_files_carry_positions_graphviz_draws_as_they_are(store, tmp_path, view):
    from tradekg.graph.exporters import write
    from tradekg.queries.exports import export_view

    graph, meta = export_view(store, view)
    path = write(graph, "dot", tmp_path / f"{view}.dot", meta)
    text = path.read_text(encoding="utf-8")
    pinned = {}
    for line in text.splitlines():
        node = re.match(r'\s*"([^"]+)" \[.*\bpos="(-?[\d.]+),(-?[\d.]+)!"', line)
        if node and " -> " not in line and " -- " not in line:
            pinned[node.group(1)] = (float(node.group(2)), float(node.group(3)))
    assert set(pinned) == set(graph)  # every node has a pinned position
    assert 'layout="neato"' in text and 'notranslate="true"' in text and 'inputscale="72"' in text
    # plain `dot` follows the file's layout attribute; -Tplain gives each node's centre in inches. Our picture
    # is drawn as it is: every node where we put it, the whole at most shifted (neato without -n may translate)
    for engine in (["dot"], ["neato", "-n"]):
        done = subprocess.run([*engine, "-Tplain", str(path)], capture_output=True, text=True, timeout=budget(10))
        assert done.returncode == 0, done.stderr
        drawn = {parts[1].strip('"'): (float(parts[2]) * 72, float(parts[3]) * 72)
                 for parts in (shlex.split(line) for line in done.stdout.splitlines()) if parts[0] == "node"}
        assert drawn.keys() == pinned.keys()
        first = next(iter(pinned))
        dx, dy = drawn[first][0] - pinned[first][0], drawn[first][1] - pinned[first][1]
        assert all(abs(drawn[n][0] - x - dx) < 1 and abs(drawn[n][1] - y - dy) < 1 for n, (x, y) in pinned.items())


# --- the offline page: main nodes labelled at the opening zoom ---------------------------------------------

CHROMIUM = Path("/usr/bin/chromium")

# Each node's label as drawn at the opening zoom: its text, its size on screen (px) and the size under which
# Cytoscape.js leaves a label out, whether it is displayed, and whether its box (label included) is on screen.
SHOWN = """() => {
  const cy = window.tradekg.cy, w = cy.width(), h = cy.height();
  return cy.nodes().map((n) => {
    const box = n.renderedBoundingBox({includeLabels: true});
    return {code: n.data("code"), text: n.style("label"), px: parseFloat(n.renderedStyle("font-size")),
            least: parseFloat(n.style("min-zoomed-font-size")), displayed: n.visible() && n.style("opacity") > 0,
            inside: box.x1 >= 0 && box.y1 >= 0 && box.x2 <= w && box.y2 <= h};
  });
}"""


@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium: apt-get update && apt-get install -y "
                                                  "chromium (CI's .ci/run installs it)")
def test_html_page_labels_main_nodes_at_opening_zoom(store, tmp_path):
    from dataclasses import replace

    from playwright.sync_api import sync_playwright

    from tradekg.graph.exporters import write
    from tradekg.queries.exports import export_view

    strength = _third_party_strength()
    network, network_meta = export_view(store, "third-parties")
    ego, ego_meta = export_view(store, "ego", center="VEN")
    pages = {"network": write(network, "html", tmp_path / "network.html", replace(network_meta, label_top=2)),
             "ego": write(ego, "html", tmp_path / "ego.html", replace(ego_meta, label_top=1))}
    seen, messages = {}, []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run"])
        try:
            tab = browser.new_page(viewport={"width": 1200, "height": 800})
            tab.on("console", lambda m: messages.append((m.type, m.text)))
            tab.on("pageerror", lambda e: messages.append(("pageerror", str(e))))
            for name, path in pages.items():
                tab.goto(path.as_uri())
                tab.wait_for_selector("body[data-ready='1']", timeout=budget(15) * 1000)
                seen[name] = {n["code"]: n for n in tab.evaluate(SHOWN)}
                seen[name + " legend"] = tab.inner_text("#legend")
        finally:
            browser.close()
    assert messages == [], messages

    def readable(node: dict) -> bool:
        return node["text"] == node["code"] and node["displayed"] and node["inside"] and \
            node["px"] >= 11.5 and node["px"] >= node["least"]

    # third-parties, two labels: the biggest economy of each community is readable when the page opens
    groups: dict[object, set[str]] = {}
    for _, d in network.nodes(data=True):
        groups.setdefault(d["community"], set()).add(d["code"])
    for members in groups.values():
        biggest = max(strength[c] for c in members)
        assert any(readable(seen["network"][c]) for c in members if strength[c] == biggest), members
    for value in groups:
        assert f"community {value}: " in seen["network legend"]
    # the ego network of VEN, one label: VEN, the economy the filter names
    assert readable(seen["ego"]["VEN"])
