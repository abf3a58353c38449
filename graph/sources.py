"""Reading source files so that every bad value can be pinned to its file, line and column.

Loaders never index a csv row themselves: they ask a :class:`Row` for a typed value, and a
value that does not parse raises :class:`SourceError` naming where it is and what was expected.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import SourceError


@dataclass(frozen=True)
class Row:
    """One record of a csv file, with the position of each field for error messages."""

    path: Path
    line: int
    header: Sequence[str]
    values: Sequence[str]

    def column(self, name: str) -> int:
        return self.header.index(name) + 1

    def fail(self, name: str | None, problem: str) -> SourceError:
        """An error pointing at this row (and at the named field, if any)."""
        column = self.column(name) if name is not None else None
        return SourceError(self.path, self.line, column, name, problem)

    def raw(self, name: str) -> str:
        return self.values[self.header.index(name)]

    def text(self, name: str, required: bool = False) -> str | None:
        value = self.raw(name).strip()
        if not value:
            if required:
                raise self.fail(name, "is empty, but every row needs a value here")
            return None
        return value

    def split(self, name: str, sep: str = ";") -> list[str]:
        value = self.raw(name)
        return [part.strip() for part in value.split(sep) if part.strip()]

    def date(self, name: str, required: bool = False, fmt: str | None = None) -> dt.date | None:
        value = self.text(name, required)
        if value is None:
            return None
        try:
            if fmt:
                return dt.datetime.strptime(value, fmt).date()
            return dt.date.fromisoformat(value)
        except ValueError:
            raise self.fail(name, f"{value!r} is not a date ({fmt or 'YYYY-MM-DD'})") from None

    def integer(self, name: str, required: bool = False) -> int | None:
        value = self.text(name, required)
        if value is None:
            return None
        try:
            return int(value)
        except ValueError:
            raise self.fail(name, f"{value!r} is not a whole number") from None

    def boolean(self, name: str, required: bool = False) -> bool | None:
        value = self.text(name, required)
        if value is None:
            return None
        if value.upper() in {"TRUE", "T", "1", "YES", "Y"}:
            return True
        if value.upper() in {"FALSE", "F", "0", "NO", "N"}:
            return False
        raise self.fail(name, f"{value!r} is not TRUE or FALSE")


def read_csv(path: Path, required: Sequence[str] = (), delimiter: str = ",",
             encoding: str = "utf-8-sig") -> Iterator[Row]:
    """The rows of a csv file; a missing column or a ragged row is a :class:`SourceError`."""
    if not path.is_file():
        raise SourceError(path, 0, None, None, "file not found; is the data folder complete?")
    with path.open(newline="", encoding=encoding) as handle:
        reader = csv.reader(handle, delimiter=delimiter, strict=True)
        try:
            header = [name.strip() for name in next(reader)]
        except StopIteration:
            raise SourceError(path, 1, None, None, "file is empty, expected a header row") from None
        except csv.Error as e:
            raise SourceError(path, reader.line_num, None, None, f"unreadable header: {e}") from None
        missing = [name for name in required if name not in header]
        if missing:
            raise SourceError(path, 1, None, None, f"missing column(s) {missing}; found {header}")
        line = reader.line_num + 1
        while True:
            try:
                values = next(reader)
            except StopIteration:
                return
            except csv.Error as e:
                raise SourceError(path, line, None, None, f"malformed csv: {e}") from None
            if values and len(values) != len(header):
                raise SourceError(path, line, min(len(values), len(header)) + 1, None,
                                  f"has {len(values)} fields, the header has {len(header)}")
            if values:
                yield Row(path, line, header, values)
            line = reader.line_num + 1


def read_json(path: Path) -> Any:
    """A JSON file; a syntax error names the line and column."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SourceError(path, 0, None, None, "file not found; is the data folder complete?") from None
    except json.JSONDecodeError as e:
        raise SourceError(path, e.lineno, e.colno, None, f"invalid JSON: {e.msg}") from None


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
