"""Negotiation card actions towards the end: the creditor's written confirmation of the
agreement, an instalment paid, an escalation, ending the negotiation with a reason."""

from __future__ import annotations

from collections.abc import Awaitable

from fastapi import APIRouter
from fastapi.responses import Response
from sqlmodel import Session

from domain.errors import InvalidInput
from domain.input_fields import whole_number
from domain.intake import parse_input
from domain.negotiation.card_inputs import EndingIn, EscalationIn
from domain.negotiation.offer_terms import MAX_INSTALMENTS, parse_paid_on
from domain.negotiation.states import ESCALATION_LABELS_FR, EndOutcome
from rendering.labels import day
from services.negotiations.store import (
    Staged,
    paris_today,
    stage_agreement_scan,
    stage_end_reason,
)
from web.staff.negotiations.common import PREFIX, CardActionDep, form_uploads
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
END_DONE = {
    EndOutcome.CLOSED_UNRESOLVED: "Négociation terminée sans accord.",
    EndOutcome.ABANDONED: "Négociation abandonnée.",
}


@router.post(f"{PREFIX}/accord", response_model=None)
async def confirm_agreement(action: CardActionDep) -> Response:
    scans = await form_uploads(await action.submitted(), "scan", action.settings)
    form = await action.form("agreement")

    def stage(session: Session) -> Staged | None:
        if not scans:
            return None
        return stage_agreement_scan(
            session, action.settings, action.staff, action.negotiation_id, scans[0]
        )

    def update(staged: Staged | None) -> Awaitable[str]:
        confirmed = ConfirmAgreement(
            actor=action.actor,
            document_id=staged.row_id if staged else None,
            staged_write_id=staged.staged_write_id if staged else None,
        )
        return action.tell(CONFIRM_AGREEMENT_UPDATE, confirmed)

    return await action.perform(
        form,
        stage=stage,
        update=update,
        done="Accord confirmé : l'échéancier est établi et le client en est informé.",
        upload_field="scan",
    )


@router.post(f"{PREFIX}/echeance", response_model=None)
async def instalment_paid(action: CardActionDep) -> Response:
    form = await action.form("instalment", ("number", "paid_on"))
    errors: dict[str, str] = {}
    number = whole_number(form.values["number"], maximum=MAX_INSTALMENTS)
    if not number:
        errors["number"] = CHOOSE_INSTALMENT
    try:
        paid_on = parse_paid_on(form.values["paid_on"], today=paris_today())
    except InvalidInput as exc:
        errors.update(exc.errors)
    if errors:
        return await action.invalid(form, errors)
    assert number  # for mypy: errors is empty
    return await action.perform(
        form,
        stage=lambda _: number,
        update=lambda n: action.tell(
            RECORD_INSTALMENT_UPDATE, InstalmentPaid(n, action.actor, paid_on=paid_on.isoformat())
        ),
        done=f"Échéance n° {number} enregistrée comme payée le {day(paid_on)}.",
    )


@router.post(f"{PREFIX}/recours", response_model=None)
async def escalate(action: CardActionDep) -> Response:
    form = await action.form("escalate", ("route",))
    try:
        chosen = parse_input(EscalationIn, form.values)
    except InvalidInput as exc:
        return await action.invalid(form, exc.errors)
    route = chosen.route
    return await action.perform(
        form,
        stage=lambda _: route,
        update=lambda r: action.tell(ESCALATE_UPDATE, Escalate(r.value, action.actor)),
        done=f"Négociation orientée : {ESCALATION_LABELS_FR[route].lower()}.",
    )


@router.post(f"{PREFIX}/fin", response_model=None)
async def end_negotiation(action: CardActionDep) -> Response:
    form = await action.form("end", ("outcome", "reason"))
    try:
        ending = parse_input(EndingIn, form.values)
    except InvalidInput as exc:
        return await action.invalid(form, exc.errors)
    return await action.perform(
        form,
        stage=lambda session: stage_end_reason(
            session, action.settings, action.staff, action.negotiation_id, ending.reason
        ),
        update=lambda staged_write_id: action.tell(
            END_NEGOTIATION_UPDATE,
            EndNegotiation(ending.outcome.value, action.actor, staged_write_id),
        ),
        done=END_DONE[ending.outcome],
    )
