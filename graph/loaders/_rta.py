"""Reading the WTO RTA database export, and who is party to each agreement over which period.

Shared by the wto-rta loader (participations, blocs) and the desta loader (the name join).
Periods are inclusive on both ends (tkg:endDate is the last day a fact holds), so an agreement's
"Inactive Date" — the first day it no longer applies — ends its participations the day before.
A party-specific entry date of 01-Jan-9999 is the database's placeholder for "not yet in force
for this party": such a party gets no start date.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..sources import Row, read_csv

FOLDER = "wto-rta"
FILE = "AllRTAs.csv"
COLUMNS = ("RTA ID", "RTA Name", "Coverage", "Type", "Status", "Date of Signature (G)", "Date of Signature (S)",
           "Date of Entry into Force (G)", "Date of Entry into Force (S)", "Inactive Date",
           "Current signatories", "Original signatories", "Specific Entry/Exit dates")
PLACEHOLDER_YEAR = 9999
_SPECIFIC = re.compile(r"(?P<name>.+?)\((?P<start>\d{2}-[A-Za-z]{3}-\d{4})? ?- ?(?P<end>\d{2}-[A-Za-z]{3}-\d{4})?\)")
_DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class Period:
    """An inclusive period; None is an open (or unknown) end."""

    start: dt.date | None
    end: dt.date | None

    def meets(self, other: Period) -> bool:
        """True if the two periods overlap or touch (one ends the day before the other starts)."""
        lo = max(self.start or dt.date.min, other.start or dt.date.min)
        hi = min(self.end or dt.date.max, other.end or dt.date.max)
        return lo <= hi or (hi < dt.date.max and hi + _DAY == lo)

    def clip(self, window: Period) -> Period | None:
        """This period within the window; None if they do not overlap."""
        start = max(filter(None, (self.start, window.start)), default=None)
        end = min(filter(None, (self.end, window.end)), default=None)
        return None if start and end and start > end else Period(start, end)


@dataclass
class Specific:
    """One party's own dates from the 'Specific Entry/Exit dates' column."""

    start: dt.date | None
    end: dt.date | None
    pending: bool = False  # entry date 01-Jan-9999: signed, not yet in force for this party


@dataclass
class Rta:
    ident: str
    name: str
    row: Row
    entry_into_force: dt.date | None
    inactive: dt.date | None
    current: list[str]
    original: list[str]
    specific: dict[str, Specific] = field(default_factory=dict)

    @property
    def where(self) -> str:
        return f"{FOLDER}/{FILE}:{self.row.line}"

    @property
    def window(self) -> Period | None:
        """When the agreement applied; None if it never entered into force."""
        if self.entry_into_force is None:
            return None
        return Period(self.entry_into_force, self.inactive - _DAY if self.inactive else None)

    @property
    def signatories(self) -> list[str]:
        """Current then original signatories, each once; an inactive agreement has only original ones."""
        return list(dict.fromkeys(self.current + self.original))


def read_rtas(data: Path) -> list[Rta]:
    rtas: list[Rta] = []
    for row in read_csv(data / FOLDER / FILE, required=COLUMNS):
        ident = str(row.integer("RTA ID", required=True))
        rtas.append(Rta(
            ident, " ".join(row.text("RTA Name", required=True).split()), row,
            row.date("Date of Entry into Force (G)") or row.date("Date of Entry into Force (S)"),
            row.date("Inactive Date"), row.split("Current signatories"), row.split("Original signatories"),
            _specific(row)))
    return rtas


def signature(rta: Rta) -> dt.date | None:
    return rta.row.date("Date of Signature (G)") or rta.row.date("Date of Signature (S)")


def _specific(row: Row) -> dict[str, Specific]:
    """Parse 'Name(01-Jan-2010 - 31-Dec-2020); …'; a part that does not parse is a malformed row."""
    column = "Specific Entry/Exit dates"
    found: dict[str, Specific] = {}
    for part in row.split(column):
        match = _SPECIFIC.fullmatch(part)
        if not match or not (match["start"] or match["end"]):
            raise row.fail(column, f"{part!r} is not 'Name(DD-Mon-YYYY - DD-Mon-YYYY)' with at least one date")
        start, end = (_day(row, column, match[k]) for k in ("start", "end"))
        pending = start is not None and start.year == PLACEHOLDER_YEAR
        found[match["name"].strip()] = Specific(None if pending else start, end, pending)
    return found


def _day(row: Row, column: str, value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.datetime.strptime(value, "%d-%b-%Y").date()
    except ValueError:
        raise row.fail(column, f"{value!r} is not a date (DD-Mon-YYYY)") from None


def merge(periods: list[Period]) -> list[Period]:
    """Union of periods: overlapping or touching ones become one."""
    ordered = sorted(periods, key=lambda p: p.start or dt.date.min)
    merged: list[Period] = []
    for period in ordered:
        if merged and merged[-1].meets(period):
            last = merged[-1]
            end = None if last.end is None or period.end is None else max(last.end, period.end)
            merged[-1] = Period(last.start, end)
        else:
            merged.append(period)
    return merged
