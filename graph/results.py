"""Writing query answers for people and programs: aligned tables, SPARQL 1.1 CSV/TSV and JSON."""

from __future__ import annotations

import csv
import io
import json

from rdflib import BNode, Literal, URIRef
from rdflib.term import Identifier

from .store import Rows
from .terms import PREFIXES


def _csv_value(term: Identifier | None) -> str:
    """SPARQL 1.1 CSV: IRIs and literals as plain strings, blank nodes as _:b."""
    if term is None:
        return ""
    if isinstance(term, BNode):
        return f"_:{term}"
    return str(term)


def _tsv_value(term: Identifier | None) -> str:
    """SPARQL 1.1 TSV: terms in Turtle syntax (<iri>, "literal"^^<dt>, _:b)."""
    if term is None:
        return ""
    return term.n3()


def _json_value(term: Identifier) -> dict[str, str]:
    if isinstance(term, URIRef):
        return {"type": "uri", "value": str(term)}
    if isinstance(term, BNode):
        return {"type": "bnode", "value": str(term)}
    assert isinstance(term, Literal)
    value = {"type": "literal", "value": str(term)}
    if term.language:
        value["xml:lang"] = term.language
    elif term.datatype:
        value["datatype"] = str(term.datatype)
    return value


def short(term: Identifier | None) -> str:
    """A compact rendering for the terminal: prefixed names where a known prefix fits."""
    if term is None:
        return ""
    if isinstance(term, URIRef):
        for prefix, ns in PREFIXES.items():
            if str(term).startswith(ns) and len(str(term)) > len(ns):
                return f"{prefix}:{str(term)[len(ns):]}"
        return f"<{term}>"
    return str(term)


def write(rows: Rows, fmt: str) -> str:
    """``rows`` as text in ``fmt``: table, csv, tsv or json (SPARQL 1.1 results formats)."""
    variables = rows.variables
    if fmt == "json":
        return json.dumps({"head": {"vars": variables},
                           "results": {"bindings": [{k: _json_value(v) for k, v in row.items()} for row in rows]}},
                          indent=1, ensure_ascii=False)
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(variables)
        writer.writerows([_csv_value(row.get(v)) for v in variables] for row in rows)
        return out.getvalue()
    if fmt == "tsv":
        lines = ["\t".join(f"?{v}" for v in variables)]
        lines += ["\t".join(_tsv_value(row.get(v)) for v in variables) for row in rows]
        return "\n".join(lines) + "\n"
    if fmt == "table":
        cells = [[short(row.get(v)) for v in variables] for row in rows]
        widths = [max([len(v)] + [len(c[i]) for c in cells]) for i, v in enumerate(variables)]
        lines = ["  ".join(v.ljust(w) for v, w in zip(variables, widths)).rstrip(),
                 "  ".join("-" * w for w in widths)]
        lines += ["  ".join(c.ljust(w) for c, w in zip(cell, widths)).rstrip() for cell in cells]
        lines.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
        return "\n".join(lines) + "\n"
    raise ValueError(f"unknown format {fmt!r}; use table, csv, tsv or json")
