"""Staff pages (server-rendered HTML): `router` is included by the app factory."""

from fastapi import APIRouter

from cravelynos.models.budget_views import TEMPLATE_FILTERS, TEMPLATE_GLOBALS
from cravelynos.web.pages import (
    allowances,
    approval_staff,
    budget_analysis,
    budget_entry,
    budget_strategy,
    client_approval,
    dev_mailbox,
    dossier_actions,
    dossier_documents,
    dossier_list,
    dossier_new,
    dossier_page,
    session_pages,
)
from cravelynos.web.pages.budget_common import dossier_budget_status
from cravelynos.web.pages.rendering import templates
from cravelynos.workflows.dossier import TASK_LABEL

router = APIRouter(include_in_schema=False)
# /dossiers/new before /dossiers/{dossier_id}, which would otherwise take "new" for an id.
for module in (
    session_pages,
    dossier_list,
    dossier_new,
    dossier_page,
    dossier_actions,
    dossier_documents,
    budget_entry,
    budget_analysis,
    budget_strategy,
    allowances,
    approval_staff,
    client_approval,
    dev_mailbox,
):
    router.include_router(module.router)

# Budget figures read the same on the pages as in the PDF report (models/budget_views.py);
# the dossier page shows where its budget stands.
templates.env.filters.update(TEMPLATE_FILTERS)
templates.env.globals.update(
    TEMPLATE_GLOBALS, budget_status=dossier_budget_status, approval_task_label=TASK_LABEL
)

__all__ = ["router"]
