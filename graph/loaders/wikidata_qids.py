"""Wikidata identifiers of economies (SOURCES.md 8e): ``skos:exactMatch`` to ``http://www.wikidata.org/entity/Q…``
from Our World in Data's ISO alpha-3 → QID table (late 2022), for the economies the other sources named.

Exceptions, each reported in the build notes:
- **NLD**: the table gives Q29999, the Kingdom of the Netherlands (which includes Aruba, Curaçao and Sint
  Maarten), not the Netherlands the ISO code names: linked with ``skos:broadMatch`` (the Kingdom is
  broader), never ``exactMatch``. The QID of the constituent country is not in the table, so it is not
  added (no identifier typed from memory).
- **EUN** (the EU) and any other economy with no QID in the table (``OWID_EU27`` has none) get no link.
- Rows without an ISO alpha-3 code (OWID's regions, ``PS_GZA`` with a wiki-page URL) are not economies here.
- Links only for economies already in the graph: this source describes no economy on its own.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from pyoxigraph import NamedNode

from ..context import BuildContext
from ..sources import read_csv
from ..terms import SKOS, economy
from . import Triple

SOURCE = "wikidata-qids"
FILE = "wikidata-country-qid-owid/countries_regions_owid_2022-11.csv"
COLUMNS = ("code", "name", "iso_alpha3", "wikidata_uri", "wikidata_label")
_ENTITY = re.compile(r"http://www\.wikidata\.org/entity/Q[1-9][0-9]*")
_ISO3 = re.compile(r"[A-Z]{3}")
BROADER = {"NLD": "the QID is the Kingdom of the Netherlands (with Aruba, Curaçao, Sint Maarten), broader than "
                  "ISO 3166 NLD"}


def triples(ctx: BuildContext) -> Iterator[Triple]:
    known = set(ctx.names)
    linked: dict[str, str] = {}
    seen: dict[str, str] = {}
    for row in read_csv(ctx.data / FILE, required=COLUMNS):
        code, uri = row.text("iso_alpha3"), row.text("wikidata_uri")
        if code is None or not _ISO3.fullmatch(code) or uri is None:
            continue  # an OWID region or a row without a QID
        if not _ENTITY.fullmatch(uri):
            raise row.fail("wikidata_uri", f"{uri!r} is not a Wikidata entity IRI (http://www.wikidata.org/entity/Q…)")
        if uri in seen:
            raise row.fail("wikidata_uri", f"{uri} is also the QID of {seen[uri]}")
        seen[uri] = code
        if code not in known:
            continue
        if code in BROADER:
            yield economy(code), SKOS.broadMatch, NamedNode(uri)
            ctx.note(SOURCE, f"{code}: skos:broadMatch {uri} ({row.text('wikidata_label')}), not exactMatch: "
                             f"{BROADER[code]}")
        else:
            yield economy(code), SKOS.exactMatch, NamedNode(uri)
        linked[code] = uri
    missing = sorted(known - set(linked))
    ctx.note(SOURCE, f"{len(linked)} of {len(known)} economies linked to Wikidata; none in the table for "
                     f"{len(missing)}: {', '.join(missing)}")
