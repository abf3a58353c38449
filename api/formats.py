"""Content negotiation for /sparql: which serialisation a client's ``Accept`` header (with q-values) asks for.

Results of SELECT/ASK and graphs of CONSTRUCT/DESCRIBE have separate format lists, each in the
server's order of preference (used to break ties and for ``*/*``). Names are pyoxigraph's format
names, so the worker process can serialise in the engine.
"""

from __future__ import annotations

from dataclasses import dataclass

# media type -> pyoxigraph QueryResultsFormat name, in order of preference
RESULT_TYPES: dict[str, str] = {
    "application/sparql-results+json": "JSON",
    "application/json": "JSON",
    "application/sparql-results+xml": "XML",
    "application/xml": "XML",
    "text/xml": "XML",
    "text/csv": "CSV",
    "text/tab-separated-values": "TSV",
}
# media type -> pyoxigraph RdfFormat name, in order of preference
GRAPH_TYPES: dict[str, str] = {
    "text/turtle": "TURTLE",
    "application/x-turtle": "TURTLE",
    "application/turtle": "TURTLE",
    "application/n-triples": "N_TRIPLES",
    "text/plain": "N_TRIPLES",
    "application/n-quads": "N_QUADS",
    "application/trig": "TRIG",
    "application/rdf+xml": "RDF_XML",
    "application/ld+json": "JSON_LD",
    "application/x-json+ld": "JSON_LD",
}
# the media type each format is answered with
CANONICAL: dict[str, str] = {
    "JSON": "application/sparql-results+json", "XML": "application/sparql-results+xml",
    "CSV": "text/csv; charset=utf-8", "TSV": "text/tab-separated-values; charset=utf-8",
    "TURTLE": "text/turtle", "N_TRIPLES": "application/n-triples", "N_QUADS": "application/n-quads",
    "TRIG": "application/trig", "RDF_XML": "application/rdf+xml", "JSON_LD": "application/ld+json",
}


@dataclass(frozen=True)
class Range:
    type: str
    subtype: str
    q: float

    def specificity(self, media: str) -> int:
        """How precisely this range matches ``media``: 3 exact, 2 type/*, 1 */*, 0 not at all."""
        kind, _, sub = media.partition("/")
        if self.type == kind and self.subtype == sub:
            return 3
        if self.type == kind and self.subtype == "*":
            return 2
        return 1 if self.type == "*" and self.subtype == "*" else 0


def parse_accept(header: str | None) -> list[Range]:
    """The ranges of an Accept header; a missing or empty header accepts anything."""
    ranges = []
    for part in (header or "*/*").split(","):
        media, *params = [p.strip() for p in part.split(";")]
        kind, sep, sub = media.lower().partition("/")
        if not sep or not kind or not sub:
            continue
        q = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = min(max(float(value), 0.0), 1.0)
                except ValueError:
                    q = 0.0
        ranges.append(Range(kind, sub, q))
    return ranges or [Range("*", "*", 1.0)]


def choose_media(ranges: list[Range], offered: dict[str, str]) -> str | None:
    """The offered media type with the highest q (the most specific range decides a type's q), or None (406).
    The answer is labelled with this type, so a client refusing one name of a format is not sent it."""
    best, best_q = None, 0.0
    for media in offered:  # server preference order breaks ties
        matches = [(r.specificity(media), r.q) for r in ranges if r.specificity(media)]
        if not matches:
            continue
        q = max(matches)[1]
        if q > best_q:
            best, best_q = media, q
    return best


def choose(ranges: list[Range], offered: dict[str, str]) -> str | None:
    """The pyoxigraph format name of :func:`choose_media`'s answer."""
    media = choose_media(ranges, offered)
    return offered[media] if media else None


def content_type(media: str) -> str:
    return f"{media}; charset=utf-8" if media.startswith("text/") else media
