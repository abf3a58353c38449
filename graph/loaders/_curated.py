"""Reading the hand-curated tables in data/curated/ (see its README): shared by the usmca,
wto-disputes-extra and dispute-links loaders.

Every curated row cites its sources (``source_url``, ``source_url_2``, …), and its dates are
filled only as far as a source states them: a month without a day ("2023-08") is a deliberate
gap, left out and reported, while any other value that is not a date fails with its position.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

from pyoxigraph import NamedNode

from ..context import BuildContext
from ..sources import Row
from ..terms import DCTERMS, economy
from . import Subject, Triple

FOLDER = "curated"
SOURCE_COLUMNS = ("source_url", "source_url_2", "source_url_3", "source_url_4")
_MONTH_ONLY = re.compile(r"\d{4}-(0[1-9]|1[0-2])")


def where(row: Row) -> str:
    """``curated/usmca_disputes.csv:3``: the place a value was read, for notes and the reconciler."""
    return f"{FOLDER}/{row.path.name}:{row.line}"


def day(ctx: BuildContext, source: str, row: Row, column: str) -> dt.date | None:
    """A sourced date; None when empty or given to the month only (reported, not guessed)."""
    value = row.text(column)
    if value is not None and _MONTH_ONLY.fullmatch(value):
        ctx.note(source, f"{where(row)} {column} {value!r} gives no day; left out (not guessed)")
        return None
    return row.date(column)


def party(ctx: BuildContext, row: Row, column: str) -> str | None:
    """The economy code of a party column (EU → EUN, TWN, …); an unresolvable code fails the row."""
    value = row.text(column)
    if value is None:
        return None
    code = ctx.economy(value, where(row))
    if code is None:
        raise row.fail(column, f"{value!r} names no economy a dispute or measure can have")
    return code


def parties(ctx: BuildContext, row: Row, *columns: str) -> list[NamedNode]:
    return [economy(code) for column in columns if (code := party(ctx, row, column)) is not None]


def sources(row: Row, node: Subject) -> Iterator[Triple]:
    """``dcterms:source`` for each source URL the row cites (the first one is required)."""
    for index, column in enumerate(SOURCE_COLUMNS):
        if column not in row.header:
            continue
        url = row.text(column, required=index == 0)
        if url is None:
            continue
        try:
            iri = NamedNode(url) if url.startswith(("http://", "https://")) else None
        except ValueError:
            iri = None
        if iri is None:
            raise row.fail(column, f"{url!r} is not a valid http(s) URL")
        yield node, DCTERMS.source, iri
