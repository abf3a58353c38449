"""Readable status labels from the WTO chronological list as crawled in February 2018.

The gateway's status codes have no legend; these labels are the WTO's own words, but only as of
the crawl (stale for any case that moved since), so each label carries its as-of date.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

from ..context import BuildContext
from ..sources import read_csv
from ..terms import TKG, date, instance, text
from . import Triple

SOURCE = "wto-ds-crawl-2018"
FILE = "wto-ds-crawl-2018/wto_ds_chronological_2018-02.csv"
AS_OF = dt.date(2018, 2, 13)  # the crawl was committed on 2018-02-13 (and amended on the 16th)


def triples(ctx: BuildContext) -> Iterator[Triple]:
    count = 0
    for row in read_csv(ctx.data / FILE, required=("", "curr_stat")):
        ident = row.text("", required=True)
        if not re.fullmatch(r"DS\d+", ident):
            raise row.fail("", f"{ident!r} is not a dispute number like DS12")
        node = instance("dispute", ident)
        if status := row.text("curr_stat"):
            yield node, TKG.reportedStatus, text(status)
            yield node, TKG.reportedStatusAsOf, date(AS_OF)
        count += 1
    ctx.note(SOURCE, f"{count} status labels as of {AS_OF.isoformat()}")
