"""Build the graph from the source data into a fresh store version, validate it, then switch to it.

A failed build (a malformed row, an unmatched name, a SHACL violation, Ctrl-C, a kill, a full disk)
leaves the previous store exactly as it was; the next build deletes the half-built folder.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from .. import __version__
from ..data import bundled
from . import layout, snapshot, statistics, validate
from .context import BuildContext
from .errors import BuildError
from .loaders import TripleSource, registry
from .sources import read_json, sha256
from .store import EmbeddedStore, remove
from .terms import A, DCAT, DCTERMS, PROV, RDFS, TKG, boolean, datetime, graph_iri, integer, text

META = "meta"
STATISTICS = "statistics"  # graph/statistics: VoID counts for the catalog's statistics queries (graph/statistics.py)


@dataclass
class BuildReport:
    store: Path
    triples: dict[str, int] = field(default_factory=dict)  # named graph key -> triples
    notes: dict[str, list[str]] = field(default_factory=dict)
    ignored_names: dict[str, list[str]] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)  # wall time per step
    cpu_seconds: dict[str, float] = field(default_factory=dict)  # CPU time (all threads) per step: load-proof

    @property
    def total(self) -> int:
        return sum(self.triples.values())

    def to_json(self) -> str:
        return json.dumps({"store": str(self.store), "triples": self.triples, "total": self.total,
                           "notes": self.notes, "ignored_names": self.ignored_names,
                           "seconds": self.seconds, "cpu_seconds": self.cpu_seconds}, indent=2)


def build(target: Path, data: Path | None = None, *, check_shapes: bool = True,
          loaders: list[tuple[str, TripleSource]] | None = None,
          progress: Callable[[str], None] = lambda _msg: None) -> BuildReport:
    """Build the store at ``target`` from ``data`` (the bundled data by default).

    The new graph becomes a new version beside the current one and is switched in by one atomic
    pointer replacement (see :mod:`tradekg.graph.layout`): a failure or a kill at any point leaves the
    previous graph in place, and the next build deletes what a killed one left."""
    data = data or bundled()
    target = target.expanduser().resolve()
    try:
        return _build(target, data, check_shapes, loaders or registry(), progress)
    except OSError as e:
        where = e.filename or target
        raise BuildError(f"cannot build the store at {target}: {e.strerror or e} ({where}); the previous "
                         "graph is unchanged. Choose a writable folder with --store or $TRADEKG_STORE, "
                         "or free some disk space") from e


def _build(target: Path, data: Path, check_shapes: bool, loaders: list[tuple[str, TripleSource]],
           progress: Callable[[str], None]) -> BuildReport:
    target.parent.mkdir(parents=True, exist_ok=True)
    layout.recover(target)
    legacy = layout.is_legacy(target)  # a bare store from before versioned folders: convert it
    root = target.parent / f".{target.name}.building-{os.getpid()}" if legacy else target
    root.mkdir(exist_ok=True)
    root_lock = layout.hold_build_lock(root) if legacy else None
    layout.clean(target if not legacy else root)
    name = layout.new_name("v")
    staging = root / ("building-" + name[2:])
    staging.mkdir()
    build_lock = layout.hold_build_lock(staging)
    report = BuildReport(store=target)
    store = EmbeddedStore(staging, read_only=False)
    try:
        # Loaders write to and validation reads from an in-memory store (every insert and query there costs a
        # fraction of the on-disk one); the validated graph then goes to disk in one bulk load.
        graph = ox.Store()
        _load(graph, data, loaders, report, progress)
        if check_shapes:
            started, cpu = time.perf_counter(), time.process_time()
            progress("validating against ontology/shapes.ttl …")
            validate.check(graph, progress)
            report.seconds["validate"] = round(time.perf_counter() - started, 2)
            report.cpu_seconds["validate"] = round(time.process_time() - cpu, 2)
        started, cpu = time.perf_counter(), time.process_time()
        graph.update(statistics.refresh_update())
        report.triples[STATISTICS] = _count(graph, graph_iri(STATISTICS))
        report.seconds[STATISTICS] = round(time.perf_counter() - started, 2)
        report.cpu_seconds[STATISTICS] = round(time.process_time() - cpu, 2)
        started = time.perf_counter()
        progress("writing the store …")
        cpu = time.process_time()
        for part in [ox.DefaultGraph(), *graph.named_graphs()]:  # one graph at a time: half the peak memory
            store.db.bulk_extend(graph.quads_for_pattern(None, None, None, part))
        report.seconds["write"] = round(time.perf_counter() - started, 2)
        report.cpu_seconds["write"] = round(time.process_time() - cpu, 2)
        # The same graph as N-Quads beside the database, for `tradekg serve`'s memory mode: parsing it is
        # more than twice as fast as reading the database quad by quad (graph/snapshot.py).
        started, cpu = time.perf_counter(), time.process_time()
        snapshot.write(graph, staging)
        del graph
        report.seconds["snapshot"] = round(time.perf_counter() - started, 2)
        report.cpu_seconds["snapshot"] = round(time.process_time() - cpu, 2)
        started, cpu = time.perf_counter(), time.process_time()
        store.optimize()  # compacts the bulk-loaded files: catalog queries ~20 % faster (docs/benchmarks.md)
        report.seconds["optimize"] = round(time.perf_counter() - started, 2)
        report.cpu_seconds["optimize"] = round(time.process_time() - cpu, 2)
        layout.crash_point("loaded")
        store.close()
        (staging / "build-report.json").write_text(report.to_json(), encoding="utf-8")
        (staging / layout.READERS).touch()
        layout.fsync_tree(staging)
        layout.crash_point("closed")
        os.replace(staging, root / name)
        (root / name / layout.BUILD_LOCK).unlink()
        layout.crash_point("renamed")
        layout.point_to(root, name)
        layout.crash_point("pointed")
    except BaseException:
        store.close()
        remove(staging)
        if layout.current_name(root) != name:
            remove(root / name)
        if legacy:
            remove(root)
        raise
    finally:
        for fd in (build_lock, root_lock):
            if fd is not None:
                os.close(fd)
    if legacy:
        _replace_legacy(root, target)
        (target / layout.BUILD_LOCK).unlink(missing_ok=True)
    _write_atomically(target / "build-report.json", report.to_json())
    layout.clean(target)
    return report


def _replace_legacy(root: Path, target: Path) -> None:
    """Swap a converted store in for the bare one; :func:`layout.recover` undoes a crash between the renames."""
    old = target.parent / f".{target.name}.old-{os.getpid()}"
    os.replace(target, old)
    layout.crash_point("legacy-aside")
    try:
        os.replace(root, target)
    except OSError as e:
        os.replace(old, target)
        remove(root)
        raise BuildError(f"could not move the new store into {target}: {e}") from e
    layout.fsync_dir(target.parent)
    remove(old)


def _write_atomically(path: Path, text: str) -> None:
    tmp = path.with_name(f"{path.name}.tmp-{os.getpid()}")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def _load(db: ox.Store, data: Path, loaders: list[tuple[str, TripleSource]], report: BuildReport,
          progress: Callable[[str], None]) -> None:
    ctx = BuildContext.for_data(data)
    ctx.db = db  # for loaders that derive facts from the sources loaded before them (trade_coverage)
    sources = {path.stem: read_json(path) for path in sorted((data / "sources").glob("*.json"))}
    built_at = dt.datetime.now(dt.timezone.utc)
    for key, triples in loaders:
        if key not in sources:
            raise BuildError(f"source {key!r} has no description; add {data / 'sources' / (key + '.json')}")
        started, cpu = time.perf_counter(), time.process_time()
        graph = graph_iri(key)
        db.bulk_extend(ox.Quad(s, p, o, graph) for s, p, o in triples(ctx))
        if ctx._products is not None:  # tariff lines this source used, and its unmatched codes
            db.bulk_extend(ox.Quad(s, p, o, graph) for s, p, o in ctx.products.take_lines())
            for line in ctx.products.take_report():
                ctx.note(key, line)
        report.triples[key] = _count(db, graph)
        report.seconds[key] = round(time.perf_counter() - started, 2)
        report.cpu_seconds[key] = round(time.process_time() - cpu, 2)
        progress(f"{key}: {report.triples[key]:,} triples in {report.seconds[key]:.1f} s")
        if key != "ontology":
            ctx.reconciler.check()
    report.notes = {k: list(v) for k, v in ctx.notes.items()}
    report.ignored_names = ctx.reconciler.report()
    digests = {key: content_digest(db, graph_iri(key)) for key in report.triples}
    db.bulk_extend(ox.Quad(s, p, o, graph_iri(META))
                   for s, p, o in _provenance(data, sources, report, built_at, digests))
    report.triples[META] = _count(db, graph_iri(META))


def _count(db: ox.Store, graph: ox.NamedNode) -> int:
    """Distinct triples stored in one named graph (loaders may yield a fact twice), counted by the engine."""
    rows = db.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {graph} {{ ?s ?p ?o }} }}")
    return int(next(iter(rows))["n"].value)


def content_digest(db: ox.Store, graph: ox.NamedNode) -> str:
    """SHA-256 of the graph's N-Triples lines in sorted order: equal for two builds of the same data, so
    `tradekg push` can leave a graph the server already holds alone. A graph with blank nodes gets new
    labels on every build, so its digest changes each time (the ontology's OWL lists: a thousand triples)."""
    lines = db.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=graph).splitlines()
    lines.sort()
    return hashlib.sha256(b"\n".join(lines)).hexdigest()


def _provenance(data: Path, sources: dict, report: BuildReport, built_at: dt.datetime,
                digests: dict[str, str] | None = None):
    """A description of every named graph: what it holds, where it came from, under which licence."""
    for key, count in report.triples.items():
        info = sources[key]
        node = graph_iri(key)
        yield node, A, TKG.Source
        yield node, A, PROV.Entity
        yield node, A, DCAT.Dataset
        yield node, DCTERMS.title, text(info["title"])
        yield node, DCTERMS.description, text(info["description"])
        yield node, DCTERMS.license, text(info["license"])
        if info.get("license_url"):
            yield node, DCTERMS.license, ox.NamedNode(info["license_url"])
        # issue 10: whether the licence named was checked with its licensor, and whether it is share-alike
        yield node, TKG.licenceVerified, boolean(bool(info.get("license_verified", False)))
        if "share_alike" in info:
            yield node, TKG.shareAlike, boolean(bool(info["share_alike"]))
        yield node, DCTERMS.source, ox.NamedNode(info["source_url"])
        for origin in info.get("origin", []):
            yield node, PROV.wasDerivedFrom, text(origin)
        yield node, TKG.retrievedOn, ox.Literal(info["retrieved"], datatype=ox.NamedNode(
            "http://www.w3.org/2001/XMLSchema#date"))
        yield node, PROV.generatedAtTime, datetime(built_at)
        yield node, TKG.loaderVersion, text(f"tradekg {__version__}")
        yield node, TKG.tripleCount, integer(count)
        if digests and key in digests:
            yield node, TKG.contentDigest, text(digests[key])
        for name in info.get("files", []):
            path = data / name
            if path.is_file():
                file_node = ox.BlankNode()
                yield node, TKG.sourceFile, text(name)
                yield node, DCAT.distribution, file_node
                yield file_node, RDFS.label, text(name)
                yield file_node, TKG.sha256, text(sha256(path))
        for message in report.notes.get(key, []):
            yield node, RDFS.comment, text(message)
