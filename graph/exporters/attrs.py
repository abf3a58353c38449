"""Attribute values every writer can hold, and the time facts (spells) the dynamic formats play.

The conversion rules, the same in every format (README of this package says why):

* ``None`` is **dropped**: the attribute is left out of that node or edge (an empty cell in CSV),
  because GraphML, GEXF and DOT have no null and an empty string would read as a value;
* lists, tuples and sets of scalars are **joined** with ``"; "`` (sets sorted first) in the flat
  formats (GraphML, GEXF, DOT, CSV), and kept as arrays in the JSON formats;
* dicts, and lists holding dicts or lists, become **JSON strings** (sorted keys) in every format but
  the node-link JSON, which holds them as they are; dataclasses are turned into dicts first;
* booleans, integers, floats and strings are kept (numpy scalars become the Python ones); any
  other object becomes ``str(value)``.

Edges may carry ``spells``: a list of ``(start, end)`` ISO dates (``end`` None: still in force),
one per dated link behind the edge. GEXF writes them as time intervals and the HTML page's slider
filters on them; the other formats get them as a JSON string.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Iterable, Mapping
from typing import Any

SEPARATOR = "; "
Scalar = str | int | float | bool


def jsonable(value: Any) -> Any:
    """``value`` as plain JSON data: dataclasses and mappings as dicts, tuples and sets as lists."""
    if type(value).__module__ == "numpy" and hasattr(value, "item"):  # numpy scalars (layouts, scores)
        value = value.item()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return jsonable(dataclasses.asdict(value))
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (set, frozenset)):
        return [jsonable(v) for v in sorted(value, key=str)]
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def _scalar(value: Any) -> bool:
    return isinstance(value, (str, int, float, bool))


def flat(value: Any) -> Scalar | None:
    """One value for a flat format (GraphML, GEXF, DOT, CSV); None means "leave the attribute out"."""
    if value is None or type(value) in (str, int, float, bool):
        return value
    data = jsonable(value)
    if isinstance(data, list) and all(_scalar(v) for v in data):
        return SEPARATOR.join(str(v) for v in data)
    return json.dumps(data, sort_keys=True, ensure_ascii=False) if isinstance(data, (dict, list)) else data


def for_json(value: Any, nested: bool) -> Any:
    """One value for JSON: arrays of scalars kept; objects kept when ``nested`` else JSON strings."""
    data = jsonable(value)
    if nested or not isinstance(data, (dict, list)):
        return data
    if isinstance(data, list) and all(_scalar(v) for v in data):
        return data
    return json.dumps(data, sort_keys=True, ensure_ascii=False)


def flat_attrs(attrs: Mapping[str, Any]) -> dict[str, Scalar]:
    """Every attribute converted by :func:`flat`, the None ones left out."""
    out = {}
    for key, value in attrs.items():
        converted = flat(value)
        if converted is not None:
            out[str(key)] = converted
    return out


def json_attrs(attrs: Mapping[str, Any], nested: bool) -> dict[str, Any]:
    return {str(k): for_json(v, nested) for k, v in attrs.items() if v is not None}


# --- time ---------------------------------------------------------------------------------------

Spell = tuple[str, str | None]


def spells(attrs: Mapping[str, Any]) -> list[Spell]:
    """The edge's ``spells`` as sorted (start, end) pairs; undated ones (no start) are left out."""
    found = [(str(s), None if e in (None, "") else str(e)) for s, e in attrs.get("spells") or () if s]
    return sorted(found, key=lambda se: (se[0], se[1] or "9999-12-31"))


def interval(found: list[Spell]) -> tuple[str | None, str | None]:
    """The span covering every spell: the first start, and the last end (None if any is open)."""
    if not found:
        return None, None
    ends = [e for _, e in found]
    return found[0][0], (None if any(e is None for e in ends) else max(ends))  # type: ignore[type-var]


def day_before(day: str) -> str:
    return (dt.date.fromisoformat(day) - dt.timedelta(days=1)).isoformat()


def steps(found: Iterable[Spell]) -> list[tuple[str, str | None, int]]:
    """How many links are in force over time: (start, end, count) steps, ends inclusive, count > 0."""
    events: dict[str, int] = {}
    for start, end in found:
        events[start] = events.get(start, 0) + 1
        if end is not None:
            after = (dt.date.fromisoformat(end) + dt.timedelta(days=1)).isoformat()
            events[after] = events.get(after, 0) - 1
    out: list[tuple[str, str | None, int]] = []
    count, days = 0, sorted(events)
    for i, day in enumerate(days):
        count += events[day]
        if count > 0:
            out.append((day, day_before(days[i + 1]) if i + 1 < len(days) else None, count))
    return out


# --- looks: one palette and size rule shared by the page, the pictures and GEXF's viz ----------

PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#17becf",
           "#bcbd22", "#7f7f7f", "#aec7e8", "#ffbb78", "#98df8a", "#ff9896", "#c5b0d5", "#c49c94")
TYPE_COLOURS = {"economy": "#1f77b4", "dispute": "#d62728", "measure": "#ff7f0e", "agreement": "#2ca02c"}
OTHER = "#b0b0b0"


def colours(values: Mapping[Any, Any], by: str) -> tuple[dict[Any, str], dict[str, str]]:
    """A colour per node from its ``by`` value, and the legend (value → colour), most frequent first;
    past the palette's length the rest share grey ("other")."""
    counts: dict[str, int] = {}
    for v in values.values():
        counts[str(v)] = counts.get(str(v), 0) + 1
    order = sorted(counts, key=lambda v: (-counts[v], v))
    keep = order if len(order) <= len(PALETTE) else order[:len(PALETTE) - 1]
    legend = {v: (TYPE_COLOURS.get(v, PALETTE[i]) if by == "type" else PALETTE[i]) for i, v in enumerate(keep)}
    if len(keep) < len(order):
        legend["other"] = OTHER
    return {n: legend.get(str(v), OTHER) for n, v in values.items()}, legend


def sizes(scores: Mapping[Any, float], small: float = 6.0, large: float = 40.0) -> dict[Any, float]:
    """Node sizes from a centrality score: square-root scaled between ``small`` and ``large``."""
    if not scores:
        return {}
    top = max(scores.values()) or 1.0
    return {n: round(small + (large - small) * (max(s, 0.0) / top) ** 0.5, 2) for n, s in scores.items()}


def hex_rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def column_types(rows: Iterable[Mapping[str, Scalar]]) -> dict[str, type]:
    """One type per attribute over all nodes (or edges): bool, int, float, else str, so that a
    typed format (GraphML, GEXF) declares each attribute once."""
    seen: dict[str, set[type]] = {}
    for row in rows:
        for key, value in row.items():
            seen.setdefault(key, set()).add(type(value))
    out: dict[str, type] = {}
    for key, kinds in seen.items():
        out[key] = kinds.pop() if len(kinds) == 1 else float if kinds <= {int, float} else str
    return out
