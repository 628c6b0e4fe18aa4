"""Negotiation card actions towards the end: the creditor's written confirmation of the
agreement, an instalment paid, an escalation, ending the negotiation with a reason."""

from __future__ import annotations

from collections.abc import Awaitable

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlmodel import Session

from domain.credentials import credential_message, looks_like_credential
from domain.errors import InvalidInput
from domain.negotiation.offer_terms import parse_paid_on
from domain.negotiation.states import ESCALATION_LABELS_FR, EndOutcome, EscalationRoute
from rendering.labels import day
from services.dossiers.access import actor_of
from services.negotiations.store import (
    StagedScan,
    paris_today,
    stage_agreement_scan,
    stage_end_reason,
)
from web.auth import CurrentStaff
from web.csrf import CsrfProtected
from web.deps import SettingsDep
from web.staff.negotiations.common import (
    PREFIX,
    WritableNegotiation,
    form_uploads,
    form_values,
    invalid,
    perform,
)
from web.staff.negotiations.section import NegotiationForm
from web.workflow_gateway import send_negotiation_update
from workflows.negotiation_messages import (
    CONFIRM_AGREEMENT_UPDATE,
    END_NEGOTIATION_UPDATE,
    ESCALATE_UPDATE,
    RECORD_INSTALMENT_UPDATE,
    ConfirmAgreement,
    EndNegotiation,
    Escalate,
    InstalmentPaid,
)

router = APIRouter()

CHOOSE_INSTALMENT = "Choisissez l'échéance payée."
CHOOSE_ROUTE = "Choisissez le recours."
CHOOSE_OUTCOME = "Choisissez comment la négociation se termine."
REASON_REQUIRED = "Indiquez pourquoi la négociation s'arrête."
MAX_REASON = 1000
END_DONE = {
    EndOutcome.CLOSED_UNRESOLVED: "Négociation terminée sans accord.",
    EndOutcome.ABANDONED: "Négociation abandonnée.",
}


@router.post(f"{PREFIX}/accord", response_model=None)
async def confirm_agreement(
    request: Request,
    dossier_id: str,
    settings: SettingsDep,
    staff: CurrentStaff,
    _csrf: CsrfProtected,
    negotiation_id: WritableNegotiation,
) -> Response:
    scans = await form_uploads(await request.form(), "scan", settings)
    form = NegotiationForm(negotiation_id, "agreement")

    def stage(session: Session) -> StagedScan | None:
        if not scans:
            return None
        return stage_agreement_scan(session, settings, staff, negotiation_id, scans[0])

    def update(staged: StagedScan | None) -> Awaitable[str]:
        confirmed = ConfirmAgreement(
            actor=actor_of(staff),
            document_id=staged.document_id if staged else None,
            staged_write_id=staged.staged_write_id if staged else None,
        )
        return send_negotiation_update(request, negotiation_id, CONFIRM_AGREEMENT_UPDATE, confirmed)

    return await perform(
        request,
        settings,
        staff,
        dossier_id,
        form,
        stage=stage,
        update=update,
        done="Accord confirmé : l'échéancier est établi et le client en est informé.",
        upload_field="scan",
    )


@router.post(f"{PREFIX}/echeance", response_model=None)
async def instalment_paid(
    request: Request,
    dossier_id: str,
    settings: SettingsDep,
    staff: CurrentStaff,
    _csrf: CsrfProtected,
    negotiation_id: WritableNegotiation,
) -> Response:
    form = NegotiationForm(
        negotiation_id, "instalment", form_values(await request.form(), ("number", "paid_on"))
    )
    errors: dict[str, str] = {}
    if not form.values["number"].isdigit():
        errors["number"] = CHOOSE_INSTALMENT
    try:
        paid_on = parse_paid_on(form.values["paid_on"], today=paris_today())
    except InvalidInput as exc:
        errors.update(exc.errors)
    if errors:
        return await invalid(request, settings, staff, dossier_id, form, errors)
    number = int(form.values["number"])
    return await perform(
        request,
        settings,
        staff,
        dossier_id,
        form,
        stage=lambda _: number,
        update=lambda n: send_negotiation_update(
            request,
            negotiation_id,
            RECORD_INSTALMENT_UPDATE,
            InstalmentPaid(n, actor_of(staff), paid_on=paid_on.isoformat()),
        ),
        done=f"Échéance n° {number} enregistrée comme payée le {day(paid_on)}.",
    )


@router.post(f"{PREFIX}/recours", response_model=None)
async def escalate(
    request: Request,
    dossier_id: str,
    settings: SettingsDep,
    staff: CurrentStaff,
    _csrf: CsrfProtected,
    negotiation_id: WritableNegotiation,
) -> Response:
    form = NegotiationForm(
        negotiation_id, "escalate", form_values(await request.form(), ("route",))
    )
    if form.values["route"] not in {r.value for r in EscalationRoute}:
        return await invalid(request, settings, staff, dossier_id, form, {"route": CHOOSE_ROUTE})
    route = EscalationRoute(form.values["route"])
    return await perform(
        request,
        settings,
        staff,
        dossier_id,
        form,
        stage=lambda _: route,
        update=lambda r: send_negotiation_update(
            request, negotiation_id, ESCALATE_UPDATE, Escalate(r.value, actor_of(staff))
        ),
        done=f"Négociation orientée : {ESCALATION_LABELS_FR[route].lower()}.",
    )


@router.post(f"{PREFIX}/fin", response_model=None)
async def end_negotiation(
    request: Request,
    dossier_id: str,
    settings: SettingsDep,
    staff: CurrentStaff,
    _csrf: CsrfProtected,
    negotiation_id: WritableNegotiation,
) -> Response:
    form = NegotiationForm(
        negotiation_id, "end", form_values(await request.form(), ("outcome", "reason"))
    )
    reason = form.values["reason"].strip()
    errors = {}
    if form.values["outcome"] not in {o.value for o in EndOutcome}:
        errors["outcome"] = CHOOSE_OUTCOME
    if not reason:
        errors["reason"] = REASON_REQUIRED
    elif len(reason) > MAX_REASON:
        errors["reason"] = f"{MAX_REASON} caractères au maximum."
    elif looks_like_credential(reason):
        errors["reason"] = credential_message("Motif")
    if errors:
        return await invalid(request, settings, staff, dossier_id, form, errors)
    outcome = EndOutcome(form.values["outcome"])
    return await perform(
        request,
        settings,
        staff,
        dossier_id,
        form,
        stage=lambda session: stage_end_reason(session, settings, staff, negotiation_id, reason),
        update=lambda staged_write_id: send_negotiation_update(
            request,
            negotiation_id,
            END_NEGOTIATION_UPDATE,
            EndNegotiation(outcome.value, actor_of(staff), staged_write_id),
        ),
        done=END_DONE[outcome],
    )
