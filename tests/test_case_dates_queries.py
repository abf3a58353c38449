"""Issue 10 catalog questions over the full bundle: each expected answer is derived in the test from the
bundled csv files (csv module), never from the code's output."""

from __future__ import annotations

import csv
import datetime as dt

import pytest

from tradekg.data import bundled
from tradekg.queries import run

pytestmark = pytest.mark.slow  # needs the full bundle build


def _rows(path: str) -> list[dict[str, str]]:
    return list(csv.DictReader((bundled() / path).open(encoding="utf-8")))


def _rrm_open_on(day: dt.date) -> dict[str, bool]:
    """From the curated files: case → whether a closing day is known, for the cases open on ``day``."""
    opened: dict[str, dt.date] = {}
    closed: dict[str, dt.date] = {}
    for row in _rows("curated/usmca_rrm_cases.csv"):
        if "not pursued" not in row["record_type"] and row["us_request_date"]:
            opened[row["rrm_key"]] = dt.date.fromisoformat(row["us_request_date"])
    for row in _rows("curated/usmca_rrm_case_events.csv"):
        when = dt.date.fromisoformat(row["date"])
        if row["event"] == "case_closed":
            closed[row["rrm_key"]] = when
        else:
            opened[row["rrm_key"]] = min(when, opened.get(row["rrm_key"], when))
    return {key: key in closed for key, start in opened.items()
            if start <= day and (key not in closed or closed[key] >= day)}


@pytest.mark.parametrize("day", ["2022-06-01", "2023-06-01", "2024-03-01"])
def test_rrm_cases_open_on_a_day(full_store, day):
    expected = _rrm_open_on(dt.date.fromisoformat(day))
    rows = run(full_store, "rrm_cases_open_on", as_of=day)
    got = {str(row["case"]).rsplit("/", 1)[1]: row["endKnown"].toPython() for row in rows}
    assert got == expected


def test_rrm_cases_open_on_2023_06_01_by_hand(full_store):
    """Read by hand in the curated files: GM Silao (requested 2021-05-12, no closure sourced) and Unique
    Fabricating (Mexico accepted 2023-03-17) were open; Panasonic closed on 2022-07-14 and is not."""
    cases = {str(row["case"]).rsplit("/", 1)[1] for row in run(full_store, "rrm_cases_open_on", as_of="2023-06-01")}
    assert {"RRM-GM-SILAO", "RRM-UNIQUE-FABRICATING"} <= cases
    assert "RRM-PANASONIC-REYNOSA" not in cases
