"""The ontology itself, so that class and property labels and comments can be queried."""

from __future__ import annotations

from collections.abc import Iterator

import pyoxigraph as ox

from ...ontology import ONTOLOGY
from ..context import BuildContext
from . import Triple

SOURCE = "ontology"


def triples(ctx: BuildContext) -> Iterator[Triple]:
    with ONTOLOGY.open("rb") as handle:
        for triple in ox.parse(handle, format=ox.RdfFormat.TURTLE):
            yield triple.subject, triple.predicate, triple.object
