"""Negotiation card actions about who we write to and what the client consented to share:
pick the directory creditor, ask consent, record a paper consent, record a withdrawal."""

from __future__ import annotations

from collections.abc import Awaitable
from datetime import datetime, time

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlmodel import Session
from starlette.datastructures import FormData

from config.settings import Settings
from domain.budget.amounts import parse_date
from domain.errors import InvalidInput, NotFound
from domain.french_dates import PARIS
from domain.negotiation.sharing import ShareCategory
from models.staff import StaffUser
from services.dossiers.access import actor_of
from services.negotiations.consents import (
    REVOKED_BY_CASE_WORKER,
    ConsentChoice,
    load_consent,
    revoke_consent,
)
from services.negotiations.store import (
    NegotiationRefused,
    StagedConsent,
    link_creditor,
    stage_consent_request,
    stage_paper_consent,
)
from web.auth import CurrentStaff
from web.csrf import CsrfProtected
from web.deps import SettingsDep
from web.staff.negotiations.common import (
    PREFIX,
    WritableNegotiation,
    back_to,
    form_list,
    form_uploads,
    form_values,
    invalid,
    perform,
    show_refused,
)
from web.staff.negotiations.section import NegotiationForm
from web.transactions import in_session
from web.ui.flash import flash
from web.workflow_gateway import send_negotiation_update
from workflows.negotiation_messages import (
    CONSENT_DECIDED_UPDATE,
    CONSENT_REQUESTED_UPDATE,
    CONSENT_REVOKED_UPDATE,
    ConsentDecided,
    ConsentRequested,
    ConsentRevoked,
)

router = APIRouter()

CHOOSE_CREDITOR = "Choisissez le créancier dans l'annuaire."
SCAN_REQUIRED = "Joignez le formulaire de consentement signé, numérisé."
CONFIRM_WITHDRAWAL = "Cochez la case pour confirmer que le client retire son consentement."
UNKNOWN_CONSENT = "Consentement introuvable pour ce créancier."
WITHDRAWAL_KEPT = (
    "Retrait enregistré. La négociation sera suspendue dès que le moteur de suivi sera de "
    "nouveau disponible."
)
WITHDRAWAL_KEPT_REFUSED = "Retrait enregistré : plus rien n'est partagé avec ce créancier. "


@router.post(f"{PREFIX}/creancier", response_model=None)
async def choose_creditor(
    request: Request,
    dossier_id: str,
    settings: SettingsDep,
    staff: CurrentStaff,
    _csrf: CsrfProtected,
    negotiation_id: WritableNegotiation,
) -> Response:
    values = form_values(await request.form(), ("creditor_id",))
    form = NegotiationForm(negotiation_id, "creditor", values)
    if not values["creditor_id"].isdigit():
        return await invalid(
            request, settings, staff, dossier_id, form, {"creditor_id": CHOOSE_CREDITOR}
        )
    creditor_id = int(values["creditor_id"])
    try:
        name = await in_session(settings, link_creditor, staff, negotiation_id, creditor_id)
    except NegotiationRefused as exc:
        form.message = exc.message
        return await show_refused(request, settings, staff, dossier_id, form, 409)
    # No update: the workflow reads the directory entry each time it writes to the creditor.
    flash(request, f"Destinataire choisi dans l'annuaire : {name}.")
    return back_to(dossier_id, negotiation_id)


def _consent_choice(
    values: dict[str, str], categories: list[str], documents: list[str]
) -> ConsentChoice:
    """The categories, documents and expiry (end of that day in Paris); InvalidInput by field."""
    # Documents chosen imply their category: the consent store adds it.
    chosen = [c for c in ShareCategory if c.value in set(categories)]
    expires_at = None
    if values.get("expires_on", "").strip():
        try:
            day = parse_date(values["expires_on"])
        except ValueError as exc:
            raise InvalidInput({"expires_on": str(exc)}) from None
        expires_at = datetime.combine(day, time(23, 59, 59), PARIS)
    return ConsentChoice(chosen, documents, expires_at)


def _consent_form(
    submitted: FormData, negotiation_id: str, kind: str
) -> tuple[NegotiationForm, list[str], list[str]]:
    """The consent form as typed (kept for a refusal), its categories and its documents."""
    categories, documents = form_list(submitted, "categories"), form_list(submitted, "document_ids")
    form = NegotiationForm(
        negotiation_id,
        kind,
        form_values(submitted, ("expires_on",)),
        {"categories": categories, "document_ids": documents},
    )
    return form, categories, documents


@router.post(f"{PREFIX}/consentement", response_model=None)
async def ask_consent(
    request: Request,
    dossier_id: str,
    settings: SettingsDep,
    staff: CurrentStaff,
    _csrf: CsrfProtected,
    negotiation_id: WritableNegotiation,
) -> Response:
    submitted = await request.form()
    form, categories, documents = _consent_form(submitted, negotiation_id, "consent_request")
    try:
        choice = _consent_choice(form.values, categories, documents)
    except InvalidInput as exc:
        return await invalid(request, settings, staff, dossier_id, form, exc.errors)
    return await perform(
        request,
        settings,
        staff,
        dossier_id,
        form,
        stage=lambda session: stage_consent_request(
            session, settings, staff, negotiation_id, choice
        ),
        update=lambda staged: send_negotiation_update(
            request,
            negotiation_id,
            CONSENT_REQUESTED_UPDATE,
            ConsentRequested(staged.consent_id, actor_of(staff), staged.staged_write_id),
        ),
        done="Demande de consentement envoyée au client.",
    )


@router.post(f"{PREFIX}/consentement/papier", response_model=None)
async def record_paper_consent(
    request: Request,
    dossier_id: str,
    settings: SettingsDep,
    staff: CurrentStaff,
    _csrf: CsrfProtected,
    negotiation_id: WritableNegotiation,
) -> Response:
    submitted = await request.form()
    form, categories, documents = _consent_form(submitted, negotiation_id, "consent_paper")
    scans = await form_uploads(submitted, "scan", settings)
    try:
        choice = _consent_choice(form.values, categories, documents)
        if not scans:
            raise InvalidInput({"scan": SCAN_REQUIRED})
    except InvalidInput as exc:
        return await invalid(request, settings, staff, dossier_id, form, exc.errors)

    def update(staged: StagedConsent) -> Awaitable[str]:
        decided = ConsentDecided(
            staged.consent_id, True, actor_of(staff), staged_write_id=staged.staged_write_id
        )
        return send_negotiation_update(request, negotiation_id, CONSENT_DECIDED_UPDATE, decided)

    return await perform(
        request,
        settings,
        staff,
        dossier_id,
        form,
        stage=lambda session: stage_paper_consent(
            session, settings, staff, negotiation_id, choice, scans[0]
        ),
        update=update,
        done="Consentement papier enregistré : le reçu part au client.",
        upload_field="scan",
    )


def _revoke(
    session: Session, settings: Settings, staff: StaffUser, negotiation_id: str, consent_id: str
) -> str:
    """The withdrawal, effective at once (the client's right): no workflow can refuse it."""
    try:
        consent = load_consent(session, settings, consent_id)
    except InvalidInput:
        raise NotFound(UNKNOWN_CONSENT) from None
    if consent.negotiation_id != negotiation_id:
        raise NotFound(UNKNOWN_CONSENT)
    return revoke_consent(
        session, settings, consent_id, actor=actor_of(staff), channel=REVOKED_BY_CASE_WORKER
    ).id


@router.post(f"{PREFIX}/consentement/retrait", response_model=None)
async def record_withdrawal(
    request: Request,
    dossier_id: str,
    settings: SettingsDep,
    staff: CurrentStaff,
    _csrf: CsrfProtected,
    negotiation_id: WritableNegotiation,
) -> Response:
    values = form_values(await request.form(), ("consent_id", "confirm"))
    form = NegotiationForm(negotiation_id, "consent_revoke", values)
    if not values["confirm"]:
        return await invalid(
            request, settings, staff, dossier_id, form, {"confirm": CONFIRM_WITHDRAWAL}
        )
    return await perform(
        request,
        settings,
        staff,
        dossier_id,
        form,
        stage=lambda session: _revoke(
            session, settings, staff, negotiation_id, values["consent_id"]
        ),
        update=lambda revoked_id: send_negotiation_update(
            request,
            negotiation_id,
            CONSENT_REVOKED_UPDATE,
            ConsentRevoked(consent_id=revoked_id, actor=actor_of(staff)),
        ),
        done="Retrait du consentement enregistré : la négociation est suspendue et le créancier "
        "en est informé.",
        # The client's right: the withdrawal stands even when the workflow cannot hear it now
        # (nothing leaves without a consent checked in the database at send time).
        kept_when_unavailable=WITHDRAWAL_KEPT,
        kept_when_refused=WITHDRAWAL_KEPT_REFUSED,
    )
