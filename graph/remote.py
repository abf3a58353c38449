"""A SPARQL 1.1 endpoint as a :class:`~tradekg.graph.store.Store`: Protocol for queries
(SPARQLWrapper), Update for writes, and the Graph Store HTTP Protocol for bulk named-graph upload
(falling back to chunked ``INSERT DATA`` where the server has none).

tradekg's catalog queries ask the union of all named graphs (only the network edge queries add
``GRAPH ?g``, to name each link's source), so they rely on the server answering over that union (Oxigraph: ``serve --union-default-graph``; Virtuoso does so by
default; Fuseki: ``tdb2:unionDefaultGraph true``). :meth:`RemoteStore.check_union_default` tells
a user whose server does not.
"""

from __future__ import annotations

import base64
import os
import re
import time
import warnings
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from typing import Any

from rdflib.plugins.sparql.results.jsonresults import parseJsonTerm
from rdflib.term import Identifier
from SPARQLWrapper import CONSTRUCT, DIGEST, JSON, N3, POST, POSTDIRECTLY, SELECT, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import QueryBadFormed, SPARQLWrapperException

from . import statistics
from .errors import EndpointError, QuerySyntaxError, StoreError, TradeKGError
from .store import BlockingService, Rows
from .worker import Answer, Job

RETRIES = 3


def values_clause(bindings: Mapping[str, Identifier]) -> str:
    """A VALUES block; every term is written by rdflib's ``n3()``, which escapes it."""
    if not bindings:
        return ""
    names = " ".join(f"?{name}" for name in bindings)
    terms = " ".join(term.n3() for term in bindings.values())
    return f"\nVALUES ({names}) {{ ({terms}) }}\n"


_WHERE = re.compile(r"\bWHERE\s*\{", re.IGNORECASE)
_SELECT = re.compile(r"\bSELECT\b", re.IGNORECASE)
_LIMIT = re.compile(r"\b(LIMIT|OFFSET)\b", re.IGNORECASE)
_OPTIONAL_END = re.compile(r"\bOPTIONAL\Z", re.IGNORECASE)
_BRACES = re.compile(r"[{}]")


def _in_optional_group(body: str, at: int) -> bool:
    """Whether the text before ``at`` ends where an OPTIONAL's group opens (``OPTIONAL {``, spaces between).
    Looks back from ``at`` only: a search of the whole text before each sub-select made binding a query with
    many sub-selects cost about a millisecond."""
    head = body[:at].rstrip()
    if not head.endswith("{"):
        return False
    return _OPTIONAL_END.search(head[:-1].rstrip()[-16:]) is not None


def bind_values(text: str, bindings: Mapping[str, Identifier]) -> str:
    """The query with its parameters bound by a VALUES block at the top of its outermost WHERE.

    At the top (not trailing the query) the values are in scope for every FILTER and BIND below,
    as with the embedded engine's substitution, so "as of" dates and optional filters behave the
    same on every engine. Only escaped terms are inserted; no user text reaches the query.
    """
    if not bindings:
        return text
    body = re.sub(r"#[^\n]*", lambda m: " " * len(m.group(0)), text)  # keep offsets, ignore comments
    match = _WHERE.search(body)
    if match is None:
        raise QuerySyntaxError("a parameterised query needs a WHERE { … } clause")
    inserts = [(match.end(), values_clause(bindings))]
    for select in _SELECT.finditer(body, match.end()):  # sub-selects: see _inner_values
        if not _in_optional_group(body, select.start()):
            inserts += _inner_values(body, select.end(), bindings)
    for at, block in sorted(inserts, reverse=True):
        text = text[:at] + block + text[at:]
    return text


def _inner_values(body: str, start: int, bindings: Mapping[str, Identifier]) -> list[tuple[int, str]]:
    """The parameters a sub-select projects as plain variables, bound again at the top of its own WHERE.

    A sub-select is evaluated on its own, so a VALUES block outside it does not reach its patterns: an engine
    that does not push it down (Oxigraph) enumerates the sub-select for every value and joins afterwards
    (measures with a product: over 30 s instead of 20 ms). Binding the parameter inside too gives the same
    rows, since the sub-select projects it unchanged; not where a LIMIT or OFFSET would then pick other rows,
    and not in a sub-select that is an OPTIONAL's group (Virtuoso 7.2 then counted 0 in economy_profile, and
    kept one party of 172 of 234 sampled agreements in agreement_details, which now groups its lists in one
    sub-select outside any OPTIONAL instead)."""
    brace = body.find("{", start)
    if brace < 0:
        return []
    projection = re.sub(r"\([^()]*\)", " ", body[start:brace])  # not the variables of (expr AS ?v)
    projected = set(re.findall(r"\?(\w+)", projection))
    given = {name: term for name, term in bindings.items() if name in projected}
    end, depth = len(body) - 1, 0
    for found in _BRACES.finditer(body, brace):  # the brace closing the sub-select's WHERE
        depth += 1 if found.group() == "{" else -1
        if depth == 0:
            end = found.start()
            break
    if not given or _LIMIT.search(body, end, _next_close(body, end + 1)):
        return []
    return [(brace + 1, values_clause(given))]


def _next_close(body: str, start: int) -> int:
    """Where the group around a sub-select's solution modifiers closes (the end of the text if none)."""
    close = body.find("}", start)
    return len(body) if close < 0 else close


def _digest() -> bool:
    """``TRADEKG_ENDPOINT_AUTH=digest``: answer the server's Digest challenge (Virtuoso's /sparql-auth)
    instead of sending Basic credentials up front."""
    return os.environ.get("TRADEKG_ENDPOINT_AUTH", "").lower() == "digest"


def _auth_header() -> dict[str, str]:
    """Credentials from the environment only, so they never appear in commands or logs."""
    if token := os.environ.get("TRADEKG_ENDPOINT_TOKEN"):
        return {"Authorization": f"Bearer {token}"}
    user, password = os.environ.get("TRADEKG_ENDPOINT_USER"), os.environ.get("TRADEKG_ENDPOINT_PASSWORD")
    if user and password and not _digest():
        return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}
    return {}


class RemoteStore:
    """A remote triple store spoken to over HTTP, with a timeout and bounded retries."""

    def __init__(self, query_url: str, update_url: str | None = None, store_url: str | None = None,
                 timeout_s: float = 30.0, retries: int = RETRIES):
        from .push import graph_store_url

        self.query_url = query_url
        self.update_url = update_url or _sibling(query_url, "update")
        self.store_url = store_url if store_url is not None else graph_store_url(query_url)
        self.timeout_s, self.retries = timeout_s, retries
        self._push_checked = False
        self._mark: list[tuple[str, ...]] | None = None  # the provenance graph when changed() last looked

    # -- reading ---------------------------------------------------------------------------
    def _client(self, url: str) -> SPARQLWrapper:
        client = SPARQLWrapper(url)
        client.setMethod(POST)
        client.setTimeout(int(self.timeout_s))
        for name, value in _auth_header().items():
            client.addCustomHttpHeader(name, value)
        if _digest():
            client.setHTTPAuth(DIGEST)
            client.setCredentials(os.environ.get("TRADEKG_ENDPOINT_USER"), os.environ.get("TRADEKG_ENDPOINT_PASSWORD"))
        return client

    def _retrying(self, url: str, call) -> Any:
        """The one retry policy for every request to the endpoint: connection failures and 5xx answers
        are retried (at most ``retries`` attempts, backing off), never past ``timeout_s`` in all;
        4xx answers are the caller's to handle and are not retried."""
        deadline = time.monotonic() + self.timeout_s
        delay = 0.5
        for attempt in range(1, self.retries + 1):
            try:
                return call(max(deadline - time.monotonic(), 0.1))
            except urllib.error.HTTPError as e:
                body = e.read().decode("utf-8", "replace")[:500]
                if e.code == 400:
                    raise QuerySyntaxError(f"{url} refused the query: {body.strip()}") from e
                if e.code < 500 or attempt == self.retries or time.monotonic() + delay >= deadline:
                    raise EndpointError(f"{url} answered HTTP {e.code}: {body.strip()}") from e
            except SPARQLWrapperException as e:
                if isinstance(e, QueryBadFormed):
                    raise QuerySyntaxError(f"{url} refused the query: {e}") from e
                raise EndpointError(f"{url}: {e}") from e
            except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as e:
                reason = getattr(e, "reason", e)
                if isinstance(reason, TimeoutError) or isinstance(e, TimeoutError):
                    raise EndpointError(f"{url} did not answer within {self.timeout_s:g} s") from e
                if attempt == self.retries or time.monotonic() + delay >= deadline:
                    raise EndpointError(f"{url} did not answer after {attempt} attempts: {reason}. "
                                        "Is the server running, and is the URL right?") from e
            time.sleep(delay)
            delay *= 2
        raise AssertionError("unreachable")

    def _run(self, url: str, prepare) -> Any:
        """A SPARQLWrapper request under the retry policy."""
        def call(timeout_s: float) -> Any:
            client = self._client(url)
            client.setTimeout(max(int(timeout_s), 1))
            prepare(client)
            return client.query()
        return self._retrying(url, call)

    def forward(self, job: Job) -> Answer:
        """A SPARQL protocol request passed through as it came (Accept included), under the retry
        policy; the server's answer comes back as it sent it, for the API to relay."""
        fields = [("query", job.query)] + [("default-graph-uri", g) for g in job.default_graphs or ()] \
            + [("named-graph-uri", g) for g in job.named_graphs or ()]
        request = urllib.request.Request(
            self.query_url, data=urllib.parse.urlencode(fields).encode("utf-8"), method="POST",
            headers={"Accept": job.accept or "*/*", "Content-Type": "application/x-www-form-urlencoded",
                     **_auth_header()})

        def call(timeout_s: float) -> Answer:
            try:
                with urllib.request.urlopen(request, timeout=timeout_s) as reply:
                    return Answer(True, "forwarded", body=reply.read(), status=reply.status,
                                  media=reply.headers.get("content-type", "application/octet-stream"))
            except urllib.error.HTTPError as e:
                if e.code >= 500:
                    raise
                return Answer(True, "forwarded", body=e.read(), status=e.code,
                              media=e.headers.get("content-type", "text/plain"))
        return self._retrying(self.query_url, call)

    def query_service(self, limits: Any = None) -> Forwarder:
        """Protocol requests go to the server as they are (its own timeout and workers apply)."""
        return Forwarder(self)

    def reopen(self) -> None:
        """Nothing to reopen: every request sees the server's current state."""

    def changed(self) -> bool:
        """Whether a ``tradekg push`` finished on the server since the last look, so that answers kept from
        before (the API's catalog and REST answers) are stale: the build time or a graph's content digest in
        the provenance graph differs. A push under way is not a change yet (its status graph is there until
        its last step), nor is a server that does not answer (its queries report that). Writes by other
        tools, which leave the provenance graph alone, are not seen."""
        from .push import META_GRAPH, STATUS_GRAPH, TKG

        try:
            data = self._query_json(
                f"SELECT ?g ?digest ?built ?push WHERE {{ {{ GRAPH <{META_GRAPH}> {{ ?g <{TKG}contentDigest> ?digest "
                f"OPTIONAL {{ ?g <http://www.w3.org/ns/prov#generatedAtTime> ?built }} }} }} UNION "
                f"{{ GRAPH <{STATUS_GRAPH}> {{ <{STATUS_GRAPH}> <{TKG}pushId> ?push }} }} }}", None)
        except (EndpointError, QuerySyntaxError):
            return False
        rows = data.get("results", {}).get("bindings", [])
        if any("push" in row for row in rows):
            if self._mark is None:  # first look: whatever the push leaves will differ from this
                self._mark = [("a push under way",)]
            return False
        mark = sorted(tuple(row.get(k, {}).get("value", "") for k in ("g", "digest", "built")) for row in rows)
        if self._mark is None or mark == self._mark:
            self._mark = mark
            return False
        self._mark, self._push_checked = mark, False  # a later unfinished push is warned about again
        return True

    def _query_json(self, text: str, bindings: Mapping[str, Identifier] | None) -> dict:
        def prepare(client: SPARQLWrapper) -> None:
            client.setQuery(bind_values(text, bindings or {}))
            # SPARQLWrapper guesses the form from the first keyword in the text, and its comment
            # stripping leaves every other comment line: "additional" in a header became ADD, an
            # update, which the server refused. SELECT and ASK both answer in JSON.
            client.queryType = SELECT
            client.setReturnFormat(JSON)
        return self._run(self.query_url, prepare).convert()

    def _warn_if_incomplete(self) -> None:
        """Once per store: warn when the status graph says a push began and neither finished nor was
        cleaned up, so that answers from a half-pushed store never look complete."""
        if self._push_checked:
            return
        self._push_checked = True
        from .push import STATUS_GRAPH, TKG, IncompletePushWarning

        try:
            data = self._query_json(f"SELECT ?id ?state WHERE {{ GRAPH <{STATUS_GRAPH}> {{ <{STATUS_GRAPH}> "
                                    f"<{TKG}pushId> ?id ; <{TKG}pushState> ?state }} }}", None)
        except (EndpointError, QuerySyntaxError):
            return
        for row in data.get("results", {}).get("bindings", []):
            if row["state"]["value"] == "uploading":
                warnings.warn(IncompletePushWarning(
                    f"{self.query_url}: push {row['id']['value']} did not finish, so this store may hold a mix "
                    "of the old and the new graphs; run `tradekg push` again to finish it, or "
                    "`tradekg push --clean` to go back to the old graphs"), stacklevel=3)

    def select(self, text: str, bindings: Mapping[str, Identifier] | None = None) -> Rows:
        self._warn_if_incomplete()
        data = self._query_json(text, bindings)
        if "results" not in data:
            raise QuerySyntaxError("expected a SELECT query")
        return Rows(({k: parseJsonTerm(v) for k, v in b.items()} for b in data["results"]["bindings"]),
                    data["head"].get("vars", []))

    def ask(self, text: str, bindings: Mapping[str, Identifier] | None = None) -> bool:
        data = self._query_json(text, bindings)
        if "boolean" not in data:
            raise QuerySyntaxError("expected an ASK query")
        return bool(data["boolean"])

    def construct(self, text: str, bindings: Mapping[str, Identifier] | None = None) -> str:
        def prepare(client: SPARQLWrapper) -> None:
            client.setQuery(bind_values(text, bindings or {}))
            client.queryType = CONSTRUCT  # not guessed from the text (see _query_json)
            client.setReturnFormat(N3)
            client.addCustomHttpHeader("Accept", "application/n-triples")
        return self._run(self.query_url, prepare).response.read().decode("utf-8")

    def named_graphs(self) -> list[str]:
        rows = self.select("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
        # Not the push's own bookkeeping (its status and staging graphs; see graph/push.py).
        return sorted(str(r["g"]) for r in rows if not str(r["g"]).startswith("https://w3id.org/tradekg/push/"))

    def check_union_default(self) -> None:
        """Fail clearly if the server holds named graphs but a query without GRAPH sees none of them."""
        if self.ask("ASK { ?s ?p ?o }"):
            return
        if self.ask("ASK { GRAPH ?g { ?s ?p ?o } }"):
            raise EndpointError(
                f"{self.query_url} keeps its data in named graphs but does not query their union by default; "
                "tradekg's queries need that (Oxigraph: `oxigraph serve --union-default-graph`; "
                "Fuseki: tdb2:unionDefaultGraph true)")

    # -- writing ---------------------------------------------------------------------------
    def update(self, text: str) -> None:
        """Apply a SPARQL update, then count the graph's statistics again (graph/statistics.py), as the
        embedded store does, in a second request (the client's update is sent as it came)."""
        self._write(text)
        try:
            self._write(statistics.refresh_update())
        except TradeKGError as e:
            raise StoreError(f"the update was applied, but counting the graph's statistics again failed "
                             f"({e}); the statistics queries answer the old counts until an update "
                             "succeeds") from e

    def _write(self, text: str) -> None:
        def prepare(client: SPARQLWrapper) -> None:
            client.setQuery(text)
            client.setRequestMethod(POSTDIRECTLY)
        self._run(self.update_url, prepare)

    def drop_graph(self, graph: str) -> None:
        self._write(f"DROP SILENT GRAPH <{_checked_iri(graph)}>")

    def close(self) -> None:
        """Nothing to release: every request opens and closes its own connection."""


class Forwarder(BlockingService):
    """The query service of a remote store: every request forwarded under the one retry policy."""

    forwards = True

    def __init__(self, remote: RemoteStore):
        self.remote = remote

    def run(self, job: Job, cancel: Any = None, deadline: float | None = None) -> Answer:
        return self.remote.forward(job)


def _sibling(query_url: str, name: str) -> str:
    """Oxigraph-style sibling endpoints: …/query → …/update and …/store."""
    if query_url.rstrip("/").endswith("/query"):
        return query_url.rstrip("/")[: -len("query")] + name
    return query_url if name == "update" else ""


def _checked_iri(value: str) -> str:
    if not value.startswith(("http://", "https://")) or set('<>"{}|\\^` ') & set(value):
        raise EndpointError(f"not a usable graph IRI: {value!r}")
    return value


def push(local: Any, remote: RemoteStore, progress=lambda _msg: None, options: Any = None) -> dict[str, tuple[int, float]]:
    """Copy every named graph of an embedded store to ``remote``, swapped in at once (see graph/push.py).

    Returns, per graph, the triples sent and the seconds it took. The provenance graph travels
    like any other, so the remote store says where its data came from.
    """
    from .push import PushOptions, push as push_graphs

    options = options or PushOptions.from_env(timeout_s=max(remote.timeout_s, 60.0))
    options.graph_store = remote.store_url
    return push_graphs(local, remote.query_url, remote.update_url, options, progress)
