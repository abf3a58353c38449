"""``/docs`` (Swagger UI) and ``/redoc`` (ReDoc) from assets we serve ourselves, so they work offline;
FastAPI's own pages load them from a CDN and stay blank without internet."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse

router = APIRouter(include_in_schema=False)
VENDOR = "/static/vendor/"


@router.get("/docs", response_class=HTMLResponse)
def swagger_ui() -> HTMLResponse:
    return get_swagger_ui_html(openapi_url="/openapi.json", title="tradekg API",
                               swagger_js_url=VENDOR + "swagger-ui-bundle.js", swagger_css_url=VENDOR + "swagger-ui.css",
                               swagger_favicon_url="/static/favicon.svg",
                               swagger_ui_parameters={"validatorUrl": None, "tryItOutEnabled": True})


@router.get("/redoc", response_class=HTMLResponse)
def redoc() -> HTMLResponse:
    return get_redoc_html(openapi_url="/openapi.json", title="tradekg API", redoc_js_url=VENDOR + "redoc.standalone.js",
                          redoc_favicon_url="/static/favicon.svg", with_google_fonts=False)


def replace_defaults(app: FastAPI) -> None:
    """Drop FastAPI's CDN-backed /docs and /redoc (set by the app factory's defaults), then add ours."""
    app.router.routes[:] = [r for r in app.router.routes if getattr(r, "path", None) not in ("/docs", "/redoc")]
    app.include_router(router)
