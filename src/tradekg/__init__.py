"""tradekg: a knowledge graph of international trade relationships, built from real public data."""

__version__ = "0.1.0"


def open(store=None, endpoint=None, update_endpoint=None, timeout_s=30.0):  # noqa: A001, ANN001, ANN201
    """``kg = tradekg.open()``: the graph for a notebook or script (see :mod:`tradekg.notebook`)."""
    from .notebook import open as _open

    return _open(store, endpoint, update_endpoint, timeout_s)
