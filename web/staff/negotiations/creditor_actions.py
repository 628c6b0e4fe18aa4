"""The section's "Ajouter un créancier" action: a creditor added once the dossier negotiates.

Same rule as the card actions (common.perform): the dossier creditor and its negotiation row
are staged, then the dossier workflow's ADD_NEGOTIATION update starts the negotiation; refused
or unreachable, both rows stay inert (and are swept) and the form comes again.
"""

from __future__ import annotations

from fastapi import APIRouter, Request, status
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from sqlmodel import Session

from domain.intake import REQUIRED_MESSAGE, CreditorIn, validation_errors
from models.staff import StaffUser
from services.dossiers.access import DossierAction, actor_of, load_dossier
from services.negotiations.store import StagedCreditor, stage_added_creditor
from web.auth import CurrentStaff
from web.csrf import CsrfProtected
from web.deps import SettingsDep
from web.staff.negotiations.common import form_values, invalid, perform
from web.staff.negotiations.section import ADD_CREDITOR_PANEL, NegotiationForm
from web.transactions import in_session
from web.workflow_gateway import send_update
from workflows.negotiation_messages import ADD_NEGOTIATION_UPDATE, AddNegotiation

router = APIRouter()

FIELDS = ("name", "kind", "account_reference")
CHOOSE_KIND = "Choisissez le type de créancier."
UNKNOWN_KIND = "Type de créancier inconnu."
PURPOSE = "dossier.add_creditor"


def _require_writable(session: Session, staff: StaffUser, dossier_id: str) -> None:
    """404 / 403 (audited) before any form error is shown."""
    load_dossier(session, staff, dossier_id, DossierAction.WRITE, PURPOSE)


def _creditor(values: dict[str, str]) -> CreditorIn:
    """The typed creditor, checked as at intake; InvalidInput-like errors by field name."""
    return CreditorIn.model_validate(
        {
            "name": values["name"],
            "kind": values["kind"] or None,
            "account_reference": values["account_reference"] or None,
        }
    )


def _errors(exc: ValidationError, values: dict[str, str]) -> dict[str, str]:
    errors = validation_errors(exc)
    if "kind" in errors:  # The generic enum message speaks of documents.
        errors["kind"] = UNKNOWN_KIND if values["kind"] else CHOOSE_KIND
    if errors.get("name") == REQUIRED_MESSAGE:
        errors["name"] = "Indiquez le nom du créancier."
    return errors


@router.post("/dossiers/{dossier_id}/creanciers", response_model=None)
async def add_creditor_action(
    request: Request,
    dossier_id: str,
    settings: SettingsDep,
    staff: CurrentStaff,
    _csrf: CsrfProtected,
) -> Response:
    await in_session(settings, _require_writable, staff, dossier_id)
    values = form_values(await request.form(), FIELDS)
    form = NegotiationForm("", ADD_CREDITOR_PANEL, values)
    try:
        creditor_in = _creditor(values)
    except ValidationError as exc:
        return await invalid(request, settings, staff, dossier_id, form, _errors(exc, values))

    def back(staged: StagedCreditor) -> RedirectResponse:
        return RedirectResponse(
            f"/dossiers/{dossier_id}#negociation-{staged.negotiation_id}",
            status.HTTP_303_SEE_OTHER,
        )

    return await perform(
        request,
        settings,
        staff,
        dossier_id,
        form,
        stage=lambda session: stage_added_creditor(
            session, settings, staff, dossier_id, creditor_in
        ),
        update=lambda staged: send_update(
            request,
            dossier_id,
            ADD_NEGOTIATION_UPDATE,
            AddNegotiation(staged.negotiation_id, actor_of(staff), staged.staged_write_id),
        ),
        done=f"Créancier ajouté : {creditor_in.name}. Sa négociation est ouverte ; "
        "demandez le consentement du client.",
        back=back,
    )
