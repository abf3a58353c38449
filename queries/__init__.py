"""The query catalog: one SPARQL question per ``.rq`` file in this folder.

Each file starts with a comment header the catalog reads::

    # title: Disputes between two economies
    # description: … (may repeat)
    # param: economy economy USA required; the economy (NAME TYPE EXAMPLE [required;|optional;] DESCRIPTION)
    # require: agreement|provision   (one of these must be given)
    # order: DESC(?count) ?partner    (the catalog sorts the rows; see below)
    # bind: values                     (bind parameters as a VALUES block on the embedded store too; see below)

An optional parameter's filter is written only when the parameter is given: a line of the query
that starts with ``#[NAME]`` is a comment in the file (so the file, pasted into any SPARQL client,
asks the question for "any" value) and becomes SPARQL when NAME is given; a line that ends with
``#[!NAME]`` is SPARQL in the file and is left out when NAME is given. A condition is a
comma-separated list (all must hold) of ``NAME``, ``A|B`` (either given) or ``!NAME``. No
engine-specific test for "was this given" (``BOUND``, ``sameTerm(?x, ?x)``) is needed, and each
engine plans only the filters that apply.

``# order:`` takes the place of an ``ORDER BY`` in a query whose rows carry long ``GROUP_CONCAT`` sets:
Virtuoso 7 sorts whole rows in a temporary table whose rows may not exceed about 4 KB, and refuses
the query (SR319, SR478) once a set outgrows that, while it answers the same query unsorted. The
catalog sorts such answers itself, the same way on every engine (unbound first, numbers by value,
then text; SPARQL's ORDER BY rules); the file pasted elsewhere answers the same rows, unsorted.

``# bind: values`` binds the parameters with the VALUES block a remote endpoint gets, on the embedded store
too, instead of pyoxigraph's substitution: the same rows, and for a few shapes Oxigraph plans the VALUES
join better (trade_between: 62 ms against 202; measured with each catalog query's example).

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
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from importlib.resources import files

from rdflib import Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Identifier

from ..graph.errors import BadParameters, UnknownQuery
from ..graph.remote import bind_values
from ..graph.store import Rows, Store

_NAME = re.compile(r"[a-z][a-z0-9_]*")
_BAD_IRI_CHARS = set('<>"{}|\\^` \n\r\t')
_HEADER = re.compile(r"#\s*(title|description|param|require|order|bind):\s*(.*)")
_ORDER_KEY = re.compile(r"(?:(ASC|DESC)\(\s*\?(\w+)\s*\)|\?(\w+))", re.IGNORECASE)
_WHEN = re.compile(r"^(\s*)#\[([^\]]+)\] ?(.*)$")        # a line written only when its condition holds
_UNLESS = re.compile(r"^(.*?)\s*#\[([^\]]+)\]\s*$")    # a live line left out unless its condition holds
_SET_CONCAT = re.compile(r'GROUP_CONCAT\s*\(\s*DISTINCT\b[^;]*;\s*separator\s*=\s*"([^"]*)"\s*\)\s*AS\s+\?(\w+)',
                         re.IGNORECASE)
# a set passed on under another name: BIND(IF(?list != "", ?list, ?none) AS ?name) ("" made unbound again)
_SET_RENAMED = re.compile(r'BIND\s*\(\s*IF\s*\(\s*\?(\w+)\s*!=\s*""\s*,\s*\?\1\s*,\s*\?\w+\s*\)\s*AS\s+\?(\w+)\s*\)',
                          re.IGNORECASE)
_TERM = re.compile(r"!?[a-z][a-z0-9_]*(\|[a-z][a-z0-9_]*)*")


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
    required: bool = False


@dataclass(frozen=True)
class Query:
    name: str
    title: str
    description: str
    text: str
    params: dict[str, Param] = field(default_factory=dict)
    requires: tuple[tuple[str, ...], ...] = ()  # each: one of these parameters must be given
    order: tuple[tuple[str, bool], ...] = ()     # ``# order:`` keys: (column, descending)
    values: bool = False                         # ``# bind: values``: a VALUES block on every store

    @property
    def set_columns(self) -> dict[str, str]:
        """Columns holding a ``GROUP_CONCAT(DISTINCT …)``: a set written as text, by its separator (also under
        the name a ``BIND(IF(?list != "", ?list, ?none) AS ?name)`` gives it)."""
        columns = {name: sep for sep, name in _SET_CONCAT.findall(self.text)}
        for inner, outer in _SET_RENAMED.findall(self.text):
            if inner in columns:
                columns[outer] = columns[inner]
        return columns

    def tidy(self, rows: Rows) -> Rows:
        """The same answer from every engine: SPARQL leaves the order inside a GROUP_CONCAT open (Oxigraph,
        Jena and Virtuoso each pick their own), and Virtuoso writes "" where the others leave an empty
        concatenation unbound. Set-valued columns come back sorted, without empty members (a query
        writes "" for "none here", since one unbound value makes a whole GROUP_CONCAT unbound), and an
        empty one absent."""
        columns = self.set_columns
        for row in rows:
            for name, sep in columns.items():
                value = row.get(name)
                if value is None:
                    continue
                members = sorted(part for part in str(value).split(sep) if part)
                if not members:
                    del row[name]
                elif sep in str(value):
                    row[name] = Literal(sep.join(members))
        for name, descending in reversed(self.order):  # stable sorts, the last key first
            rows.sort(key=lambda row: _order_key(row.get(name)), reverse=descending)
        return rows

    def bind(self, raw: Mapping[str, str]) -> dict[str, Identifier]:
        """Raw strings (from the CLI or a URL) as the RDF terms the query expects.

        A missing required parameter is an error naming it, not an empty answer."""
        unknown = raw.keys() - self.params.keys()
        if unknown:
            raise BadParameters(f"{self.name}: unknown parameter(s) {sorted(unknown)}; "
                                f"it takes {sorted(self.params) or 'none'}")
        given = {k for k, v in raw.items() if v != ""}
        for names_ in self.requires:
            if not given & set(names_):
                what = " or ".join(names_)
                example = self.params[names_[0]].example
                raise BadParameters(f"{self.name}: parameter {what} is required "
                                    f"(e.g. {names_[0]}={example}); `tradekg queries` lists the parameters")
        return {k: CONVERTERS[self.params[k].type](v) for k, v in raw.items() if v != ""}

    def sparql(self, given: Iterable[str] = ()) -> str:
        """The query text for these given parameters: their ``#[NAME]`` lines written, the rest left out."""
        return _render(self.text, set(given))

    @property
    def example(self) -> dict[str, str]:
        return {p.name: p.example for p in self.params.values() if p.example}


def _order_key(term: Identifier | None) -> tuple:
    """Where a value sorts among a column's values: unbound first, then numbers by value, then
    everything else by its text (SPARQL 1.1 §15.1 leaves the order between kinds open; this is one)."""
    if term is None:
        return (0, 0, "")
    if isinstance(term, Literal) and isinstance(term.value, (int, float, Decimal)) \
            and not isinstance(term.value, bool):
        return (1, term.value, "")
    return (2, 0, str(term))


def _holds(condition: str, given: set[str]) -> bool:
    """``a,!b,c|d``: a given, b not, c or d given."""
    for term in condition.split(","):
        term = term.strip()
        negated = term.startswith("!")
        if any(n in given for n in term.lstrip("!").split("|")) == negated:
            return False
    return True


def _render(text: str, given: set[str]) -> str:
    out = []
    for line in text.splitlines():
        if match := _WHEN.match(line):
            if _holds(match.group(2), given):
                out.append(match.group(1) + match.group(3))
        elif not line.lstrip().startswith("#") and (match := _UNLESS.match(line)):
            if _holds(match.group(2), given):
                out.append(match.group(1))
        else:
            out.append(line)
    return "\n".join(out) + "\n"


def _conditions(name: str, text: str, params: Mapping[str, Param]) -> None:
    """Every ``#[…]`` condition names known parameters; a typo names its line."""
    for number, line in enumerate(text.splitlines(), start=1):
        match = _WHEN.match(line) or (not line.lstrip().startswith("#") and _UNLESS.match(line))
        if not match:
            continue
        for term in match.group(2).split(","):
            term = term.strip()
            unknown = set(term.lstrip("!").split("|")) - params.keys()
            if not _TERM.fullmatch(term) or unknown:
                raise ValueError(f"queries/{name}.rq line {number}: condition {term!r} names no parameter "
                                 f"of the query ({sorted(params)})")


def parse(name: str, text: str) -> Query:
    """A catalog query from its file text; a malformed header names the line."""
    title, description, params, requires, order, values = "", [], {}, [], [], False
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
        elif key == "require":
            requires.append(tuple(n.strip() for n in value.split("|")))
        elif key == "bind":
            if value.strip() != "values":
                raise ValueError(f"queries/{name}.rq line {number}: expected '# bind: values'")
            values = True
        elif key == "order":
            keys = value.split()
            if not keys or not all(_ORDER_KEY.fullmatch(k) for k in keys):
                raise ValueError(f"queries/{name}.rq line {number}: expected '# order: KEY …' with each KEY "
                                 "?column, ASC(?column) or DESC(?column)")
            for k in keys:
                direction, inside, bare = _ORDER_KEY.fullmatch(k).groups()
                order.append((inside or bare, (direction or "").upper() == "DESC"))
        else:
            parts = value.split(maxsplit=3)
            if len(parts) < 2 or parts[1] not in CONVERTERS:
                raise ValueError(f"queries/{name}.rq line {number}: expected "
                                 f"'# param: NAME TYPE [EXAMPLE [DESCRIPTION]]' with TYPE in {sorted(CONVERTERS)}")
            about = parts[3] if len(parts) > 3 else ""
            params[parts[0]] = Param(parts[0], parts[1], parts[2] if len(parts) > 2 else "", about,
                                     required=about.startswith("required;"))
            if about.startswith("required;"):
                requires.append((parts[0],))
    if not title:
        raise ValueError(f"queries/{name}.rq has no '# title:' line")
    for group in requires:
        if set(group) - params.keys():
            raise ValueError(f"queries/{name}.rq: '# require: {'|'.join(group)}' names an unknown parameter")
    body = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
    for column, _ in order:
        if not re.search(rf"\?{column}\b", body):
            raise ValueError(f"queries/{name}.rq: '# order:' names ?{column}, which the query does not have")
    if order and re.search(r"^\s*ORDER\s+BY\b", text, re.IGNORECASE | re.MULTILINE):
        raise ValueError(f"queries/{name}.rq has both '# order:' and ORDER BY; keep one")
    _conditions(name, text, params)
    return Query(name, title, " ".join(description), text, params, tuple(requires), tuple(order), values)


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
    text = query.sparql(bindings)
    if query.values and bindings:
        return query.tidy(store.select(bind_values(text, bindings)))
    return query.tidy(store.select(text, bindings))
