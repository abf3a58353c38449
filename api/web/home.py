"""``/``: what is in the graph (per class, per source with its licence and date), one search box, and
example questions that open in the workbench or as API calls; ``/search``: the search box's answers."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ... import __version__, queries
from ...graph.errors import BadParameters
from ...graph.remote import bind_values
from .render import ID, page

router = APIRouter(include_in_schema=False)

EXAMPLES = [  # (question, catalog query, parameters)
    ("In which disputes do the United States and China both take part, and on which sides?",
     "disputes_between", {"a": "USA", "b": "CHN"}),
    ("Which trade agreements were the United States and Mexico both party to on 1 January 2021?",
     "common_agreements", {"a": "USA", "b": "MEX", "as_of": "2021-01-01"}),
    ("Which measures name China as a target, who imposes them, since when?",
     "measures_affecting_economy", {"economy": "CHN"}),
    ("Which disputes cite GATT 1994 Article XXI (national security)?",
     "disputes_citing", {"provision": ID + "agreement/wto/GATT1994/article/XXI"}),
    ("Which measures and disputes concern hot-rolled flat steel (HS 7208.10)?",
     "product_measures_and_disputes", {"product": "720810"}),
    ("Who joins whose disputes as a third party, and how often?", "third_party_participation", {}),
]
KINDS = [("economy/", "economy"), ("bloc/", "bloc"), ("dispute/", "dispute"), ("agreement/", "agreement"),
         ("measure/", "measure"), ("hs2022/", "HS 2022"), ("tariff-line/", "tariff line")]


@router.get("/", response_class=HTMLResponse)
def home(request: Request) -> HTMLResponse:
    catalog = request.app.state.catalog
    classes = catalog.run("instances_per_class")
    retrieved = {str(r["graph"]): str(r["retrieved"]) for r in catalog.run("sources_retrieved")}
    sources = [dict(graph=str(r["graph"]), triples=int(r["triples"]), title=str(r.get("title") or ""),
                    license=str(r.get("license") or ""), retrieved=retrieved.get(str(r["graph"]), ""))
               for r in catalog.run("triples_per_graph")]
    examples = []
    for question, name, raw in EXAMPLES:
        query = queries.get(name)
        examples.append(dict(question=question, name=name, raw=raw,
                             sparql=bind_values(query.text, query.bind(raw)),
                             api=f"/queries/{name}" + (f"?{urlencode(raw)}" if raw else "")))
    return HTMLResponse(page("home.html", classes=classes, sources=sources, examples=examples,
                             total=sum(s["triples"] for s in sources), version=__version__))


def kind_of(iri: str) -> str | None:
    for prefix, kind in KINDS:
        if iri.startswith(ID + prefix):
            return kind
    return None


def search(catalog, text: str) -> list[dict]:  # noqa: ANN001 - the app's Catalog
    """Things named by ``text``, ranked: what a code names exactly (USA, EU, DS544, 7208), then exact names,
    then names starting with it, then names containing it; within each, economies before disputes, agreements,
    measures, HS codes and tariff lines."""
    found: dict[str, dict] = {}
    wanted = text.casefold()
    for kind, convert in (("economy", "economy"), ("dispute", "dispute"), ("product", "product")):
        try:
            iri = str(queries.CONVERTERS[convert](text))
        except BadParameters:
            continue
        for row in catalog.run("thing_card", thing=iri):
            found[iri] = dict(iri=iri, kind=kind_of(iri), label=str(row.get("label") or iri), name=text, rank=0)
    for row in catalog.run("search", text=text):
        iri, name = str(row["thing"]), str(row["name"])
        kind = kind_of(iri)
        if kind is None:
            continue
        folded = name.casefold()
        rank = 1 if folded == wanted else 2 if folded.startswith(wanted) else 3
        if iri not in found or rank < found[iri]["rank"]:
            label = found.get(iri, {}).get("label") or name
            found[iri] = dict(iri=iri, kind=kind, label=label, name=name, rank=rank)
    order = {kind: i for i, (_, kind) in enumerate(KINDS)}
    return sorted(found.values(), key=lambda f: (f["rank"], order.get(f["kind"], 9), f["label"].casefold()))


@router.get("/search", response_class=HTMLResponse)
def search_page(request: Request, q: str = Query("", max_length=200)) -> Response:
    text = q.strip()
    if not text:
        return RedirectResponse("/", status_code=303)
    results = search(request.app.state.catalog, text) if len(text) >= 2 else []
    return HTMLResponse(page("search.html", q=text, results=results[:200], total=len(results), version=__version__))
