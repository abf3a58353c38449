"""HS 2012 subheadings and their UNSD correlation with HS 2022, in the named graph ``graph/hs2012`` (see hs_editions)."""

from __future__ import annotations

from collections.abc import Iterator

from ..context import BuildContext
from . import Triple
from .hs_editions import edition_triples

SOURCE = "hs2012"


def triples(ctx: BuildContext) -> Iterator[Triple]:
    return edition_triples(ctx, "HS 2012")
