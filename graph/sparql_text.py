"""What /sparql and the store need to know about a SPARQL text before an engine sees it.

Not a parser (the engine parses, and reports errors with their position): comments, strings and
IRIs are blanked out, then keywords are looked for. That is enough to tell a query from an update,
to see a FROM clause (the query then brings its own dataset), to refuse SERVICE and LOAD
unless federation is enabled, and to see functions whose answer changes from run to run (NOW, RAND, …).
"""

from __future__ import annotations

import re
from functools import lru_cache
from itertools import accumulate

from .errors import QuerySyntaxError
from .worker import MAX_NESTING

# Comments, strings and IRIs, matched so that nothing is ever scanned twice: possessive repeats (no
# backtracking into a string), and the closing quote is optional: an unterminated string runs as far as
# it can (to the end of its line) instead of failing and being retried from the next quote. The older
# pattern was quadratic: 90 KB of '"\\' cost minutes.
_OPAQUE = re.compile(r'''"""(?:[^"\\]|\\[\s\S]|"(?!""))*+(?:""")?'''
                     r"""|'''(?:[^'\\]|\\[\s\S]|'(?!''))*+(?:''')?"""
                     r'''|"(?:[^"\\\n]|\\.)*+"?'''
                     r"""|'(?:[^'\\\n]|\\.)*+'?"""
                     r'''|<[^<>"{}|^`\\\s]*+>|\#[^\n]*+''')
MAX_DEPTH = MAX_NESTING  # nested groups ({ ( [) a query may open; deeper is refused before it reaches a worker
_OPEN = "{(["
_FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")
_UPDATES = ("INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH")
_KEYWORDS = frozenset(_FORMS + _UPDATES)
# a word as SPARQL sees it: a variable (?from), a prefixed name (ex:from) or a longer word is one token
_TOKEN = re.compile(_OPAQUE.pattern + r"|(?P<word>[?$]?[\w:-]+)")
_STEP = {"{": 1, "(": 1, "[": 1, "}": -1, ")": -1, "]": -1}


def _keyword(word: str) -> re.Pattern[str]:
    """A keyword that is not part of a variable (?from), a prefixed name (ex:from) or a longer word."""
    return re.compile(r"(?<![?$:\w-])" + word + r"(?![:\w-])", re.IGNORECASE)


_FROM = _keyword("FROM")
_SERVICE = _keyword("SERVICE")
_LOAD = _keyword("LOAD")


@lru_cache(maxsize=16)
def _upper(text: str) -> str:
    return text.upper()


@lru_cache(maxsize=16)
def _plain(text: str) -> str:
    """The text with every comment, string literal and IRI replaced by one space: for keyword checks,
    which need no positions (a constant replacement is several times cheaper than :func:`blank`)."""
    return _OPAQUE.sub(" ", text)


def blank(text: str) -> str:
    """The text with comments, string literals and IRIs replaced by spaces (keywords stay in place)."""
    return _OPAQUE.sub(lambda m: " " * len(m.group(0)), text)


def _mentions(text: str, word: str, pattern: re.Pattern[str]) -> bool:
    # the cheap test first: most texts don't contain the word at all, even inside strings
    return word in _upper(text) and pattern.search(_plain(text)) is not None


@lru_cache(maxsize=16)  # /sparql asks twice per request (form, is_update)
def form(text: str) -> str | None:
    """SELECT, ASK, CONSTRUCT, DESCRIBE, or the first update keyword; None if none is seen.
    Reads tokens from the start and stops at the first keyword (it follows the short prologue)."""
    upper = _upper(text)
    if not any(word in upper for word in _KEYWORDS):
        return None
    for match in _TOKEN.finditer(text):
        word = match.group("word")
        if word is not None and word.upper() in _KEYWORDS:
            return word.upper()
    return None


def is_update(text: str) -> bool:
    return form(text) in _UPDATES


def has_from(text: str) -> bool:
    """True if the query names its own dataset (FROM / FROM NAMED), so the union default must not apply."""
    return _mentions(text, "FROM", _FROM)


def uses_service(text: str) -> bool:
    return _mentions(text, "SERVICE", _SERVICE)


def uses_load(text: str) -> bool:
    return _mentions(text, "LOAD", _LOAD)


# the bare words an update made only of INSERT DATA / DELETE DATA operations may hold: its keywords, the `a`
# shorthand and the boolean literals (IRIs, prefixed names, strings and numbers are not bare words)
_DATA_WORDS = frozenset({"INSERT", "DELETE", "DATA", "GRAPH", "PREFIX", "BASE", "A", "TRUE", "FALSE"})
_BARE_WORD = re.compile(r"(?<![?$:\w@.-])[A-Za-z]+(?![:\w-])")


def ground_data(text: str) -> bool:
    """True if the update is only INSERT DATA / DELETE DATA of quads without blank nodes: applied to two copies
    of the same graph, it leaves them equal quad for quad (an update with a WHERE clause may pick rows in each
    store's own order or call NOW(); a blank node gets a new label in each store). Errs towards False."""
    plain = _plain(text)
    if "_:" in plain or "[" in plain:
        return False
    words = [w.upper() for w in _BARE_WORD.findall(plain)]
    if not set(words) <= _DATA_WORDS:
        return False
    operations = [i for i, w in enumerate(words) if w in ("INSERT", "DELETE")]
    return bool(operations) and all(i + 1 < len(words) and words[i + 1] == "DATA" for i in operations) \
        and words.count("DATA") == len(operations)


# functions whose value changes from one evaluation to the next (SPARQL 1.1 §17.4)
_VOLATILE = re.compile(r"(?<![?$:\w-])(?:NOW|RAND|UUID|STRUUID|BNODE)\s*\(", re.IGNORECASE)


def is_volatile(text: str) -> bool:
    """True if the query calls NOW, RAND, UUID, STRUUID or BNODE: the same text may answer differently on the
    same graph, so its answer is not kept (:mod:`tradekg.api.answer_cache`)."""
    upper = _upper(text)
    return any(word in upper for word in ("NOW", "RAND", "UUID", "BNODE")) and \
        _VOLATILE.search(_plain(text)) is not None


def check_nesting(text: str, most: int = MAX_DEPTH) -> None:
    """QuerySyntaxError with line and column if groups ({ ( [) nest deeper than ``most``: the engine's
    parser recurses per level, and 20,000 ``{`` crashed a query worker."""
    if sum(text.count(c) for c in "{([") <= most:
        return
    brackets = _NOT_BRACKET.sub("", _plain(text))
    depth, index = 0, None
    for start in range(0, len(brackets), 8192):  # chunk by chunk: a deep opening is found early
        depths = list(accumulate(map(_STEP.__getitem__, brackets[start:start + 8192]), initial=depth))[1:]
        if max(depths) > most:
            index = start + next(i for i, d in enumerate(depths) if d > most)
            break
        depth = depths[-1]
    if index is None:
        return
    position = [m.start() for _, m in zip(range(index + 1), _BRACKET.finditer(blank(text)))][-1]
    line = text.count("\n", 0, position) + 1
    column = position - (text.rfind("\n", 0, position) + 1) + 1
    raise QuerySyntaxError(f"groups nest deeper than {most} levels at line {line}, column {column}; "
                           "flatten the query")


_BRACKET = re.compile(r"[{}()\[\]]")
_NOT_BRACKET = re.compile(r"[^{}()\[\]]+")
