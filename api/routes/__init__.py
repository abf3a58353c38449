"""The relationship routes, one module per kind of thing; each route calls named catalog queries only."""

from __future__ import annotations

from fastapi import APIRouter

from . import agreements, catalog, disputes, economies, economy_links, measures, network, products
from . import trade

ROUTERS: list[APIRouter] = [economies.router, economy_links.router, disputes.router, measures.router, agreements.router,
                            products.router, network.router, catalog.router,
                            trade.router]
