"""Staff pages (server-rendered HTML): `router` is included by the app factory."""

from fastapi import APIRouter

from cravelynos.web.pages import (
    dev_mailbox,
    dossier_actions,
    dossier_documents,
    dossier_list,
    dossier_new,
    dossier_page,
    session_pages,
)

router = APIRouter(include_in_schema=False)
# /dossiers/new before /dossiers/{dossier_id}, which would otherwise take "new" for an id.
for module in (
    session_pages,
    dossier_list,
    dossier_new,
    dossier_page,
    dossier_actions,
    dossier_documents,
    dev_mailbox,
):
    router.include_router(module.router)

__all__ = ["router"]
