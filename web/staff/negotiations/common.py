"""What every negotiation action of the dossier page shares.

An action: the viewer may write this dossier and the negotiation belongs to it (a dependency,
checked after the CSRF token and before any form error is shown); the form is checked; its
rows are staged in one transaction (domain/staged_writes.py); the workflow update names them.
A refusal, by the form, the services or the workflow, leaves the data as it was: staged rows
stay inert until swept, nothing is taken back. The form comes back with what was typed and the
message; otherwise a flash message and back to the card.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request, status
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session
from starlette.datastructures import FormData, UploadFile

from config.settings import Settings
from domain.errors import InvalidInput, NotFound
from domain.file_types import UploadRefused
from models.staff import StaffUser
from services.documents import Upload
from services.dossiers.access import DossierAction, actor_of, load_dossier
from services.negotiations.store import NOT_FOUND, NegotiationRefused, load_negotiation
from web.auth import CurrentStaff
from web.csrf import CsrfProtected
from web.deps import SettingsDep
from web.staff.dossiers.actions import DossierPost, refusal_of
from web.staff.negotiations.section import NegotiationForm
from web.transactions import in_session
from web.ui.flash import flash
from web.workflow_gateway import send_negotiation_update

T = TypeVar("T")
NOT_DONE = "Action non enregistrée : corrigez le formulaire."
PREFIX = "/dossiers/{dossier_id}/negociations/{negotiation_id}"


def _require_negotiation(
    session: Session, staff: StaffUser, dossier_id: str, negotiation_id: str
) -> None:
    negotiation, _ = load_negotiation(
        session, staff, negotiation_id, DossierAction.WRITE, "negotiation"
    )
    if negotiation.dossier_id != dossier_id:
        raise NotFound(NOT_FOUND)


async def writable_negotiation(
    dossier_id: str, negotiation_id: str, settings: SettingsDep, staff: CurrentStaff
) -> str:
    """404 for a negotiation of another dossier, 403 (audited) for a dossier the viewer may not
    change; the negotiation's id otherwise."""
    await in_session(settings, _require_negotiation, staff, dossier_id, negotiation_id)
    return negotiation_id


WritableNegotiation = Annotated[str, Depends(writable_negotiation)]


def form_values(form: FormData, names: tuple[str, ...]) -> dict[str, str]:
    values = {}
    for name in names:
        value = form.get(name)
        values[name] = value if isinstance(value, str) else ""
    return values


def form_list(form: FormData, name: str) -> list[str]:
    return [v for v in form.getlist(name) if isinstance(v, str) and v]


async def form_uploads(form: FormData, name: str, settings: Settings) -> list[Upload]:
    """The files chosen in a file field (none chosen: an empty list)."""
    uploads: list[Upload] = []
    for item in form.getlist(name):
        if isinstance(item, UploadFile) and item.filename:
            # One byte over the limit is enough to refuse; never hold more than that.
            uploads.append((item.filename, await item.read(settings.upload_max_bytes + 1)))
    return uploads


def back_to(dossier_id: str, negotiation_id: str) -> RedirectResponse:
    return RedirectResponse(
        f"/dossiers/{dossier_id}#negociation-{negotiation_id}", status.HTTP_303_SEE_OTHER
    )


@dataclass(frozen=True)
class CardAction(DossierPost):
    """One POST of a negotiation card, once the CSRF token and the viewer's right to change
    this dossier and negotiation are checked: what every action needs, in one place."""

    negotiation_id: str

    @property
    def actor(self) -> str:
        return actor_of(self.staff)

    async def submitted(self) -> FormData:
        return await self.request.form()

    async def form(self, kind: str, names: tuple[str, ...] = ()) -> NegotiationForm:
        """The card's form `kind` with the named fields as typed."""
        return NegotiationForm(
            self.negotiation_id, kind, form_values(await self.submitted(), names)
        )

    def tell(self, update_name: str, update: Any) -> Awaitable[str]:
        return send_negotiation_update(self.request, self.negotiation_id, update_name, update)

    async def refused(self, form: NegotiationForm, status_code: int) -> Response:
        """The dossier page again, the card open with what was typed and why."""
        return await self.page_again(status_code, negotiation=form)

    async def invalid(self, form: NegotiationForm, errors: dict[str, str]) -> Response:
        """The form refused before anything was written (422)."""
        form.errors.update(errors)
        form.message = NOT_DONE
        return await self.refused(form, 422)

    async def perform(
        self,
        form: NegotiationForm,
        *,
        stage: Callable[[Session], T],
        update: Callable[[T], Awaitable[Any]],
        done: str,
        upload_field: str = "attachments",
        kept_when_unavailable: str | None = None,
        kept_when_refused: str | None = None,
        back: Callable[[T], RedirectResponse] | None = None,
    ) -> Response:
        """Stage the rows in one transaction, then send the update naming them. `form` keeps
        what was typed.

        `kept_when_unavailable`, `kept_when_refused`: what was written is effective at once and
        stands even when Temporal cannot be reached or the workflow refuses (a client's
        withdrawal: every message re-checks consent in the database at send time, and the
        workflow reconciles it later); the case worker is told so, with the workflow's reason
        after a refusal. `back`: where to go once done (default: the form's card)."""
        try:
            staged = await in_session(self.settings, stage)
        except NegotiationRefused as exc:
            form.message = exc.message
            return await self.refused(form, 409)
        except UploadRefused as exc:
            form.errors[upload_field] = exc.message
            form.message = NOT_DONE
            return await self.refused(form, 422)
        except InvalidInput as exc:
            form.errors.update(exc.errors)
            form.message = " ".join(exc.errors.values()) if len(exc.errors) == 1 else NOT_DONE
            return await self.refused(form, 422)
        code, message = await refusal_of(update(staged))
        if code and kept_when_unavailable is not None and kept_when_refused is not None:
            unavailable = code == status.HTTP_503_SERVICE_UNAVAILABLE
            kept = kept_when_unavailable if unavailable else kept_when_refused + message
            flash(self.request, kept, "warning")
            return back_to(self.dossier_id, form.negotiation_id)
        if code:
            form.message = message
            return await self.refused(form, code)
        flash(self.request, done)
        return back(staged) if back is not None else back_to(self.dossier_id, form.negotiation_id)


async def card_action(
    request: Request,
    dossier_id: str,
    settings: SettingsDep,
    staff: CurrentStaff,
    _csrf: CsrfProtected,
    negotiation_id: WritableNegotiation,
) -> CardAction:
    return CardAction(request, settings, staff, dossier_id, negotiation_id)


def _require_writable_dossier(session: Session, staff: StaffUser, dossier_id: str) -> None:
    load_dossier(session, staff, dossier_id, DossierAction.WRITE, "dossier.add_creditor")


async def section_action(
    request: Request,
    dossier_id: str,
    settings: SettingsDep,
    staff: CurrentStaff,
    _csrf: CsrfProtected,
) -> CardAction:
    """An action of the negotiation section itself (no negotiation yet): 404 / 403 (audited)
    before any form error is shown."""
    await in_session(settings, _require_writable_dossier, staff, dossier_id)
    return CardAction(request, settings, staff, dossier_id, "")


# CSRF first, then access (404 / 403 audited), then the form: never an error about a form the
# viewer may not submit.
CardActionDep = Annotated[CardAction, Depends(card_action)]
SectionActionDep = Annotated[CardAction, Depends(section_action)]
