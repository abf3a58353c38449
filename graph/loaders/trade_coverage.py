"""Trade covered by each measure, per year: derived at build time from the measures' product lines and
the trade flows loaded before this step, so that asking for it is a lookup (``queries/trade_covered.rq``).

For a measure with ``tkg:coversProduct`` lines, an importer (``tkg:imposedBy``) and targets
(``tkg:affects``), and for each year with flows from a target to the importer in which the measure was
in force (a ``tkg:startDate`` in or before the year, or for a dated snapshot its ``tkg:inForceAsOf``; no
``tkg:endDate`` before it) — or the year just before it took effect, the usual baseline of "tariffs on
$34 bn of imports", said so in ``tkg:coverageBasis`` — one ``tkg:TradeCoverage`` per target, flow source,
method and basis. A list that never took effect has neither date and covers nothing:

- **exact national-line match**: flows on a listed line or on a line under it (``skos:broaderTransitive``,
  e.g. US HTS10 imports under Section 301's HTS8 lines): the sum is exact for the lines that exist in the
  flows' nomenclature;
- **HS code match**: the measure lists HS codes (2 to 6 digits) and the flows fall under them: exact
  where the measure is defined by those codes (Section 232 steel headings), an upper bound where they
  only locate a narrower product (an anti-dumping order on one product of a subheading);
- **HS6 aggregation (upper bound)**: the measure lists lines finer than the flows (China's or Canada's
  8-digit lines against US exports by HS6): every HS6 subheading (``skos:broader`` of a listed line) with
  flows counts whole, once. A flow matched exactly is never counted again here.

Each flow counts once per measure, however many listed lines it falls under. Measures loaded later than
this step are not covered, so it runs last.

Per economy pair, year and flow source, a ``tkg:TradeCoverageTotal`` sums the flows that *any* measure of the
importer in force that year on the exporter covers, each flow once however many measures cover it (summing
the measures' values would count overlapping lists twice), with ``prov:wasDerivedFrom`` the per-measure
coverages. It is the edge weight of the ``trade-covered`` network view (issue 16).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Generator, Iterator
from decimal import Decimal

from pyoxigraph import NamedNode

from ..context import BuildContext
from ..terms import A, ID_NS, PROV, SKOS, TKG, decimal, economy, graph_iri, instance, integer, text
from . import Triple
from .trade_common import gyear

SOURCE = "trade-coverage"
EXACT, HS_CODES, UPPER = "exact national-line match", "HS code match", "HS6 aggregation (upper bound)"
METHOD_KEYS = {EXACT: "exact", HS_CODES: "hs-codes", UPPER: "hs6-upper-bound"}
_NATIONAL = ID_NS + "tariff-line/"
IN_FORCE, BASELINE = "in force that year", "baseline: the year before it took effect"
BASIS_KEYS = {IN_FORCE: "in-force", BASELINE: "baseline"}


def triples(ctx: BuildContext) -> Iterator[Triple]:
    if ctx.db is None or not ctx.flows:
        ctx.note(SOURCE, "no trade flows loaded: no covered trade derived")
        return
    db = ctx.db
    by_product: dict[NamedNode, list[int]] = defaultdict(list)
    for index, record in enumerate(ctx.flows):
        by_product[record.product].append(index)
    under: dict[NamedNode, set[NamedNode]] = defaultdict(set)  # a node -> flow products at or under it
    for product in by_product:
        under[product].add(product)
        for quad in db.quads_for_pattern(product, SKOS.broaderTransitive, None):
            under[quad.object].add(product)
    lines_of: dict[NamedNode, set[NamedNode]] = defaultdict(set)
    for quad in db.quads_for_pattern(None, TKG.coversProduct, None):
        lines_of[quad.subject].add(quad.object)
    covered = 0
    totals: dict[tuple[int, str, str, str], tuple[set[int], set[NamedNode]]] = {}  # pair and year -> flows, parts
    for measure in sorted(lines_of, key=lambda n: n.value):
        buckets = _cover(ctx, measure, lines_of[measure], by_product, under)
        covered += bool(buckets)
        for (year, exporter, importer, source, method, why), (flows, lines) in sorted(buckets.items()):
            node = yield from _coverage(ctx, measure, year, exporter, importer, source, method, why, flows, lines)
            if why == IN_FORCE:
                total = totals.setdefault((year, exporter, importer, source), (set(), set()))
                total[0].update(flows)
                total[1].add(node)
    ctx.note(SOURCE, f"{covered} of {len(lines_of)} measures with product lines cover trade in the loaded flows")
    for key, (flows, parts) in sorted(totals.items()):
        yield from _total(ctx, *key, flows, parts)
    ctx.note(SOURCE, f"{len(totals)} totals per economy pair, year and flow source (measures in force, each flow once)")


def _flows_covered(node: NamedNode, year: int, exporter: str, importer: str, source: str,
                   records: list) -> Iterator[Triple]:
    """What a coverage node and a pair's total both say: whose trade, which year and flows, and their sums."""
    yield node, TKG.coverageExporter, economy(exporter)
    yield node, TKG.coverageImporter, economy(importer)
    yield node, TKG.coverageYear, gyear(year)
    yield node, TKG.flowSource, graph_iri(source)
    yield node, TKG.valueUSD, decimal(sum((r.value for r in records), Decimal(0)))
    duties = [r.duties for r in records if r.duties is not None]
    if duties:
        yield node, TKG.calculatedDutiesUSD, decimal(sum(duties, Decimal(0)))
    yield node, TKG.flowCount, integer(len(records))


def _total(ctx: BuildContext, year: int, exporter: str, importer: str, source: str, flows: set[int],
           parts: set[NamedNode]) -> Iterator[Triple]:
    """The trade of one pair in one year that the importer's measures in force on the exporter cover."""
    node = instance("trade-coverage-total", str(year), f"{exporter}-{importer}", source)
    yield node, A, TKG.TradeCoverageTotal
    yield from _flows_covered(node, year, exporter, importer, source, [ctx.flows[i] for i in flows])
    for part in sorted(parts, key=lambda n: n.value):
        yield node, PROV.wasDerivedFrom, part


def _values(db, subject: NamedNode, predicate: NamedNode) -> set[str]:
    return {quad.object.value for quad in db.quads_for_pattern(subject, predicate, None)}


def _code(iri: str) -> str:
    return iri.rsplit("/", 1)[1]


def _cover(ctx: BuildContext, measure: NamedNode, lines: set[NamedNode], by_product, under):
    """(year, exporter, importer, source, method) -> (flow indices, lines matched) for one measure."""
    db = ctx.db
    importers = {_code(v) for v in _values(db, measure, TKG.imposedBy)}
    targets = {_code(v) for v in _values(db, measure, TKG.affects)}
    # In force from its start (or, for a snapshot with no start, the day a source lists it in force) to its
    # end; no end date means it goes on. A measure with neither date never took effect (List 4B).
    known = _values(db, measure, TKG.startDate) or _values(db, measure, TKG.inForceAsOf)
    if not importers or not targets or not known:
        return {}
    first = min(int(s[:4]) for s in known)
    ends = _values(db, measure, TKG.endDate)
    last = max(int(e[:4]) for e in ends) if ends else None

    def basis(index: int) -> str | None:
        record = ctx.flows[index]
        if record.importer not in importers or record.exporter not in targets:
            return None
        if record.year == first - 1:
            return BASELINE
        return IN_FORCE if record.year >= first and (last is None or record.year <= last) else None

    def counts(index: int) -> bool:
        return basis(index) is not None

    buckets: dict[tuple, tuple[set[int], set[NamedNode]]] = {}

    def add(index: int, line: NamedNode, method: str) -> None:
        record = ctx.flows[index]
        key = (record.year, record.exporter, record.importer, record.source, method, basis(index))
        flows, matched = buckets.setdefault(key, (set(), set()))
        flows.add(index)
        matched.add(line)

    claimed: dict[int, str] = {}  # flow -> the method that matched it
    # National lines first: a flow under both a national line and an HS code of the measure is exact. Every
    # line of the winning method that reaches a flow counts as matched (a heading and its subheadings both do),
    # whatever order the lines come in.
    for line in sorted(lines, key=lambda n: (not n.value.startswith(_NATIONAL), n.value)):
        method = EXACT if line.value.startswith(_NATIONAL) else HS_CODES
        for product in under.get(line, ()):
            for index in by_product[product]:
                if counts(index) and claimed.setdefault(index, method) == method:
                    add(index, line, method)
    exact = set(claimed)
    for line in lines:
        for quad in db.quads_for_pattern(line, SKOS.broader, None):
            subheading = quad.object
            if subheading not in by_product or _values(db, subheading, TKG.hsLevel) != {"6"}:
                continue
            for index in by_product[subheading]:
                if index not in exact and counts(index):
                    add(index, line, UPPER)
    return buckets


def _coverage(ctx: BuildContext, measure: NamedNode, year: int, exporter: str, importer: str, source: str,
              method: str, why: str, flows: set[int], lines: set[NamedNode]) -> Generator[Triple, None, NamedNode]:
    local = measure.value.removeprefix(ID_NS + "measure/")
    node = instance("trade-coverage", local, str(year), f"{exporter}-{importer}", source, METHOD_KEYS[method],
                    BASIS_KEYS[why])
    yield node, A, TKG.TradeCoverage
    yield node, TKG.coverageOf, measure
    yield node, TKG.coverageMethod, text(method)
    yield node, TKG.coverageBasis, text(why)
    yield from _flows_covered(node, year, exporter, importer, source, [ctx.flows[i] for i in flows])
    yield node, TKG.linesMatched, integer(len(lines))
    return node
