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

