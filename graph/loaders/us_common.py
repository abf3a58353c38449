"""What the US measure loaders (Section 301, Section 232/201, MFN) share: measure and legal-instrument
triples, the provenance of curated rows, and reading rates and dates out of the curated tables.

The curated tables (data/curated/, see its README) give every row one or more source URLs and an
``evidence`` note in the curator's words; each measure built from a row carries every URL as
``dcterms:source``, so a reader can check the claim (the notes stay in data/, not in the graph).

How a measure ends is stated, never implied by a missing ``tkg:endDate``: :func:`end_status` gives
``ended`` (with the date), ``in-force`` (as of a source's snapshot date) or ``not-sourced``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from decimal import Decimal, InvalidOperation

from pyoxigraph import NamedNode

from ..sources import Row
from ..terms import A, DCTERMS, RDFS, TKG, date, economy, instance, text
from . import Triple

USA = "USA"
CURATED = "curated"
PERCENT = re.compile(r"(\d+(?:\.\d+)?)\s*%")
_PROCLAMATION = re.compile(r"Proclamation (\d{4,5})\b")
_MONTH = re.compile(r"\d{4}-\d{2}")
_SOURCE_URL = re.compile(r"source_url(_\d+)?")
END_STATUS = {key: instance("end-status", key) for key in ("ended", "in-force", "not-sourced")}

LEGAL = {
    "us-trade-act-1974-s301": "Section 301 of the Trade Act of 1974",
    "us-trade-act-1974-s201": "Section 201 of the Trade Act of 1974",
    "us-trade-expansion-act-1962-s232": "Section 232 of the Trade Expansion Act of 1962",
    "us-hts": "Harmonized Tariff Schedule of the United States",
}


def measure_node(*path: str) -> NamedNode:
    """``measure/us-232-steel``; more parts make nodes under a measure (``measure/us-mfn-2023/duty/…``)."""
    return instance("measure", *path)


def measure_type(key: str) -> NamedNode:
    return instance("measure-type", key)


def legal(key: str, label: str | None = None) -> tuple[NamedNode, list[Triple]]:
    """A legal instrument node (``legal/{key}``) and the triples describing it."""
    node = instance("legal", key)
    return node, [(node, A, TKG.LegalInstrument), (node, RDFS.label, text(label or LEGAL[key]))]


def proclamations(value: str | None) -> list[tuple[NamedNode, list[Triple]]]:
    """The presidential proclamations a text names by number ("Proclamation 9705")."""
    return [legal(f"us-proclamation-{number}", f"US Presidential Proclamation {number}")
            for number in _PROCLAMATION.findall(value or "")]


def measure(node: NamedNode, label: str, types: Iterable[str], legal_basis: Iterable[NamedNode],
            affects: str | None = None) -> Iterator[Triple]:
    """The core of a US measure: type, label, imposing economy, measure types, legal basis, target."""
    yield node, A, TKG.Measure
    yield node, RDFS.label, text(label)
    yield node, TKG.imposedBy, economy(USA)
    for key in types:
        yield node, TKG.measureType, measure_type(key)
    for instrument in legal_basis:
        yield node, TKG.legalBasis, instrument
    if affects is not None:
        yield node, TKG.affects, economy(affects)


def provenance(node: NamedNode, row: Row, *url_columns: str) -> Iterator[Triple]:
    """``dcterms:source`` for each source URL of a curated row, and its key as ``dcterms:identifier``."""
    if "record_key" in row.header:
        yield node, DCTERMS.identifier, text(row.text("record_key", required=True))
    for column in url_columns or [c for c in row.header if _SOURCE_URL.fullmatch(c)]:
        if column not in row.header or not (url := row.text(column)):
            continue
        if not re.fullmatch(r"https?://[^\s<>\"{}|\\^`]+", url):
            raise row.fail(column, f"{url!r} is not an http(s) URL")
        yield node, DCTERMS.source, NamedNode(url)


def percents(row: Row, column: str) -> list[Decimal]:
    """Every percentage in a text column ("additional 10% duty; 7.5% effective 2020-02-14" → 10, 7.5)."""
    try:
        return [Decimal(value) for value in PERCENT.findall(row.raw(column))]
    except InvalidOperation:  # pragma: no cover - the pattern only matches numbers
        raise row.fail(column, "has a percentage that is not a number") from None


def decimal_value(row: Row, column: str, scale: int = 1) -> Decimal | None:
    """A decimal number in a column (times ``scale``), normalised ("2.60" → 2.6); None if empty."""
    value = row.text(column)
    if value is None:
        return None
    try:
        number = Decimal(value) * scale
    except InvalidOperation:
        raise row.fail(column, f"{value!r} is not a number") from None
    if number < 0:
        raise row.fail(column, f"{value!r} is negative")
    return number.normalize() if number else Decimal(0)


def day_or_month(row: Row, column: str) -> tuple[object | None, str | None]:
    """A full date (``YYYY-MM-DD``) or, when the source gives only a month (``YYYY-MM``), that text."""
    value = row.text(column)
    if value is not None and _MONTH.fullmatch(value):
        return None, value
    return row.date(column), None


def comments(node: NamedNode, *values: str | None) -> Iterator[Triple]:
    for value in values:
        if value:
            yield node, RDFS.comment, text(value)


def end_status(node: NamedNode, ended: object | None = None, in_force_as_of: object | None = None) -> Iterator[Triple]:
    """How the measure's end is known: its last day, a date a source lists it in force, or neither."""
    if ended is not None:
        yield node, TKG.endDate, date(ended)
        yield node, TKG.endStatus, END_STATUS["ended"]
    elif in_force_as_of is not None:
        yield node, TKG.inForceAsOf, date(in_force_as_of)
        yield node, TKG.endStatus, END_STATUS["in-force"]
    else:
        yield node, TKG.endStatus, END_STATUS["not-sourced"]
