"""The SPARQL 1.1 Service Description returned by GET /sparql without a query (sd: vocabulary)."""

from __future__ import annotations

from ..graph.store import convert_rdf

SD = "http://www.w3.org/ns/sparql-service-description#"
FORMATS = "http://www.w3.org/ns/formats/"
RESULT_FORMATS = ["SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV",
                  "Turtle", "N-Triples", "N-Quads", "TriG", "RDF_XML", "JSON-LD"]


def describe(endpoint: str, named_graphs: list[str], update: bool, federation: bool) -> str:
    """Turtle text: the endpoint, its languages, result formats, features and dataset."""
    languages = f"sd:SPARQL11Query{', sd:SPARQL11Update' if update else ''}"
    features = f"sd:UnionDefaultGraph{', sd:BasicFederatedQuery' if federation else ''}"
    formats = ", ".join(f"<{FORMATS}{name}>" for name in RESULT_FORMATS)
    graphs = " ,\n      ".join(f"[ a sd:NamedGraph ; sd:name <{g}> ]" for g in named_graphs)
    dataset = "[ a sd:Dataset ;\n    sd:defaultGraph [ a sd:Graph ]"
    if graphs:
        dataset += f" ;\n    sd:namedGraph\n      {graphs}"
    return (f"@prefix sd: <{SD}> .\n@prefix dcterms: <http://purl.org/dc/terms/> .\n\n"
            f"<{endpoint}> a sd:Service ;\n"
            f"  sd:endpoint <{endpoint}> ;\n"
            f"  dcterms:title \"tradekg: a knowledge graph of international trade\" ;\n"
            f"  sd:supportedLanguage {languages} ;\n"
            f"  sd:resultFormat {formats} ;\n"
            f"  sd:feature {features} ;\n"
            f"  sd:defaultDataset {dataset} ] .\n")


def serialise(turtle: str, fmt: str) -> bytes:
    """The description in another RDF format (pyoxigraph name), converted in the engine."""
    return convert_rdf(turtle.encode("utf-8"), "TURTLE", fmt)
