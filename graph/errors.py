"""Every error tradekg raises on purpose; the CLI and the API translate these, and only these."""

from __future__ import annotations

from pathlib import Path


class TradeKGError(Exception):
    """Base class: a failure the user can act on, with a message that says how."""


class SourceError(TradeKGError):
    """A malformed row in an input file: names the file, line and column."""

    def __init__(self, path: Path | str, line: int, column: int | None, field: str | None, problem: str):
        self.path, self.line, self.column, self.field, self.problem = str(path), line, column, field, problem
        where = f"{self.path}, line {line}"
        if column is not None:
            where += f", column {column}"
            if field:
                where += f" ({field})"
        super().__init__(f"{where}: {problem}")


class ReconciliationError(TradeKGError):
    """Source names or codes that map to no economy: add them to data/crosswalks/economy_aliases.csv."""


class ValidationError(TradeKGError):
    """The built graph does not conform to ontology/shapes.ttl."""


class BuildError(TradeKGError):
    """The build could not finish; the previous store is left as it was."""


class StoreError(TradeKGError):
    """The store could not be opened, read or written."""


class EndpointError(StoreError):
    """A remote SPARQL endpoint is down, slow or answered an error."""


class QuerySyntaxError(TradeKGError):
    """A SPARQL query could not be parsed; the message carries the parser's words and position."""


class BadParameters(TradeKGError):
    """A query parameter is missing, unknown or of the wrong type."""


class UnknownQuery(TradeKGError):
    """No query of that name in the catalog."""


class ExportError(TradeKGError):
    """An export could not be written (the folder is missing or not writable); nothing was replaced."""


class UnsupportedShape(TradeKGError, ValueError):
    """A shape uses SHACL the SPARQL compiler does not know; validate with pySHACL or extend the compiler."""


class QueryTimeout(TradeKGError):
    """A query ran past the configured wall-clock limit and was stopped."""


class PoolBusy(TradeKGError):
    """No query worker (or no heavy-lane slot) came free in time."""


class QueryCancelled(TradeKGError):
    """The caller gave up on the query (its client disconnected); the worker was stopped."""


class QueryMemoryExceeded(TradeKGError):
    """A query used more memory than a worker may and was stopped."""


class QueryCrashed(TradeKGError):
    """The query made the engine crash (a worker died while answering it, not stopped by us)."""


class NotFound(TradeKGError):
    """The thing named in an API path does not exist; carries the closest matches."""

    def __init__(self, detail: str, suggestions: list[str] | None = None):
        super().__init__(detail)
        self.suggestions = suggestions


class ConfigError(TradeKGError):
    """A setting has a value of the wrong kind; names the variable or key."""
