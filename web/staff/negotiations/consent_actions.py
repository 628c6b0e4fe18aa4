"""Negotiation card actions about who we write to and what the client consented to share:
pick the directory creditor, ask consent, record a paper consent, record a withdrawal."""

from __future__ import annotations

from collections.abc import Awaitable
from datetime import datetime, time

from fastapi import APIRouter
from fastapi.responses import Response
from sqlmodel import Session

from config.settings import Settings
from domain.budget.amounts import parse_date
from domain.errors import InvalidInput, NotFound
from domain.french_dates import PARIS
from domain.input_fields import whole_number
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
    Staged,
    link_creditor,
    stage_consent_request,
)
from web.staff.negotiations.common import (
    PREFIX,
    CardAction,
    CardActionDep,
    back_to,
    form_list,
    form_uploads,
    form_values,
)
from web.staff.negotiations.section import NegotiationForm
from web.transactions import in_session
from web.ui.flash import flash
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
async def choose_creditor(action: CardActionDep) -> Response:
    form = await action.form("creditor", ("creditor_id",))
    creditor_id = whole_number(form.values["creditor_id"])
    if not creditor_id:
        return await action.invalid(form, {"creditor_id": CHOOSE_CREDITOR})
    try:
        name = await in_session(
            action.settings, link_creditor, action.staff, action.negotiation_id, creditor_id
        )
    except NegotiationRefused as exc:
        form.message = exc.message
        return await action.refused(form, 409)
    # No update: the workflow reads the directory entry each time it writes to the creditor.
    flash(action.request, f"Destinataire choisi dans l'annuaire : {name}.")
    return back_to(action.dossier_id, action.negotiation_id)


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


async def _ask_consent(action: CardAction, kind: str, *, paper: bool) -> Response:
    """A consent request to send the client or, `paper`, one the client signed on paper (its
    scan required): the consent given at once, the receipt sent to the client."""
    submitted = await action.submitted()
    categories, documents = form_list(submitted, "categories"), form_list(submitted, "document_ids")
    form = NegotiationForm(
        action.negotiation_id,
        kind,
        form_values(submitted, ("expires_on",)),
        {"categories": categories, "document_ids": documents},
    )
    scans = await form_uploads(submitted, "scan", action.settings) if paper else []
    try:
        choice = _consent_choice(form.values, categories, documents)
        if paper and not scans:
            raise InvalidInput({"scan": SCAN_REQUIRED})
    except InvalidInput as exc:
        return await action.invalid(form, exc.errors)

    def update(staged: Staged) -> Awaitable[str]:
        if paper:
            return action.tell(
                CONSENT_DECIDED_UPDATE,
                ConsentDecided(
                    staged.row_id, True, action.actor, staged_write_id=staged.staged_write_id
                ),
            )
        return action.tell(
            CONSENT_REQUESTED_UPDATE,
            ConsentRequested(staged.row_id, action.actor, staged.staged_write_id),
        )

    return await action.perform(
        form,
        stage=lambda session: stage_consent_request(
            session,
            action.settings,
            action.staff,
            action.negotiation_id,
            choice,
            scans[0] if scans else None,
        ),
        update=update,
        done="Consentement papier enregistré : le reçu part au client."
        if paper
        else "Demande de consentement envoyée au client.",
        upload_field="scan",
    )


@router.post(f"{PREFIX}/consentement", response_model=None)
async def ask_consent(action: CardActionDep) -> Response:
    return await _ask_consent(action, "consent_request", paper=False)


@router.post(f"{PREFIX}/consentement/papier", response_model=None)
async def record_paper_consent(action: CardActionDep) -> Response:
    return await _ask_consent(action, "consent_paper", paper=True)


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
async def record_withdrawal(action: CardActionDep) -> Response:
    form = await action.form("consent_revoke", ("consent_id", "confirm"))
    if not form.values["confirm"]:
        return await action.invalid(form, {"confirm": CONFIRM_WITHDRAWAL})
    return await action.perform(
        form,
        stage=lambda session: _revoke(
            session, action.settings, action.staff, action.negotiation_id, form.values["consent_id"]
        ),
        update=lambda revoked_id: action.tell(
            CONSENT_REVOKED_UPDATE, ConsentRevoked(consent_id=revoked_id, actor=action.actor)
        ),
        done="Retrait du consentement enregistré : la négociation est suspendue et le créancier "
        "en est informé.",
        # The client's right: the withdrawal stands even when the workflow cannot hear it now
        # (nothing leaves without a consent checked in the database at send time).
        kept_when_unavailable=WITHDRAWAL_KEPT,
        kept_when_refused=WITHDRAWAL_KEPT_REFUSED,
    )
