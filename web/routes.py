"""Every router of the app, in the order they are matched: the one registry app.py includes.

Order matters where paths overlap: /dossiers/new comes before /dossiers/{dossier_id}, which
would otherwise take "new" for an id (and /privacy-requests/new before its request pages).
"""

from __future__ import annotations

from fastapi import APIRouter

from dev import mailbox_pages
from web import api, codec, health, metrics
from web.public import analysis as public_analysis
from web.public import consent as public_consent
from web.public import counter_offer as public_counter_offer
from web.public import negotiation as public_negotiation
from web.public import privacy_download, privacy_form, privacy_rights_link
from web.staff import (
    account,
    accounts_admin,
    creditors,
    help_page,
    notifications,
    password_reset,
    session,
)
from web.staff.breaches import actions as breach_actions
from web.staff.breaches import pages as breach_pages
from web.staff.budget import allowances, approval, entry, strategy
from web.staff.budget import analysis as budget_analysis
from web.staff.dossiers import (
    actions,
    client_edit,
    detail_page,
    documents,
    export_page,
    intake_page,
    list_page,
    notes,
    print_page,
    reassign_actions,
    work_page,
)
from web.staff.negotiations import (
    consent_actions,
    creditor_actions,
    offer_actions,
    outcome_actions,
)
from web.staff.privacy import (
    entry_page,
    identity_actions,
    queue_page,
    request_actions,
    request_page,
)
from web.staff.supervision import page as supervision_page

# Server-rendered pages: out of the OpenAPI schema, which documents the JSON API only.
PAGES: tuple[APIRouter, ...] = (
    health.router,
    metrics.router,
    session.router,
    account.router,
    password_reset.router,
    accounts_admin.router,
    list_page.router,
    intake_page.router,
    # /dossiers/export before /dossiers/{dossier_id}, which would take "export" for an id.
    export_page.router,
    detail_page.router,
    print_page.router,
    reassign_actions.router,
    work_page.router,
    actions.router,
    documents.router,
    client_edit.router,
    notes.router,
    notifications.router,
    entry.router,
    budget_analysis.router,
    strategy.router,
    allowances.router,
    approval.router,
    consent_actions.router,
    creditor_actions.router,
    offer_actions.router,
    outcome_actions.router,
    creditors.router,
    help_page.router,
    queue_page.router,
    entry_page.router,
    request_page.router,
    identity_actions.router,
    request_actions.router,
    breach_pages.router,
    breach_actions.router,
    supervision_page.router,
    public_analysis.router,
    public_negotiation.router,
    public_consent.router,
    public_counter_offer.router,
    privacy_download.router,
    privacy_form.router,
    privacy_rights_link.router,
    mailbox_pages.router,
)
# JSON: the API under /api/v1 and the payload codec of the Temporal Web UI.
JSON: tuple[APIRouter, ...] = (api.router, codec.router)
