"""US Section 232 tariffs on steel and aluminium (2018) with their product scope, the later Section 232
actions and country treatment of the curated table, and the 2018 Section 201 safeguards (solar, washers).

The scope rules (SOURCES.md 5b) are HTS ranges as the proclamations wrote them ("7206.10 through
7216.50"). A range becomes every HS 2022 subheading (6-digit node) whose code lies between its ends,
a 4-digit end standing for all its subheadings (7604 → 760400…760499); a single heading becomes its
subheadings, and a statistical line (7616.99.51.60) its own US tariff-line node. This is an
approximation: the rules refer to the 2018 HTS (HS 2017), not HS 2022, which the source itself says
needs validating. Rates and the effective date of the 2018 tariffs come from the curated rows; the
scope file's own values are cross-checked. The scope file names China as target: that is its
project's framing (the measures applied to all origins), so no measure here gets ``tkg:affects`` but
the country-treatment rows, which name their country.

Ends: the curated ``end_date`` is the first day a country arrangement no longer applied (2025-03-12,
when the 2025 proclamations ended every arrangement), so ``tkg:endDate`` (the last day) is the day
before. An earlier scheduled end written in the treatment ("extended to 2025-12-31") is superseded by
it and stays in the comment. Every measure that took effect states its ``tkg:endStatus``; the 2018
tariffs and the Section 201 safeguards have no sourced end (``not-sourced``, not "in force").
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from decimal import Decimal

from pyoxigraph import NamedNode

from ..context import BuildContext
from ..errors import SourceError
from ..sources import Row, read_csv
from ..terms import TKG, date, decimal, text
from . import Triple
from .us_common import (USA, comments, day_or_month, decimal_value, end_status, legal, measure, measure_node,
                        percents, proclamations, provenance)

SOURCE = "us-section232"
SCOPE_FILE = "us-trade-actions-tradeintel/section232_201_scope_rules_2018.csv"
CURATED_FILE = "curated/us_section232.csv"
SCOPE_COLUMNS = ("policy_id", "policy_name", "target_origin", "hts_code", "effective_date",
                 "announcement_date", "additional_rate", "source_url")
CURATED_COLUMNS = ("record_key", "product", "record_type", "instrument", "instrument_date", "effective_date",
                   "end_date", "tariff_rate", "country", "country_treatment", "status_note", "source_url", "source_url_2")
# The scope file's policies: measure id, measure type, legal basis.
POLICIES = {
    "us_232_steel_2018": ("us-232-steel", "section-232", "us-trade-expansion-act-1962-s232"),
    "us_232_aluminum_2018": ("us-232-aluminium", "section-232", "us-trade-expansion-act-1962-s232"),
    "us_201_solar_2018": ("us-201-solar", "safeguard", "us-trade-act-1974-s201"),
    "us_201_washers_2018": ("us-201-washers", "safeguard", "us-trade-act-1974-s201"),
}
BASE = {"S232-STEEL-2018": "us-232-steel", "S232-ALU-2018": "us-232-aluminium"}  # curated rows of the 2018 tariffs
_RANGE = re.compile(r"\s*[–-]\s*")
_UNTIL = re.compile(r"\bto (\d{4}-\d{2}-\d{2})")


def triples(ctx: BuildContext) -> Iterator[Triple]:
    scope = yield from _scope(ctx)
    yield from _curated(ctx, scope)


def _scope(ctx: BuildContext):
    """Products of each policy; the Section 201 measures in full. Returns {measure id: (date, rate, row)}."""
    seen: dict[str, tuple[object, Decimal | None, Row]] = {}
    origins: set[str] = set()
    for row in read_csv(ctx.data / SCOPE_FILE, required=SCOPE_COLUMNS):
        policy = row.text("policy_id", required=True)
        if policy not in POLICIES:
            raise row.fail("policy_id", f"{policy!r} is not one of {sorted(POLICIES)}")
        ident, kind, law = POLICIES[policy]
        node = measure_node(ident)
        effective, rate = row.date("effective_date", required=True), decimal_value(row, "additional_rate", 100)
        if ident in seen and seen[ident][:2] != (effective, rate):
            raise row.fail("effective_date",
                           f"date/rate differ from the first row of {policy} (line {seen[ident][2].line})")
        origins.add(row.text("target_origin") or "")
        for product in _expand(ctx, row):
            yield node, TKG.coversProduct, product
        yield from provenance(node, row, "source_url")
        if (announced := row.date("announcement_date")) is not None:
            yield node, TKG.decisionDate, date(announced)
        if ident not in seen and kind == "safeguard":  # Section 201: this file is the only source
            law_node, law_triples = legal(law)
            yield from law_triples
            yield from measure(node, f"US {row.text('policy_name', required=True)} safeguard", [kind], [law_node])
            yield node, TKG.stage, text("tariff action")
            yield node, TKG.startDate, date(effective)
            yield from end_status(node)  # the scope file is the only source: no end is sourced
            if rate is not None:
                yield node, TKG.rate, decimal(rate)
        seen.setdefault(ident, (effective, rate, row))
    ctx.note(SOURCE, f"scope file target_origin {sorted(origins)} is the TradeIntel project's framing; "
                     "Sections 232 and 201 applied to all origins, so no tkg:affects is stated")
    return seen


def _expand(ctx: BuildContext, row: Row) -> list[NamedNode]:
    """The HS 2022 subheadings (or US tariff lines) of one scope rule; see the module docstring."""
    where, policy = f"{SCOPE_FILE}:{row.line}", row.text("policy_id")
    nodes: list[NamedNode] = []
    for item in row.split("hts_code"):
        ends = [re.sub(r"\D", "", end) for end in _RANGE.split(item)]
        if len(ends) > 2 or any(len(end) not in (4, 6, 8, 10) for end in ends):
            raise row.fail("hts_code", f"{item!r} is not an HTS code (4-10 digits) or a range of two")
        if len(ends) == 1 and len(ends[0]) > 6:
            if (line := ctx.products.tariff_line(USA, item, where)) is not None:
                nodes.append(line)
            continue
        if any(len(end) > 6 for end in ends):
            raise row.fail("hts_code", f"{item!r}: range ends must be HS headings or subheadings")
        low, high = ends[0].ljust(6, "0"), ends[-1].ljust(6, "9")
        if low > high:
            raise row.fail("hts_code", f"{item!r}: the range runs backwards")
        codes = sorted(c for c in ctx.products.hs_codes if len(c) == 6 and low <= c <= high)
        if not codes:
            ctx.note(SOURCE, f"{policy} rule {item!r} matches no HS 2022 subheading ({where})")
        nodes.extend(node for c in codes if (node := ctx.products.hs(c, where)) is not None)
        ctx.note(SOURCE, f"{policy} rule {item!r} expanded to {len(codes)} HS 2022 subheadings"
                 + (f" ({codes[0]}…{codes[-1]})" if len(codes) > 1 else ""))
    return nodes


def _curated(ctx: BuildContext, scope: dict) -> Iterator[Triple]:
    """One measure per curated row: the 2018 tariffs, later actions, country treatment, investigations."""
    s232, s232_triples = legal("us-trade-expansion-act-1962-s232")
    yield from s232_triples
    found: set[str] = set()
    for row in read_csv(ctx.data / CURATED_FILE, required=CURATED_COLUMNS):
        key = row.text("record_key", required=True)
        if not re.fullmatch(r"S232-[A-Z0-9-]+", key):
            raise row.fail("record_key", f"{key!r} is not a key like S232-KOR-STEEL-QUOTA")
        ident = BASE.get(key) or "us-232-" + key.removeprefix("S232-").lower()
        found.add(key)
        node = measure_node(ident)
        kind, product = row.text("record_type", required=True), row.text("product", required=True)
        treatment, country = row.text("country_treatment") or "", row.text("country")
        target = ctx.economy(country, f"{CURATED_FILE}:{row.line}") if country not in (None, "ALL") else None
        effective = row.date("effective_date")
        types = ["section-232"] + (["tariff-rate-quota"] if "tariff-rate quota" in treatment
                                   else ["quota"] if "quota" in treatment else [])
        laws = proclamations(row.text("instrument"))
        for _, law_triples in laws:
            yield from law_triples
        yield from measure(node, _label(kind, product, country if target else None, treatment, effective),
                           types, [s232] + [law for law, _ in laws], target)
        yield node, TKG.stage, text(kind)
        yield from provenance(node, row)
        decided, month = day_or_month(row, "instrument_date")
        yield from comments(node, treatment, row.text("status_note"),
                            f"Instrument: {row.text('instrument')}" if row.text("instrument") else None,
                            f"Instrument dated {month} (month only in the source)" if month else None)
        if effective is not None:
            yield node, TKG.startDate, date(effective)
        if decided is not None:
            yield node, TKG.decisionDate, date(decided)
        yield from _end(ctx, row, node, key, treatment, effective)
        rates = set(percents(row, "tariff_rate"))
        if len(rates) == 1:
            yield node, TKG.rate, decimal(next(iter(rates)))
        elif rates:
            ctx.note(SOURCE, f"{key}: several rates in {row.raw('tariff_rate')!r}; no single tkg:rate stated")
        if key not in BASE and not kind.startswith("investigation"):
            for word, base in (("steel", "us-232-steel"), ("alumin", "us-232-aluminium")):
                if word in product:
                    yield node, TKG.parentMeasure, measure_node(base)
        if key in BASE:
            _cross_check(ctx, row, key, scope.get(BASE[key]), effective, rates)
    if missing := sorted(set(BASE) - found):
        raise SourceError(ctx.data / CURATED_FILE, 0, None, None,
                          f"no {', '.join(missing)} row: the 2018 tariffs need their rate and date")


def _end(ctx: BuildContext, row: Row, node: NamedNode, key: str, treatment: str,
         effective: dt.date | None) -> Iterator[Triple]:
    """The last day (the day before ``end_date``), else a scheduled end in the treatment, else none sourced."""
    stopped, until = row.date("end_date"), _UNTIL.search(treatment)  # "extended to 2025-12-31"
    if stopped is not None:
        if effective is not None and stopped <= effective:
            raise row.fail("end_date", f"{stopped} is not after the effective date {effective}")
        if until:
            ctx.note(SOURCE, f"{key}: ended {stopped} (end_date), before the scheduled end {until.group(1)} "
                             "in country_treatment; the last day is the day before end_date")
        yield from end_status(node, stopped - dt.timedelta(days=1))
    elif until:
        yield from end_status(node, _day(row, "country_treatment", until.group(1)))
    elif effective is not None:
        yield from end_status(node)


def _label(kind: str, product: str, country: str | None, treatment: str, effective: dt.date | None) -> str:
    if kind == "country treatment":
        return f"US Section 232 {product}: {country or 'country'} treatment, {re.split(r'[;:]', treatment)[0]}"
    if kind == "tariff action":
        return f"US Section 232 tariff on {product}" + (f", from {effective.isoformat()}" if effective else "")
    return f"US Section 232 {kind}: {product}"


def _day(row: Row, column: str, value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise row.fail(column, f"{value!r} is not a date (YYYY-MM-DD)") from None


def _cross_check(ctx: BuildContext, row: Row, key: str, scope: tuple | None, effective, rates: set) -> None:
    """The curated 2018 rate and date against the scope file's; a difference is reported, not fatal."""
    if effective is None or len(rates) != 1:
        raise row.fail("tariff_rate" if effective else "effective_date", f"{key} needs one rate and an effective date")
    if scope is None:
        ctx.note(SOURCE, f"{key}: the scope file has no rule for this tariff, so it covers no products")
    elif (scope[0], scope[1]) != (effective, next(iter(rates))):
        ctx.note(SOURCE, f"{key}: curated {effective}/{next(iter(rates))}% but the scope file says "
                         f"{scope[0]}/{scope[1]}% (line {scope[2].line}); the curated values are used")
