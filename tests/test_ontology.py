"""Tests for the TradeKG ontology (ontology/tradekg.ttl) and SHACL shapes (ontology/shapes.ttl).

The shapes are exercised the way the build uses them: the ontology triples are added to the
data graph and pyshacl runs without inference.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pyshacl
import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SH, SKOS, XSD

ONTOLOGY_DIR = Path(__file__).parent.parent / "ontology"
ONTOLOGY_FILE = ONTOLOGY_DIR / "tradekg.ttl"
SHAPES_FILE = ONTOLOGY_DIR / "shapes.ttl"

TKG = Namespace("https://w3id.org/tradekg/ontology#")
TKGSH = Namespace("https://w3id.org/tradekg/shapes#")
ID = Namespace("https://w3id.org/tradekg/id/")
ONTOLOGY_IRI = URIRef("https://w3id.org/tradekg/ontology")

DECLARATION_TYPES = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)


@lru_cache(maxsize=None)
def ontology() -> Graph:
    return Graph().parse(ONTOLOGY_FILE, format="turtle")


@lru_cache(maxsize=None)
def shapes() -> Graph:
    return Graph().parse(SHAPES_FILE, format="turtle")


def tkg_terms(graph: Graph) -> set[URIRef]:
    """All tkg: IRIs declared as classes or properties in ``graph``."""
    return {
        s
        for t in DECLARATION_TYPES
        for s in graph.subjects(RDF.type, t)
        if isinstance(s, URIRef) and s.startswith(str(TKG))
    }


# ---------------------------------------------------------------------------
#  Parsing and ontology hygiene
# ---------------------------------------------------------------------------


def test_files_parse():
    """Every term the files define at the start of a line (read from the text itself, not the parser) is a
    subject of the parsed graph: the parser read the whole file, not just a prefix of it."""
    import re

    for path, graph, prefix, namespace in ((ONTOLOGY_FILE, ontology(), "tkg", TKG), (SHAPES_FILE, shapes(), "tkgsh", TKGSH)):
        written = {namespace[name] for name in re.findall(rf"^{prefix}:(\w+)\b", path.read_text(encoding="utf-8"), re.M)}
        assert written, f"{path.name} defines no {prefix}: term at the start of a line"
        assert written <= set(graph.subjects()), sorted(written - set(graph.subjects()))


def test_ontology_header():
    g = ontology()
    assert (ONTOLOGY_IRI, RDF.type, OWL.Ontology) in g
    assert list(g.subjects(RDF.type, OWL.Ontology)) == [ONTOLOGY_IRI]
    assert g.value(ONTOLOGY_IRI, OWL.versionInfo) == Literal("0.1.0")
    assert g.value(ONTOLOGY_IRI, OWL.versionIRI) == URIRef("https://w3id.org/tradekg/ontology/0.1.0")
    assert g.value(ONTOLOGY_IRI, DCTERMS.license) == URIRef("https://creativecommons.org/licenses/by/4.0/")
    assert g.value(ONTOLOGY_IRI, DCTERMS.created) == Literal("2026-11-28", datatype=XSD.date)
    assert g.value(ONTOLOGY_IRI, DCTERMS.title) is not None
    assert g.value(ONTOLOGY_IRI, DCTERMS.description) is not None


def test_expected_classes_and_properties_declared():
    g = ontology()
    classes = {s for s in g.subjects(RDF.type, OWL.Class) if s.startswith(str(TKG))}
    expected_classes = {
        "Economy", "WTOMember", "WTOObserver", "Bloc", "Agreement", "WTOAgreement",
        "RegionalTradeAgreement", "Provision", "Participation", "Dispute", "StatusEvent",
        "Measure", "LegalInstrument", "Product", "MeasureType", "DisputeSubject",
        "DisputeStatus", "Forum", "Source", "TradeFlow",
        "DutyRate",  # us_mfn / us_section301 loaders
    }
    expected_classes |= {"CaseEvent", "ExceptionInvocation", "MeasureRecord"}  # issue 10: dated case steps, security defences
    expected_classes |= {"TradeCoverage"}  # issue 16: trade covered per measure and year
    expected_classes |= {"TradeCoverageTotal"}  # issue 16: trade covered per economy pair and year
    assert classes == {TKG[c] for c in expected_classes}
    for prop in ("wtoMemberSince", "party", "participant", "viaBloc", "startDate", "complainant",
                 "respondent", "statusCode", "status", "agreementStatus", "imposedBy", "rate",
                 "hsLevel", "hsChapter", "tripleCount", "sha256", "year", "valueThousandUSD"):
        assert TKG[prop] in tkg_terms(g), prop


def test_every_term_has_one_english_label_and_one_comment():
    g = ontology()
    terms = tkg_terms(g)
    assert len(terms) > 50
    for term in sorted(terms):
        labels = list(g.objects(term, RDFS.label))
        comments = list(g.objects(term, RDFS.comment))
        assert len(labels) == 1, f"{term} has {len(labels)} rdfs:label"
        assert len(comments) == 1, f"{term} has {len(comments)} rdfs:comment"
        assert labels[0].language == "en", f"{term} label is not English"
        assert len(str(comments[0])) >= 20, f"{term} comment is too short to be useful"


def test_properties_are_typed_object_or_datatype():
    g = ontology()
    for prop in set(g.subjects(RDF.type, OWL.ObjectProperty)) & set(g.subjects(RDF.type, OWL.DatatypeProperty)):
        pytest.fail(f"{prop} is both an object and a datatype property")
    for prop in g.subjects(RDF.type, OWL.DatatypeProperty):
        if prop.startswith(str(TKG)):
            rng = g.value(prop, RDFS.range)
            assert rng is not None and rng.startswith(str(XSD)), f"{prop} needs an xsd: range"
    for prop in g.subjects(RDF.type, OWL.ObjectProperty):
        if prop.startswith(str(TKG)):
            assert g.value(prop, RDFS.range) is not None, f"{prop} needs a range"


def test_tkg_terms_referenced_in_ontology_are_declared():
    g = ontology()
    declared = tkg_terms(g)
    used = {n for triple in g for n in triple if isinstance(n, URIRef) and n.startswith(str(TKG))}
    assert used - declared == set()


def test_tkg_terms_used_in_shapes_are_declared():
    declared = tkg_terms(ontology())
    used = {n for triple in shapes() for n in triple if isinstance(n, URIRef) and n.startswith(str(TKG))}
    assert used, "shapes.ttl should use tkg: terms"
    assert used - declared == set(), f"undeclared tkg: terms in shapes.ttl: {sorted(used - declared)}"


def test_every_class_has_a_shape():
    g = shapes()
    targeted = set(g.objects(None, SH.targetClass))
    assert TKG.Economy in targeted and TKG.Dispute in targeted and TKG.Product in targeted
    for cls in tkg_terms(ontology()):
        if (cls, RDF.type, OWL.Class) in ontology():
            assert cls in targeted, f"no shape targets {cls}"


# ---------------------------------------------------------------------------
#  Concept schemes shipped in the ontology
# ---------------------------------------------------------------------------


MEASURE_TYPES = {
    "mfn-tariff", "additional-tariff", "tariff-rate-quota", "anti-dumping-duty",
    "countervailing-duty", "safeguard", "section-232", "section-301",
    "retaliatory-tariff", "quota", "labour-enforcement", "other",
}


@pytest.mark.parametrize(
    "scheme, cls, keys",
    [
        (ID["scheme/measure-type"], TKG.MeasureType, {ID[f"measure-type/{k}"] for k in MEASURE_TYPES}),
        (ID["scheme/forum"], TKG.Forum, {ID["forum/WTO"], ID["forum/USMCA"]}),
    ],
)
def test_concept_schemes(scheme, cls, keys):
    g = ontology()
    assert (scheme, RDF.type, SKOS.ConceptScheme) in g
    assert g.value(scheme, SKOS.prefLabel) is not None
    members = set(g.subjects(SKOS.inScheme, scheme))
    assert members == keys
    for concept in members:
        assert (concept, RDF.type, cls) in g
        assert (concept, RDF.type, SKOS.Concept) in g
        assert len(list(g.objects(concept, SKOS.prefLabel))) == 1
        assert len(list(g.objects(concept, SKOS.definition))) == 1
        notation = g.value(concept, SKOS.notation)
        assert str(notation) == str(concept).rsplit("/", 1)[1]


def test_measure_type_hierarchy():
    g = ontology()
    additional = ID["measure-type/additional-tariff"]
    for key in ("section-232", "section-301", "retaliatory-tariff"):
        assert g.value(ID[f"measure-type/{key}"], SKOS.broader) == additional


def test_measure_types_carry_every_broader_type_as_broader_transitive():
    # The queries test "this type or a narrower one" in one skos:broaderTransitive step (no skos:broader*
    # path, which Virtuoso 7.2 answers wrongly): it must be the whole skos:broader chain, no more.
    g = ontology()
    for concept in g.subjects(SKOS.inScheme, ID["scheme/measure-type"]):
        chain, node = set(), concept
        while (node := g.value(node, SKOS.broader)) is not None:
            assert node not in chain, f"skos:broader cycle at {node}"
            chain.add(node)
        assert set(g.objects(concept, SKOS.broaderTransitive)) == chain, concept


def test_ontology_concepts_conform_to_shapes():
    conforms, _, text = pyshacl.validate(ontology(), shacl_graph=shapes(), inference="none")
    assert conforms, text


# ---------------------------------------------------------------------------
#  The shapes graph itself
# ---------------------------------------------------------------------------


def test_shapes_graph_is_valid_shacl():
    meta_file = Path(pyshacl.__file__).parent / "assets" / "shacl-shacl.ttl"
    if meta_file.exists():
        conforms, _, text = pyshacl.validate(
            shapes(), shacl_graph=Graph().parse(meta_file, format="turtle"), inference="none"
        )
    else:  # pragma: no cover - layout of pyshacl's package data changed
        conforms, _, text = pyshacl.validate(shapes(), shacl_graph=shapes(), meta_shacl=True, inference="none")
    assert conforms, text


def _requires_something(shape) -> bool:
    """Read from shapes.ttl itself: a node-level pattern, or a property shape with sh:minCount of 1 or more."""
    g = shapes()
    if (shape, SH.pattern, None) in g:
        return True
    return any(int(count) >= 1 for prop in g.objects(shape, SH.property) for count in g.objects(prop, SH.minCount))


@pytest.mark.parametrize("shape, cls", sorted(shapes().subject_objects(SH.targetClass)))
def test_each_shape_fires_on_a_bare_instance_iff_it_requires_something(shape, cls):
    """An instance typed with the shape's class and nothing else: refused, with itself as the focus node, by
    every shape that requires a value (or an IRI pattern); left alone by a shape that only constrains
    optional values (tkg:Bloc's members). An empty graph would conform whatever the shapes say."""
    bare = URIRef("https://example.org/bare")
    data = Graph()
    data.add((bare, RDF.type, cls))
    data += ontology()
    conforms, report, _ = pyshacl.validate(data, shacl_graph=shapes(), inference="none")
    own = {shape, *shapes().objects(shape, SH.property)}  # results of this shape, not of others on the class
    fired = {report.value(r, SH.focusNode) for r in report.subjects(RDF.type, SH.ValidationResult)
             if report.value(r, SH.sourceShape) in own}
    assert (bare in fired) == _requires_something(shape), (shape, cls)


def test_shapes_are_documented():
    g = shapes()
    node_shapes = set(g.subjects(RDF.type, SH.NodeShape))
    assert len(node_shapes) >= 15
    for shape in node_shapes:
        assert shape.startswith(str(TKGSH))
        assert g.value(shape, RDFS.label) is not None, shape
        assert g.value(shape, RDFS.comment) is not None, shape
        assert len(list(g.objects(shape, SH.targetClass))) == 1, shape
    for prop_shape in g.objects(None, SH.property):
        assert g.value(prop_shape, SH.name) is not None, prop_shape
        assert g.value(prop_shape, SH.message) is not None, prop_shape


# ---------------------------------------------------------------------------
#  Validation helpers
# ---------------------------------------------------------------------------

PREFIXES = """
@prefix tkg:     <https://w3id.org/tradekg/ontology#> .
@prefix eco:     <https://w3id.org/tradekg/id/economy/> .
@prefix dispute: <https://w3id.org/tradekg/id/dispute/> .
@prefix forum:   <https://w3id.org/tradekg/id/forum/> .
@prefix mtype:   <https://w3id.org/tradekg/id/measure-type/> .
@prefix wto:     <https://w3id.org/tradekg/id/agreement/wto/> .
@prefix ex:      <https://w3id.org/tradekg/id/test/> .
@prefix rdfs:    <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd:     <http://www.w3.org/2001/XMLSchema#> .
@prefix skos:    <http://www.w3.org/2004/02/skos/core#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix prov:    <http://www.w3.org/ns/prov#> .
"""

# Economies the examples refer to.
ECONOMIES = """
eco:USA a tkg:WTOMember , tkg:Economy ; rdfs:label "United States"@en ;
    tkg:isoAlpha3 "USA" ; tkg:isoNumeric "840" ; tkg:wtoCode "USA" ;
    tkg:wtoMemberSince "1995-01-01"^^xsd:date .
eco:CHN a tkg:WTOMember , tkg:Economy ; rdfs:label "China"@en ;
    tkg:isoAlpha3 "CHN" ; tkg:isoNumeric "156" ; tkg:wtoCode "CHN" ;
    tkg:wtoMemberSince "2001-12-11"^^xsd:date .
eco:MEX a tkg:WTOMember , tkg:Economy ; rdfs:label "Mexico"@en ;
    tkg:wtoMemberSince "1995-01-01"^^xsd:date .
"""

# Two HS products: chapter 72 and heading 7208.
PRODUCTS = """
ex:hs-72 a tkg:Product ; skos:notation "72" ; skos:prefLabel "Iron and steel"@en ;
    skos:inScheme ex:hs2022 ; tkg:hsLevel 2 .
ex:hs-7208 a tkg:Product ; skos:notation "7208" ; skos:prefLabel "Flat-rolled products of iron, hot-rolled"@en ;
    skos:inScheme ex:hs2022 ; tkg:hsLevel 4 ; skos:broader ex:hs-72 ; tkg:hsChapter ex:hs-72 .
"""


def validate(ttl: str) -> tuple[bool, list[dict]]:
    """Validate inline Turtle (plus the ontology) against the shapes, as the build does."""
    data = Graph().parse(data=PREFIXES + ttl, format="turtle")
    data += ontology()
    conforms, report, _ = pyshacl.validate(data, shacl_graph=shapes(), ont_graph=None, inference="none")
    results = [
        {
            "focus": report.value(r, SH.focusNode),
            "path": report.value(r, SH.resultPath),
            "message": str(report.value(r, SH.resultMessage)),
            "component": report.value(r, SH.sourceConstraintComponent),
        }
        for r in report.subjects(RDF.type, SH.ValidationResult)
    ]
    return conforms, results


def assert_conforms(ttl: str) -> None:
    conforms, results = validate(ttl)
    assert conforms, results


def assert_single_violation(ttl: str, focus: URIRef, path: URIRef | None, message_part: str) -> dict:
    """The data must fail with exactly one result, at ``focus``/``path``, whose message contains ``message_part``."""
    conforms, results = validate(ttl)
    assert not conforms
    assert len(results) == 1, results
    (result,) = results
    assert result["focus"] == focus
    assert result["path"] == path
    assert message_part in result["message"], result["message"]
    return result


# ---------------------------------------------------------------------------
#  Economy / WTOMember / WTOObserver
# ---------------------------------------------------------------------------


def test_economy_valid():
    assert_conforms(ECONOMIES + """
        eco:TWN a tkg:Economy ; rdfs:label "Chinese Taipei" ; tkg:isoAlpha3 "TWN" ; tkg:wtoCode "CHT" .
        eco:EUN a tkg:Economy , tkg:Bloc ; rdfs:label "European Union"@en ; tkg:hasMember eco:DEU .
        eco:DEU a tkg:Economy ; rdfs:label "Germany"@en ; tkg:isoNumeric "276" .
    """)


def test_economy_lowercase_iri():
    result = assert_single_violation(
        """<https://w3id.org/tradekg/id/economy/usa> a tkg:Economy ; rdfs:label "United States"@en .""",
        ID["economy/usa"], None, "Economy IRIs must be",
    )
    assert result["component"] == SH.PatternConstraintComponent


def test_economy_subclass_instance_is_targeted_without_inference():
    # Typed only as tkg:WTOMember: the Economy shape still applies via rdfs:subClassOf in the ontology.
    assert_single_violation(
        """<https://w3id.org/tradekg/id/country/US> a tkg:WTOMember ; rdfs:label "United States"@en ;
               tkg:wtoMemberSince "1995-01-01"^^xsd:date .""",
        ID["country/US"], None, "Economy IRIs must be",
    )


def test_economy_two_labels():
    assert_single_violation(
        """eco:USA a tkg:Economy ; rdfs:label "United States"@en , "USA"@en .""",
        ID["economy/USA"], RDFS.label, "exactly one rdfs:label",
    )


def test_economy_bad_iso_numeric():
    assert_single_violation(
        """eco:BRA a tkg:Economy ; rdfs:label "Brazil"@en ; tkg:isoNumeric "76" .""",
        ID["economy/BRA"], TKG.isoNumeric, "three-digit",
    )


def test_wto_member_without_date():
    result = assert_single_violation(
        """eco:USA a tkg:WTOMember , tkg:Economy ; rdfs:label "United States"@en .""",
        ID["economy/USA"], TKG.wtoMemberSince, "tkg:wtoMemberSince",
    )
    assert result["component"] == SH.MinCountConstraintComponent


def test_wto_member_date_as_string():
    result = assert_single_violation(
        """eco:USA a tkg:WTOMember , tkg:Economy ; rdfs:label "United States"@en ;
               tkg:wtoMemberSince "1995-01-01" .""",
        ID["economy/USA"], TKG.wtoMemberSince, "xsd:date",
    )
    assert result["component"] == SH.DatatypeConstraintComponent


def test_observer_cannot_be_member():
    assert_conforms("""eco:ETH a tkg:WTOObserver , tkg:Economy ; rdfs:label "Ethiopia"@en .""")
    assert_single_violation(
        """eco:ETH a tkg:WTOObserver , tkg:WTOMember , tkg:Economy ; rdfs:label "Ethiopia"@en ;
               tkg:wtoMemberSince "2026-01-01"^^xsd:date .""",
        ID["economy/ETH"], None, "both tkg:WTOObserver and tkg:WTOMember",
    )


# ---------------------------------------------------------------------------
#  Dispute / StatusEvent
# ---------------------------------------------------------------------------

DS544 = ECONOMIES + """
ex:st-gateway a skos:ConceptScheme .
ex:ST5 a tkg:DisputeStatus ; skos:notation "ST5" ; skos:inScheme ex:st-gateway .
ex:G232 a tkg:DisputeSubject ; skos:notation "G232" ; skos:prefLabel "Aluminium and Steel Products"@en ;
    skos:inScheme ex:subjects .
wto:GATT1994 a tkg:WTOAgreement , tkg:Agreement ; rdfs:label "General Agreement on Tariffs and Trade 1994"@en .
ex:gatt-XIX a tkg:Provision ; tkg:provisionOf wto:GATT1994 ; skos:notation "XIX" ; rdfs:label "GATT 1994 Art. XIX"@en .
ex:ds544-ev1 a tkg:StatusEvent ; tkg:statusCode ex:ST5 ; tkg:eventDate "2019-01-28"^^xsd:date .

dispute:DS544 a tkg:Dispute ;
    dcterms:identifier "DS544" ;
    dcterms:title "United States — Certain Measures on Steel and Aluminium Products"@en ;
    tkg:shortTitle "US — Steel and Aluminium Products (China)" ;
    tkg:disputeNumber 544 ;
    tkg:forum forum:WTO ;
    tkg:complainant eco:CHN ;
    tkg:respondent eco:USA ;
    tkg:thirdParty eco:MEX ;
    tkg:consultationsRequested "2018-04-05"^^xsd:date ;
    tkg:citesAgreement wto:GATT1994 ;
    tkg:citesProvision ex:gatt-XIX ;
    tkg:subject ex:G232 ;
    tkg:statusEvent ex:ds544-ev1 ;
    tkg:status ex:ST5 ;
    tkg:statusDate "2019-01-28"^^xsd:date ;
    tkg:reportsAdopted false .
"""


def test_dispute_valid():
    assert_conforms(DS544)


def test_usmca_dispute_needs_no_ds_iri():
    assert_conforms(ECONOMIES + """
        <https://w3id.org/tradekg/id/dispute/usmca/MEX-USA-2022-31-01> a tkg:Dispute ;
            dcterms:identifier "MEX-USA-2022-31-01" ;
            dcterms:title "United States — Automotive Rules of Origin"@en ;
            tkg:forum forum:USMCA ;
            tkg:complainant eco:MEX ;
            tkg:respondent eco:USA .
    """)


def test_dispute_without_respondent():
    result = assert_single_violation(
        DS544.replace("tkg:respondent eco:USA ;", ""),
        ID["dispute/DS544"], TKG.respondent, "at least one tkg:respondent",
    )
    assert result["component"] == SH.MinCountConstraintComponent


def test_dispute_complainant_must_be_economy():
    assert_single_violation(
        DS544.replace("tkg:complainant eco:CHN ;", "tkg:complainant ex:not-an-economy ;"),
        ID["dispute/DS544"], TKG.complainant, "tkg:complainant",
    )


def test_wto_dispute_iri_pattern():
    result = assert_single_violation(
        DS544.replace("dispute:DS544 a tkg:Dispute", "<https://w3id.org/tradekg/id/dispute/ds-544> a tkg:Dispute"),
        ID["dispute/ds-544"], None, "WTO disputes",
    )
    assert result["component"] == SH.OrConstraintComponent


def test_dispute_two_forums_and_number_as_string():
    conforms, results = validate(
        DS544.replace("tkg:forum forum:WTO ;", "tkg:forum forum:WTO , forum:USMCA ;")
             .replace("tkg:disputeNumber 544 ;", 'tkg:disputeNumber "544" ;')
    )
    assert not conforms
    assert {r["path"] for r in results} == {TKG.forum, TKG.disputeNumber}


def test_status_event_without_date():
    assert_single_violation(
        DS544.replace('tkg:eventDate "2019-01-28"^^xsd:date', 'rdfs:comment "no date"'),
        ID["test/ds544-ev1"], TKG.eventDate, "tkg:eventDate",
    )


# ---------------------------------------------------------------------------
#  Agreement / Provision / Participation
# ---------------------------------------------------------------------------

GATT = """
wto:GATT1994 a tkg:WTOAgreement , tkg:Agreement ; rdfs:label "General Agreement on Tariffs and Trade 1994"@en ;
    tkg:entryIntoForce "1995-01-01"^^xsd:date .
ex:gatt-XIX a tkg:Provision ; tkg:provisionOf wto:GATT1994 ; skos:notation "XIX" ;
    rdfs:label "GATT 1994 Article XIX (Emergency Action on Imports of Particular Products)"@en .
ex:gatt-XIX-1 a tkg:Provision ; tkg:provisionOf wto:GATT1994 ; skos:notation "XIX:1" ;
    rdfs:label "GATT 1994 Article XIX:1"@en ; tkg:partOfProvision ex:gatt-XIX .
"""


def test_provision_valid():
    assert_conforms(GATT)


def test_provision_without_agreement():
    assert_single_violation(
        GATT.replace('ex:gatt-XIX-1 a tkg:Provision ; tkg:provisionOf wto:GATT1994 ;', "ex:gatt-XIX-1 a tkg:Provision ;"),
        ID["test/gatt-XIX-1"], TKG.provisionOf, "exactly one tkg:provisionOf",
    )


def test_provision_part_of_non_provision():
    assert_single_violation(
        GATT.replace("tkg:partOfProvision ex:gatt-XIX", "tkg:partOfProvision wto:GATT1994"),
        ID["test/gatt-XIX-1"], TKG.partOfProvision, "tkg:partOfProvision",
    )


def test_agreement_and_participation():
    rta = """
        <https://w3id.org/tradekg/id/agreement/rta/1011> a tkg:RegionalTradeAgreement , tkg:Agreement ;
            rdfs:label "United States-Mexico-Canada Agreement (USMCA/CUSMA/T-MEC)"@en ;
            tkg:signatureDate "2018-11-30"^^xsd:date ; tkg:entryIntoForce "2020-07-01"^^xsd:date ;
            tkg:party eco:USA , eco:MEX ;
            tkg:participation ex:p1 .
        ex:p1 a tkg:Participation ; tkg:participant eco:MEX ; tkg:startDate "2020-07-01"^^xsd:date .
    """
    assert_conforms(ECONOMIES + rta)
    assert_single_violation(
        ECONOMIES + rta.replace('tkg:entryIntoForce "2020-07-01"^^xsd:date',
                                'tkg:entryIntoForce "2020-07-01"^^xsd:date , "2020-07-02"^^xsd:date'),
        ID["agreement/rta/1011"], TKG.entryIntoForce, "tkg:entryIntoForce",
    )
    assert_single_violation(
        ECONOMIES + rta.replace("tkg:participant eco:MEX", "tkg:participant eco:MEX , eco:USA"),
        ID["test/p1"], TKG.participant, "exactly one tkg:participant",
    )


# ---------------------------------------------------------------------------
#  Measure
# ---------------------------------------------------------------------------

SECTION_232_STEEL = ECONOMIES + PRODUCTS + """
ex:proc-9705 a tkg:LegalInstrument ; rdfs:label "Proclamation 9705: Adjusting Imports of Steel into the United States"@en .
ex:m-232-steel a tkg:Measure ;
    rdfs:label "US Section 232 additional duty on steel"@en ;
    tkg:imposedBy eco:USA ;
    tkg:affects eco:CHN ;
    tkg:coversProduct ex:hs-7208 ;
    tkg:measureType mtype:section-232 ;
    tkg:legalBasis ex:proc-9705 ;
    tkg:startDate "2018-03-23"^^xsd:date ;
    tkg:rate 25.0 .
"""


def test_measure_valid():
    assert_conforms(SECTION_232_STEEL)


def test_measure_without_type():
    assert_single_violation(
        SECTION_232_STEEL.replace("tkg:measureType mtype:section-232 ;", ""),
        ID["test/m-232-steel"], TKG.measureType, "tkg:measureType",
    )


def test_measure_rate_must_be_decimal():
    result = assert_single_violation(
        SECTION_232_STEEL.replace("tkg:rate 25.0 .", "tkg:rate 25.0e0 ."),
        ID["test/m-232-steel"], TKG.rate, "xsd:decimal",
    )
    assert result["component"] == SH.DatatypeConstraintComponent


def test_measure_unknown_measure_type():
    assert_single_violation(
        SECTION_232_STEEL.replace("mtype:section-232", "mtype:section-233"),
        ID["test/m-232-steel"], TKG.measureType, "tkg:MeasureType",
    )


# ---------------------------------------------------------------------------
#  Product
# ---------------------------------------------------------------------------


def test_product_valid():
    assert_conforms(PRODUCTS)


def test_product_two_notations():
    result = assert_single_violation(
        PRODUCTS.replace('skos:notation "7208"', 'skos:notation "7208" , "720800"'),
        ID["test/hs-7208"], SKOS.notation, "exactly one skos:notation",
    )
    assert result["component"] == SH.MaxCountConstraintComponent


def test_product_level_must_be_integer():
    assert_single_violation(
        PRODUCTS.replace("tkg:hsLevel 4", 'tkg:hsLevel "4"'),
        ID["test/hs-7208"], TKG.hsLevel, "tkg:hsLevel",
    )


def test_product_broader_must_be_product():
    assert_single_violation(
        PRODUCTS.replace("skos:broader ex:hs-72", "skos:broader ex:unknown"),
        ID["test/hs-7208"], SKOS.broader, "skos:broader",
    )


# ---------------------------------------------------------------------------
#  Source (provenance of a named graph)
# ---------------------------------------------------------------------------

SOURCE = """
ex:graph-wto-members a tkg:Source ;
    dcterms:title "WTO members and observers"@en ;
    dcterms:source <https://www.wto.org/english/thewto_e/whatis_e/tif_e/org6_e.htm> ;
    dcterms:license "WTO terms of use" ;
    prov:generatedAtTime "2026-11-28T12:00:00Z"^^xsd:dateTime ;
    tkg:retrievedOn "2026-11-27"^^xsd:date ;
    tkg:loaderVersion "0.1.0" ;
    tkg:sourceFile "data/wto/members.csv" ;
    tkg:sha256 "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" ;
    tkg:tripleCount 1234 .
"""


def test_source_valid():
    assert_conforms(SOURCE)


def test_source_triple_count_as_string():
    assert_single_violation(
        SOURCE.replace("tkg:tripleCount 1234", 'tkg:tripleCount "1234"'),
        ID["test/graph-wto-members"], TKG.tripleCount, "tkg:tripleCount",
    )


def test_source_without_generation_time():
    assert_single_violation(
        SOURCE.replace('prov:generatedAtTime "2026-11-28T12:00:00Z"^^xsd:dateTime ;', ""),
        ID["test/graph-wto-members"], PROV.generatedAtTime, "prov:generatedAtTime",
    )



# ---------------------------------------------------------------------------
#  Trade flow
# ---------------------------------------------------------------------------


def test_trade_flow():
    flow = ECONOMIES + PRODUCTS + """
        ex:flow-1 a tkg:TradeFlow ; tkg:exporter eco:CHN ; tkg:importer eco:USA ; tkg:product ex:hs-7208 ;
            tkg:year "2023"^^xsd:gYear ; tkg:valueThousandUSD 1520.5 ; tkg:quantityTonnes 1800.0 .
    """
    assert_conforms(flow)
    assert_single_violation(
        flow.replace('tkg:year "2023"^^xsd:gYear', 'tkg:year 2023'),
        ID["test/flow-1"], TKG.year, "xsd:gYear",
    )
