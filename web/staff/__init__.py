"""Staff pages (server-rendered HTML): `router` is included by the app factory."""

from fastapi import APIRouter

from dev import mailbox_pages as dev_mailbox
from domain.dossier_timeline import TASK_LABEL
from rendering.labels import TEMPLATE_FILTERS, TEMPLATE_GLOBALS
from web.public import analysis as client_approval
from web.staff import session as session_pages
from web.staff.budget import allowances
from web.staff.budget import analysis as budget_analysis
from web.staff.budget import approval as approval_staff
from web.staff.budget import entry as budget_entry
from web.staff.budget import strategy as budget_strategy
from web.staff.budget.common import dossier_budget_status
from web.staff.dossiers import actions as dossier_actions
from web.staff.dossiers import detail_page as dossier_page
from web.staff.dossiers import documents as dossier_documents
from web.staff.dossiers import intake_page as dossier_new
from web.staff.dossiers import list_page as dossier_list
from web.ui.rendering import templates

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
