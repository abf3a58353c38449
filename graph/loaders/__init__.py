"""One module per source. Each has ``SOURCE`` (its key: data/sources/KEY.json describes it, and it is also the
name of its named graph) and ``triples(ctx)``, a pure generator of the triples it contributes.

The order matters only for ``economies``, which describes every economy the others named.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Union

import pyoxigraph as ox

if TYPE_CHECKING:
    from ..context import BuildContext

Subject = Union[ox.NamedNode, ox.BlankNode]
Triple = tuple[Subject, ox.NamedNode, Union[ox.NamedNode, ox.BlankNode, ox.Literal]]
TripleSource = Callable[["BuildContext"], Iterator[Triple]]


def registry() -> list[tuple[str, TripleSource]]:
    """The loaders of the default build, in order."""
    from . import (desta, dispute_links, economies, gad_usa, hs2022, itip_us_ad, ontology, us_adcvd, us_mfn,
                   us_section232, us_section301, usmca, wto_disputes_extra, wto_ds_crawl, wto_ds_gateway,
                   wto_members, wto_rta)
    from . import census_exports_2025_lists, census_imports_hs10, census_trade_hs2_monthly, trade_coverage  # trade
    from . import china_retaliation, ita_retaliation, retaliation_links  # measures of other economies (issue 10)
    from . import us_adcvd_orders, wto_ds_summaries, wto_security_exceptions  # issue 10
    from . import wikidata_qids
    from . import hs1992, hs2012, hs2017  # older HS editions correlated with HS 2022 (issue 16)

    order = (ontology, wto_members, wto_ds_gateway, wto_ds_crawl, wto_rta, desta, hs2022,
             hs2017, hs2012, hs1992,
             us_section301, us_section232, us_mfn,  # Section 301 first: shared tariff lines live in its graph
             gad_usa, us_adcvd, itip_us_ad, us_adcvd_orders,  # the orders derive from the three records
             china_retaliation, ita_retaliation, retaliation_links,
             usmca, wto_disputes_extra, wto_ds_summaries, wto_security_exceptions, dispute_links,
             census_imports_hs10, census_trade_hs2_monthly, census_exports_2025_lists,  # after the measures' lines
             wikidata_qids,  # links only the economies named above
             economies,
             trade_coverage)  # last: derived from every measure's lines and the flows above
    return [(m.SOURCE, m.triples) for m in order]
