"""The section's "Ajouter un créancier" action: a creditor added once the dossier negotiates.

Same rule as the card actions (common.perform): the dossier creditor and its negotiation row
are staged, then the dossier workflow's ADD_NEGOTIATION update starts the negotiation; refused
or unreachable, both rows stay inert (and are swept) and the form comes again.
"""

from __future__ import annotations

from fastapi import APIRouter, status
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from domain.input_fields import REQUIRED_MESSAGE
from domain.intake import CreditorIn, validation_errors
from services.negotiations.store import Staged, stage_added_creditor
from web.staff.negotiations.common import SectionActionDep
from web.staff.negotiations.section import ADD_CREDITOR_PANEL
from web.workflow_gateway import send_update
from workflows.negotiation_messages import ADD_NEGOTIATION_UPDATE, AddNegotiation

router = APIRouter()

FIELDS = ("name", "kind", "account_reference")
CHOOSE_KIND = "Choisissez le type de créancier."
UNKNOWN_KIND = "Type de créancier inconnu."


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
async def add_creditor_action(action: SectionActionDep) -> Response:
    form = await action.form(ADD_CREDITOR_PANEL, FIELDS)
    try:
        creditor_in = _creditor(form.values)
    except ValidationError as exc:
        return await action.invalid(form, _errors(exc, form.values))

    def back(staged: Staged) -> RedirectResponse:
        return RedirectResponse(
            f"/dossiers/{action.dossier_id}#negociation-{staged.row_id}",
            status.HTTP_303_SEE_OTHER,
        )

    return await action.perform(
        form,
        stage=lambda session: stage_added_creditor(
            session, action.settings, action.staff, action.dossier_id, creditor_in
        ),
        update=lambda staged: send_update(
            action.request,
            action.dossier_id,
            ADD_NEGOTIATION_UPDATE,
            AddNegotiation(staged.row_id, action.actor, staged.staged_write_id),
        ),
        done=f"Créancier ajouté : {creditor_in.name}. Sa négociation est ouverte ; "
        "demandez le consentement du client.",
        back=back,
    )
