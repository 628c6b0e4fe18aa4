"""Swagger UI for the JSON API, served from the app itself: no CDN, works offline."""

from __future__ import annotations

from pathlib import Path

import fastapi_offline
from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

# The fastapi-offline package ships the Swagger UI bundle; we only use its files.
SWAGGER_ASSETS = Path(fastapi_offline.__file__).parent / "static"


def install_offline_docs(app: FastAPI, docs_url: str) -> None:
    assets_url = f"{docs_url}/assets"
    app.mount(assets_url, StaticFiles(directory=SWAGGER_ASSETS), name="api-docs-assets")

    @app.get(docs_url, include_in_schema=False)
    async def api_docs() -> HTMLResponse:
        assert app.openapi_url is not None
        return get_swagger_ui_html(
            openapi_url=app.openapi_url,
            title=f"{app.title} — API",
            swagger_js_url=f"{assets_url}/swagger-ui-bundle.js",
            swagger_css_url=f"{assets_url}/swagger-ui.css",
            swagger_favicon_url=f"{assets_url}/favicon.png",
        )
