"""Errors as people and programs expect them.

The API (and the codec endpoint) always answers `{"detail": [{"field": ..., "message": ...}]}`,
FastAPI's own validation errors included; pages get the error page, in French.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from domain.errors import CravelynosError, InvalidInput, LinkRefused, Unavailable
from domain.intake import field_errors
from web.auth import LoginRequired
from web.page_address import JSON_PREFIXES, page_above
from web.public.links import refusal_page
from web.staff.session import login_redirect

log = logging.getLogger(__name__)

FAULT = "Une erreur inattendue s'est produite : rien n'a été modifié. Réessayez dans un instant."
RETRY_AFTER_SECONDS = "30"
_HEADINGS = {
    400: "Requête incorrecte",
    401: "Authentification requise",
    403: "Accès refusé",
    404: "Page introuvable",
    405: "Action non permise",
    409: "Action impossible à ce stade",
    413: "Envoi trop volumineux",
    422: "Saisie incorrecte",
    429: "Trop de tentatives",
    503: "Service momentanément indisponible",
}


class ErrorItem(BaseModel):
    field: str | None = None
    message: str


class ErrorBody(BaseModel):
    detail: list[ErrorItem]


# For the OpenAPI description of the API routes.
def error_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    return {code: {"model": ErrorBody, "description": _HEADINGS[code]} for code in codes}


# Every API operation may answer these; 400: a body that cannot be read at all.
ERROR_RESPONSES = error_responses(400, 401, 403, 404, 409, 422, 503)


def wants_json(request: Request) -> bool:
    return request.url.path.startswith(JSON_PREFIXES)


def error_items(errors: Mapping[str, str] | str) -> list[dict[str, str | None]]:
    if isinstance(errors, str):
        return [{"field": None, "message": errors}]
    return [
        {"field": None if name == "__all__" else name, "message": message}
        for name, message in errors.items()
    ]


def json_error(
    status_code: int,
    errors: Mapping[str, str] | str,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    return JSONResponse({"detail": error_items(errors)}, status_code, headers=dict(headers or {}))


def html_error(
    request: Request,
    status_code: int,
    message: str,
    headers: Mapping[str, str] | None = None,
) -> Response:
    from web.ui.rendering import render  # here: avoids an import cycle

    template = {403: "web/errors/403.html", 404: "web/errors/404.html"}.get(
        status_code, "web/errors/error.html"
    )
    context = {"message": message, "heading": _HEADINGS.get(status_code, "Erreur")}
    response = render(
        request, template, context, status_code=status_code, settings=request.app.state.settings
    )
    response.headers.update(dict(headers or {}))
    return response


def error_response(
    request: Request,
    status_code: int,
    errors: Mapping[str, str] | str,
    headers: Mapping[str, str] | None = None,
) -> Response:
    if wants_json(request):
        return json_error(status_code, errors, headers)
    message = errors if isinstance(errors, str) else " ".join(errors.values())
    return html_error(request, status_code, message, headers)


async def _validation(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    return error_response(request, 422, field_errors(exc.errors()))


async def _app_error(request: Request, exc: Exception) -> Response:
    """Every error the app raises on purpose, by its status; a fault (500) never shows its
    message, which is for the logs."""
    assert isinstance(exc, CravelynosError)
    if isinstance(exc, LinkRefused):  # Behind a client's link: its own page, no session.
        return refusal_page(request, exc)
    if exc.status_code >= 500 and not isinstance(exc, Unavailable):
        log.error("unexpected error on %s", request.url.path, exc_info=exc)
        return error_response(request, 500, FAULT)
    errors: Mapping[str, str] | str = exc.errors if isinstance(exc, InvalidInput) else exc.message
    headers = {"Retry-After": RETRY_AFTER_SECONDS} if isinstance(exc, Unavailable) else None
    return error_response(request, exc.status_code, errors, headers)


async def _http_exception(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    detail = exc.detail if isinstance(exc.detail, str) else _HEADINGS.get(exc.status_code, "Erreur")
    if exc.status_code == 404 and detail == "Not Found":
        detail = "Cette adresse n'existe pas."
    elif exc.status_code == 405 and detail == "Method Not Allowed":
        detail = "Méthode HTTP non permise pour cette adresse."
    headers = exc.headers
    if exc.status_code == 405:
        page = page_above(request)
        if page is not None:
            return RedirectResponse(page, status.HTTP_303_SEE_OTHER)
        headers = {**(headers or {}), "Allow": ", ".join(allowed_methods(request))}
    return error_response(request, exc.status_code, detail, headers=headers)


HTTP_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")


def allowed_methods(request: Request) -> list[str]:
    """Every method some route serves at this path: Starlette's 405 names only the first
    matching route's (GET on /api/v1/dossiers, where POST is served too)."""
    routes = request.app.router.routes
    return [
        method
        for method in HTTP_METHODS
        if any(
            route.matches({**request.scope, "method": method})[0] == Match.FULL for route in routes
        )
    ]


async def _login_required(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, LoginRequired)
    if wants_json(request):
        return json_error(401, "Authentification requise.", {"WWW-Authenticate": "Bearer"})
    return login_redirect(exc)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(StarletteHTTPException, _http_exception)
    # The most specific handler wins: a missing session redirects to the login page.
    app.add_exception_handler(LoginRequired, _login_required)
    app.add_exception_handler(CravelynosError, _app_error)
