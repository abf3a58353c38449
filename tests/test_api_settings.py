"""API settings: defaults, a TOML file, environment over file, errors that name the setting, no secrets printed;
and the small pure parts of /sparql (content negotiation, keyword spotting, cursors)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tradekg.api import formats, pagination
from tradekg.graph import sparql_text
from tradekg.api.settings import ConfigError, Settings
from tradekg.graph.errors import BadParameters


def test_defaults():
    settings = Settings.load(environ={})
    assert settings.query_timeout_s == 30.0 and settings.update_token is None and not settings.allow_service
    assert settings.cors_origins == ()


def test_file_then_environment(tmp_path: Path):
    config = tmp_path / "tradekg.toml"
    config.write_text('[api]\nquery_timeout_s = 5\nrow_cap = 10\ncors_origins = ["https://a.example"]\n'
                      'update_token = "from-file"\n')
    settings = Settings.load(environ={"TRADEKG_CONFIG": str(config), "TRADEKG_ROW_CAP": "20",
                                      "TRADEKG_CORS_ORIGINS": "https://b.example, https://c.example"})
    assert settings.query_timeout_s == 5.0 and settings.row_cap == 20
    assert settings.cors_origins == ("https://b.example", "https://c.example")
    assert settings.update_token == "from-file"
    banner = settings.describe()
    assert "from-file" not in banner and "(set)" in banner


def test_bad_settings_name_the_culprit(tmp_path: Path):
    with pytest.raises(ConfigError, match="TRADEKG_QUERY_TIMEOUT"):
        Settings.load(environ={"TRADEKG_QUERY_TIMEOUT": "soon"})
    config = tmp_path / "bad.toml"
    config.write_text("[api]\nquery_timeot_s = 5\n")
    with pytest.raises(ConfigError, match="query_timeot_s"):
        Settings.load(environ={}, config=config)


@pytest.mark.parametrize("accept, expected", [
    (None, "JSON"), ("", "JSON"), ("text/csv", "CSV"), ("text/*", "XML"),  # text/xml comes first
    ("application/sparql-results+xml;q=0.5, text/tab-separated-values", "TSV"),
    ("text/turtle", None), ("*/*;q=0.1, application/sparql-results+xml", "XML"),
    ("application/sparql-results+json;q=0, application/json;q=0, */*", "XML"),  # q=0 rules a type out
])
def test_negotiation(accept, expected):
    assert formats.choose(formats.parse_accept(accept), formats.RESULT_TYPES) == expected


def test_answer_is_labelled_with_the_type_chosen():
    ranges = formats.parse_accept("application/sparql-results+json;q=0, */*")
    assert formats.choose_media(ranges, formats.RESULT_TYPES) == "application/json"


@pytest.mark.parametrize("text, form, has_from, service", [
    ("SELECT * WHERE { ?s ?p ?o }", "SELECT", False, False),
    ("PREFIX select: <http://x/> ASK { ?from ?service 1 }", "ASK", False, False),
    ('SELECT * FROM <http://g> WHERE { ?s ?p "FROM SERVICE" }', "SELECT", True, False),
    ("# SERVICE in a comment\nCONSTRUCT WHERE { ?s ?p ?o }", "CONSTRUCT", False, False),
    ("SELECT * { SERVICE <http://remote/sparql> { ?s ?p ?o } }", "SELECT", False, True),
    ("INSERT DATA { <http://a> <http://b> 1 }", "INSERT", False, False),
])
def test_keywords(text, form, has_from, service):
    assert sparql_text.form(text) == form
    assert sparql_text.has_from(text) is has_from
    assert sparql_text.uses_service(text) is service


def test_cursor_pages_are_stable():
    items = [{"id": f"DS{n}", "n": n} for n in range(1, 23)]
    ordered = pagination.Ordered.of(items, lambda i: (i["n"],))
    first, cursor = ordered.page(10, None)
    # an item added before the cursor does not shift the next page (OFFSET would repeat DS10)
    grown = pagination.Ordered.of([{"id": "DS0", "n": 0}, *items], lambda i: (i["n"],))
    second, _ = grown.page(10, cursor)
    assert [i["id"] for i in second] == [f"DS{n}" for n in range(11, 21)]
    with pytest.raises(BadParameters):
        ordered.page(10, "not a cursor!")


def test_app_serves_again_after_its_lifespan_restarts():
    # Schemathesis and some test clients start and stop the app's lifespan once per request: heavy REST
    # work and /sparql must be answered after a stop and a new start, not refused with a dead thread pool.
    from fastapi.testclient import TestClient
    from mini import mini_store

    from tradekg.api.app import create_app

    app = create_app(mini_store(), Settings(sparql_workers=1))
    for _ in range(2):
        with TestClient(app) as client:
            assert client.get("/network/disputes/edges", params={"limit": 5}).status_code == 200
            answer = client.get("/sparql", params={"query": "ASK { ?s ?p ?o }"},
                                headers={"Accept": "application/sparql-results+json"})
            assert answer.status_code == 200 and answer.json()["boolean"] is True
