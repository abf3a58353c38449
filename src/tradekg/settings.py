"""Where the embedded store lives, read from the environment when asked (never a mutable global).

The API's settings (timeouts, row cap, CORS, update token) are :class:`tradekg.api.settings.Settings`.
"""

from __future__ import annotations

import os
from pathlib import Path


def default_store() -> Path:
    """``$TRADEKG_STORE``, else the user's data directory (XDG), e.g. ~/.local/share/tradekg/store."""
    if os.environ.get("TRADEKG_STORE"):
        return Path(os.environ["TRADEKG_STORE"]).expanduser()
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "tradekg" / "store"
