"""The web application: staff pages, JSON API, payload codec endpoint.

`create_app(settings)` wires everything; uvicorn runs `web.app:create_app` with
--factory. The Temporal client is connected on first use, so the app serves pages while
Temporal is down and answers 503 only to actions that need a workflow.
"""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.middleware.sessions import SessionMiddleware

from config.settings import Settings
from web import api, routes
from web.api.docs import install_offline_docs
from web.body_limit import BodySizeLimitMiddleware
from web.errors import install_error_handlers
from web.metrics import RequestMetricsMiddleware
from web.rate_limit import LoginRateLimiter
from web.security_headers import SecurityHeadersMiddleware
from web.ui.rendering import STATIC_DIR
from web.workflow_gateway import TemporalConnection

DOCS_URL = f"{api.API_PREFIX}/docs"
SESSION_COOKIE = "cravelynos_session"
# The __Host- prefix makes browsers insist on Secure, path=/ and no Domain attribute.
PRODUCTION_SESSION_COOKIE = "__Host-cravelynos_session"


def create_app(settings: Settings) -> FastAPI:
    production = settings.mode == "production"
    app = FastAPI(
        title="Cravelynos",
        summary="Dossiers des conseillers : API JSON",
        version="1",
        openapi_url=f"{api.API_PREFIX}/openapi.json",
        docs_url=None,
        redoc_url=None,
        swagger_ui_oauth2_redirect_url=None,
    )
    app.state.settings = settings
    app.state.temporal = TemporalConnection(settings)
    app.state.login_limiter = LoginRateLimiter(settings)

    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    install_offline_docs(app, DOCS_URL)
    for pages in routes.PAGES:
        app.include_router(pages, include_in_schema=False)
    for json_router in routes.JSON:
        app.include_router(json_router)
    install_error_handlers(app)

    # Added innermost first: headers wrap everything, the session is read before the routes.
    app.add_middleware(BodySizeLimitMiddleware, upload_max_bytes=settings.upload_max_bytes)
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.session_secret,
        session_cookie=PRODUCTION_SESSION_COOKIE if production else SESSION_COOKIE,
        max_age=settings.session_absolute_hours * 3600,
        same_site="lax",
        https_only=production,
    )
    app.add_middleware(SecurityHeadersMiddleware, production=production, docs_path=DOCS_URL)
    # Outermost: times every request, the refused ones included.
    app.add_middleware(RequestMetricsMiddleware)
    return app
