"""Remote payload codec for the Temporal Web UI and CLI: POST /codec/encode and /codec/decode.

Temporal sees only ciphertext (security/codec.py); authorised staff (admin, supervisor, DPO)
point the Web UI's "codec endpoint" here to read payloads. Authentication: the staff session
cookie (the UI sends it when "include cross-origin credentials" is on) or an API bearer token
(`temporal --codec-auth "Bearer <token>"`). CORS admits the configured Temporal UI origin only;
every decode is audited.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from fastapi import APIRouter, HTTPException, Request, status
from fastapi.responses import JSONResponse, Response
from google.protobuf import json_format
from starlette.concurrency import run_in_threadpool
from temporalio.api.common.v1 import Payloads

from config.settings import Settings
from models.database import session_scope
from models.staff import Role, StaffUser
from security.codec import EncryptionCodec
from security.keyring import get_keyring
from services.audit import append_audit
from web.auth import bearer_staff, session_staff
from web.deps import SettingsDep
from web.errors import error_items

CODEC_ROLES = frozenset({Role.ADMIN, Role.SUPERVISOR, Role.DPO})
ALLOWED_HEADERS = "content-type, x-namespace, authorization"
MAX_PAYLOADS = 1000

router = APIRouter(prefix="/codec", include_in_schema=False)


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def _cors_headers(request: Request, settings: Settings) -> dict[str, str]:
    origin = request.headers.get("origin", "")
    if not origin or origin.lower().rstrip("/") != _origin(settings.temporal_ui_url):
        return {"Vary": "Origin"}
    return {
        "Access-Control-Allow-Origin": origin,
        "Access-Control-Allow-Credentials": "true",
        "Vary": "Origin",
    }


def _error(
    request: Request, settings: Settings, status_code: int, message: str, **extra: str
) -> JSONResponse:
    headers = _cors_headers(request, settings) | extra
    return JSONResponse({"detail": error_items(message)}, status_code, headers=headers)


def _foreign_origin(request: Request, settings: Settings) -> bool:
    origin = request.headers.get("origin")
    if origin is None:
        return False
    allowed = {_origin(settings.temporal_ui_url), _origin(settings.public_base_url)}
    return origin.lower().rstrip("/") not in allowed


def _caller(request: Request, settings: Settings) -> StaffUser | None:
    authorization = request.headers.get("authorization", "")
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return bearer_staff(token.strip(), settings)
    return session_staff(request, settings)


def _audit_decode(settings: Settings, staff: StaffUser, namespace: str, count: int) -> None:
    with session_scope(settings) as session:
        append_audit(
            session,
            f"staff:{staff.id}",
            "codec.decode",
            "temporal_payload",
            namespace[:100] or "-",
            reason="lecture des données Temporal",
            detail={"payloads": count},
        )


@router.options("/{operation}")
def preflight(operation: str, request: Request, settings: SettingsDep) -> Response:
    headers = _cors_headers(request, settings)
    if operation not in ("encode", "decode") or "Access-Control-Allow-Origin" not in headers:
        return Response(status_code=status.HTTP_403_FORBIDDEN, headers=headers)
    headers |= {
        "Access-Control-Allow-Methods": "POST, OPTIONS",
        "Access-Control-Allow-Headers": ALLOWED_HEADERS,
        "Access-Control-Max-Age": "600",
    }
    return Response(status_code=status.HTTP_204_NO_CONTENT, headers=headers)


async def _run(request: Request, settings: Settings, operation: str) -> Response:
    # A JSON content type forces a CORS preflight on cross-origin callers: a plain HTML form
    # on another site cannot use the session cookie to drive this endpoint.
    if _foreign_origin(request, settings) or not request.headers.get("content-type", "").startswith(
        "application/json"
    ):
        return _error(request, settings, 403, "Origine ou type de contenu non autorisé.")
    try:
        staff = await run_in_threadpool(_caller, request, settings)
    except HTTPException as exc:
        return _error(request, settings, 401, str(exc.detail), **{"WWW-Authenticate": "Bearer"})
    if staff is None:
        return _error(
            request,
            settings,
            401,
            "Authentification requise : connectez-vous à Cravelynos ou envoyez un jeton.",
            **{"WWW-Authenticate": "Bearer"},
        )
    if staff.role not in CODEC_ROLES:
        return _error(
            request, settings, 403, "Votre rôle ne permet pas de déchiffrer les données Temporal."
        )
    try:
        payloads = json_format.ParseDict(await request.json(), Payloads())
    except Exception:  # not JSON, or not the codec protocol's shape
        return _error(request, settings, 422, 'Corps attendu : {"payloads": [...]} en JSON.')
    if len(payloads.payloads) > MAX_PAYLOADS:
        return _error(request, settings, 422, f"{MAX_PAYLOADS} payloads au maximum par appel.")

    # Lenient: the UI shows histories as they are, including what no key holder wrote.
    codec = EncryptionCodec(get_keyring(settings), strict=False)
    if operation == "decode":
        try:
            result = await codec.decode(payloads.payloads)
        except Exception:
            return _error(request, settings, 422, "Ces données ne peuvent pas être déchiffrées.")
        namespace = request.headers.get("x-namespace", settings.temporal_namespace)
        await run_in_threadpool(_audit_decode, settings, staff, namespace, len(result))
    else:
        result = await codec.encode(payloads.payloads)
    body = {"payloads": json_format.MessageToDict(Payloads(payloads=result)).get("payloads", [])}
    return JSONResponse(body, headers=_cors_headers(request, settings))


@router.post("/encode")
async def encode(request: Request, settings: SettingsDep) -> Response:
    return await _run(request, settings, "encode")


@router.post("/decode")
async def decode(request: Request, settings: SettingsDep) -> Response:
    return await _run(request, settings, "decode")
