"""National-security defences in WTO disputes, from the curated table data/curated/wto_security_exceptions.csv
(one row per dispute in which the respondent invoked a security exception, each with its sources).

- The dispute gets ``tkg:invokedException`` to each provision invoked (``GATT1994:XXI`` → the provision
  ``id/agreement/wto/GATT1994/article/XXI``, as the gateway loader names provisions), and a
  ``tkg:ExceptionInvocation`` at ``id/dispute/DS{n}/exception/{respondent}`` with the respondent, the
  provisions, and the panel's finding (in the curator's words), its date and whether it was appealed,
  where the row gives them.
- A row whose provision is "unspecified (national security)" invokes no named provision: the invocation
  exists, without ``tkg:invokedProvision`` (reported).
- The dispute must be one of the gateway's and the respondent one of its respondents.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..context import BuildContext
from ..sources import Row, read_csv
from ..terms import A, RDFS, SKOS, TKG, boolean, date, economy, instance, text
from . import Triple
from ._curated import FOLDER, party, sources, where
from .wto_ds_gateway import FOLDER as GATEWAY, agreement_node, parent_article, provision_node

SOURCE = "wto-security-exceptions"
FILE = "wto_security_exceptions.csv"
COLUMNS = ("ds_number", "respondent", "provision", "invoked", "panel_finding", "panel_report_date", "appealed",
           "source_url")
_DS = re.compile(r"DS([1-9]\d*)")
_PROVISION = re.compile(r"([A-Z][A-Za-z0-9]*):\s*([0-9IVXL]+(?: bis)?(?:[.:(][0-9a-z().:]*)?)")
UNSPECIFIED = "unspecified (national security)"


def triples(ctx: BuildContext) -> Iterator[Triple]:
    respondents, agreements = _gateway(ctx)
    count = 0
    for row in read_csv(ctx.data / FOLDER / FILE, required=COLUMNS):
        value = row.text("ds_number", required=True)
        match = _DS.fullmatch(value)
        if not match or int(match.group(1)) not in respondents:
            raise row.fail("ds_number", f"{value!r} is not a dispute of {GATEWAY}/ds_cases.csv")
        number = int(match.group(1))
        respondent = party(ctx, row, "respondent")
        if respondent not in respondents[number]:
            raise row.fail("respondent", f"{row.raw('respondent')!r} is not a respondent in DS{number}")
        if row.text("invoked", required=True) != "yes":
            ctx.note(SOURCE, f"{where(row)} DS{number}: invoked is {row.raw('invoked')!r}, not 'yes'; left out")
            continue
        yield from _invocation(ctx, row, number, respondent, agreements)
        count += 1
    ctx.note(SOURCE, f"{count} disputes in which the respondent invoked a security exception")


def _gateway(ctx: BuildContext) -> tuple[dict[int, set[str]], dict[str, str]]:
    """The gateway's disputes with their respondents, and agreement key → short name."""
    path = ctx.data / GATEWAY / "ds_cases.csv"
    respondents = {row.integer("ds_number", required=True):
                   {ctx.reconciler.resolve(code, f"{GATEWAY}/ds_cases.csv:{row.line}") for code in row.split("respondent_codes")}
                   for row in read_csv(path, required=("ds_number", "respondent_codes"))}
    keys = {row.text("gateway_id", required=True): row.text("key", required=True)
            for row in read_csv(ctx.data / "crosswalks" / "wto_agreements.csv", required=("gateway_id", "key"))}
    names = {keys[row.text("agreement_id", required=True)]: row.text("agreement_short_name", required=True)
             for row in read_csv(ctx.data / GATEWAY / "ds_agreements.csv", required=("agreement_id", "agreement_short_name"))
             if row.text("agreement_id") in keys}
    return respondents, names


def _invocation(ctx: BuildContext, row: Row, number: int, respondent: str,
                agreements: dict[str, str]) -> Iterator[Triple]:
    dispute = instance("dispute", f"DS{number}")
    node = instance("dispute", f"DS{number}", "exception", respondent)
    yield dispute, TKG.exceptionInvocation, node
    yield node, A, TKG.ExceptionInvocation
    yield node, TKG.invokedBy, economy(respondent)
    value = row.text("provision", required=True)
    if value == UNSPECIFIED:
        yield node, RDFS.label, text(f"DS{number}: {respondent} invokes national security (provision not sourced)")
        ctx.note(SOURCE, f"{where(row)} DS{number}: provision not named in the sources; no tkg:invokedProvision")
    else:
        named = []
        for part in row.split("provision"):
            match = _PROVISION.fullmatch(part)
            if not match or match.group(1) not in agreements:
                raise row.fail("provision", f"{part!r} is not a provision like GATT1994:XXI of a known agreement "
                                            f"({UNSPECIFIED!r} when the source names none)")
            key, article = match.groups()
            provision = provision_node(key, article)
            named.append(f"{agreements[key]} Art. {article}")
            yield dispute, TKG.invokedException, provision
            yield node, TKG.invokedProvision, provision
            yield from _provision(key, article, agreements[key])
        yield node, RDFS.label, text(f"DS{number}: {respondent} invokes {', '.join(named)}")
    if finding := row.text("panel_finding"):
        yield node, TKG.panelFinding, text(finding)
    if (found := row.date("panel_report_date")) is not None:
        yield node, TKG.findingDate, date(found)
    if (appealed := row.text("appealed")) is not None:
        if appealed not in ("yes", "no"):
            raise row.fail("appealed", f"{appealed!r} is not yes, no or empty")
        yield node, TKG.findingAppealed, boolean(appealed == "yes")
    yield from sources(row, node)


def _provision(key: str, article: str, short_name: str) -> Iterator[Triple]:
    """The provision and the articles it is part of, described as the gateway loader describes them."""
    while article:
        node = provision_node(key, article)
        yield node, A, TKG.Provision
        yield node, TKG.provisionOf, agreement_node(key)
        yield node, SKOS.notation, text(article)
        yield node, RDFS.label, text(f"{short_name}: {article}")
        parent = parent_article(article)
        if parent:
            yield node, TKG.partOfProvision, provision_node(key, parent)
        article = parent
