"""The query catalog: one SPARQL question per ``.rq`` file in this folder.

Each file starts with a comment header the catalog reads::

    # title: Disputes between two economies
    # description: … (may repeat)
    # param: NAME TYPE EXAMPLE DESCRIPTION      e.g. "# param: a economy USA one economy (required)"

TYPE is one of ``CONVERTERS`` (iri, literal, date, int, economy, product, dispute); the EXAMPLE values
together are the query's example (``Query.example``), used by ``--show``, the API docs and the tests.

Parameters reach the engine only as bound RDF terms (pyoxigraph substitutions, or an escaped
VALUES block for a remote endpoint), never pasted into the text. For that to give the same
answer on every engine, a parameter is projected, bound in a top-level pattern, and a GROUP BY
key when the query aggregates (checked over the whole catalog by the tests).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files

from rdflib import Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Identifier

from ..graph.errors import BadParameters, UnknownQuery
from ..graph.store import Rows, Store

_NAME = re.compile(r"[a-z][a-z0-9_]*")
_BAD_IRI_CHARS = set('<>"{}|\\^` \n\r\t')
_HEADER = re.compile(r"#\s*(title|description|param):\s*(.*)")


def iri(value: str) -> URIRef:
    """An absolute http(s) IRI with none of the characters that could break out of one."""
    if not value.startswith(("http://", "https://")) or _BAD_IRI_CHARS & set(value):
        raise BadParameters(f"not an http(s) IRI: {value!r}")
    return URIRef(value)


def _date(value: str) -> Literal:
    try:
        return Literal(dt.date.fromisoformat(value).isoformat(), datatype=XSD.date)
    except ValueError:
        raise BadParameters(f"not a date (YYYY-MM-DD): {value!r}") from None


def _int(value: str) -> Literal:
    try:
        return Literal(int(value), datatype=XSD.integer)
    except ValueError:
        raise BadParameters(f"not a whole number: {value!r}") from None


_ID = "https://w3id.org/tradekg/id/"


def _economy(value: str) -> URIRef:
    """An economy IRI, or a code or name: USA, us, EU, EEC, European Union, Chinese Taipei, Taiwan."""
    if value.startswith(("http://", "https://")):
        return iri(value)
    from ..data import bundled

    code = _reconciler(bundled()).resolve(value, "parameter", remember=False)
    if code is None:
        raise BadParameters(f"no economy is known as {value!r}; use an ISO 3166 code such as USA or CHN, or EUN/EU")
    return URIRef(f"{_ID}economy/{code}")


@cache
def _reconciler(data):  # one crosswalk read per process
    from ..graph.economies import Reconciler

    return Reconciler.from_crosswalk(data / "crosswalks" / "economy_aliases.csv")


def _product(value: str) -> URIRef:
    """An HS 2022 node, from an IRI or a code (72, 7208, 720810, with or without dots)."""
    if value.startswith(("http://", "https://")):
        return iri(value)
    digits = "".join(ch for ch in value if ch.isdigit())
    if len(digits) not in (2, 4, 6) or len(digits) != len(value.replace(".", "").strip()):
        raise BadParameters(f"not an HS code of 2, 4 or 6 digits: {value!r}")
    return URIRef(f"{_ID}hs2022/{digits}")


def _dispute(value: str) -> URIRef:
    """A dispute IRI, from an IRI or a WTO number: DS544, ds544 or 544."""
    if value.startswith(("http://", "https://")):
        return iri(value)
    match = re.fullmatch(r"(?i)(?:ds)?\s*([1-9][0-9]*)", value.strip())
    if not match:
        raise BadParameters(f"not a WTO dispute number such as DS544: {value!r}")
    return URIRef(f"{_ID}dispute/DS{match.group(1)}")


CONVERTERS = {"iri": iri, "literal": Literal, "date": _date, "int": _int, "economy": _economy,
              "product": _product, "dispute": _dispute}


@dataclass(frozen=True)
class Param:
    name: str
    type: str
    example: str
    description: str = ""


@dataclass(frozen=True)
class Query:
    name: str
    title: str
    description: str
    text: str
    params: dict[str, Param] = field(default_factory=dict)

    def bind(self, raw: Mapping[str, str]) -> dict[str, Identifier]:
        """Raw strings (from the CLI or a URL) as the RDF terms the query expects."""
        unknown = raw.keys() - self.params.keys()
        if unknown:
            raise BadParameters(f"{self.name}: unknown parameter(s) {sorted(unknown)}; "
                                f"it takes {sorted(self.params) or 'none'}")
        return {k: CONVERTERS[self.params[k].type](v) for k, v in raw.items() if v != ""}

    @property
    def example(self) -> dict[str, str]:
        return {p.name: p.example for p in self.params.values() if p.example}


def parse(name: str, text: str) -> Query:
    """A catalog query from its file text; a malformed header names the line."""
    title, description, params = "", [], {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.startswith("#"):
            break
        match = _HEADER.match(line)
        if not match:
            continue
        key, value = match.groups()
        if key == "title":
            title = value.strip()
        elif key == "description":
            description.append(value.strip())
        else:
            parts = value.split(maxsplit=3)
            if len(parts) < 2 or parts[1] not in CONVERTERS:
                raise ValueError(f"queries/{name}.rq line {number}: expected "
                                 f"'# param: NAME TYPE [EXAMPLE [DESCRIPTION]]' with TYPE in {sorted(CONVERTERS)}")
            params[parts[0]] = Param(parts[0], parts[1], parts[2] if len(parts) > 2 else "",
                                     parts[3] if len(parts) > 3 else "")
    if not title:
        raise ValueError(f"queries/{name}.rq has no '# title:' line")
    return Query(name, title, " ".join(description), text, params)


def names() -> list[str]:
    return sorted(p.name[:-3] for p in files(__name__).iterdir() if p.name.endswith(".rq"))


@cache
def get(name: str) -> Query:
    if not _NAME.fullmatch(name) or name not in names():
        raise UnknownQuery(f"no query named {name!r}; `tradekg queries` lists them")
    return parse(name, (files(__name__) / f"{name}.rq").read_text(encoding="utf-8"))


def run(store: Store, name: str, **raw: str) -> Rows:
    """Answer one catalog question: the only way a question gets answered, from any face."""
    query = get(name)
    bindings = query.bind(raw)  # refuse bad input before touching the store
    return store.select(query.text, bindings)
