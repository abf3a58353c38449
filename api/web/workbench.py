"""The SPARQL workbench at ``/query`` (and ``/sparql`` when a browser asks): a form that works without
script — the query runs on the server through the same engine as ``/sparql`` (worker processes, time
limit, row cap) and the answer comes back as a table whose IRIs link to their pages. A small script adds
syntax highlighting and Ctrl+Enter; every catalog query is an example, with its example parameters bound.
"""

from __future__ import annotations

import json
import re
from functools import cache
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from rdflib import BNode, Literal, URIRef

from ... import __version__, queries
from ...graph.errors import TradeKGError
from ...graph.remote import bind_values
from ...graph.worker import Job
from ...graph import sparql_text
from .. import formats
from .render import PREFIXES, page

router = APIRouter(include_in_schema=False)
SHOWN_ROWS = 1_000  # rows drawn in the page; the downloads carry the whole answer
DEFAULT = """PREFIX tkg: <https://w3id.org/tradekg/ontology#>
PREFIX id: <https://w3id.org/tradekg/id/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>

# Who brought DS544, and who joined as a third party?
SELECT ?role ?economy ?name WHERE {
  VALUES ?role { tkg:complainant tkg:respondent tkg:thirdParty }
  <https://w3id.org/tradekg/id/dispute/DS544> ?role ?economy .
  ?economy rdfs:label ?name .
}
ORDER BY ?role ?name
"""


@cache
def examples() -> list[dict[str, str]]:
    """Every catalog query, its example parameters bound (as `tradekg query NAME --show` prints it)."""
    found = []
    for name in queries.names():
        query = queries.get(name)
        try:
            text = bind_values(query.text, query.bind(query.example))
        except TradeKGError:
            text = query.text
        found.append({"name": name, "title": query.title, "text": text})
    return found


def wants_html(request: Request) -> bool:
    """A browser: text/html preferred over every SPARQL results and RDF format (SPARQL clients never ask for it)."""
    ranges = formats.parse_accept(request.headers.get("accept"))
    offered = {"text/html": "html", **formats.RESULT_TYPES, **formats.GRAPH_TYPES}
    return formats.choose_media(ranges, offered) == "text/html" and any(r.subtype == "html" for r in ranges)


# ?format= / ?output= on /sparql: the Accept header a client that cannot set one means (pandas.read_csv(url))
FORMAT_ACCEPT = {
    "csv": "text/csv", "tsv": "text/tab-separated-values",
    "json": "application/sparql-results+json, application/ld+json;q=0.9",
    "xml": "application/sparql-results+xml, application/rdf+xml;q=0.9",
    "ttl": "text/turtle", "turtle": "text/turtle", "nt": "application/n-triples", "ntriples": "application/n-triples",
    "nq": "application/n-quads", "trig": "application/trig", "rdfxml": "application/rdf+xml",
    "jsonld": "application/ld+json",
}


def format_accept(request: Request) -> str | None:
    """The Accept a ``format``/``output`` parameter stands for, for clients that cannot set the header (pandas
    sends */*, a browser's download link sends its page Accept). A client that names a SPARQL or RDF type in
    Accept keeps it: SPARQLWrapper sends `format=turtle` (or n3, json-ld) next to the header it means."""
    given = request.query_params.get("format") or request.query_params.get("output")
    if not given:
        return None
    ranges = formats.parse_accept(request.headers.get("accept"))
    browser = any(r.subtype == "html" for r in ranges)
    offered = {*formats.RESULT_TYPES, *formats.GRAPH_TYPES}
    if not browser and any(r.q > 0 and f"{r.type}/{r.subtype}" in offered for r in ranges):
        return None
    name = given.strip().lower()
    if name in FORMAT_ACCEPT:
        return FORMAT_ACCEPT[name]
    if name in offered:
        return name  # a media type, as some endpoints take it (format=text/csv)
    from ..errors import SparqlError

    raise SparqlError(400, f"unknown format {given!r}; use one of {', '.join(FORMAT_ACCEPT)}")


def run(request: Request, text: str) -> dict:
    """The query's answer for the page: variables and rows (terms as rdflib terms), or an error message."""
    if sparql_text.is_update(text):
        return {"error": "This is an update; the workbench only reads. Updates go to /sparql with the update token."}
    settings, engine = request.app.state.settings, request.app.state.engine
    if not settings.allow_service and sparql_text.uses_service(text):
        return {"error": "SERVICE (federated query) is disabled on this endpoint."}
    job = Job(text, "JSON", "N_TRIPLES", settings.row_cap, union=not sparql_text.has_from(text),
              accept="application/sparql-results+json")
    try:
        answer = engine.run(job)
    except TradeKGError as e:
        return {"error": str(e)}
    except Exception as e:  # noqa: BLE001 - the pool's timeout and busy errors: shown, not raised
        return {"error": f"{type(e).__name__}: {e}"}
    if not answer.ok:
        return {"error": ("Malformed query: " if answer.kind == "syntax" else "") + answer.message,
                "where": _where(text, answer.message)}
    if answer.kind == "graph" or (answer.media and "json" not in answer.media):
        return {"graph": answer.body.decode("utf-8", "replace")}
    data = json.loads(answer.body)
    if "boolean" in data:
        return {"boolean": data["boolean"]}
    names = data["head"]["vars"]
    rows = [[_term(b.get(v)) for v in names] for b in data["results"]["bindings"]]
    return {"vars": names, "rows": rows, "truncated": answer.truncated}


def _where(text: str, message: str) -> dict | None:
    """The line and column the parser names ("error at 3:14"), with that line, for a caret under it."""
    match = re.search(r"\bat (\d+):(\d+)", message)
    if not match:
        return None
    line, column = int(match.group(1)), int(match.group(2))
    lines = text.splitlines() or [""]
    if not 1 <= line <= len(lines):
        return None
    return {"line": line, "column": column, "text": lines[line - 1], "caret": " " * max(column - 1, 0) + "^"}


def _term(binding: dict | None):  # noqa: ANN202 - an rdflib term or None
    if binding is None:
        return None
    kind, value = binding["type"], binding["value"]
    if kind == "uri":
        return URIRef(value)
    if kind == "bnode":
        return BNode(value)
    return Literal(value, lang=binding.get("xml:lang"), datatype=binding.get("datatype"))


@router.get("/query", response_class=HTMLResponse)
def workbench(request: Request, query: str | None = Query(None, max_length=100_000),
              example: str | None = Query(None, max_length=100)) -> HTMLResponse:
    return HTMLResponse(render(request, query, example))


def render(request: Request, query: str | None, example: str | None = None) -> str:
    """The workbench page; with ``query`` (or a catalog ``example``), its answer below the editor."""
    catalog = examples()
    chosen = next((e for e in catalog if e["name"] == example), None)
    text = chosen["text"] if chosen else query
    answer = run(request, text) if text and text.strip() else None
    downloads = {fmt: "/sparql?" + urlencode({"query": text, "format": fmt}) for fmt in ("csv", "tsv", "json", "xml")} \
        if text else {}
    return page("workbench.html", text=text or DEFAULT, answer=answer, examples=catalog, chosen=example,
                downloads=downloads, shown=SHOWN_ROWS, prefixes=PREFIXES, version=__version__)
