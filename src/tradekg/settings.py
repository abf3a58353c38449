"""Where things live, read once from the environment and passed down (never a mutable global)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


def default_store() -> Path:
    """``$TRADEKG_STORE``, else the user's data directory (XDG), e.g. ~/.local/share/tradekg/store."""
    if os.environ.get("TRADEKG_STORE"):
        return Path(os.environ["TRADEKG_STORE"]).expanduser()
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "tradekg" / "store"


@dataclass(frozen=True)
class Settings:
    store: Path
    endpoint: str | None = None

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        return cls(store=default_store(), endpoint=env.get("TRADEKG_ENDPOINT") or None)
