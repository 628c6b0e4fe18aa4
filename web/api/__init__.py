"""JSON API under /api/v1: everything the pages do, for programs (OpenAPI at /api/v1/docs).

OAuth2 password flow: POST /api/v1/auth/token gives a bearer token; every other endpoint wants
`Authorization: Bearer <token>`. Errors: {"detail": [{"field": ..., "message": ...}]}.
"""

from fastapi import APIRouter, Depends

from web.api import auth_routes, breaches, budget, documents, dossiers, privacy_requests
from web.api.json_body import refuse_lone_surrogates
from web.errors import ERROR_RESPONSES

API_PREFIX = "/api/v1"

router = APIRouter(
    prefix=API_PREFIX,
    responses=ERROR_RESPONSES,
    dependencies=[Depends(refuse_lone_surrogates)],
)
router.include_router(auth_routes.router)
router.include_router(dossiers.router)
router.include_router(documents.router)
router.include_router(budget.router)
router.include_router(privacy_requests.router)
router.include_router(breaches.router)
