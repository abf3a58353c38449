"""A small picture of an entity's neighbours, drawn on the server as SVG (no script, every node a link)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from rdflib import URIRef

from .entity import TYPE, Entity
from .render import curie, href

MOST = 16  # neighbours drawn; the tables below the picture list them all


@dataclass
class Node:
    x: float
    y: float
    label: str
    href: str
    edge: str          # the property linking it, as a short name
    incoming: bool


def neighbours(entity: Entity, labels: dict[str, str], width: int = 900, height: int = 380) -> list[Node]:
    """Up to MOST neighbours that have pages here, taken in turn from each property so every kind shows."""
    pools = [[(g, s) for s in g.statements if isinstance(s.value, URIRef) and href(str(s.value))]
             for g in entity.groups if g.property != TYPE]
    picked = []
    while len(picked) < MOST and any(pools):
        for pool in pools:
            if pool and len(picked) < MOST:
                picked.append(pool.pop(0))
    nodes, cx, cy = [], width / 2, height / 2
    for i, (group, statement) in enumerate(picked):
        angle = 2 * math.pi * i / max(len(picked), 1) - math.pi / 2
        name = str(statement.label or curie(str(statement.value)))
        edge = labels.get(group.property) or curie(group.property).split(":", 1)[-1]
        nodes.append(Node(round(cx + 0.36 * width * math.cos(angle), 1), round(cy + 0.42 * height * math.sin(angle), 1),
                          name if len(name) <= 28 else name[:27] + "…", href(str(statement.value)) or "#", edge,
                          group.direction == "in"))
    return nodes
