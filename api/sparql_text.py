"""What /sparql needs to know about a request's SPARQL text before an engine sees it.

Not a parser (the engine parses, and reports errors with their position): comments, strings and
IRIs are blanked out, then keywords are looked for. That is enough to tell a query from an update,
to see a FROM clause (the query then brings its own dataset) and to refuse SERVICE and LOAD
unless federation is enabled.
"""

from __future__ import annotations

import re

_OPAQUE = re.compile(r'''"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|'''
                     r'''<[^<>"{}|^`\\\s]*>|\#[^\n]*''')
_FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")
_UPDATES = ("INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH")


def _keyword(*words: str) -> re.Pattern[str]:
    """A keyword that is not part of a variable (?from), a prefixed name (ex:from) or a longer word."""
    return re.compile(r"(?<![?$:\w-])(" + "|".join(words) + r")(?![:\w-])", re.IGNORECASE)


_FORM = _keyword(*_FORMS, *_UPDATES)
_FROM = _keyword("FROM")
_SERVICE = _keyword("SERVICE")
_LOAD = _keyword("LOAD")


def blank(text: str) -> str:
    """The text with comments, string literals and IRIs replaced by spaces (keywords stay in place)."""
    return _OPAQUE.sub(lambda m: " " * len(m.group(0)), text)


def form(text: str) -> str | None:
    """SELECT, ASK, CONSTRUCT, DESCRIBE, or the first update keyword; None if none is seen."""
    match = _FORM.search(blank(text))
    return match.group(1).upper() if match else None


def is_update(text: str) -> bool:
    return form(text) in _UPDATES


def has_from(text: str) -> bool:
    """True if the query names its own dataset (FROM / FROM NAMED), so the union default must not apply."""
    return _FROM.search(blank(text)) is not None


def uses_service(text: str) -> bool:
    return _SERVICE.search(blank(text)) is not None


def uses_load(text: str) -> bool:
    return _LOAD.search(blank(text)) is not None
