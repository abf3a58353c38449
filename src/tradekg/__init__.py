"""tradekg: a knowledge graph of international trade relationships, built from real public data."""

__version__ = "0.1.0"
