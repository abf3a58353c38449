"""Path ids to IRIs, and 404s with the closest matches: what the relationship routes share about naming.

Ids are the IRI path under ``https://w3id.org/tradekg/id/{kind}/`` (``DS544``, ``usmca/USMCA-MEX-GE-CORN``,
``us-232-steel``, ``rta/1087``), checked by a pattern before any query runs.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable

from ... import queries
from ...graph.errors import BadParameters
from ..deps import ID
from ..errors import NotFound

ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._+()-]*(/[A-Za-z0-9._+()-]+)*$"
_ID = re.compile(ID_PATTERN)


def iri(kind: str, local: str) -> str:
    """The IRI of ``{kind}/{local}``; NotFound for a path no tradekg id can have."""
    if not _ID.fullmatch(local):
        raise NotFound(f"{local!r} is not a {kind} id (letters, digits, . _ + - ( ) and /)")
    return f"{ID}{kind}/{local}"


def local(value: str, kind: str) -> str:
    """``https://w3id.org/tradekg/id/{kind}/X`` → ``X`` (the id used in paths)."""
    prefix = f"{ID}{kind}/"
    return value[len(prefix):] if value.startswith(prefix) else value


def economy(code: str, known: Callable[[], Iterable[tuple[str, str]]] = list) -> str:
    """An economy IRI from a code or name in any case (USA, us, EU, Chinese Taipei) or its IRI.

    ``known()`` gives (code, label) pairs for the closest matches when nothing fits: NotFound with suggestions.
    """
    try:
        return str(queries.CONVERTERS["economy"](code))
    except BadParameters:
        raise NotFound(f"no economy is known as {code!r}; use an ISO 3166 code such as USA, a name, "
                       "or EU for the European Union", suggest(code, known())) from None


def suggest(given: str, known: Iterable[tuple[str, str]], n: int = 5) -> list[str]:
    """The codes whose code or label is closest to ``given`` (difflib ratio), best first."""
    pairs = list(known)
    by_key: dict[str, str] = {}
    for code, label in pairs:
        by_key.setdefault(code.casefold(), code)
        if label:
            by_key.setdefault(label.casefold(), code)
    matches = difflib.get_close_matches(given.casefold(), list(by_key), n=n * 2, cutoff=0.5)
    found: list[str] = []
    for match in matches:
        if by_key[match] not in found:
            found.append(by_key[match])
    return found[:n]


def dispute_candidates(dispute_id: str) -> list[str]:
    """IRIs a dispute id may name: DS544/ds544/544 for WTO cases; USMCA and unnumbered cases by their path
    (``usmca/USMCA-MEX-GE-CORN``) or bare id (``USMCA-MEX-GE-CORN``)."""
    if re.fullmatch(r"(?i)(ds)?\s*[1-9][0-9]*", dispute_id.strip()):
        return [str(queries.CONVERTERS["dispute"](dispute_id))]
    if "/" in dispute_id:
        return [iri("dispute", dispute_id)]
    return [iri("dispute", f"{prefix}{dispute_id}") for prefix in ("", "usmca/", "wto-unnumbered/")]


def agreement_candidates(agreement_id: str) -> list[str]:
    """``rta/1087``, ``wto/GATT1994``, ``desta/1007``; a bare number is a WTO RTA id, a bare name a WTO agreement."""
    if "/" in agreement_id:
        return [iri("agreement", agreement_id)]
    if agreement_id.isdigit():
        return [iri("agreement", f"rta/{agreement_id}")]
    return [iri("agreement", f"wto/{agreement_id}")]
