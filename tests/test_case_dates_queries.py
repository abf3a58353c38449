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


def test_disputes_by_invoked_exception_match_the_curated_table(full_store):
    """Every dispute whose row names GATT 1994 Art. XXI, read from wto_security_exceptions.csv."""
    expected = {row["ds_number"] for row in _rows("curated/wto_security_exceptions.csv")
                if "GATT1994:XXI" in row["provision"].replace(" ", "")}
    assert {"DS512", "DS544", "DS597"} <= expected  # read by hand: Russia (transit), US (steel), US (origin marking)
    rows = run(full_store, "disputes_by_invoked_exception",
               provision="https://w3id.org/tradekg/id/agreement/wto/GATT1994/article/XXI")
    assert {str(row["dispute"]).rsplit("/", 1)[1] for row in rows} == expected
    everything = run(full_store, "disputes_by_invoked_exception")
    assert {str(row["dispute"]).rsplit("/", 1)[1] for row in everything} == \
        {row["ds_number"] for row in _rows("curated/wto_security_exceptions.csv")}


@pytest.mark.parametrize("day", ["1995-01-01", "2001-12-31", "2016-07-29"])
def test_members_as_of_a_day_match_the_membership_file(full_store, day):
    """Members on a day, from wto_members.csv: as many as rows with an accession date on or before it; China
    (joined 2001-12-11) and Afghanistan (2016-07-29) only from their day."""
    expected = [row for row in _rows("wto-members-wikipedia/wto_members.csv")
                if row["accession_date"] and row["accession_date"] <= day]
    rows = run(full_store, "members_as_of", as_of=day)
    codes = {str(row["code"]) for row in rows}
    assert len(rows) == len(expected)
    assert ("CHN" in codes) is (day >= "2001-12-11")
    assert ("AFG" in codes) is (day >= "2016-07-29")


def test_api_disputes_filter_by_invoked_exception(full_store):
    """/disputes?invoked_exception=GATT1994:XXI lists the disputes of the curated table that name Art. XXI."""
    from fastapi.testclient import TestClient

    from tradekg.api.app import create_app
    from tradekg.api.settings import Settings

    expected = {row["ds_number"] for row in _rows("curated/wto_security_exceptions.csv")
                if "GATT1994:XXI" in row["provision"].replace(" ", "")}
    with TestClient(create_app(full_store, Settings(sparql_workers=1))) as client:
        answer = client.get("/disputes", params={"invoked_exception": "GATT1994:XXI", "limit": 100})
        assert answer.status_code == 200, answer.text
        assert {item["id"] for item in answer.json()["items"]} == expected
        members = client.get("/queries/members_as_of", params={"as_of": "2001-12-31"})
        assert members.status_code == 200, members.text
