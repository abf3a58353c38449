"""Regional trade agreements (WTO RTA database) and DESTA: facts checked by hand in
data/wto-rta/AllRTAs.csv and data/desta/desta_list_of_treaties_02_03.csv, found in a validated build."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tradekg.data import bundled
from tradekg.graph.build import build
from tradekg.graph.context import BuildContext
from tradekg.graph.errors import SourceError
from tradekg.graph.loaders import desta, economies, ontology, wto_rta
from tradekg.graph.store import EmbeddedStore

from conftest import ID, PREFIXES

RTA = f"{ID}agreement/rta/"
XSD = "PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>\n"
NORTH_AMERICA = {f"{ID}economy/{code}" for code in ("CAN", "MEX", "USA")}


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory):
    """The RTA and DESTA graphs (with the ontology and economies) built and SHACL-validated once."""
    target = tmp_path_factory.mktemp("rta") / "store"
    build(target, loaders=[(m.SOURCE, m.triples) for m in (ontology, wto_rta, desta, economies)])
    opened = EmbeddedStore(target)
    yield opened
    opened.close()


def values(store: EmbeddedStore, query: str, var: str = "x") -> set[str]:
    return {str(row[var]) for row in store.select(PREFIXES + XSD + query) if var in row}


def periods(store: EmbeddedStore, rta: str) -> dict[str, tuple[str | None, str | None, str | None]]:
    """Participant code -> (start, end, bloc) of every participation in one agreement."""
    rows = store.select(PREFIXES + f"""SELECT ?code ?s ?e ?b WHERE {{ <{RTA}{rta}> tkg:participation ?p .
        ?p tkg:participant ?c . BIND(STRAFTER(STR(?c), "economy/") AS ?code)
        OPTIONAL {{ ?p tkg:startDate ?s }} OPTIONAL {{ ?p tkg:endDate ?e }} OPTIONAL {{ ?p tkg:viaBloc ?b }} }}""")
    return {str(r["code"]): tuple(str(r[k]) if k in r else None for k in ("s", "e", "b")) for r in rows}


def in_force_between(store: EmbeddedStore, a: str, b: str, day: str) -> set[str]:
    """The "as of" query: agreements both economies were party to on that day."""
    return values(store, f"""SELECT ?x WHERE {{
        ?x tkg:participation ?p, ?q . ?p tkg:participant <{ID}economy/{a}> ; tkg:startDate ?s1 .
        ?q tkg:participant <{ID}economy/{b}> ; tkg:startDate ?s2 .
        OPTIONAL {{ ?p tkg:endDate ?e1 }} OPTIONAL {{ ?q tkg:endDate ?e2 }}
        FILTER(?s1 <= "{day}"^^xsd:date && ?s2 <= "{day}"^^xsd:date
               && (!BOUND(?e1) || ?e1 >= "{day}"^^xsd:date) && (!BOUND(?e2) || ?e2 >= "{day}"^^xsd:date)) }}""")


def test_usmca(store):
    # AllRTAs.csv line 693: RTA 1087, FTA & EIA, signed 2018-11-30, in force 2020-07-01, Canada; Mexico; USA.
    usmca = f"<{RTA}1087>"
    assert values(store, f"SELECT ?x WHERE {{ {usmca} tkg:party ?x }}") == NORTH_AMERICA
    assert values(store, f"SELECT ?x WHERE {{ {usmca} tkg:entryIntoForce ?x }}") == {"2020-07-01"}
    assert values(store, f"SELECT ?x WHERE {{ {usmca} tkg:signatureDate ?x }}") == {"2018-11-30"}
    assert values(store, f"SELECT ?x WHERE {{ {usmca} tkg:agreementType/skos:notation ?x }}") == {"FTA", "EIA"}
    assert values(store, f"SELECT ?x WHERE {{ {usmca} tkg:agreementStatus/skos:prefLabel ?x }}") == {"In Force"}
    assert values(store, f"SELECT ?x WHERE {{ {usmca} a ?x }}") >= {
        "https://w3id.org/tradekg/ontology#RegionalTradeAgreement", "https://w3id.org/tradekg/ontology#Agreement"}
    assert periods(store, "1087") == {c: ("2020-07-01", None, None) for c in ("CAN", "MEX", "USA")}


def test_nafta_is_inactive_from_usmca_entry_into_force(store):
    # Line 870: RTA 122, Inactive Date 2020-07-01; its participations end the day before.
    assert values(store, f"SELECT ?x WHERE {{ <{RTA}122> tkg:inactiveDate ?x }}") == {"2020-07-01"}
    assert values(store, f"SELECT ?x WHERE {{ <{RTA}122> tkg:agreementStatus/skos:notation ?x }}") == {"inactive"}
    assert periods(store, "122")["MEX"] == ("1994-01-01", "2020-06-30", None)
    assert in_force_between(store, "CAN", "USA", "2019-06-01") == {f"{RTA}122"}
    assert in_force_between(store, "CAN", "USA", "2020-07-01") == {f"{RTA}1087"}


def test_usmca_desta_record_is_the_same_agreement(store):
    # DESTA 1007 "US Mexico Canada Agreement (USMCA)", 2018, in force 2020, wto_name = the RTA name.
    record = f"{ID}agreement/desta/1007"
    assert values(store, f"SELECT ?x WHERE {{ <{RTA}1087> skos:exactMatch ?x }}") == {record}
    assert values(store, f"SELECT ?x WHERE {{ <{record}> tkg:party ?x }}") == NORTH_AMERICA
    year = f"SELECT ?x WHERE {{ <{record}> tkg:signatureYear ?x FILTER(DATATYPE(?x) = xsd:gYear) }}"
    assert values(store, year) == {"2018"}
    assert values(store, f"SELECT ?x WHERE {{ <{record}> tkg:entryIntoForceYear ?x }}") == {"2020"}


def test_desta_only_treaty_is_an_agreement(store):
    # DESTA 18 "Algeria Jordan", 1997, in force 1999, parties 12 and 400 (ISO numeric): not in the RTA database.
    record = f"<{ID}agreement/desta/18>"
    assert values(store, f"SELECT ?x WHERE {{ {record} rdfs:label ?x }}") == {"Algeria Jordan"}
    assert values(store, f"SELECT ?x WHERE {{ {record} tkg:party ?x }}") == {f"{ID}economy/DZA", f"{ID}economy/JOR"}
    assert values(store, f"SELECT ?x WHERE {{ {record} skos:exactMatch ?x }}") == set()


def test_eu_agreement_expands_to_member_states_as_of_its_dates(store):
    # RTA 167 "EU - Korea, Republic of": in force 2011-07-01; signatories Korea; European Union;
    # the United Kingdom's specific exit date 31-Dec-2020; Croatia joined the EU on 01-Jul-2013 (RTA 120).
    parts = periods(store, "167")
    assert parts["KOR"] == ("2011-07-01", None, None)
    assert parts["EUN"] == ("2011-07-01", None, None)
    assert parts["DEU"] == ("2011-07-01", None, f"{ID}economy/EUN")
    assert parts["HRV"] == ("2013-07-01", None, f"{ID}economy/EUN")
    assert parts["GBR"] == ("2011-07-01", "2020-12-31", f"{ID}economy/EUN")
    assert len(parts) == 2 + 28
    assert f"{RTA}167" in in_force_between(store, "FRA", "KOR", "2012-01-01")
    assert f"{RTA}167" not in in_force_between(store, "GBR", "KOR", "2021-06-01")


def test_bloc_membership_is_derived_from_the_blocs_own_agreements(store):
    eu = values(store, f"SELECT ?x WHERE {{ <{ID}economy/EUN> tkg:hasMember ?x }}")
    assert len(eu) == 27 and f"{ID}economy/HRV" in eu and f"{ID}economy/GBR" not in eu
    assert values(store, f"SELECT ?x WHERE {{ <{ID}bloc/EFTA> tkg:hasMember ?x }}") == {
        f"{ID}economy/{c}" for c in ("CHE", "ISL", "LIE", "NOR")}
    # RTA 120 "EU Treaty": the members that entered on EC (9) Enlargement's entry into force (RTA 145, 1973-01-01).
    joined = {code for code, (start, _, _) in periods(store, "120").items() if start == "1973-01-01"}
    assert joined == {"DNK", "GBR", "IRL"}
    assert periods(store, "152")["FIN"] == ("1986-01-01", "1994-12-31", None)  # EFTA convention, Finland's own dates


def test_bloc_stays_a_party_and_own_dates_apply_to_its_members(store):
    # RTA 600 "EFTA - Albania", in force 2010-11-01, 'Iceland(01-Oct-2011 - ); Norway(01-Aug-2011 - )'.
    assert values(store, f"SELECT ?x WHERE {{ <{RTA}600> tkg:party ?x }}") >= {f"{ID}bloc/EFTA", f"{ID}economy/ALB"}
    parts = periods(store, "600")
    efta = f"{ID}bloc/EFTA"
    assert parts == {"ALB": ("2010-11-01", None, None), "ISL": ("2011-10-01", None, efta),
                     "NOR": ("2011-08-01", None, efta), "LIE": ("2010-11-01", None, efta),
                     "CHE": ("2010-11-01", None, efta)}


def test_placeholder_entry_date_means_not_yet_in_force(store):
    # RTA 1171 ATISA: 'Philippines(01-Jan-9999 - )' is the database's "not yet in force for this party".
    parts = periods(store, "1171")
    assert parts["PHL"] == (None, None, None)
    assert parts["SGP"] == ("2021-04-01", None, None)


@pytest.fixture
def rta_data(tmp_path: Path) -> Path:
    """A private copy of just the files the two loaders read."""
    for folder in ("wto-rta", "desta", "crosswalks"):
        shutil.copytree(bundled() / folder, tmp_path / folder)
    return tmp_path


def corrupt(path: Path, old: str, new: str) -> None:
    content = path.read_text(encoding="utf-8")
    assert content.count(old) == 1, old
    path.write_text(content.replace(old, new), encoding="utf-8")


def test_corrupted_date_names_file_line_and_column(rta_data):
    corrupt(rta_data / "wto-rta" / "AllRTAs.csv", "2018-11-30,2018-11-30,2020-09-16,2020-09-16,2020-07-01,",
            "2018-11-30,2018-11-30,2020-09-16,2020-09-16,2020-07-41,")
    with pytest.raises(SourceError) as caught:
        list(wto_rta.triples(BuildContext.for_data(rta_data)))
    error = caught.value
    assert (Path(error.path).name, error.line, error.column, error.field) == (
        "AllRTAs.csv", 693, 11, "Date of Entry into Force (G)")
    assert "'2020-07-41' is not a date" in str(error)


def test_corrupted_specific_date_names_its_column(rta_data):
    corrupt(rta_data / "wto-rta" / "AllRTAs.csv", "Iceland(01-Oct-2011 - ); Norway(01-Aug-2011 - )",
            "Iceland(31-Sep-2011 - ); Norway(01-Aug-2011 - )")
    with pytest.raises(SourceError, match=r"AllRTAs.csv, line \d+, column 21 \(Specific Entry/Exit dates\): "
                                          r"'31-Sep-2011' is not a date"):
        list(wto_rta.triples(BuildContext.for_data(rta_data)))


def test_corrupted_desta_party_code_is_rejected(rta_data):
    corrupt(rta_data / "desta" / "desta_list_of_treaties_02_03.csv",
            '"Algeria Jordan","base_treaty",0,1997,1999,"English",1,"Intercontinental",0,,12,400,',
            '"Algeria Jordan","base_treaty",0,1997,1999,"English",1,"Intercontinental",0,,12,4O0,')
    with pytest.raises(SourceError, match=r"desta_list_of_treaties_02_03.csv, line 27, column 14 \(c2\): "
                                          r"'4O0' is not an ISO 3166 numeric code"):
        list(desta.triples(BuildContext.for_data(rta_data)))
