"""The section's "Ajouter un créancier" action: a creditor added once the dossier negotiates.

Same rule as the card actions (negotiation_common.perform): the dossier creditor and its
negotiation row are written first, then the dossier workflow's ADD_NEGOTIATION update starts
the negotiation; refused or unreachable, both rows are taken back and the form comes again.
"""

from __future__ import annotations

from fastapi import APIRouter, Request, status
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from config.settings import Settings
from domain.intake import REQUIRED_MESSAGE, CreditorIn, validation_errors
from models.database import session_scope
from models.staff import StaffUser
from services.dossiers.access import DossierAction, actor_of, load_dossier
from services.negotiations.store import add_creditor, remove_added_creditor
from web.auth import CurrentStaff
from web.csrf import CsrfProtected
from web.deps import SettingsDep
from web.staff.negotiations.common import form_values, invalid, perform
from web.staff.negotiations.section import ADD_CREDITOR_PANEL, NegotiationForm
from web.workflow_gateway import send_update
from workflows.negotiation_messages import ADD_NEGOTIATION_UPDATE, AddNegotiation

router = APIRouter()

FIELDS = ("name", "kind", "account_reference")
CHOOSE_KIND = "Choisissez le type de créancier."
UNKNOWN_KIND = "Type de créancier inconnu."
PURPOSE = "dossier.add_creditor"


def _require_writable(settings: Settings, staff: StaffUser, dossier_id: str) -> None:
    """404 / 403 (audited) before any form error is shown."""
    with session_scope(settings) as session:
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
    await run_in_threadpool(_require_writable, settings, staff, dossier_id)
    values = form_values(await request.form(), FIELDS)
    form = NegotiationForm("", ADD_CREDITOR_PANEL, values)
    try:
        creditor_in = _creditor(values)
    except ValidationError as exc:
        return await invalid(request, settings, staff, dossier_id, form, _errors(exc, values))

    def back(written: tuple[int, str]) -> RedirectResponse:
        return RedirectResponse(
            f"/dossiers/{dossier_id}#negociation-{written[1]}", status.HTTP_303_SEE_OTHER
        )

    return await perform(
        request,
        settings,
        staff,
        dossier_id,
        form,
        write=lambda: add_creditor(settings, staff, dossier_id, creditor_in),
        update=lambda written: send_update(
            request,
            dossier_id,
            ADD_NEGOTIATION_UPDATE,
            AddNegotiation(negotiation_id=written[1], actor=actor_of(staff)),
        ),
        undo=lambda written: remove_added_creditor(settings, staff, *written),
        done=f"Créancier ajouté : {creditor_in.name}. Sa négociation est ouverte ; "
        "demandez le consentement du client.",
        back=back,
    )
