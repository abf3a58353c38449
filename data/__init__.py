"""The bundled source data (see data/README.md for provenance and licences)."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path


def bundled() -> Path:
    """The folder holding the bundled data, as installed with the package."""
    return Path(str(files(__name__)))
