"""Facts from the bundled WTO data, checked by hand in the source files, found in the built graph."""

from __future__ import annotations

from conftest import ID, PREFIXES


def values(store, query: str, var: str) -> set[str]:
    return {str(row[var]) for row in store.select(PREFIXES + query) if var in row}


def test_every_dispute_and_member_is_in_the_graph(full_store):
    gateway = "SELECT (COUNT(?d) AS ?n) WHERE { GRAPH <https://w3id.org/tradekg/graph/wto-ds-gateway> { ?d a tkg:Dispute } }"
    assert values(full_store, gateway, "n") == {"624"}
    # DS1-DS624 from the gateway, and DS625 onward from the curated table (8 numbered rows).
    numbered = "SELECT (COUNT(DISTINCT ?d) AS ?n) WHERE { ?d a tkg:Dispute ; tkg:disputeNumber ?x }"
    assert values(full_store, numbered, "n") == {"632"}
    assert values(full_store, "SELECT (COUNT(?m) AS ?n) WHERE { ?m a tkg:WTOMember }", "n") == {"166"}


def test_ds544_parties_date_and_citations(full_store):
    # ds_cases.csv row DS544: CHN v USA, 2018-04-05, 29 third parties, GATT 1994 XIX:1 and Safeguards 2.1 cited.
    ds = f"<{ID}dispute/DS544>"
    assert values(full_store, f"SELECT ?c WHERE {{ {ds} tkg:complainant ?c }}", "c") == {f"{ID}economy/CHN"}
    assert values(full_store, f"SELECT ?r WHERE {{ {ds} tkg:respondent ?r }}", "r") == {f"{ID}economy/USA"}
    assert values(full_store, f"SELECT ?d WHERE {{ {ds} tkg:consultationsRequested ?d }}", "d") == {"2018-04-05"}
    third = values(full_store, f"SELECT ?t WHERE {{ {ds} tkg:thirdParty ?t }}", "t")
    assert len(third) == 29
    assert {f"{ID}economy/EUN", f"{ID}economy/TWN", f"{ID}economy/HKG"} <= third  # gateway EEC, CHT, HKG
    cited = values(full_store, f"SELECT ?n WHERE {{ {ds} tkg:citesProvision/skos:notation ?n }}", "n")
    assert {"XIX:1", "I:1", "2.1", "12.3"} <= cited
    assert values(full_store, f"SELECT ?a WHERE {{ {ds} tkg:citesAgreement ?a }}", "a") == {
        f"{ID}agreement/wto/GATT1994", f"{ID}agreement/wto/SG"}
    assert values(full_store, f"SELECT ?s WHERE {{ {ds} tkg:subject/skos:notation ?s }}", "s") == {"G232"}
    assert values(full_store, f"SELECT ?s WHERE {{ {ds} tkg:status/skos:notation ?s }}", "s") == {"ST4"}
    assert values(full_store, f"SELECT ?d WHERE {{ {ds} tkg:statusDate ?d }}", "d") == {"2023-01-26"}


def test_ds574_is_venezuela_against_the_united_states(full_store):
    ds = f"<{ID}dispute/DS574>"
    assert values(full_store, f"SELECT ?c WHERE {{ {ds} tkg:complainant ?c }}", "c") == {f"{ID}economy/VEN"}
    assert values(full_store, f"SELECT ?r WHERE {{ {ds} tkg:respondent ?r }}", "r") == {f"{ID}economy/USA"}


def test_ds2_gasoline(full_store):
    ds = f"<{ID}dispute/DS2>"
    assert values(full_store, f"SELECT ?d WHERE {{ {ds} tkg:consultationsRequested ?d }}", "d") == {"1995-01-24"}
    assert values(full_store, f"SELECT ?t WHERE {{ {ds} tkg:thirdParty ?t }}", "t") == {
        f"{ID}economy/{c}" for c in ("AUS", "CAN", "EUN", "NOR")}
    assert values(full_store, f"SELECT ?t WHERE {{ {ds} tkg:shortTitle ?t }}", "t") == {"US — Gasoline"}


def test_ds600_palm_oil_has_three_respondents(full_store):
    ds = f"<{ID}dispute/DS600>"
    assert values(full_store, f"SELECT ?r WHERE {{ {ds} tkg:respondent ?r }}", "r") == {
        f"{ID}economy/{c}" for c in ("EUN", "FRA", "LTU")}
    assert values(full_store, f"SELECT ?a WHERE {{ {ds} tkg:reportsAdopted ?a }}", "a") == {"true"}


def test_membership_dates_and_names(full_store):
    dates = {str(r["code"]): str(r["since"]) for r in full_store.select(
        PREFIXES + "SELECT ?code ?since WHERE { ?e tkg:wtoMemberSince ?since ; skos:notation ?code }")}
    assert dates["CHN"] == "2001-12-11"
    assert dates["RUS"] == "2012-08-22"
    assert dates["COM"] == "2024-08-21"
    assert dates["TLS"] == "2024-08-30"
    assert dates["EUN"] == "1995-01-01"
    # Wikipedia's "Taiwan" is the WTO's Chinese Taipei; the label is the WTO's name.
    assert values(full_store, f"SELECT ?l WHERE {{ <{ID}economy/TWN> rdfs:label ?l }}", "l") == {"Chinese Taipei"}
    assert "Taiwan" in values(full_store, f"SELECT ?l WHERE {{ <{ID}economy/TWN> skos:altLabel ?l }}", "l")
    assert values(full_store, f"SELECT ?c WHERE {{ <{ID}economy/EUN> tkg:wtoCode ?c }}", "c") == {"EEC"}


def test_observers_are_derived_and_not_members(full_store):
    observers = values(full_store, "SELECT ?o WHERE { ?o a tkg:WTOObserver }", "o")
    assert f"{ID}economy/DZA" in observers and f"{ID}economy/VAT" in observers  # Algeria; the Holy See (XXX)
    assert f"{ID}economy/TLS" not in observers  # Timor-Leste joined in 2024
    assert len(observers) == 22


def test_provisions_roll_up_to_articles(full_store):
    art = f"<{ID}agreement/wto/GATT1994/article/XIX:1>"
    assert values(full_store, f"SELECT ?p WHERE {{ {art} tkg:partOfProvision ?p }}", "p") == {
        f"{ID}agreement/wto/GATT1994/article/XIX"}
    assert values(full_store, f"SELECT ?a WHERE {{ {art} tkg:provisionOf ?a }}", "a") == {f"{ID}agreement/wto/GATT1994"}


def test_each_source_has_its_named_graph_and_provenance(full_store):
    graphs = set(full_store.named_graphs())
    for key in ("wto-members", "wto-ds-gateway", "wto-ds-crawl-2018", "economies", "ontology", "meta"):
        assert f"https://w3id.org/tradekg/graph/{key}" in graphs
    licence = values(full_store, "SELECT ?l WHERE { <https://w3id.org/tradekg/graph/wto-members> dcterms:license ?l }", "l")
    assert any("CC BY-SA 4.0" in value for value in licence)
    # GRAPH ?g tells which source said what.
    said = values(full_store, f"SELECT ?g WHERE {{ GRAPH ?g {{ <{ID}dispute/DS544> tkg:complainant ?c }} }}", "g")
    assert said == {"https://w3id.org/tradekg/graph/wto-ds-gateway"}


def test_unresolvable_source_codes_are_reported_not_dropped_silently(full_build):
    _, report = full_build
    notes = report.notes["wto-ds-gateway"]
    assert any("DS168: subject code 'G7I13'" in n for n in notes)
    assert any("'A30_1117'" in n and "cites ACCESSION" in n for n in notes)
    assert report.ignored_names["OR"]  # DS490's stray third-party code (SOURCES.md 1a)
