"""The SHACL-to-SPARQL compiler the build uses finds exactly what pySHACL finds."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
import rdflib
from rdflib import RDF, XSD, Literal, URIRef

from tradekg.graph import layout
from tradekg.graph.build import build
from tradekg.graph.shacl_sparql import UnsupportedShape, compile_shapes
from tradekg.graph.validate import shapes_graph, store_violations, to_rdflib_graph, violations

TKG = rdflib.Namespace("https://w3id.org/tradekg/ontology#")
ID = rdflib.Namespace("https://w3id.org/tradekg/id/")
SKOS = rdflib.Namespace("http://www.w3.org/2004/02/skos/core#")


@pytest.fixture(scope="module")
def mini_graph(tmp_path_factory) -> rdflib.Graph:
    """The real bundle with DS1, DS2, DS490, DS544, DS574, DS600 as an rdflib graph (it conforms)."""
    from conftest import cut_csv, foundation_loaders
    import shutil
    from tradekg.data import bundled

    data = tmp_path_factory.mktemp("d") / "data"
    shutil.copytree(bundled(), data, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    cut_csv(bundled() / "wto-ds-gateway" / "ds_cases.csv", data / "wto-ds-gateway" / "ds_cases.csv",
            keep=[0, 1, 489, 543, 551, 555, 563, 573, 599])
    target = tmp_path_factory.mktemp("s") / "store"
    build(target, data, check_shapes=False, loaders=foundation_loaders())
    db = ox.Store.read_only(str(layout.current(target)))
    return to_rdflib_graph(db)


def compiled(graph: rdflib.Graph) -> set[tuple[str, str]]:
    db = ox.Store()
    db.load(graph.serialize(format="nt").encode(), format=ox.RdfFormat.N_TRIPLES)
    return {(v.focus, v.path) for v in store_violations(db)}


def reference(graph: rdflib.Graph) -> set[tuple[str, str]]:
    return {(v.focus, v.path) for v in violations(graph)}


DS544, DS2 = ID["dispute/DS544"], ID["dispute/DS2"]
BREAKAGES = {
    "conforms": lambda g: None,
    "no respondent": lambda g: g.remove((DS544, TKG.respondent, None)),
    "two titles": lambda g: g.add((DS544, URIRef("http://purl.org/dc/terms/title"), Literal("again"))),
    "date as string": lambda g: (g.remove((DS2, TKG.consultationsRequested, None)),
                                 g.add((DS2, TKG.consultationsRequested, Literal("1995-01-24")))),
    "complainant not an economy": lambda g: g.add((DS2, TKG.complainant, ID["dispute/DS1"])),
    "WTO dispute at a non-DS IRI": lambda g: [g.add((ID["dispute/X1"], p, o)) for p, o in g.predicate_objects(DS2)],
    "lower-case economy IRI": lambda g: g.add((ID["economy/usa"], RDF.type, TKG.Economy)),
    "observer that is a member": lambda g: g.add((ID["economy/USA"], RDF.type, TKG.WTOObserver)),
    "member without a date": lambda g: g.remove((ID["economy/CHN"], TKG.wtoMemberSince, None)),
    "economy label as a number": lambda g: (g.remove((ID["economy/CHN"], rdflib.RDFS.label, None)),
                                            g.add((ID["economy/CHN"], rdflib.RDFS.label, Literal(5)))),
    "status event without a date": lambda g: g.remove((ID["dispute/DS544/status/1"], TKG.eventDate, None)),
    "provision with two notations": lambda g: g.add((ID["agreement/wto/GATT1994/article/XIX:1"], SKOS.notation, Literal("x"))),
    "bad ISO numeric": lambda g: g.set((ID["economy/CHN"], TKG.isoNumeric, Literal("15x", datatype=XSD.string))),
    # the compiled checks read the subclass closure from the data: a target reached through two subClassOf steps
    "dispute of a subclass declared in the data": lambda g: (
        g.add((URIRef("urn:x:Sub"), rdflib.RDFS.subClassOf, URIRef("urn:x:Mid"))),
        g.add((URIRef("urn:x:Mid"), rdflib.RDFS.subClassOf, TKG.Dispute)),
        g.add((ID["dispute/DS9999"], RDF.type, URIRef("urn:x:Sub")))),
}


@pytest.mark.parametrize("case", sorted(BREAKAGES))
def test_compiled_checks_agree_with_pyshacl(mini_graph, case):
    graph = rdflib.Graph()
    for triple in mini_graph:
        graph.add(triple)
    BREAKAGES[case](graph)
    expected = reference(graph)
    assert (case == "conforms") == (not expected), f"the breakage {case!r} should be a violation for pySHACL"
    assert compiled(graph) == expected


def test_unknown_constraint_is_refused_not_ignored():
    shapes = shapes_graph()
    shape = next(shapes.subjects(rdflib.SH.targetClass, TKG.Dispute))
    shapes.add((shape, rdflib.SH.closed, Literal(True)))
    with pytest.raises(UnsupportedShape, match="closed"):
        list(compile_shapes(shapes))
