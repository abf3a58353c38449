"""Guards over the whole query catalog: every .rq file is well-formed and binds safely everywhere."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Literal
from rdflib.plugins.sparql import prepareQuery

from tradekg import queries
from tradekg.cli import cli
from tradekg.graph.errors import BadParameters, UnknownQuery
from tradekg.graph.remote import bind_values
from tradekg.queries import get, iri, names, run


def as_set(rows):
    return {tuple(sorted((k, v.n3()) for k, v in row.items())) for row in rows}


@pytest.mark.parametrize("name", names())
def test_query_is_documented_and_parses(name):
    query = get(name)
    assert query.title
    prepareQuery(query.text)  # valid SPARQL 1.1, pasteable into any client
    for param in query.params.values():
        assert param.example, f"{name}: parameter {param.name} has no example"


@pytest.mark.parametrize("name", names())
def test_parameters_are_projected(name):
    """pyoxigraph refuses, and a remote VALUES silently ignores, a parameter that is not projected."""
    query = get(name)
    projected = {str(v) for v in prepareQuery(query.text).algebra["PV"]}
    assert set(query.params) <= projected


@pytest.mark.parametrize("name", names())
def test_bound_and_inline_values_agree(name, full_store):
    """The embedded engine's substitution and a remote endpoint's VALUES block give one answer."""
    query = get(name)
    bindings = query.bind(query.example)
    bound = full_store.select(query.text, bindings)
    inline = full_store.select(bind_values(query.text, bindings))
    assert as_set(bound) == as_set(inline)
    assert bound, f"{name} returned no rows for its example"


def test_bad_values_are_refused():
    with pytest.raises(BadParameters, match="not an http"):
        iri("https://w3id.org/x> } INSERT {")
    with pytest.raises(UnknownQuery):
        get("../../etc/passwd")
    with pytest.raises(BadParameters, match="unknown parameter"):
        run(None, "instances_per_class", nope="1")  # type: ignore[arg-type]


def test_hostile_literal_is_one_term():
    """A literal that tries to close the query and add an update reaches the engine as one value, through the
    project's own binding (a VALUES block, as sent to a remote endpoint) and the embedded substitution."""
    from mini import mini_store

    hostile = 'x" } ; DROP ALL #\n} INSERT DATA { <https://w3id.org/a> <https://w3id.org/b> "c" }'
    text = "SELECT ?x WHERE { }"
    store = mini_store()
    try:
        for rows in (store.select(bind_values(text, {"x": Literal(hostile)})), store.select(text, {"x": Literal(hostile)})):
            assert [row["x"] for row in rows] == [Literal(hostile)]
        assert store.ask("ASK { ?s ?p ?o }")  # nothing was dropped
        assert not store.ask("ASK { <https://w3id.org/a> ?p ?o }")  # nothing was inserted
    finally:
        store.close()


def test_cli_lists_and_shows_queries():
    listing = CliRunner().invoke(cli, ["queries"])
    assert listing.exit_code == 0
    for name in names():
        assert name in listing.output
    name = names()[0]
    shown = CliRunner().invoke(cli, ["query", name, "--show"])
    source = (Path(queries.__file__).parent / f"{name}.rq").read_text(encoding="utf-8")  # the file itself
    assert shown.exit_code == 0 and source.strip() in shown.output
    unknown = CliRunner().invoke(cli, ["query", "no_such_query"])
    assert unknown.exit_code == 1 and "tradekg queries" in unknown.output
