"""Property-based fuzzing of the whole API from its own OpenAPI schema (Schemathesis): whatever a client
sends that the schema allows (and some it does not), no 500s, and every response matches the schema
(status codes, content types, bodies). Bounded: a few examples per operation."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import positive_data_acceptance

from budgets import budget
from tradekg.api.app import create_app
from tradekg.api.settings import Settings

MAX_EXAMPLES = 8
# Seconds one request may take on an idle machine, per operation (the first that matches the path wins);
# budget() scales them with the machine's load. A network view or path is projected from the whole graph
# on its first request (the measures view takes most of a minute); everything else answers in a second or two.
REQUEST_SECONDS = ((r"^/(links|network|export)", 180.0), (r"^/sparql", 30.0), (r"", 10.0))


def request_budget(path: str) -> float:
    import re

    return budget(next(seconds for pattern, seconds in REQUEST_SECONDS if re.match(pattern, path)))


@schemathesis.serializer("application/sparql-query", "application/sparql-update")
def _sparql_text(ctx, value):  # the SPARQL Protocol's direct POST bodies are plain text
    return str(value).encode("utf-8")


@pytest.fixture(scope="module")
def api_schema(full_store):
    app = create_app(full_store, Settings(query_timeout_s=budget(5), sparql_workers=1))
    return schemathesis.openapi.from_asgi("/openapi.json", app)


schema = schemathesis.pytest.from_fixture("api_schema")
# Operations whose answers project a network view: each new combination of filters builds one, and the
# measures views take most of a minute on the full graph (measure_edges.rq), so random filters would
# run for many minutes. They are checked below on fixed cases instead; /export/{view} belongs to the
# export module and its tests.
SLOW = r"^/(links|network/|export/)"


@schema.exclude(path_regex=SLOW).parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_schema(case):
    # Every check but "schema-valid data is accepted": a `cursor` is any string to the schema, but only
    # one this API made is accepted (others get a 422 problem), and no schema can say that.
    case.call_and_validate(excluded_checks=[positive_data_acceptance], timeout=request_budget(case.path))


def test_every_operation_has_examples_and_problem_responses(full_store):
    spec = create_app(full_store, Settings()).openapi()
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            assert operation.get("summary") or operation.get("description"), f"{method} {path} is undocumented"
            if not path.startswith("/sparql"):
                assert "application/problem+json" in operation["responses"]["404"]["content"]
                assert "application/problem+json" in operation["responses"]["422"]["content"]
    described = [tag["name"] for tag in spec["tags"] if tag.get("description")]
    used = {tag for operations in spec["paths"].values() for operation in operations.values()
            for tag in operation.get("tags", [])}
    assert used <= set(described), f"tags without a description (the docs' sections): {used - set(described)}"
    assert described[0] == "Economies" and described.index("SPARQL 1.1 Protocol") > described.index("Trade")


@pytest.mark.parametrize("path, path_parameters, query", [
    ("/links", {}, {"source": "USA", "target": "MEX", "k": 2, "as_of": "2021-01-01"}),
    ("/links", {}, {"source": "USA", "target": "Narnia", "as_of": "2021-01-01"}),  # the paths projected above
    ("/network/{view}", {"view": "disputes"}, {"from": "2018-01-01"}),
    ("/network/{view}/centrality", {"view": "disputes"}, {"by": "betweenness", "limit": 3}),
    ("/network/{view}/communities", {"view": "agreements"}, {"as_of": "2021-01-01", "limit": 2}),
    ("/network/{view}/edges", {"view": "third-parties"}, {"limit": 5}),
    ("/network/{view}/edges", {"view": "disputes"}, {"measure_type": "section-301"}),  # not a filter of the view
])
def test_network_operations_conform_on_fixed_cases(api_schema, path, path_parameters, query):
    # The app as it ships (no view left out): only the request budget is larger for these operations.
    case = api_schema[path]["GET"].Case(path_parameters=path_parameters, query=query)
    case.call_and_validate(excluded_checks=[positive_data_acceptance], timeout=request_budget(path))
