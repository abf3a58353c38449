"""The one way a benchmark gets a store: the one named with --store, or the bundle built now."""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def built_store(path: Path | None) -> Iterator[Path]:
    """``path`` if given (a built store), else the bundled data built into a temporary folder for this run."""
    if path is not None:
        yield path
        return
    from tradekg.graph.build import build

    with tempfile.TemporaryDirectory(prefix="tradekg-bench-") as tmp:
        target = Path(tmp) / "store"
        print("building the bundled data into a temporary store …", file=sys.stderr)
        build(target)
        yield target


def version_folder(path: Path) -> Path:
    """The pyoxigraph folder inside a built store (its current version), for tools that open it directly:
    raw pyoxigraph and `oxigraph serve-read-only --location` (a store root holds versions, not a database)."""
    from tradekg.graph.layout import current

    return current(path)
