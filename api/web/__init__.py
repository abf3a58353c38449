"""The pages people read: entity pages at every IRI, the home page and search, the SPARQL workbench,
the ontology, offline API docs, and the data out (dump, VoID). Server-rendered HTML; scripts only in the
workbench, every asset served from :data:`STATIC` (vendored, never a CDN)."""

from __future__ import annotations

from importlib.resources import files

STATIC = files(__package__) / "static"


def install(app) -> None:  # noqa: ANN001 - a FastAPI app
    """Add the pages and the static assets to ``app``."""
    from fastapi.staticfiles import StaticFiles

    from . import data_out, docs, entity_routes, home, ontology, workbench

    docs.replace_defaults(app)
    app.include_router(home.router)
    app.include_router(workbench.router)
    app.include_router(data_out.router)
    app.include_router(ontology.router)
    app.include_router(entity_routes.router)
    app.mount("/static", StaticFiles(directory=str(STATIC)), name="static")
    settings = app.state.settings
    if settings.cors_public and not settings.cors_origins:
        from .cors import PublicReadCORS

        app.add_middleware(PublicReadCORS)
