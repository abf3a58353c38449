"""The graph's statistics (VoID: triples per named graph, instances per class, statements per property),
kept in the named graph ``graph/statistics`` by the SPARQL update in ``statistics.ru``.

Counting them is a scan of the whole graph (0.15–0.77 s a query on the bundle, 12 s at 16 times its size),
so they are counted once, where the graph changes: by ``tradekg build`` and after every update through
the store layer (with the same write handle on the embedded store; a second request to a remote server).
The catalog's ``instances_per_class``, ``triples_per_graph``, ``term_uses`` and ``property_partitions``
read them. A graph loaded into a server by other means than ``tradekg build``/``push`` has them only once
:func:`refresh_update`'s text has been run there.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files

GRAPH = "https://w3id.org/tradekg/graph/statistics"  # the partitions' subject is <https://w3id.org/tradekg/id/dataset>


@cache
def refresh_update() -> str:
    """The SPARQL update that replaces graph/statistics with fresh counts (any SPARQL 1.1 engine)."""
    return files(__package__).joinpath("statistics.ru").read_text(encoding="utf-8")
