"""The whole graph (or some named graphs) as one file: N-Quads or TriG, each statement in the named graph
(source) that states it. Written through the :class:`~tradekg.graph.store.Store` protocol (one CONSTRUCT per
named graph, the graph bound as a parameter), so it works on the embedded store and on an endpoint alike,
and streams: one graph in memory at a time."""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path

from rdflib import URIRef

from .errors import BadParameters
from .store import Store

FORMATS = ("nquads", "trig")
GRAPH_BASE = "https://w3id.org/tradekg/graph/"
_CONSTRUCT = "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }"


def graphs(store: Store, wanted: Iterable[str] = ()) -> list[str]:
    """The named graphs to dump: all, or those named (``usmca`` or its full IRI); an unknown name is refused."""
    known = store.named_graphs()
    chosen = []
    for name in wanted:
        iri = name if name.startswith(("http://", "https://")) else GRAPH_BASE + name
        if iri not in known:
            short = sorted(g.removeprefix(GRAPH_BASE) for g in known)
            raise BadParameters(f"no named graph {name!r}; the store has {', '.join(short)}")
        chosen.append(iri)
    return chosen or known


def chunks(store: Store, fmt: str = "nquads", names: Iterable[str] = ()) -> Iterator[bytes]:
    """The dump, one named graph at a time, as UTF-8 text chunks."""
    if fmt not in FORMATS:
        raise BadParameters(f"unknown dump format {fmt!r}; use {' or '.join(FORMATS)}")
    for graph in graphs(store, names):
        text = store.construct(_CONSTRUCT, {"g": URIRef(graph)})
        lines = [line for line in text.splitlines() if line.strip()]
        if fmt == "nquads":  # N-Triples lines end " ." : the graph goes before the dot
            yield "".join(f"{line[:-1].rstrip()} <{graph}> .\n" for line in lines).encode("utf-8")
        else:  # TriG takes N-Triples lines inside a graph block
            yield (f"<{graph}> {{\n" + "".join(f"  {line}\n" for line in lines) + "}\n").encode("utf-8")


def write(store: Store, out: Path, fmt: str = "nquads", names: Iterable[str] = ()) -> int:
    """Write the dump to ``out`` (gzip-compressed when it ends in .gz); the number of statements written."""
    count = 0
    compressor = zlib.compressobj(wbits=31) if out.suffix == ".gz" else None
    with out.open("wb") as handle:
        for chunk in chunks(store, fmt, names):
            count += chunk.count(b" .\n")
            handle.write(compressor.compress(chunk) if compressor else chunk)
        if compressor:
            handle.write(compressor.flush())
    return count


def gzipped(parts: Iterable[bytes]) -> Iterator[bytes]:
    """A gzip stream of ``parts``, compressed as they come (for a streamed HTTP answer)."""
    compressor = zlib.compressobj(wbits=31)
    for part in parts:
        packed = compressor.compress(part)
        if packed:
            yield packed
    yield compressor.flush()


def read(path: Path, fmt: str = "nquads"):  # noqa: ANN201 - an in-memory EmbeddedStore
    """A dump loaded into a new in-memory store (to check it, or to query it without building)."""
    import gzip

    import pyoxigraph as ox

    from .store import EmbeddedStore

    store = EmbeddedStore(None)
    data = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
    store.db.load(data, format=ox.RdfFormat.N_QUADS if fmt == "nquads" else ox.RdfFormat.TRIG)
    return store
