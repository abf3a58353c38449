"""Report dates read out of the WTO's case summaries (prose, e.g. "On 5 April 2019, the panel report was
circulated to Members."), for the table ``data/wto-ds-summaries/ds_report_dates.csv``.

The summaries are the WTO's text, so they are not bundled: this module turns the staged raw file
(``shared/data/raw/wto-ds-gateway/ds_case_pages_scraped.csv``) into a table of facts only (dispute, event,
date, which sentence, where the year came from), and the loader reads that table. Run it again with
``python -m tradekg.graph.loaders._ds_prose RAW.csv OUT.csv``; a test checks the bundled table is what
this code makes of the raw file, when the raw file is at hand.

Rules, so that no date is guessed:
- A sentence reports an event only in the past tense about the original proceedings: sentences about
  what would or will happen, compliance (Article 21.5) proceedings, arbitration, withdrawn appeals and
  cross-appeals are not events.
- The event's date is the sentence's only date, or the one opening it ("On 5 April 2019, …", "At its
  meeting on …"); a sentence with several dates and no such opening is reported, not read.
- A day and month without a year ("On 22 April, the Appellate Body issued its report") takes the year of
  the date mentioned just before it, in the same or an earlier sentence, if that keeps the dates in order;
  "28 February and 5 March 2020" takes the year written after it. Otherwise it is reported, not read.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

EVENTS = ("panel_report_circulated", "appeal_notified", "appellate_body_report_circulated", "reports_adopted")
COLUMNS = ("ds_number", "event", "date", "sentence", "year", "note")
_MONTHS = {name: index for index, name in enumerate(
    "January February March April May June July August September October November December".split(), start=1)}
_DATE = re.compile(r"\b(\d{1,2})\s+(%s)\b(?:,?\s+(\d{4})\b)?" % "|".join(_MONTHS))
_SPAN = re.compile(r"\s+(?:and|to|-|–)\s+\d{1,2}\s+(?:%s)\s+(\d{4})\b" % "|".join(_MONTHS))
_SENTENCE = re.compile(r"(?<=[.;])\s+(?=[A-Z])")
_NOT_AN_EVENT = re.compile(r"\b(would|will|was to be|were to be|expect\w*|estimat\w*|no later than|anticipat\w*|"
                           r"intend\w*|scheduled|planned|complian\w*|21\.5|recourse|arbitra\w*|award|withdr\w*|"
                           r"cross-appeal\w*|not be adopted|postpone\w*|delay\w*|informed the DSB|not been able)\b", re.IGNORECASE)
_OPENING = re.compile(r"^(?:[A-Z][\w ]*:\s*)?(?:On|At its meeting (?:on|of|held on))\s+\d{1,2}\s+[A-Z]")
_CIRCULATED = re.compile(r"\breports?\b[^.;]{0,120}?\b(?:was|were) circulated\b|"
                         r"\bcirculated (?:to (?:the )?Members )?its (?:final |separate but identical )?reports?\b|"
                         r"\bissued its reports?\b(?! to the parties)", re.IGNORECASE)
_PANEL_REPORT = re.compile(r"\bpanel\b.*\breports?\b|\breports? of the panel\b", re.IGNORECASE)
_APPEAL = re.compile(r"\bnotified (?:the DSB of )?(?:its|their|his) (?:decision|intention) to appeal\b|"
                     r"\bfiled an appeal\b|\bappealed on\b|\bnotified an appeal\b", re.IGNORECASE)
_ADOPTED = re.compile(r"\b(?:DSB|Dispute Settlement Body) adopted\b|\badopted by the (?:DSB|Dispute Settlement Body)\b")


@dataclass(frozen=True)
class Found:
    """One event a sentence reports: its date (None when it could not be read) and how it was read."""

    event: str
    date: dt.date | None
    sentence: int
    year: str
    note: str


def events_in(sentence: str) -> list[str]:
    """The events a sentence reports (see the module docstring), in the order of EVENTS."""
    if _NOT_AN_EVENT.search(sentence):
        return []
    found = []
    if _CIRCULATED.search(sentence):
        if "Appellate" in sentence:
            found.append("appellate_body_report_circulated")
        elif _PANEL_REPORT.search(sentence):
            found.append("panel_report_circulated")
    if _APPEAL.search(sentence):
        found.append("appeal_notified")
    if _ADOPTED.search(sentence) and re.search(r"\breports?\b", sentence, re.IGNORECASE):
        found.append("reports_adopted")
    return sorted(found, key=EVENTS.index)


def read(summary: str) -> Iterator[Found]:
    """Every event of one summary, dated where the rules allow, else with the reason it is not."""
    previous: tuple[dt.date, int] | None = None  # the last date read, and its sentence
    for number, sentence in enumerate(_SENTENCE.split(summary.strip()), start=1):
        dates: list[tuple[dt.date | None, str]] = []
        for match in _DATE.finditer(sentence):
            day, month, year = int(match.group(1)), _MONTHS[match.group(2)], match.group(3)
            span = _SPAN.match(sentence, match.end())
            if year is None and span:
                year, how = span.group(1), "stated after it"
            elif year is not None:
                how = "stated"
            elif previous is None:
                dates.append((None, "day and month only, and no earlier date to take the year from"))
                continue
            else:
                year, how = str(previous[0].year), f"from sentence {previous[1]}"
            try:
                value = dt.date(int(year), month, day)
            except ValueError:
                dates.append((None, f"{match.group(0)!r} is no date"))
                continue
            if how.startswith("from") and value < previous[0]:
                dates.append((None, f"day and month only, and sentence {previous[1]}'s year would put it "
                                    "before that sentence's date"))
                continue
            dates.append((value, how))
            previous = (value, number)
        for event in events_in(sentence):
            if not dates:
                yield Found(event, None, number, "", "no date in the sentence")
            elif len(dates) == 1 or _OPENING.match(sentence):
                value, how = dates[0]
                yield Found(event, value, number, how if value else "", "" if value else how)
            else:
                yield Found(event, None, number, "", f"{len(dates)} dates and none opens the sentence")


def table(raw: Path) -> Iterator[dict[str, str]]:
    """The rows of ds_report_dates.csv for the raw scraped case pages (ds_number, summary_text)."""
    with raw.open(encoding="utf-8", newline="") as handle:
        for record in csv.DictReader(handle):
            for found in read(record["summary_text"] or ""):
                yield {"ds_number": f"DS{int(record['ds_number'])}", "event": found.event,
                       "date": found.date.isoformat() if found.date else "", "sentence": str(found.sentence),
                       "year": found.year, "note": found.note}


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: python -m tradekg.graph.loaders._ds_prose RAW_ds_case_pages_scraped.csv OUT.csv")
        return 2
    with Path(argv[1]).open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(table(Path(argv[0])))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
