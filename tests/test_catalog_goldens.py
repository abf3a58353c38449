"""Catalog queries over the hand-made mini graph (tests/data/mini), against answers derived by hand.

Quick (no bundle build): the mini graph loads in well under a second. Each case in cases.csv says why its
answer is what it is; every case has a distractor the query must leave out. Rows are compared as a
multiset, because ORDER BY leaves ties to the engine; the order the query promises is checked on its key.
"""

from __future__ import annotations

import pytest

from mini import cases, expected, mini_store, normal, parameters
from tradekg.queries import run


@pytest.fixture(scope="module")
def store():
    store = mini_store()
    yield store
    store.close()


def _cells(rows, header: list[str]) -> list[tuple[str, ...]]:
    return [tuple(normal("" if row.get(name) is None else str(row[name])) for name in header) for row in rows]


@pytest.mark.parametrize("case", cases(), ids=lambda case: case["case"])
def test_catalog_answer_on_the_mini_graph(store, case):
    header, rows = expected(case)
    answer = run(store, case["query"], **parameters(case))
    assert answer.variables == header
    assert sorted(_cells(answer, header)) == sorted(rows), case["why"]


def test_disputes_come_in_order_of_request(store):
    requested = [str(row["requested"]) for row in run(store, "disputes")]
    assert requested == ["1995-01-24", "2018-04-04", "2018-04-05"]  # DS2, DS543, DS544 in mini.trig
    newest_first = [str(row["requested"]) for row in run(store, "disputes_between", a="USA", b="CHN")]
    assert newest_first == ["2018-04-05", "2018-04-04"]  # DS544 then DS543


def test_every_golden_names_a_catalog_query():
    from tradekg.queries import names

    assert {case["query"] for case in cases()} <= set(names())
