"""Guards over the whole query catalog: every .rq file is well-formed and binds safely everywhere."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import XSD, Literal, URIRef
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
    text = query.sparql(bindings)
    # tidy: the order inside a GROUP_CONCAT is left open by SPARQL (it can differ between two runs)
    bound = query.tidy(full_store.select(text, bindings))
    inline = query.tidy(full_store.select(bind_values(text, bindings)))
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


@pytest.mark.parametrize("name", names())
def test_every_filter_block_is_valid_sparql(name):
    """Each optional parameter's `#[NAME]` lines, written alone or all together, still parse."""
    query = get(name)
    for given in [set(), set(query.params), *({p} for p in query.params)]:
        prepareQuery(query.sparql(given))


def test_filter_blocks_follow_their_conditions():
    """A hand-written query: which lines each combination of given parameters writes."""
    from tradekg.queries import parse

    query = parse("demo", "# title: demo\n# param: a iri https://x.org/a optional; a\n"
                          "# param: b iri https://x.org/b optional; b\n"
                          "SELECT ?a ?b WHERE {\n"
                          "  ?s ?p ?o .  #[!a]\n"
                          "  #[a] ?s <https://x.org/p> ?a .\n"
                          "  #[a,b] FILTER(?a != ?b)\n"
                          "  #[a|b] FILTER(true)\n"
                          "}\n")
    none, a, both = query.sparql(()), query.sparql({"a"}), query.sparql({"a", "b"})
    assert "?s ?p ?o ." in none and "<https://x.org/p>" not in none and "FILTER" not in none
    assert "?s ?p ?o" not in a and "?s <https://x.org/p> ?a ." in a and "FILTER(true)" in a and "!=" not in a
    assert "FILTER(?a != ?b)" in both
    assert "FILTER(true)" in query.sparql({"b"}) and "#[" not in both


def test_a_condition_naming_no_parameter_is_refused():
    from tradekg.queries import parse

    with pytest.raises(ValueError, match="line 3: condition 'c' names no parameter"):
        parse("demo", "# title: demo\n# param: a iri https://x.org/a optional; a\n  #[c] FILTER(true)\n")


def test_missing_required_parameter_is_an_error_naming_it():
    """disputes_between's header says a is required: no answer, an error that names it (issue 15)."""
    with pytest.raises(BadParameters, match="parameter a is required"):
        run(None, "disputes_between", b="CHN")  # type: ignore[arg-type]
    with pytest.raises(BadParameters, match="agreement or provision is required"):
        run(None, "disputes_citing")  # type: ignore[arg-type]
    result = CliRunner().invoke(cli, ["query", "disputes_between", "-p", "b=CHN"])
    assert result.exit_code != 0 and "parameter a is required" in result.output


def test_set_valued_columns_come_back_sorted_and_empty_ones_absent():
    """GROUP_CONCAT's order is left open by SPARQL: the catalog sorts the set it writes, whatever the engine."""
    from tradekg.graph.store import Rows

    query = get("dispute_details")
    rows = Rows([{"complainants": Literal("https://x.org/b https://x.org/a"), "products": Literal("")}])
    assert query.tidy(rows) == [{"complainants": Literal("https://x.org/a https://x.org/b")}]


def test_order_header_sorts_rows_as_order_by_would():
    """`# order:` stands in for ORDER BY where Virtuoso refuses to sort long rows: numbers by value (10 after 9
    descending, not as text), ties by the next key, an unbound value first when ascending."""
    from tradekg.graph.store import Rows
    from tradekg.queries import parse

    query = parse("t", "# title: t\n# order: DESC(?count) ?partner\nSELECT ?partner ?count WHERE { ?partner ?p ?count }\n")
    assert query.order == (("count", True), ("partner", False))
    n = lambda v: Literal(v, datatype=XSD.integer)  # noqa: E731
    rows = Rows([{"partner": URIRef("https://x.org/b"), "count": n(9)},
                 {"partner": URIRef("https://x.org/c"), "count": n(10)},
                 {"partner": URIRef("https://x.org/a"), "count": n(10)},
                 {"count": n(9)}])
    assert [(str(r.get("partner", "")), int(r["count"])) for r in query.tidy(rows)] == \
        [("https://x.org/a", 10), ("https://x.org/c", 10), ("", 9), ("https://x.org/b", 9)]


def test_order_header_is_checked_when_the_catalog_is_read():
    from tradekg.queries import parse

    with pytest.raises(ValueError, match="keep one"):
        parse("t", "# title: t\n# order: ?a\nSELECT ?a WHERE { ?a ?b ?c }\nORDER BY ?a\n")
    with pytest.raises(ValueError, match=r"names \?z"):
        parse("t", "# title: t\n# order: ?z\nSELECT ?a WHERE { ?a ?b ?c }\n")
    with pytest.raises(ValueError, match="line 2"):
        parse("t", "# title: t\n# order: count DESC\nSELECT ?count WHERE { ?a ?b ?count }\n")


def test_every_code_of_the_alias_table_names_its_economy():
    """Codes pycountry does not have (XKX, the former ANT, SUN, DDR, CSK) are economies of the graph too: as a
    parameter (and so in the API's URLs) each names itself, in any case."""
    import csv

    from tradekg.data import bundled

    with (bundled() / "crosswalks" / "economy_aliases.csv").open(newline="", encoding="utf-8") as handle:
        codes = {row["code"] for row in csv.DictReader(handle) if row["code"]}
    assert {"XKX", "ANT", "SUN"} <= codes
    for code in codes:
        assert queries._economy(code.lower()) == URIRef(f"https://w3id.org/tradekg/id/economy/{code}")


def test_values_reach_a_sub_select_that_projects_the_parameter():
    """A sub-select is evaluated on its own: the parameter is bound inside it too where it projects it unchanged,
    so an engine need not enumerate it for every value; never inside an OPTIONAL's sub-select, one with a LIMIT,
    or one that does not project it (where ?p would be another variable). Answers equal on a small store."""
    from tradekg.graph.store import EmbeddedStore

    p = URIRef("https://x.org/p")
    text = ("SELECT ?p ?x ?y ?z ?w WHERE { { SELECT DISTINCT ?p ?x WHERE { ?x <https://x.org/r> ?p } }\n"
            "  OPTIONAL { SELECT ?p (COUNT(?o) AS ?y) WHERE { ?p <https://x.org/r> ?o } GROUP BY ?p }\n"
            "  OPTIONAL { { SELECT ?p ?z WHERE { ?z <https://x.org/r> ?p } LIMIT 1 } }\n"
            "  OPTIONAL { { SELECT ?w WHERE { ?w <https://x.org/r> ?p } } } }")
    bound = bind_values(text, {"p": p})
    blocks = [m.start() for m in re.finditer(r"VALUES \(\?p\)", bound)]
    assert len(blocks) == 2, bound  # the top, and the first sub-select only
    assert bound.index("SELECT DISTINCT ?p ?x WHERE {") < blocks[1] < bound.index("?x <https://x.org/r> ?p")
    # an OPTIONAL's group is one however it is written: any case, lines and a comment before its SELECT
    spaced = text.replace("  OPTIONAL { SELECT ?p (COUNT", "  optional {  # counted per ?p { SELECT\n\n    SELECT ?p (COUNT")
    assert spaced != text and bind_values(spaced, {"p": p}).count("VALUES (?p)") == 2
    store = EmbeddedStore()
    store.update("INSERT DATA { <https://x.org/a> <https://x.org/r> <https://x.org/p> . "
                 "<https://x.org/b> <https://x.org/r> <https://x.org/q> . <https://x.org/p> <https://x.org/r> 1 }")
    top_only = text.replace("WHERE {", "WHERE { VALUES ?p { <https://x.org/p> }", 1)
    assert as_set(store.select(bound)) == as_set(store.select(top_only))
    assert len(store.select(bound)) == 3  # one ?x (a); ?w is any subject of r (a, b, p): its ?p is its own


def test_bind_values_header_is_read_and_checked():
    """`# bind: values` makes the embedded store bind with the remote VALUES block (the same rows: see
    test_bound_and_inline_values_agree); anything else after `# bind:` is refused when the catalog is read."""
    from tradekg.queries import parse

    assert parse("t", "# title: t\n# bind: values\nSELECT ?a WHERE { ?a ?b ?c }\n").values
    assert not parse("t", "# title: t\nSELECT ?a WHERE { ?a ?b ?c }\n").values
    with pytest.raises(ValueError, match="line 2"):
        parse("t", "# title: t\n# bind: substitute\nSELECT ?a WHERE { ?a ?b ?c }\n")
