"""tradekg from Python (a notebook, a script): the same seam as the CLI and the API — catalog questions through
:func:`tradekg.queries.run`, SPARQL through the one :class:`~tradekg.graph.store.Store` — on the embedded
store or on a SPARQL endpoint, with answers that turn into pandas DataFrames.

    >>> import tradekg
    >>> kg = tradekg.open()                                   # $TRADEKG_STORE or the default store
    >>> kg.query("disputes_between", a="USA", b="CHN").to_pandas()
    >>> kg.sparql("SELECT ?c WHERE { <https://w3id.org/tradekg/id/dispute/DS544> <https://w3id.org/tradekg/ontology#complainant> ?c }")
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from rdflib import Literal

from .graph.store import Rows, Store, open_store
from .settings import default_store


class Table(Rows):
    """A query's answer: a list of rows (dicts of rdflib terms) that knows its columns and becomes a DataFrame."""

    def to_pandas(self, terms: bool = False) -> Any:
        """A pandas DataFrame, one column per variable; IRIs as text, literals as Python values (dates as dates,
        numbers as numbers) unless ``terms`` keeps the rdflib terms. Needs pandas (`pip install tradekg[notebook]`)."""
        try:
            import pandas as pd
        except ImportError as e:  # pragma: no cover - depends on the environment
            raise ImportError("to_pandas() needs pandas: pip install 'tradekg[notebook]'") from e
        convert = (lambda t: t) if terms else _python
        return pd.DataFrame([{v: convert(row.get(v)) for v in self.variables} for row in self], columns=self.variables)


def _python(term: Any) -> Any:
    if term is None:
        return None
    return term.toPython() if isinstance(term, Literal) else str(term)


class KnowledgeGraph:
    """One open graph: ask catalog questions by name, or anything in SPARQL."""

    def __init__(self, store: Store):
        self.store = store

    def query(self, name: str, **params: str) -> Table:
        """Catalog question ``name`` (``kg.queries()`` lists them) with its parameters as text, e.g.
        ``kg.query("common_agreements", a="USA", b="MEX", as_of="2021-01-01")``."""
        from .queries import run

        rows = run(self.store, name, **params)
        return Table(rows, rows.variables)

    def sparql(self, text: str) -> Table:
        """A SELECT query's answer; a query without GRAPH sees the union of all named graphs."""
        rows = self.store.select(text)
        return Table(rows, rows.variables)

    def queries(self) -> Table:
        """The catalog: name, title and parameters of every question."""
        from rdflib import Literal as L

        from .queries import get, names

        return Table(({"name": L(n), "title": L(get(n).title), "params": L(" ".join(get(n).params))} for n in names()),
                     ["name", "title", "params"])

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> KnowledgeGraph:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open(store: str | Path | None = None, endpoint: str | None = None, update_endpoint: str | None = None,
         timeout_s: float = 30.0) -> KnowledgeGraph:  # noqa: A001 - tradekg.open(), as the brief and README name it
    """The graph in the embedded store (``store``, else ``$TRADEKG_STORE``, else the default store), or at a
    SPARQL endpoint (``endpoint``, else ``$TRADEKG_ENDPOINT``). Build the store first with `tradekg build`."""
    endpoint = endpoint or os.environ.get("TRADEKG_ENDPOINT") or None
    path = Path(store).expanduser() if store is not None else default_store()
    return KnowledgeGraph(open_store(path, endpoint, update_endpoint, timeout_s=timeout_s))
