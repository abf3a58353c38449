"""Copy the embedded store's named graphs to a SPARQL server so that a reader never sees a half push.

Every graph is uploaded into a staging graph of its own (``…/push/staging/ID/…``, outside
``…/tradekg/graph/`` so the catalog's per-source questions skip it), each staging graph's triple
count is checked against the local one, and then one SPARQL Update request moves every staging
graph onto its real name, drops the graphs the new build no longer has and removes the small status
graph the push wrote when it began. A graph the server already holds as it is here (the content
digest the build wrote in the provenance graph, and the triple count, match) is left alone, so
pushing a rebuild of the same data sends only the provenance graph and what changed. Until that
request has run, the status graph says the push is incomplete (a reader of the union of all graphs
then also sees the staged triples, so the warning matters):
:class:`~tradekg.graph.remote.RemoteStore` then warns on every query, and the next ``tradekg push``
resumes it (same local graphs) or cleans it up (anything else). A server that holds no tradekg
graph yet has no old set to protect: there the graphs are uploaded in place (no staging, no MOVE,
which costs Oxigraph as much again as the upload), and the status graph says "uploading" until the
last one is in, so a reader is warned rather than served a partial set.

Uploads use the Graph Store HTTP Protocol where the server has it (Oxigraph ``/store``, Virtuoso
``/sparql-graph-crud``, Fuseki ``/data``), else ``INSERT DATA``. Requests are chunked; a chunk the
server finds too large (HTTP 413, Virtuoso's ``SP030 … memory exhausted``) is halved and sent again;
connection errors and 5xx answers are retried with back-off; each request's timeout grows with its
chunk. Credentials come from the environment only: ``TRADEKG_ENDPOINT_USER`` and
``TRADEKG_ENDPOINT_PASSWORD`` answer a Basic challenge, or a Digest one with ``TRADEKG_ENDPOINT_AUTH=digest``
(Virtuoso's ``/sparql-auth``), or
``TRADEKG_ENDPOINT_TOKEN`` is sent as a Bearer token.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from .errors import EndpointError
from .layout import crash_point

TKG = "https://w3id.org/tradekg/ontology#"
STATUS_GRAPH = "https://w3id.org/tradekg/push/status"
STAGING = "https://w3id.org/tradekg/push/staging/"
OWN_GRAPHS = "https://w3id.org/tradekg/graph/"
META_GRAPH = OWN_GRAPHS + "meta"

#: What a server says when a request is too large for it: halve the chunk and try again.
_TOO_LARGE = re.compile(r"SP030|memory exhausted|too large|too big|payload|request entity", re.IGNORECASE)


class IncompletePushWarning(UserWarning):
    """The remote store's status graph says a push began and did not finish."""


class TooLarge(EndpointError):
    """The server refused a request for its size."""


@dataclass
class PushOptions:
    """How to talk to the server; every field has a default that suits a local Oxigraph or Virtuoso."""

    chunk: int = 50_000          # triples per Graph Store request (halved on "too large")
    insert_chunk: int = 2_000    # triples per INSERT DATA (Virtuoso's SPARQL compiler fails at 5,000)
    timeout_s: float = 60.0      # per request, plus 1 s per 1,000 triples it carries
    retries: int = 5             # attempts per request on connection errors and 5xx answers
    send_all: bool = False       # send every graph, even one the server holds unchanged
    graph_store: str | None = None  # Graph Store Protocol URL; None: derived from the endpoint; "": none

    @classmethod
    def from_env(cls, **given: Any) -> PushOptions:
        """Defaults, then ``TRADEKG_PUSH_TIMEOUT`` / ``TRADEKG_PUSH_CHUNK``, then what was given."""
        options = cls()
        if value := os.environ.get("TRADEKG_PUSH_TIMEOUT"):
            options.timeout_s = float(value)
        if value := os.environ.get("TRADEKG_PUSH_CHUNK"):
            options.chunk = int(value)
        for key, value in given.items():
            if value is not None:
                setattr(options, key, value)
        return options


def graph_store_url(query_url: str) -> str:
    """The Graph Store Protocol URL a known server has beside its query URL ("" if none is known)."""
    url = query_url.rstrip("/")
    if url.endswith("/query"):  # Oxigraph, Fuseki-style
        return url[: -len("query")] + "store"
    if url.endswith("/sparql-auth"):  # Virtuoso, Digest-protected
        return url[: -len("sparql-auth")] + "sparql-graph-crud-auth"
    if url.endswith("/sparql"):  # Virtuoso
        return url + "-graph-crud"
    return ""


def _opener(*urls: str) -> urllib.request.OpenerDirector:
    """An opener that answers a Basic or Digest challenge with the credentials from the environment."""
    user, password = os.environ.get("TRADEKG_ENDPOINT_USER"), os.environ.get("TRADEKG_ENDPOINT_PASSWORD")
    if not (user and password):
        return urllib.request.build_opener()
    manager = urllib.request.HTTPPasswordMgrWithDefaultRealm()
    for url in urls:
        if url:
            manager.add_password(None, url, user, password)
    # One scheme: urllib's Basic handler raises on a Digest challenge instead of passing it on.
    digest = os.environ.get("TRADEKG_ENDPOINT_AUTH", "").lower() == "digest"
    handler = urllib.request.HTTPDigestAuthHandler if digest else urllib.request.HTTPBasicAuthHandler
    return urllib.request.build_opener(handler(manager))


def _checked(iri: str) -> str:
    if not iri.startswith(("http://", "https://")) or set('<>"{}|\\^` \n') & set(iri):
        raise EndpointError(f"not a usable graph IRI: {iri!r}")
    return iri


class Server:
    """The HTTP side of a push: SPARQL queries, updates and Graph Store requests with retries."""

    def __init__(self, query_url: str, update_url: str, options: PushOptions,
                 progress: Callable[[str], None] = lambda _m: None):
        self.query_url, self.update_url, self.options, self.progress = query_url, update_url, options, progress
        self.store_url = graph_store_url(query_url) if options.graph_store is None else options.graph_store
        self.opener = _opener(query_url, update_url, self.store_url)
        self.headers = {"Authorization": f"Bearer {t}"} if (t := os.environ.get("TRADEKG_ENDPOINT_TOKEN")) else {}
        self.reached = False  # no answer yet: a refused connection means a wrong URL, not a hiccup
        self.chunks_sent = 0  # upload requests so far (the crash tests stop a push after the Nth)

    def request(self, method: str, url: str, data: bytes | None, content_type: str | None = None,
                accept: str | None = None, triples: int = 0) -> bytes:
        """One HTTP request, retried on connection errors and 5xx; TooLarge when the server says so."""
        headers = dict(self.headers)
        if content_type:
            headers["Content-Type"] = content_type
        if accept:
            headers["Accept"] = accept
        timeout = self.options.timeout_s + triples / 1_000
        delay = 1.0
        for attempt in range(1, self.options.retries + 1):
            request = urllib.request.Request(url, data=data, method=method, headers=headers)
            try:
                with self.opener.open(request, timeout=timeout) as response:
                    body = response.read()
                self.reached = True
                return body
            except urllib.error.HTTPError as e:
                body = e.read().decode("utf-8", "replace")[:800].strip()
                if e.code == 413 or _TOO_LARGE.search(body):
                    raise TooLarge(f"{url} refused {triples:,} triples as too large: {body[:200]}") from e
                if e.code in (401, 403):
                    raise EndpointError(f"{url} refused the credentials (HTTP {e.code}): set TRADEKG_ENDPOINT_USER "
                                        "and TRADEKG_ENDPOINT_PASSWORD (with TRADEKG_ENDPOINT_AUTH=digest for Digest, "
                                        "e.g. Virtuoso's /sparql-auth) or TRADEKG_ENDPOINT_TOKEN, or use an "
                                        f"endpoint that allows updates. {body[:200]}") from e
                if e.code < 500 or attempt == self.options.retries:
                    raise EndpointError(f"{url} answered HTTP {e.code}: {body}") from e
                reason = f"HTTP {e.code}"
            except ValueError as e:  # urllib's Basic handler meeting a Digest challenge
                raise EndpointError(f"{url} asks for another authentication scheme ({e}); for Digest set "
                                    "TRADEKG_ENDPOINT_AUTH=digest") from e
            except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as e:
                reason = str(getattr(e, "reason", e))
                if not self.reached and isinstance(getattr(e, "reason", e), ConnectionRefusedError):
                    raise EndpointError(f"{url} refused the connection ({reason}): is the server running, "
                                        "and is the URL right?") from e
                if attempt == self.options.retries:
                    raise EndpointError(f"{url} did not answer after {attempt} attempts ({reason}); the push "
                                        "can be resumed: run `tradekg push` again") from e
            self.progress(f"  {reason}; retrying in {delay:.0f} s ({attempt}/{self.options.retries})")
            time.sleep(delay)
            delay = min(delay * 2, 30.0)
        raise AssertionError("unreachable")

    def select(self, text: str) -> list[dict[str, str]]:
        body = urllib.parse.urlencode({"query": text}).encode()
        data = json.loads(self.request("POST", self.query_url, body, "application/x-www-form-urlencoded",
                                       "application/sparql-results+json"))
        return [{k: v["value"] for k, v in row.items()} for row in data["results"]["bindings"]]

    def update(self, text: str, triples: int = 0) -> None:
        body = urllib.parse.urlencode({"update": text}).encode()
        self.request("POST", self.update_url, body, "application/x-www-form-urlencoded", triples=triples)

    def count(self, graph: str) -> int:
        rows = self.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{_checked(graph)}> {{ ?s ?p ?o }} }}")
        return int(rows[0]["n"]) if rows else 0

    def graphs(self, prefix: str) -> list[str]:
        rows = self.select("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } "
                           f"FILTER(STRSTARTS(STR(?g), {json.dumps(prefix)})) }}")
        return sorted(r["g"] for r in rows)

    # -- uploading one graph ---------------------------------------------------------------
    def upload(self, graph: str, lines: list[bytes]) -> str:
        """Replace ``graph`` with these N-Triples lines, in chunks; returns how it went."""
        chunks = list(_chunks(lines))
        if self.store_url:
            try:
                self._upload_gsp(graph, chunks)
                return "graph store"
            except EndpointError as e:
                if not re.search(r"HTTP (404|405|501)\b", str(e)):
                    raise
                self.progress(f"  {self.store_url} has no Graph Store Protocol; using INSERT DATA")
                self.store_url = ""
        self._upload_insert(graph, chunks)
        return "INSERT DATA"

    def _upload_gsp(self, graph: str, groups: list[list[bytes]]) -> None:
        url = f"{self.store_url}?{urllib.parse.urlencode({'graph': _checked(graph)})}"
        self._send_chunks(groups, self.options.chunk, "chunk",
                          lambda body, n, first: self.request("PUT" if first else "POST", url, body,
                                                              "application/n-triples", triples=n))

    def _upload_insert(self, graph: str, groups: list[list[bytes]]) -> None:
        self.update(f"DROP SILENT GRAPH <{_checked(graph)}>")

        def send(body: bytes, n: int, _first: bool) -> None:
            self.update(f"INSERT DATA {{ GRAPH <{graph}> {{\n{body.decode('utf-8')}\n}} }}", triples=n)
        self._send_chunks(groups, self.options.insert_chunk, "insert_chunk", send)

    def _send_chunks(self, groups: list[list[bytes]], size: int, option: str,
                     send: Callable[[bytes, int, bool], Any]) -> None:
        """Send the lines in requests of at most ``size`` triples (a group of lines sharing a blank node
        is never split); halve ``size`` whenever the server says a request was too large."""
        index, first = 0, True
        while index < len(groups) or first:
            batch, taken = [], 0
            while index + taken < len(groups) and (not batch or len(batch) + len(groups[index + taken]) <= size):
                batch.extend(groups[index + taken])
                taken += 1
            try:
                send(b"\n".join(batch) + b"\n" if batch else b"", len(batch), first)
                self.chunks_sent += 1
                crash_point(f"push-chunk-{self.chunks_sent}")
            except TooLarge:
                if size <= 50 or taken <= 1 and len(batch) <= 50:
                    raise
                size = max(size // 2, 50)
                setattr(self.options, option, size)  # the next graphs start at the size that worked
                self.progress(f"  the server found {len(batch):,} triples too many; sending {size:,} per request")
                continue
            index, first = index + taken, False


def _chunks(lines: list[bytes]) -> Iterable[list[bytes]]:
    """The lines as groups that must travel together: every line with a blank node in one group (a
    blank node label means one node only within one request), every other line alone."""
    blank = [line for line in lines if b"_:" in line]
    if blank:
        yield blank
    for line in lines:
        if b"_:" not in line:
            yield [line]


@dataclass
class Status:
    push_id: str
    state: str          # "uploading" (a status graph exists only while a push is unfinished)
    source: str         # a digest of the local graphs: the same data resumes, other data cleans up
    started: str
    mode: str = "staged"  # "staged" (uploads beside the old graphs, then MOVE) or "in-place" (no old graphs)


def read_status(server: Server) -> Status | None:
    """What the server's status graph says about the last push (None: no push has written one)."""
    rows = server.select(f"""SELECT ?id ?state ?source ?started ?mode WHERE {{ GRAPH <{STATUS_GRAPH}> {{
        <{STATUS_GRAPH}> <{TKG}pushId> ?id ; <{TKG}pushState> ?state .
        OPTIONAL {{ <{STATUS_GRAPH}> <{TKG}pushSource> ?source }}
        OPTIONAL {{ <{STATUS_GRAPH}> <{TKG}pushStarted> ?started }}
        OPTIONAL {{ <{STATUS_GRAPH}> <{TKG}pushMode> ?mode }} }} }}""")
    if not rows:
        return None
    row = rows[0]
    return Status(row["id"], row["state"], row.get("source", ""), row.get("started", ""), row.get("mode", "staged"))


def _write_status(server: Server, status: Status | None, before: list[str] = (), triples: int = 0) -> None:
    """Replace the status graph (None: remove it), after the given update operations, in one request.

    Only an unfinished push has a status graph: a server that queries the union of its graphs by default
    (as tradekg needs) would otherwise answer catalog questions over all graphs with its triples too."""
    s = f"<{STATUS_GRAPH}>"
    if status is None:
        server.update(" ;\n".join([*before, f"DROP SILENT GRAPH {s}"]), triples=triples)
        return
    data = (f'{s} <{TKG}pushId> {json.dumps(status.push_id)} ; <{TKG}pushState> {json.dumps(status.state)} ; '
            f'<{TKG}pushSource> {json.dumps(status.source)} ; <{TKG}pushStarted> {json.dumps(status.started)} ; '
            f'<{TKG}pushMode> {json.dumps(status.mode)} .')
    steps = [*before, f"DROP SILENT GRAPH {s}", f"INSERT DATA {{ GRAPH {s} {{ {data} }} }}"]
    server.update(" ;\n".join(steps), triples=triples)


def _digests_query() -> str:
    return f"SELECT ?g ?digest WHERE {{ GRAPH <{META_GRAPH}> {{ ?g <{TKG}contentDigest> ?digest }} }}"


def local_digests(local: Any) -> dict[str, str]:
    """Each graph's content digest, as the build wrote it in the provenance graph (none: a store built
    before digests, or not by `tradekg build`)."""
    return {row["g"].value: row["digest"].value for row in local.db.query(_digests_query())}


def unchanged_graphs(server: Server, local: dict[str, str], counts: dict[str, int]) -> list[str]:
    """The graphs the server already holds as they are here: the digest its provenance graph gives for
    them is the local one, and it holds as many triples in each (a graph edited on the server since is
    sent again). Graphs with blank nodes never match (their labels change from build to build)."""
    remote = {row["g"]: row["digest"] for row in server.select(_digests_query())}
    same = [g for g, digest in local.items() if g in counts and remote.get(g) == digest]
    return [g for g in same if server.count(g) == counts[g]]


def staging_graph(status: Status, graph: str) -> str:
    """Where a graph is uploaded before the swap (the graph itself when there is no old set to keep)."""
    if status.mode == "in-place":
        return graph
    return f"{STAGING}{status.push_id}/{urllib.parse.quote(graph, safe='')}"


def push(local: Any, query_url: str, update_url: str, options: PushOptions | None = None,
         progress: Callable[[str], None] = lambda _m: None) -> dict[str, tuple[int, float]]:
    """Copy every named graph of ``local`` (an EmbeddedStore) to the server; see the module docstring.

    Returns, per graph sent, the triples and the seconds it took (0 for a graph a resumed push had
    already sent). A graph the server already holds unchanged (same content digest and triple count, see
    :func:`unchanged_graphs`) is neither sent nor swapped, and is not in the result, unless
    ``options.send_all``: so pushing a rebuild of the same data sends only what changed.
    """
    import pyoxigraph as ox

    options = options or PushOptions.from_env()
    server = Server(query_url, update_url, options, progress)
    previous = read_status(server)  # the server first: one that does not answer is reported before any work here
    graphs = local.named_graphs()
    dumps = {g: local.db.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(g)) for g in graphs}
    counts = {g: data.count(b"\n") for g, data in dumps.items()}
    source = hashlib.sha256("\n".join(f"{g} {counts[g]} {hashlib.sha256(dumps[g]).hexdigest()}"
                                      for g in graphs).encode()).hexdigest()[:16]

    if previous:
        if previous.source == source:
            status = previous
            progress(f"resuming the interrupted push {status.push_id} (started {status.started})")
        else:
            progress(f"cleaning up the interrupted push {previous.push_id} (other data than this store's)")
            cleanup(server)
            previous = None
    if not previous:
        push_id = f"{time.strftime('%Y%m%dT%H%M%SZ', time.gmtime())}-{uuid.uuid4().hex[:8]}"
        mode = "staged" if server.graphs(OWN_GRAPHS) else "in-place"
        status = Status(push_id, "uploading", source, time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), mode)
        _write_status(server, status)

    keep: set[str] = set()
    if status.mode == "staged" and not options.send_all:
        keep = set(unchanged_graphs(server, local_digests(local), counts))
        if keep:
            progress(f"{len(keep)} graphs unchanged since the last push ({sum(counts[g] for g in keep):,} "
                     "triples): not sent")
    sent: dict[str, tuple[int, float]] = {}
    for graph in graphs:
        if graph in keep:
            continue
        target = staging_graph(status, graph)
        began = time.perf_counter()
        if server.count(target) == counts[graph]:
            sent[graph] = (counts[graph], 0.0)
            progress(f"{graph}: {counts[graph]:,} triples already sent")
            continue
        how = server.upload(target, dumps[graph].splitlines())
        have = server.count(target)
        if have != counts[graph]:
            raise EndpointError(f"{target}: the server holds {have:,} triples after the upload, not "
                                f"{counts[graph]:,}; run `tradekg push` again")
        sent[graph] = (counts[graph], time.perf_counter() - began)
        progress(f"{graph}: {counts[graph]:,} triples via {how} in {sent[graph][1]:.2f} s")

    crash_point("push-before-swap")
    # The swap: one request, so a server that runs an update request in one transaction (Oxigraph,
    # Jena, Virtuoso) goes from the old graph set to the new one at once.
    stale = [g for g in server.graphs(OWN_GRAPHS) if g not in dumps]
    steps = [f"MOVE SILENT GRAPH <{staging_graph(status, g)}> TO GRAPH <{_checked(g)}>"
             for g in graphs if status.mode == "staged" and g not in keep]
    steps += [f"DROP SILENT GRAPH <{_checked(g)}>" for g in stale]
    _write_status(server, None, steps, triples=sum(counts[g] for g in sent) if status.mode == "staged" else 0)
    done = f"swapped in {len(sent)} graphs" if status.mode == "staged" else f"all {len(graphs)} graphs in place"
    progress(done + (f", dropped {len(stale)} stale" if stale else ""))
    return sent


def cleanup(server: Server) -> list[str]:
    """Undo an interrupted push: drop its staging graphs (the old graphs answer as before), or, for a
    push in place (there were no old graphs), the graphs it had sent; then remove the status graph."""
    status = read_status(server)
    if status is None:
        return []
    prefix = OWN_GRAPHS if status.mode == "in-place" else f"{STAGING}{status.push_id}/"
    dropped = server.graphs(prefix)
    _write_status(server, None, [f"DROP SILENT GRAPH <{_checked(g)}>" for g in dropped])
    return dropped
