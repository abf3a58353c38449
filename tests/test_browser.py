"""The pages in a real browser: headless Chromium (Debian's, driven by Playwright) against `tradekg serve` on the
full bundle. A researcher searches for Mexico, opens DS544, runs a catalog example in the workbench and follows an
IRI, opens the API docs: no console errors, and every request the pages make goes to our server (counted).

Expected facts are read from the bundled source files (the WTO gateway's case table), not from our output.
Set TRADEKG_SCREENSHOTS=DIR to keep the screenshots (the README's come from here: docs/img/).
"""

from __future__ import annotations

import csv
import os
import re
from pathlib import Path

import pytest

from tradekg.data import bundled

CHROMIUM = Path("/usr/bin/chromium")
TIMEOUT_MS = int(os.environ.get("TRADEKG_BROWSER_TIMEOUT_MS", "60000"))  # a busy machine needs more
# The gateway's own codes for two members; the graph uses ISO-style codes (README: EUN for the EU, TWN).
GATEWAY_TO_ID = {"EEC": "EUN", "CHT": "TWN"}

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium: apt-get install -y chromium")]


def _case(code: str) -> dict[str, str]:
    with (bundled() / "wto-ds-gateway" / "ds_cases.csv").open(encoding="utf-8-sig", newline="") as handle:
        return next(row for row in csv.DictReader(handle) if row["case_code"] == code)


def _cases_brought_by(member: str) -> list[str]:
    with (bundled() / "wto-ds-gateway" / "ds_cases.csv").open(encoding="utf-8-sig", newline="") as handle:
        return [row["case_code"] for row in csv.DictReader(handle) if member in row["complainant_codes"].split(";")]


@pytest.fixture(scope="module")
def server(first_start):
    """The session's `tradekg serve`, started as the README's first command (defaults, memory mode): the pages
    are tested as a reader of that server gets them (a server of its own cost this module a minute to start)."""
    return first_start[0]


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-default-apps"])
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, server, tmp_path):
    """A fresh page that records every request it makes and every console message and page error."""
    context = browser.new_context(viewport={"width": 1300, "height": 950})
    tab = context.new_page()
    tab.set_default_timeout(TIMEOUT_MS)
    tab.requests, tab.problems = [], []
    tab.on("request", lambda r: tab.requests.append(r.url))
    tab.on("console", lambda m: tab.problems.append(f"console {m.type}: {m.text}") if m.type in ("error", "warning")
           else None)
    tab.on("pageerror", lambda e: tab.problems.append(f"page error: {e}"))
    yield tab
    outside = [u for u in tab.requests if not u.startswith(server) and not u.startswith(("data:", "blob:"))]
    assert not outside, f"requests that left the server: {outside}"
    assert not tab.problems, tab.problems
    context.close()


def _shoot(tab, name: str, tmp_path: Path) -> None:
    folder = Path(os.environ.get("TRADEKG_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=str(folder / f"{name}.png"))


def test_search_mexico_then_its_page(page, server, tmp_path):
    page.goto(server + "/")
    _shoot(page, "home", tmp_path)
    page.fill("#home-search", "Mexico")
    page.press("#home-search", "Enter")
    page.wait_for_url(re.compile(r"/search\?q=Mexico"))
    page.click("ul.results li:first-child a")
    page.wait_for_url(server + "/id/economy/MEX")
    assert page.inner_text("h1") == "Mexico"
    party = page.locator('tbody.group[data-property="https://w3id.org/tradekg/ontology#party"]')
    assert "USMCA" in party.locator('a[href="/id/agreement/rta/1087"]').inner_text()
    brought = page.locator('section.in tbody.group[data-property="https://w3id.org/tradekg/ontology#complainant"]')
    links = set(brought.locator("td.val a[href^='/id/dispute/']").evaluate_all("els => els.map(e => e.getAttribute('href'))"))
    assert {f"/id/dispute/{code}" for code in _cases_brought_by("MEX")} <= links
    row = brought.locator("tr", has=page.locator('a[href="/id/dispute/DS23"]'))
    assert row.locator('td.src a[href="/graph/wto-ds-gateway"]').count() == 1  # the source of the fact
    _shoot(page, "economy-MEX", tmp_path)
    assert len(page.requests) > 3  # the search, the result, the stylesheets: all counted above


def test_ds544_names_china_and_its_third_parties(page, server, tmp_path):
    case = _case("DS544")
    page.goto(server + "/id/dispute/DS544")
    complainant = page.locator('section.out tbody.group[data-property="https://w3id.org/tradekg/ontology#complainant"]')
    assert complainant.locator("td.val a").get_attribute("href") == f"/id/economy/{case['complainant_codes']}"
    assert complainant.locator("td.val a").inner_text() == "China"
    third = page.locator('section.out tbody.group[data-property="https://w3id.org/tradekg/ontology#thirdParty"]')
    hrefs = third.locator("td.val a").evaluate_all("els => els.map(e => e.getAttribute('href'))")
    expected = {f"/id/economy/{GATEWAY_TO_ID.get(c, c)}" for c in case["third_party_codes"].split(";")}
    assert len(expected) == 29 and set(hrefs) == expected and len(hrefs) == 29
    _shoot(page, "dispute-DS544", tmp_path)
    page.click(f'section.out a[href="/id/economy/{GATEWAY_TO_ID["CHT"]}"]')
    page.wait_for_url(server + "/id/economy/TWN")


def test_workbench_example_then_an_iri(page, server, tmp_path):
    page.goto(server + "/query")
    page.select_option("#example", "disputes_between")  # submits the form: the server runs it
    page.wait_for_selector("#results tbody tr")
    assert page.locator("#results tbody tr").count() > 0
    assert page.locator("#query").input_value().lstrip().startswith("#")  # the catalog file, parameters bound
    assert page.locator("#highlight span.k").count() > 0  # the highlighting script ran
    _shoot(page, "workbench", tmp_path)
    first = page.locator("#results tbody a[href^='/id/']").first
    target = first.get_attribute("href")
    first.click()
    page.wait_for_url(server + target)
    assert page.locator("article.entity h1").inner_text()


def test_workbench_error_names_line_and_column(page, server):
    page.goto(server + "/query")
    page.fill("#query", "SELECT ?s\nWHERE { ?s ?p }")
    page.click("#run")
    page.wait_for_selector("#error")
    assert "Line 2, column" in page.inner_text("#answer")


def test_api_docs_work_offline(page, server, tmp_path):
    page.goto(server + "/docs")
    page.wait_for_selector(".opblock")
    assert page.locator(".opblock").count() > 20
    assert page.locator(".opblock-summary-path", has_text="/disputes/{dispute}").count() == 1
    _shoot(page, "docs", tmp_path)
    page.goto(server + "/redoc")
    page.wait_for_selector("[data-section-id]")
    assert page.locator("[data-section-id^='operation/']").count() > 20


def test_notebook_api_on_the_served_endpoint(server, full_store):
    """tradekg.open(endpoint=…) answers a catalog question as the embedded store does (same seam, two stores)."""
    import tradekg
    from tradekg.queries import run

    kg = tradekg.open(endpoint=server + "/sparql")
    remote = kg.query("disputes_between", a="USA", b="CHN").to_pandas()
    local = run(full_store, "disputes_between", a="USA", b="CHN")
    assert sorted(remote["dispute"]) == sorted(str(r["dispute"]) for r in local)
