"""One description per economy that any source named: label, alternative names, ISO codes.

Runs after the other loaders, so it covers exactly the economies the graph talks about. The
label is the WTO's spelling where the WTO lists the economy, else the dispute gateway's, else
ISO 3166's name.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..context import LABEL_PRIORITY, BuildContext
from ..economies import EU, iso_record
from ..terms import A, RDFS, SKOS, TKG, economy, text
from . import Triple

SOURCE = "economies"


def triples(ctx: BuildContext) -> Iterator[Triple]:
    for code in sorted(ctx.names):
        node = economy(code)
        record = iso_record(code)
        names = ctx.names[code]
        iso_names = [getattr(record, f) for f in ("name", "official_name", "common_name") if hasattr(record, f)]
        label = next((names[k] for k in LABEL_PRIORITY if k in names), None)
        label = label or (iso_names[0] if iso_names else code)
        yield node, A, TKG.Economy
        yield node, RDFS.label, text(label)
        yield node, SKOS.notation, text(code)
        alternatives = (set(names.values()) | ctx.alt_names[code] | set(iso_names)) - {label}
        for alt in sorted(alternatives):
            yield node, SKOS.altLabel, text(alt)
        if record is not None:
            yield node, TKG.isoAlpha3, text(code)
            yield node, TKG.isoNumeric, text(record.numeric)
        if code == EU:
            yield node, A, TKG.Bloc
    ctx.note(SOURCE, f"{len(ctx.names)} economies")
