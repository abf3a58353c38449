"""WTO disputes DS1-DS624 from the dispute settlement gateway, with the WTO agreements and
articles they cite and the gateway's subject keywords and status codes.

Codes the gateway's own code book cannot resolve (about 40, SOURCES.md 1a) are no reason to fail
a build of real data: an article code whose agreement is known still cites that agreement, and
every code left out is reported in the build notes.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Iterator
from dataclasses import dataclass

from pyoxigraph import NamedNode

from ..context import BuildContext
from ..sources import Row, read_csv
from ..terms import A, DCTERMS, RDFS, SKOS, TKG, boolean, date, economy, instance, integer, text
from . import Triple

SOURCE = "wto-ds-gateway"
FOLDER = "wto-ds-gateway"
SUBJECT_SCHEME = instance("scheme", "ds-subject")
STATUS_SCHEME = instance("scheme", "ds-status")
WTO_FORUM = instance("forum", "WTO")
_ARTICLE_CODE = re.compile(r"A(\d+)_(\d+|NULL)|A(\d+)")
_STATUS_EVENT = re.compile(r"(ST\d+)#(\d{4})_(\d{2})_(\d{2})")


@dataclass(frozen=True)
class Agreement:
    key: str
    node: NamedNode
    short_name: str


def agreement_node(key: str) -> NamedNode:
    return instance("agreement", "wto", key)


def provision_node(key: str, article: str) -> NamedNode:
    return instance("agreement", "wto", key, "article", re.sub(r"[^A-Za-z0-9.:()\-]+", "_", article).strip("_"))


def parent_article(article: str) -> str | None:
    """The article a paragraph belongs to: XIX:1 → XIX, 2.1(a) → 2.1 → 2; None at the top."""
    if article.endswith(")") and "(" in article:
        return article[: article.rindex("(")].strip() or None
    if ":" in article:
        return article[: article.rindex(":")].strip() or None
    if re.fullmatch(r"\d+(\.\d+)+", article):
        return article[: article.rindex(".")]
    return None


def triples(ctx: BuildContext) -> Iterator[Triple]:
    folder = ctx.data / FOLDER
    yield from _member_codes(ctx)
    agreements = yield from _agreements(ctx)
    articles = {row.text("article_id", required=True): row.text("article_name", required=True)
                for row in read_csv(folder / "ds_articles.csv", required=("article_id", "article_name"))}
    subjects = yield from _subjects(ctx)
    statuses = yield from _statuses(ctx)
    provisions: set[tuple[str, str]] = set()
    count = 0
    for row in read_csv(folder / "ds_cases.csv", required=CASE_COLUMNS):
        yield from _dispute(ctx, row, agreements, articles, subjects, statuses, provisions)
        count += 1
    yield from _provisions(agreements, provisions)
    ctx.note(SOURCE, f"{count} disputes, {len(provisions)} cited provisions")


CASE_COLUMNS = ("ds_number", "case_code", "title", "short_title", "complainant_codes", "respondent_codes",
                "third_party_codes", "consultations_requested", "subject_codes",
                "agreement_article_codes_consultations", "agreement_article_codes_panel",
                "status_events_raw", "reports_adopted", "record_updated")


def _member_codes(ctx: BuildContext) -> Iterator[Triple]:
    """The gateway's member codes, and the names its case pages use for them."""
    path = ctx.data / FOLDER / "ds_member_codes.csv"
    for row in read_csv(path, required=("member_code", "name_in_gateway_case_pages")):
        where = f"{FOLDER}/ds_member_codes.csv:{row.line}"
        gateway_code = row.text("member_code", required=True)
        code = ctx.economy(gateway_code, where)
        if code is None:
            continue
        if name := row.text("name_in_gateway_case_pages"):
            ctx.name(code, name, "gateway")
        yield economy(code), TKG.wtoCode, text(gateway_code)


def _agreements(ctx: BuildContext):
    keys = {row.text("gateway_id", required=True): row.text("key", required=True)
            for row in read_csv(ctx.data / "crosswalks" / "wto_agreements.csv", required=("gateway_id", "key"))}
    agreements: dict[str, Agreement] = {}
    for row in read_csv(ctx.data / FOLDER / "ds_agreements.csv",
                        required=("agreement_id", "agreement_short_name", "agreement_name", "agreement_url")):
        gateway_id = row.text("agreement_id", required=True)
        if gateway_id not in keys:
            raise row.fail("agreement_id", f"{gateway_id!r} has no key in crosswalks/wto_agreements.csv; add one")
        key, short = keys[gateway_id], row.text("agreement_short_name", required=True)
        node = agreement_node(key)
        agreements[gateway_id.removeprefix("A")] = Agreement(key, node, short)
        yield node, A, TKG.Agreement
        yield node, A, TKG.WTOAgreement
        yield node, RDFS.label, text(row.text("agreement_name", required=True))
        yield node, SKOS.altLabel, text(short)
        yield node, SKOS.notation, text(key)
        if url := row.text("agreement_url"):
            yield node, RDFS.seeAlso, NamedNode("https://www.wto.org/english/docs_e/legal_e/" + url)
    return agreements


def _subjects(ctx: BuildContext):
    subjects: dict[str, NamedNode] = {}
    yield SUBJECT_SCHEME, A, SKOS.ConceptScheme
    yield SUBJECT_SCHEME, SKOS.prefLabel, text("WTO dispute subjects (gateway keywords)")
    for row in read_csv(ctx.data / FOLDER / "ds_subjects.csv", required=("subject_id", "subject_name")):
        code = row.text("subject_id", required=True)
        node = subjects[code] = instance("ds-subject", code)
        yield node, A, TKG.DisputeSubject
        yield node, A, SKOS.Concept
        yield node, SKOS.prefLabel, text(row.text("subject_name", required=True))
        yield node, SKOS.notation, text(code)
        yield node, SKOS.inScheme, SUBJECT_SCHEME
    return subjects


def _statuses(ctx: BuildContext):
    """Status concepts; the labels are an empirical guide (the WTO publishes no legend)."""
    statuses: dict[str, NamedNode] = {}
    yield STATUS_SCHEME, A, SKOS.ConceptScheme
    yield STATUS_SCHEME, SKOS.prefLabel, text("WTO dispute gateway status codes")
    for row in read_csv(ctx.data / "crosswalks" / "ds_status_codes.csv", required=("code", "label_2018", "evidence")):
        code = row.text("code", required=True)
        statuses[code] = node = instance("ds-status", code)
        yield from _status_concept(node, code)
        yield node, SKOS.definition, text(row.text("label_2018", required=True))
        yield node, SKOS.scopeNote, text("Empirical reading, not an official legend: " + row.text("evidence", required=True))
    return statuses


def _status_concept(node: NamedNode, code: str) -> Iterator[Triple]:
    yield node, A, TKG.DisputeStatus
    yield node, A, SKOS.Concept
    yield node, SKOS.prefLabel, text(code)
    yield node, SKOS.notation, text(code)
    yield node, SKOS.inScheme, STATUS_SCHEME


def _dispute(ctx, row: Row, agreements, articles, subjects, statuses, provisions) -> Iterator[Triple]:
    number = row.integer("ds_number", required=True)
    ident = f"DS{number}"
    if row.text("case_code", required=True) != ident:
        raise row.fail("case_code", f"{row.raw('case_code')!r} does not match ds_number {number}")
    node = instance("dispute", ident)
    where = f"{FOLDER}/ds_cases.csv:{row.line}"
    title = row.text("title", required=True)
    short = row.text("short_title")
    yield node, A, TKG.Dispute
    yield node, DCTERMS.identifier, text(ident)
    yield node, TKG.disputeNumber, integer(number)
    yield node, TKG.forum, WTO_FORUM
    yield node, DCTERMS.title, text(title)
    yield node, RDFS.label, text(f"{ident}: {html.unescape(short) if short else title}")
    if short:
        yield node, TKG.shortTitle, text(html.unescape(short))
    for column, role in (("complainant_codes", TKG.complainant), ("respondent_codes", TKG.respondent),
                         ("third_party_codes", TKG.thirdParty)):
        for code in row.split(column):
            if (resolved := ctx.economy(code, where)) is not None:
                yield node, role, economy(resolved)
    if not row.split("complainant_codes") or not row.split("respondent_codes"):
        raise row.fail("complainant_codes" if not row.split("complainant_codes") else "respondent_codes",
                       "every dispute needs a complainant and a respondent")
    if (requested := row.date("consultations_requested")) is not None:
        yield node, TKG.consultationsRequested, date(requested)
    for code in row.split("subject_codes"):
        if code in subjects:
            yield node, TKG.subject, subjects[code]
        else:
            ctx.note(SOURCE, f"{ident}: subject code {code!r} is not in the gateway's code book; left out")
    for column, predicate in (("agreement_article_codes_consultations", TKG.citesProvision),
                              ("agreement_article_codes_panel", TKG.citesProvisionInPanelRequest)):
        for code in row.split(column):
            yield from _citation(ctx, node, ident, code, predicate, agreements, articles, provisions)
    events = row.split("status_events_raw", "|")
    for index, event in enumerate(events, start=1):
        match = _STATUS_EVENT.fullmatch(event)
        if not match:
            raise row.fail("status_events_raw", f"{event!r} is not a status event like ST14#1995_03_29")
        code, day = match.group(1), _event_date(row, match)
        if code not in statuses:
            statuses[code] = instance("ds-status", code)
            yield from _status_concept(statuses[code], code)
        step = instance("dispute", ident, "status", str(index))
        yield node, TKG.statusEvent, step
        yield step, A, TKG.StatusEvent
        yield step, TKG.statusCode, statuses[code]
        yield step, TKG.eventDate, date(day)
        if index == len(events):
            yield node, TKG.status, statuses[code]
            yield node, TKG.statusDate, date(day)
    if (adopted := row.boolean("reports_adopted")) is not None:
        yield node, TKG.reportsAdopted, boolean(adopted)
    if (updated := row.date("record_updated")) is not None:
        yield node, DCTERMS.modified, date(updated)


def _event_date(row: Row, match: re.Match[str]) -> dt.date:
    try:
        return dt.date(int(match.group(2)), int(match.group(3)), int(match.group(4)))
    except ValueError:
        raise row.fail("status_events_raw", f"{match.group(0)!r} has an impossible date") from None


def _citation(ctx, node, ident, code, predicate, agreements, articles, provisions) -> Iterator[Triple]:
    match = _ARTICLE_CODE.fullmatch(code)
    agreement_id = (match.group(1) or match.group(3)) if match else None
    if agreement_id not in agreements:
        ctx.note(SOURCE, f"{ident}: article code {code!r} is malformed or names no known agreement; left out")
        return
    agreement = agreements[agreement_id]
    yield node, TKG.citesAgreement, agreement.node
    article_id = match.group(2)
    if article_id is None:
        return
    if article_id not in articles:
        ctx.note(SOURCE, f"{ident}: article code {code!r} is not in the code book; "
                         f"cites {agreement.key} without the article")
        return
    provisions.add((agreement_id, articles[article_id]))
    yield node, predicate, provision_node(agreement.key, articles[article_id])


def _provisions(agreements: dict[str, Agreement], cited: set[tuple[str, str]]) -> Iterator[Triple]:
    """Each cited provision, and the articles it is part of (XIX:1 → XIX)."""
    seen: set[tuple[str, str]] = set()
    for agreement_id, article in sorted(cited):
        agreement = agreements[agreement_id]
        while article and (agreement_id, article) not in seen:
            seen.add((agreement_id, article))
            node = provision_node(agreement.key, article)
            yield node, A, TKG.Provision
            yield node, TKG.provisionOf, agreement.node
            yield node, SKOS.notation, text(article)
            yield node, RDFS.label, text(f"{agreement.short_name}: {article}")
            parent = parent_article(article)
            if parent:
                yield node, TKG.partOfProvision, provision_node(agreement.key, parent)
            article = parent
