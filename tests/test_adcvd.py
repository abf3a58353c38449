"""US anti-dumping / countervailing duty loaders: GAD cases, USITC orders in place, I-TIP measures.

Pinned facts were read by hand in data/bown-gad-usa/ and data/us-adcvd-syyunn/ (line numbers are
the files' own).
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from pathlib import Path

import pytest
from rdflib import URIRef
from rdflib.namespace import SH

from tradekg.data import bundled
from tradekg.graph import validate
from tradekg.graph.build import build
from tradekg.graph.context import BuildContext
from tradekg.graph.errors import SourceError
from tradekg.graph.loaders import economies, gad_usa, hs2022, itip_us_ad, ontology, us_adcvd, us_adcvd_orders, wto_ds_gateway
from tradekg.graph.loaders.itip_us_ad import partner_names
from tradekg.graph.loaders.us_adcvd import normalise
from tradekg.graph.shacl_sparql import compile_shapes
from tradekg.graph.store import EmbeddedStore
from tradekg.queries import run

from conftest import ID, PREFIXES, TKG

MINE = (gad_usa, us_adcvd, itip_us_ad, us_adcvd_orders)
M = f"<{ID}measure/"


@pytest.fixture(scope="module")
def remedies(tmp_path_factory: pytest.TempPathFactory):
    """The three loaders built with what they refer to (WTO agreements, HS 2022, economies); SHACL is
    run by test_conforms on the same store, so the build itself skips it."""
    target = tmp_path_factory.mktemp("adcvd") / "store"
    loaders = [(m.SOURCE, m.triples) for m in (ontology, wto_ds_gateway, hs2022, *MINE, economies)]
    report = build(target, loaders=loaders, check_shapes=False)
    store = EmbeddedStore(target)
    yield store, report
    store.close()


def values(store: EmbeddedStore, subject: str, predicate: str) -> set[str]:
    return {str(row["o"]) for row in store.select(PREFIXES + f"SELECT ?o WHERE {{ {subject} {predicate} ?o }}")}


def ask(store: EmbeddedStore, pattern: str) -> bool:
    return store.ask(PREFIXES + f"ASK {{ {pattern} }}")


def test_conforms_to_the_shapes(remedies):
    """The shapes of what these loaders make (measures, legal instruments, products, economies); the
    store holds no other measures, so every violation found would be theirs."""
    store, _ = remedies
    shapes = validate.shapes_graph()
    targets = {URIRef(TKG + name) for name in ("Measure", "MeasureRecord", "LegalInstrument", "Product", "Economy")}
    wanted = {str(shape) for shape, target in shapes.subject_objects(SH.targetClass) if target in targets}
    checks = [check for check in compile_shapes(shapes) if check.shape in wanted]
    assert len(checks) > 20
    found = [(check.message, str(row["focus"])) for check in checks
             for row in store.db.query(check.query, use_default_graph_as_union=True)]
    assert found == []


def test_counts(remedies):
    _, report = remedies

    def note(source: str, start: str) -> str:
        return next(n for n in report.notes[source] if n.startswith(start))

    assert note("gad-usa", "1360 cases; 620 with a final measure date")
    assert note("gad-usa", "13442 case-product links")
    assert "31 cells corrected and 1 row(s) dropped" in note("us-adcvd", "542 orders (403 AD, 139 CVD); 279 linked")
    assert note("itip-us-ad", "809 records").endswith("159 initiated after 2015")
    unmatched = [n for n in report.notes["gad-usa"] if "matches no HS 2022 node" in n]
    assert len(unmatched) == 2 and all("'98" in n for n in unmatched)  # US chapter 98 (no HS chapter)
    assert not any("matches no HS 2022 node" in n for n in report.notes.get("itip-us-ad", []))


def test_gad_china_case(remedies):
    """master line 1257: USA-AD-1201, China, Drawn Stainless Steel Sinks, initiated 2012-03-07, final AD
    measure 2013-04-11, REVOKE_DATE IF; products lines 12263-12264: 7324100000, 7324100010."""
    store, _ = remedies
    case = M + "gad/USA-AD-1201>"
    assert values(store, case, "a") == {TKG + "MeasureRecord"}  # a source's record, not a measure
    assert values(store, case, "tkg:recordEconomy") == {ID + "economy/CHN"}
    assert values(store, case, "tkg:imposedBy") == set()
    assert values(store, case, "tkg:initiationDate") == {"2012-03-07"}
    assert values(store, case, "tkg:startDate") == {"2013-04-11"}
    assert values(store, case, "tkg:endDate") == set()
    assert values(store, case, "tkg:recordProduct") == {ID + "tariff-line/USA/7324100000",
                                                       ID + "tariff-line/USA/7324100010"}
    assert values(store, case, "tkg:docCaseNumber") == {"A-570-983"}
    assert values(store, case, "tkg:finalInjuryDecision") == {"A"}
    assert values(store, case, "rdfs:label") == {
        "Drawn Stainless Steel Sinks from China (US anti-dumping case USA-AD-1201, GAD record)"}
    # the order it belongs to (Commerce case number A-570-983) is the one measure
    order = M + "us-order/A-570-983>"
    assert values(store, case, "tkg:recordOf") == {ID + "measure/us-order/A-570-983"}
    assert values(store, order, "a") == {TKG + "Measure"}
    assert values(store, order, "tkg:affects") == {ID + "economy/CHN"}
    assert values(store, order, "tkg:imposedBy") == {ID + "economy/USA"}
    assert values(store, order, "tkg:measureType") == {ID + "measure-type/anti-dumping-duty"}
    assert values(store, order, "tkg:legalBasis") == {ID + "agreement/wto/ADP"}
    assert {ID + "tariff-line/USA/7324100000", ID + "tariff-line/USA/7324100010"} <= \
        values(store, order, "tkg:coversProduct")
    assert values(store, f"<{ID}tariff-line/USA/7324100010>", "skos:broader") == {ID + "hs2022/732410"}


def test_gad_us_style_date_and_revocation(remedies):
    """master: USA-AD-877, South Korea rebar, F_AD_DATE '9/7/2001' (month first), revoked 2006-09-07."""
    store, _ = remedies
    case = M + "gad/USA-AD-877>"
    assert values(store, case, "tkg:startDate") == {"2001-09-07"}
    assert values(store, case, "tkg:endDate") == {"2006-09-07"}
    assert values(store, case, "tkg:recordEconomy") == {ID + "economy/KOR"}


def test_gad_former_economy_and_no_wto_basis(remedies):
    """master line 31: USA-AD-30, East Germany (GDR), Montan Wax, 1980: a former economy, before the WTO."""
    store, _ = remedies
    case = M + "gad/USA-AD-30>"
    assert values(store, case, "tkg:recordEconomy") == {ID + "economy/DDR"}
    assert values(store, f"<{ID}economy/DDR>", "rdfs:label") == {"German Democratic Republic"}
    assert values(store, case, "tkg:legalBasis") == set()
    assert values(store, M + "gad/USA-AD-1>", "tkg:recordEconomy") == {ID + "economy/JPN"}


def test_usitc_orders(remedies):
    store, _ = remedies
    sinks = M + "us-adcvd/A-570-983>"  # line 265 says C-570-983: corrected by the reviewed fix
    assert values(store, sinks, "tkg:startDate") == {"2013-04-11"}  # written 2013/04/11
    assert values(store, sinks, "tkg:recordOf") == {ID + "measure/us-order/A-570-983"}
    assert values(store, sinks, "skos:closeMatch") == {ID + "measure/gad/USA-AD-1201"}
    assert not ask(store, f"{M}us-adcvd/C-570-983> ?p ?o")
    assert values(store, M + "us-order/C-570-984>", "tkg:measureType") == {ID + "measure-type/countervailing-duty"}
    tape = M + "us-adcvd/A-475-059>"  # line 2: 10/21/1977, Italy: before the WTO, no GAD case
    assert values(store, tape, "tkg:startDate") == {"1977-10-21"}
    assert values(store, tape, "tkg:recordEconomy") == {ID + "economy/ITA"}
    assert values(store, M + "us-order/A-475-059>", "tkg:legalBasis") == set()
    assert values(store, tape, "skos:closeMatch") == set()


def test_usitc_rotated_and_shifted_rows(remedies):
    store, _ = remedies
    # lines 327-330, PET resin: case numbers rotated against the countries in the source
    for number, code in (("A-122-855", "CAN"), ("A-570-024", "CHN"), ("A-533-861", "IND"), ("A-523-810", "OMN")):
        assert values(store, f"{M}us-adcvd/{number}>", "tkg:recordEconomy") == {f"{ID}economy/{code}"}
    # line 548: 'C--552-826', country in Column2
    towers = M + "us-adcvd/C-552-826>"
    assert values(store, towers, "tkg:recordEconomy") == {ID + "economy/VNM"}
    assert values(store, towers, "tkg:startDate") == {"2020-08-20"}
    assert values(store, M + "us-order/C-552-826>", "tkg:legalBasis") == {ID + "agreement/wto/SCM"}
    # lines 30-33: one order listed per product class
    tools = values(store, M + "us-adcvd/A-570-803>", "rdfs:label")
    assert len(tools) == 1 and "Axes & adzes" in next(iter(tools)) and "Picks & mattocks" in next(iter(tools))
    assert len(values(store, M + "us-adcvd/A-570-803>", "skos:closeMatch")) == 4


def test_itip_measures(remedies):
    store, _ = remedies
    sinks = M + "itip/218>"  # line 219: China, sinks, initiated 2012-03-27, in force 2013-04-11, HS 732410
    assert values(store, sinks, "tkg:initiationDate") == {"2012-03-27"}
    assert values(store, sinks, "tkg:startDate") == {"2013-04-11"}
    assert values(store, sinks, "tkg:recordProduct") == {ID + "hs2022/732410"}
    assert values(store, sinks, "tkg:recordOf") == {ID + "measure/us-order/A-570-983"}  # through USA-AD-1201
    assert values(store, sinks, "skos:closeMatch") == {ID + "measure/gad/USA-AD-1201"}
    assert values(store, sinks, "tkg:stage") == {"in force"}
    tape = M + "itip/1>"  # line 2: Argentina OCTG, in force 1985-03-29, withdrawn 2006-07-25
    assert values(store, tape, "tkg:endDate") == {"2006-07-25"}
    assert values(store, tape, "tkg:recordEconomy") == {ID + "economy/ARG"}


def test_partner_names():
    assert partner_names("Korea, Republic of, Viet Nam") == ["Korea, Republic of", "Viet Nam"]
    assert partner_names("Canada, Mexico") == ["Canada", "Mexico"]
    assert partner_names("Yugoslavia, Socialist Federal Republic of") == ["Yugoslavia, Socialist Federal Republic of"]
    assert normalise("\xa0C\u2013570-105 ") == "C-570-105" and normalise("C--552-826") == "C-552-826"


def _replace_line(path: Path, line: int, old: str, new: str) -> None:
    lines = path.read_text(encoding="utf-8-sig").split("\n")
    assert old in lines[line - 1], lines[line - 1]
    lines[line - 1] = lines[line - 1].replace(old, new, 1)
    path.write_text("\n".join(lines), encoding="utf-8")


def _run(module, data: Path) -> None:
    for _ in module.triples(BuildContext.for_data(data)):
        pass


@pytest.mark.parametrize("module, file, line, old, new, message", [
    (gad_usa, "bown-gad-usa/gad_usa_master.csv", 1257, "2012-03-07,", "2012-13-07,",
     "line 1257, column 8 (INIT_DATE): '2012-13-07' is not a real date"),
    (gad_usa, "bown-gad-usa/gad_usa_master.csv", 1257, ",A,A,2013-04-11", ",A,Y,2013-04-11",
     "line 1257, column 18 (F_INJ_DEC): 'Y' is not one of the GAD's codes"),
    (gad_usa, "bown-gad-usa/gad_usa_products.csv", 12263, "7324100000", "73241O0000",
     "line 12263, column 2 (HS_CODE): '73241O0000' is not an HS code"),
    (us_adcvd, "us-adcvd-syyunn/usitc_adcvd_orders.csv", 2, "10/21/1977", "1977-10-21",
     "line 2, column 1 (Order date): '1977-10-21' is not a date (mm/dd/yyyy or yyyy/mm/dd)"),
    (us_adcvd, "us-adcvd-syyunn/usitc_adcvd_orders.csv", 2, "A-475-059", "A475-059",
     "line 2, column 4 (DOC case No.): 'A475-059' is not a Commerce case number"),
    (us_adcvd, "us-adcvd-syyunn/usitc_adcvd_orders.csv", 328, "A-533-861", "A-533-862",
     "line 328, column 4 (DOC case No.): 'A-533-862' is not 'A-533-861', which the reviewed fix"),
    (us_adcvd, "us-adcvd-syyunn/usitc_adcvd_orders.csv", 3, "A-588-068,A,", "A-588-068,C,",
     "line 3, column 5 (AD/CVD): 'C' disagrees with case number A-588-068"),
    (itip_us_ad, "us-adcvd-syyunn/itip_us_antidumping_measures_2020-09.csv", 3, ",731300", ",7313OO",
     "line 3, column 12 (HS): '7313OO' is not an HS code"),
    (us_adcvd_orders, "crosswalks/adcvd_order_matches.csv", 2, "itip:15,A-602-807,", "itip:15,A-602-87,",
     "line 2, column 2 (order): 'A-602-87' is not an order key"),
    (us_adcvd_orders, "crosswalks/adcvd_order_matches.csv", 3, "itip:22,", "itip:9999,",
     "line 3, column 1 (record): itip:9999 is no record of the sources"),
])
def test_a_corrupted_row_fails_with_file_line_and_column(data_copy, module, file, line, old, new, message):
    _replace_line(data_copy / file, line, old, new)
    with pytest.raises(SourceError) as error:
        _run(module, data_copy)
    assert str(error.value).startswith(str(data_copy / file))
    assert message in str(error.value)


# --- one measure per order -----------------------------------------------------------------------------

def _date(value: str) -> dt.date | None:
    for layout in ("%m/%d/%Y", "%Y/%m/%d", "%Y-%m-%d 00:00:00", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(value.strip(), layout).date()
        except ValueError:
            pass
    return None


def _us_ad_orders_on_china_in_force(data: Path, day: dt.date) -> set[str]:
    """Derived from the raw files with the csv module, independently of the loaders: the Commerce numbers of
    US anti-dumping orders on China in force on ``day``. An order in the USITC list (orders in place in
    2020, with the reviewed cell fixes applied) is in force from its order date; a GAD case is in force from
    its final measure until its revocation, unless the I-TIP record of the same proceeding (same Commerce
    initiation date; I-TIP is newer) was withdrawn before ``day``."""
    fixes = {(int(r["line"]), r["column"]): r["corrected"]
             for r in csv.DictReader((data / "crosswalks/usitc_adcvd_order_fixes.csv").open(encoding="utf-8"))}
    numbers: set[str] = set()
    with (data / "us-adcvd-syyunn/usitc_adcvd_orders.csv").open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        for values in reader:
            line = reader.line_num - sum(v.count("\n") for v in values)
            row = dict(zip(header, values))
            changes = {column: value for (at, column), value in fixes.items() if at == line}
            if not any(v.strip() for v in values) or "" in changes.values():
                continue
            row.update(changes)
            number = re.sub(r"[\u2010-\u2015\u2212-]+", "-", row["DOC case No."]).strip()
            if number.startswith("A-") and (row["Country"] or row["Column2"]).strip() == "China" \
                    and _date(row["Order date"]) <= day:
                numbers.add(number)
    withdrawn = {}
    for row in csv.DictReader((data / "us-adcvd-syyunn/itip_us_antidumping_measures_2020-09.csv").open(encoding="utf-8-sig")):
        if row["Partner affected"].strip() == "China" and row["Withdrawn"].strip():
            withdrawn[_date(row["Initiation"])] = _date(row["Withdrawn"])
    for row in csv.DictReader((data / "bown-gad-usa/gad_usa_master.csv").open(encoding="utf-8")):
        final, revoked = _date(row["F_AD_DATE"]), _date(row["REVOKE_DATE"])
        later = withdrawn.get(_date(row["INIT_DATE_ITA"]))
        if row["INV_CTY_CODE"] == "CHN" and final and final <= day and (revoked is None or revoked >= day) \
                and (later is None or later >= day):
            numbers |= set(re.findall(r"A-\d{3}-\d{3}", row["CASE_ITA"]))
    return numbers


def test_us_ad_measures_on_china_in_force_count_each_order_once(remedies):
    """Issue 10: "US AD measures on China in force on 2019-06-01" gave 349 rows (GAD, I-TIP and USITC each
    their own measure); now one row per order, the orders derived above from the raw files."""
    store, _ = remedies
    expected = _us_ad_orders_on_china_in_force(bundled(), dt.date(2019, 6, 1))
    assert 100 < len(expected) < 200
    rows = run(store, "measures", imposer="USA", affected="CHN", as_of="2019-06-01",
               measure_type="https://w3id.org/tradekg/id/measure-type/anti-dumping-duty")
    measures = [str(row["measure"]) for row in rows]
    assert len(measures) == len(set(measures))
    assert {m.rsplit("/", 1)[1] for m in measures} == expected


def test_an_investigation_without_a_duty_is_no_measure(remedies):
    """GAD master line 29: USA-AD-28, China, Menthol, initiated 1980-06-19, final injury N, F_AD_DATE '.' (no final
    measure): a record of no order, with no start date."""
    store, _ = remedies
    case = M + "gad/USA-AD-28>"
    assert values(store, case, "a") == {TKG + "MeasureRecord"}
    assert values(store, case, "tkg:recordOf") == set()
    assert values(store, case, "tkg:startDate") == set()
    assert not ask(store, f"?m a tkg:Measure ; <http://www.w3.org/ns/prov#wasDerivedFrom> {case}")
