"""The README's examples, run as a reader would run them, against a graph `tradekg serve` builds on first start.

Examples are read from README.md itself: every command line in a ```bash block (a plain ``` block right after
it is the expected output of its last command) and every inline `tradekg …` command or `/path` HTTP call in the
prose. Each runs: commands through ``python -m tradekg`` (the store in a temporary folder, an Oxigraph server on
a free port instead of 7878), HTTP calls against that `tradekg serve` on a free 127.0.0.1 port. An example
listed in CHECKS is also checked against facts read from the bundled source files; one that is not must at
least succeed (exit 0, HTTP 2xx, no traceback), so a new README example is tested the day it is written.
A template (`/network/{view}`, `via=a|b`) is run in the concrete form CHECKS gives; a syntax line
(`tradekg query NAME -p key=value`) is not an example.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from api_support import running_server
from budgets import budget
from tradekg.data import bundled
from tradekg.graph import layout

README = Path(__file__).parent.parent / "README.md"
SYNTAX = re.compile(r"\b(NAME|VIEW|FILE|QUERY|URL|PATH|FMT)\b|\[|\.\.\.|…")
OXIGRAPH_URL = "http://127.0.0.1:7878/query"
SERVER = "http://127.0.0.1:8000"


# --- reading the examples out of the README -------------------------------------------------------

@dataclass(frozen=True)
class Example:
    text: str                   # as written in the README
    output: str | None = None   # the output block shown right after it, if any


def _strip_comment(line: str) -> str:
    """A shell line without its trailing `# comment` (a # inside quotes is kept)."""
    quote = None
    for i, ch in enumerate(line):
        if ch in "\"'" and quote in (None, ch):
            quote = None if quote else ch
        elif ch == "#" and quote is None and (i == 0 or line[i - 1].isspace()):
            return line[:i].rstrip()
    return line.rstrip()


def examples(text: str | None = None) -> list[Example]:
    text = README.read_text(encoding="utf-8") if text is None else text
    found: list[Example] = []
    blocks = list(re.finditer(r"^```(\w*)\n(.*?)^```\n?", text, re.M | re.S))
    for i, block in enumerate(blocks):
        if block.group(1) != "bash":
            continue
        lines = [_strip_comment(line) for line in block.group(2).splitlines()]
        lines = [line for line in lines if line]
        after = blocks[i + 1] if i + 1 < len(blocks) else None
        shown = after.group(2) if after and after.group(1) == "" and after.start() == block.end() else None
        found += [Example(line, shown if n == len(lines) - 1 else None) for n, line in enumerate(lines)]
    prose = re.sub(r"^```.*?^```\n?", "", text, flags=re.M | re.S)
    for span in re.findall(r"`([^`\n]+)`", prose):
        if (span.startswith("tradekg ") or re.match(r"/[a-z]", span)) and not SYNTAX.search(span):
            found.append(Example(span))
    unique: dict[str, Example] = {}
    for example in found:
        unique.setdefault(example.text, example)
    return list(unique.values())


# --- facts read from the bundled source files ------------------------------------------------------

_CODES = {"EEC": "EUN", "CHT": "TWN", "EU": "EUN"}


def _rows(relative: str) -> list[dict[str, str]]:
    with (bundled() / relative).open(newline="", encoding="utf-8-sig") as handle:
        return list(csv.DictReader(handle))


def _codes(value: str) -> set[str]:
    return {_CODES.get(code, code) for code in value.split(";") if code}


def _gateway() -> list[dict[str, str]]:
    return _rows("wto-ds-gateway/ds_cases.csv")


def _partners() -> dict[str, set[str]]:
    """Complainant–respondent partners per economy: the WTO gateway and the curated new disputes."""
    pairs = [(r["complainant_codes"], r["respondent_codes"]) for r in _gateway()]
    pairs += [(r["complainant"], r["respondent"]) for r in _rows("curated/wto_disputes_extra.csv")
              if r["record_type"].startswith("new dispute")]
    partners: dict[str, set[str]] = {}
    for complainants, respondents in pairs:
        for a in _codes(complainants):
            for b in _codes(respondents):
                partners.setdefault(a, set()).add(b)
                partners.setdefault(b, set()).add(a)
    return partners


def _ds544() -> dict[str, str]:
    return next(r for r in _gateway() if r["case_code"] == "DS544")


# --- the world the examples run in -------------------------------------------------------------------

@dataclass
class World:
    base: str
    store: Path
    log: Path
    cwd: Path
    oxigraph: str
    pushed: list[str] = field(default_factory=list)

    def command(self, text: str) -> subprocess.CompletedProcess:
        """A README command line, run as ``python -m tradekg …`` here (this interpreter, this store)."""
        words = shlex.split(text.replace(OXIGRAPH_URL, self.oxigraph))
        assert words[0] == "tradekg", text
        env = {k: v for k, v in __import__("os").environ.items() if not k.startswith("TRADEKG_")}
        env["TRADEKG_STORE"] = str(self.store)
        return subprocess.run([sys.executable, "-m", "tradekg", *words[1:]], cwd=self.cwd, env=env, text=True,
                              capture_output=True, timeout=budget(300))

    def get(self, path: str) -> httpx.Response:
        return httpx.get(self.base + path, timeout=budget(120))

    def ensure_pushed(self) -> subprocess.CompletedProcess | None:
        """The README's push, run once, before any example that reads the Oxigraph server."""
        if self.pushed:
            return None
        done = self.command(f"tradekg push --endpoint {OXIGRAPH_URL}")
        assert done.returncode == 0, done.stderr
        self.pushed.append(done.stdout)
        return done


def _start_readme_oxigraph(tmp: Path):
    """The README's own `oxigraph serve …` line, on a free port and a temporary folder instead."""
    from conftest import _free_port, start_oxigraph  # noqa: F401 - the same fixture code as the store tests

    line = next(e.text for e in examples() if e.text.startswith("oxigraph serve"))
    assert "--union-default-graph" in line and "127.0.0.1:7878" in line
    return start_oxigraph(tmp / "oxigraph-data", union=True)


@pytest.fixture(scope="module")
def world(tmp_path_factory, first_start):
    # `tradekg serve` on a store that did not exist yet: it built the graph first, then served (conftest's
    # first_start; the session's other tests read the graph it built).
    base, store, log = first_start
    tmp = tmp_path_factory.mktemp("readme")
    cwd = tmp / "cwd"
    (cwd / "docs" / "img").mkdir(parents=True)  # the export example writes docs/img/disputes.png
    process, oxigraph = _start_readme_oxigraph(tmp)
    try:
        yield World(base, store, log, cwd, oxigraph)
    finally:
        process.terminate()
        process.wait(timeout=budget(10))


# --- the checks: facts from the source files ----------------------------------------------------------

def _ok(done: subprocess.CompletedProcess) -> str:
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr[-2000:]
    return done.stdout


def check_serve_first_start(world: World, example: Example) -> None:
    log = world.log.read_text()
    assert "building it from the bundled data" in log and (layout.current(world.store) / "CURRENT").exists()
    assert world.get("/docs").status_code == 200


def check_serve_workers(world: World, example: Example) -> None:
    """A second server, as the example starts it, on the graph the first one built."""
    options = shlex.split(example.text)[2:]
    with running_server(world.store, world.cwd / "workers.log", *options) as base:
        for _ in range(4):  # more requests than workers: each must answer the same
            answer = httpx.get(base + "/disputes/ds544", timeout=budget(30))
            assert answer.status_code == 200 and answer.json()["complainants"] == sorted(_codes(_ds544()["complainant_codes"]))


def check_disputes_between(world: World, example: Example) -> None:
    out = _ok(world.command(example.text))
    wanted = {r["case_code"] for r in _gateway()
              if {"USA", "CHN"} <= _codes(r["complainant_codes"]) | _codes(r["respondent_codes"])
              | _codes(r["third_party_codes"])}
    listed = set(re.findall(r"dispute/(DS\d+)\b", out))
    assert wanted <= listed, sorted(wanted - listed)


def check_profile(world: World, example: Example) -> None:
    """China's dispute counts, counted in the WTO gateway's cases and the curated new disputes."""
    out = _ok(world.command(example.text))
    cases = [(r["complainant_codes"], r["respondent_codes"], r["third_party_codes"]) for r in _gateway()]
    cases += [(r["complainant"], r["respondent"], "") for r in _rows("curated/wto_disputes_extra.csv")
              if r["record_type"].startswith("new dispute")]
    counts = {role: int(re.search(rf"disputes as {role}\s+(\d+)", out).group(1))
              for role in ("complainant", "respondent", "third party")}
    assert counts == {role: sum("CHN" in _codes(case[i]) for case in cases)
                      for i, role in enumerate(("complainant", "respondent", "third party"))}
    assert len(out.splitlines()) <= 24 and max(map(len, out.splitlines())) <= 100  # fits a terminal


def check_shown_output(world: World, example: Example) -> None:
    assert _ok(world.command(example.text)).strip() == example.output.strip()


def check_ds544_json(world: World, example: Example) -> None:
    path = example.text.split(SERVER, 1)[1] if SERVER in example.text else example.text
    answer = world.get(path)
    assert answer.status_code == 200
    row = _ds544()
    assert answer.json()["complainants"] == sorted(_codes(row["complainant_codes"]))
    assert answer.json()["respondents"] == sorted(_codes(row["respondent_codes"]))


def check_export_png(world: World, example: Example) -> None:
    from PIL import Image

    _ok(world.command(example.text))
    out = world.cwd / shlex.split(example.text)[-1]
    with Image.open(out) as image:
        assert image.format == "PNG"


def check_export_steel_html(world: World, example: Example) -> None:
    _ok(world.command(example.text))
    page = (world.cwd / shlex.split(example.text)[-1]).read_text(encoding="utf-8")
    marker = '<script id="tradekg-data" type="application/json">'
    data = json.JSONDecoder().raw_decode(page, page.index(marker) + len(marker))[0]
    ids = {n["data"]["id"] for n in data["elements"]["nodes"]}
    # curated/us_section232.csv: the United States imposes the Section 232 steel tariff (HS chapter 72)
    assert "https://w3id.org/tradekg/id/economy/USA" in ids


def check_stats(world: World, example: Example) -> None:
    out = _ok(world.command(example.text))
    readme_graphs = set(re.findall(r"^\| `(graph/[a-z0-9-]+)` \|", README.read_text(encoding="utf-8"), re.M))
    assert readme_graphs and all(graph in out for graph in readme_graphs)


def check_queries(world: World, example: Example) -> None:
    out = _ok(world.command(example.text))
    for path in (Path(__file__).parent.parent / "queries").glob("*.rq"):
        assert path.stem in out


def check_centrality(world: World, example: Example) -> None:
    lines = _ok(world.command(example.text)).splitlines()
    partners = _partners()
    most = max(partners, key=lambda code: len(partners[code]))
    assert lines[2].split()[0] == most  # first row after the header and its rule


def check_communities(world: World, example: Example) -> None:
    lines = _ok(world.command(example.text)).splitlines()
    assert lines[0].split()[:3] == ["community", "size", "members"]
    rows = [line for line in lines[2:] if re.match(r"\d+ ", line)]  # not the "(6 rows)" and modularity lines
    assert rows
    for line in rows:
        number, size, members = line.split(maxsplit=2)
        if "…" not in members:
            assert len(members.split(", ")) == int(size), line


def check_paths(world: World, example: Example) -> None:
    out = _ok(world.command(example.text))
    numbered = re.findall(r"^(\d+)\. (\d+) hop", out, re.M)
    assert [n for n, _ in numbered] == ["1", "2", "3", "4", "5"]
    # wto-rta/AllRTAs.csv: USMCA binds both, so the best path is one hop
    assert numbered[0][1] == "1"


def check_ego(world: World, example: Example) -> None:
    out = _ok(world.command(example.text))
    partners = _partners()["CHN"]
    assert f"{len(partners) + 1} nodes within 1 link of CHN" in out


def check_push(world: World, example: Example) -> None:
    done = world.ensure_pushed()
    out = done.stdout if done else world.pushed[0]
    graphs = int(re.search(r"in (\d+) named graphs", out).group(1))
    local = world.command("tradekg sparql --format csv \"SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }\"")
    assert graphs == int(_ok(local).splitlines()[1])


def check_build_endpoint(world: World, example: Example) -> None:
    pushed_before = bool(world.pushed)
    out = _ok(world.command(example.text))
    assert re.search(r"pushed [\d,]+ triples", out)
    if pushed_before:  # the same data again: the graphs whose triples do not change stay as they are
        assert "graphs the server held unchanged were not sent" in out, out
    world.pushed.append(out)


def check_endpoint_count(world: World, example: Example) -> None:
    world.ensure_pushed()
    remote = _ok(world.command(example.text.replace("sparql ", "sparql --format csv ", 1)))
    local = _ok(world.command(example.text.replace(f"--endpoint {OXIGRAPH_URL} ", "--format csv ")))
    assert remote == local  # the server holds what the embedded store holds


def http(path: str, check: Callable[[httpx.Response], None] | None = None) -> Callable[[World, Example], None]:
    def run(world: World, example: Example) -> None:
        answer = world.get(path)
        assert answer.status_code == 200, answer.text[:500]
        if check:
            check(answer)
    return run


def _items(answer: httpx.Response) -> list[dict]:
    return answer.json()["items"]


def _china_v_usa(answer: httpx.Response) -> None:
    wanted = {r["case_code"] for r in _gateway()
              if "CHN" in _codes(r["complainant_codes"]) and "USA" in _codes(r["respondent_codes"])}
    assert wanted and wanted <= {str(item["id"]).upper().split("/")[-1] for item in _items(answer)} | {
        str(item.get("code", "")).upper() for item in _items(answer)}


def _usmca_not_nafta(answer: httpx.Response) -> None:
    ids = {a["id"] for a in _items(answer)}
    assert "rta/1087" in ids and "rta/122" not in ids  # AllRTAs.csv: NAFTA inactive from 2020-07-01


def _gexf(answer: httpx.Response) -> None:
    from lxml import etree

    schema = Path(__file__).parent / "data" / "schemas" / "gexf-1.3" / "gexf.xsd"
    etree.XMLSchema(etree.parse(str(schema))).assertValid(etree.fromstring(answer.content).getroottree())


def _partners_via_agreements(answer: httpx.Response) -> None:
    codes = {p["economy"] for p in _items(answer)}
    assert {"MEX", "CAN"} <= codes  # USMCA (AllRTAs.csv)


def _china_2018_04_02(answer: httpx.Response) -> None:
    # the PIIE table heads its April 2, 2018 column "Retaliation to US Section 232 tariffs" (SOURCES.md 7b)
    body = answer.json()
    assert (body["imposer"], body["start"]) == ("CHN", "2018-04-02"), answer.text[:300]
    assert {"us-232-steel", "us-232-aluminium"} <= set(body["responds_to"]), answer.text[:300]


def _imposed_by_china(answer: httpx.Response) -> None:
    assert {"chn-retaliation-2018-07-06", "chn-retaliation-snapshot-2025-03-28"} <= {m["id"] for m in _items(answer)}


NOT_RUN = "not run here"
# example as written in the README → its check, or (concrete form, check) for a template, or a reason not to run.
CHECKS: dict[str, object] = {
    "pip install -e . && tradekg serve": check_serve_first_start,
    "tradekg serve": check_serve_first_start,
    "tradekg serve --workers 2": check_serve_workers,
    "bash .ci/run": f"{NOT_RUN}: installing and running the tests is what CI does",
    'pytest -m "not slow"': f"{NOT_RUN}: this is the tests",
    f"curl -s {SERVER}/disputes/ds544": check_ds544_json,
    "tradekg query disputes_between -p a=USA -p b=CHN --format csv": check_disputes_between,
    "tradekg query economy_profile -p economy=CHN": check_profile,
    'tradekg sparql "SELECT ?c WHERE { <https://w3id.org/tradekg/id/dispute/DS544> '
    '<https://w3id.org/tradekg/ontology#complainant> ?c }"': check_shown_output,
    "tradekg export disputes --from 2018-01-01 --to 2024-12-31 --out docs/img/disputes.png": check_export_png,
    "tradekg build": f"{NOT_RUN}: the first `tradekg serve` above ran the same build",
    "tradekg stats": check_stats,
    "tradekg queries": check_queries,
    "tradekg network centrality disputes": check_centrality,
    "tradekg network communities agreements --as-of 2021-01-01": check_communities,
    "tradekg network paths USA MEX -k 5": check_paths,
    "tradekg network ego CHN disputes": check_ego,
    "tradekg export measures --chapter 72 --out steel.html": check_export_steel_html,
    "oxigraph serve --location ./oxigraph-data --bind 127.0.0.1:7878 --union-default-graph &":
        f"{NOT_RUN} as a line: the module fixture starts this server from this line, on a free port",
    f"tradekg push --endpoint {OXIGRAPH_URL}": check_push,
    f"tradekg build --endpoint {OXIGRAPH_URL}": check_build_endpoint,
    f'tradekg sparql --endpoint {OXIGRAPH_URL} "SELECT (COUNT(*) AS ?n) WHERE {{ ?s ?p ?o }}"': check_endpoint_count,
    "/economies/eu": http("/economies/eu", lambda a: a.json()["code"] == "EUN" or pytest.fail(a.text[:300])),
    "/economies/{code}/partners?via=measures|disputes|agreements":
        http("/economies/USA/partners?via=agreements&limit=200", _partners_via_agreements),
    "/disputes?complainant=CHN&respondent=USA": http("/disputes?complainant=CHN&respondent=USA&limit=200", _china_v_usa),
    "/disputes/DS544": check_ds544_json,
    "/measures?imposer=USA&as_of=2019-06-01": http("/measures?imposer=USA&as_of=2019-06-01"),
    "/measures?imposer=CHN&affects=USA": http("/measures?imposer=CHN&affects=USA&limit=100", _imposed_by_china),
    "/measures/chn-retaliation-2018-04-02": http("/measures/chn-retaliation-2018-04-02", _china_2018_04_02),
    "/agreements/common?economies=USA,MEX&as_of=2021-01-01":
        http("/agreements/common?economies=USA,MEX&as_of=2021-01-01", _usmca_not_nafta),
    "/products/720810": http("/products/720810"),
    "/links?source=USA&target=MEX":
        http("/links?source=USA&target=MEX", lambda a: _items(a)[0]["economies"] == ["USA", "MEX"] or pytest.fail(a.text[:300])),
    "/network/{view}": http("/network/disputes"),
    "/export/{view}?format=gexf": http("/export/disputes?format=gexf", _gexf),
    "/sparql": http("/sparql"),
    "/queries/{name}": http("/queries/disputes_between?a=USA&b=CHN"),
    "/docs": http("/docs"),
    "/links": http("/links?source=USA&target=MEX&k=2"),
    "/query": f"{NOT_RUN}: the end of an Oxigraph endpoint URL, not a tradekg path",
    "/update": f"{NOT_RUN}: a Fuseki endpoint's update path, not a tradekg path",
    "/data": f"{NOT_RUN}: a Fuseki endpoint's graph store path, not a tradekg path",
    "/usr/bin/time tradekg build": f"{NOT_RUN}: how the performance table timed the build; the first `tradekg serve` "
                                   "above runs the same build",
}


def test_every_check_matches_an_example_still_in_the_readme():
    """A check whose example left the README is stale: the example changed and its check did not (quick)."""
    shown = {example.text for example in examples()}
    stale = sorted(set(CHECKS) - shown)
    assert not stale, f"README examples changed; update CHECKS in tests/test_readme.py for: {stale}"


def test_examples_are_read_from_the_readme():
    sample = ("```bash\ntradekg a   # note\ncurl -s x '#not a comment'\n```\n```\nout\n```\n"
              "Run `tradekg b` or `tradekg query NAME -p k=v`; see `/docs` and `--flag`.\n")
    found = examples(sample)
    assert [e.text for e in found] == ["tradekg a", "curl -s x '#not a comment'", "tradekg b", "/docs"]
    assert found[1].output == "out\n" and found[0].output is None


@pytest.mark.slow
@pytest.mark.parametrize("example", examples(), ids=lambda e: e.text[:60])
def test_readme_example(world, example):
    check = CHECKS.get(example.text)
    if isinstance(check, str):
        assert check.startswith(NOT_RUN)
        return
    if check is not None:
        check(world, example)
        return
    # No specific check yet: it must at least work as shown.
    if example.text.startswith("tradekg serve"):
        pytest.fail(f"{example.text!r} starts a server: add it to CHECKS in tests/test_readme.py")
    elif example.text.startswith("tradekg "):
        _ok(world.command(example.text))
    elif example.text.startswith("/") and not SYNTAX.search(example.text) and "{" not in example.text:
        answer = world.get(example.text)
        assert 200 <= answer.status_code < 300, answer.text[:500]
    elif example.text.startswith("curl ") and SERVER in example.text:
        answer = world.get(shlex.split(example.text)[-1].split(SERVER, 1)[1])
        assert 200 <= answer.status_code < 300, answer.text[:500]
    else:
        pytest.fail(f"README example {example.text!r} cannot be run generically: add it to CHECKS in tests/test_readme.py")
