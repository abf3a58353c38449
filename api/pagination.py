"""Stable keyset pagination: a page is "the first ``limit`` items whose sort key is after the cursor".

The cursor is the last item's sort key, base64url-encoded JSON: opaque to clients, and stable
where OFFSET is not (an item added or removed before the cursor does not shift later pages).
Catalog queries are fixed files, so the key condition is applied to their (cached) answer.
"""

from __future__ import annotations

import base64
import binascii
import json
from bisect import bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from ..graph.errors import BadParameters

T = TypeVar("T")
Key = tuple[Any, ...]


def encode(key: Key) -> str:
    return base64.urlsafe_b64encode(json.dumps(list(key), separators=(",", ":")).encode()).decode().rstrip("=")


def decode(cursor: str) -> Key:
    """The sort key inside a cursor; BadParameters for anything not made by :func:`encode`.

    A whole ``next`` URL given as the cursor (as clients did when ``next`` was a bare cursor) is read for its
    ``cursor`` parameter."""
    if cursor.startswith(("http://", "https://", "/")):
        from urllib.parse import parse_qs, urlsplit

        cursor = (parse_qs(urlsplit(cursor).query).get("cursor") or [""])[-1]
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        key = json.loads(raw, parse_constant=_no_constant)
    except (binascii.Error, ValueError, UnicodeDecodeError, RecursionError):
        raise BadParameters(f"not a cursor from this API: {cursor[:40]!r}; follow the `next` URL of a page") from None
    if not isinstance(key, list) or not all(isinstance(k, (str, int, float)) and not isinstance(k, bool)
                                            for k in key):
        raise BadParameters(f"not a cursor from this API: {cursor[:40]!r}")
    return tuple(key)


def decode_offset(cursor: str, most: int) -> int:
    """A cursor that encodes a position (``[n]``, 0 ≤ n ≤ ``most``), checked as one: a forged ``[1e+300]``,
    ``[]``, ``["x"]``, ``[-1]`` or a float is a 422, never work sized by the client."""
    key = decode(cursor)
    if len(key) != 1 or not isinstance(key[0], int) or not 0 <= key[0] <= most:
        raise BadParameters(f"not a cursor from this API: {cursor[:40]!r} (a page position from 0 to {most} "
                            "was expected); follow the `next` URL of a page")
    return key[0]


def _no_constant(name: str) -> None:
    raise ValueError(f"{name} is not a cursor value")


@dataclass(frozen=True)
class Ordered(Generic[T]):
    """Items in key order with their keys, built once per answer, so a page is a bisection and a slice."""

    items: list[T]
    keys: list[Key]

    @classmethod
    def of(cls, items: Sequence[T], key: Callable[[T], Key]) -> Ordered[T]:
        ordered = sorted(items, key=key)
        return cls(ordered, [tuple(key(item)) for item in ordered])

    def page(self, limit: int, cursor: str | None) -> tuple[list[T], str | None]:
        """The first ``limit`` items after ``cursor``, and the cursor of the next page (None at the end)."""
        start = 0
        if cursor:
            try:
                start = bisect_right(self.keys, decode(cursor))
            except TypeError:
                raise BadParameters("this cursor belongs to another list; start again without `cursor`") from None
        end = start + limit
        return self.items[start:end], (encode(self.keys[end - 1]) if end < len(self.items) else None)


def page(items: Sequence[T], key: Callable[[T], Key], limit: int, cursor: str | None) -> tuple[list[T], str | None]:
    """One page of ``items`` in key order after ``cursor``, and the cursor of the next page (None at the end)."""
    return Ordered.of(items, key).page(limit, cursor)
