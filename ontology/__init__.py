"""The tradekg ontology (OWL, Turtle) and its SHACL shapes, shipped as package data."""

from importlib.resources import files

ONTOLOGY = files(__name__) / "tradekg.ttl"
SHAPES = files(__name__) / "shapes.ttl"
