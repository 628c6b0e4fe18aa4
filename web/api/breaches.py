"""Personal-data breaches for the DPO and admins: declare (or, for any staff member, raise a
suspicion), read the register and one breach, and the steps that move a breach on its
72-hour clock (confirm or dismiss a suspicion, scope, assess, notify the CNIL, inform the
people, close). Every step is refused out of order with a 409 saying why."""

from __future__ import annotations

from fastapi import APIRouter, Request, status
from fastapi.responses import Response

from domain.breach.inputs import (
    AssessIn,
    BreachIn,
    CloseIn,
    ConfirmIn,
    DismissIn,
    InformIn,
    NotifyIn,
    ScopeIn,
    SuspicionIn,
)
from domain.clock import utcnow
from models.database import session_scope
from services.breaches.documents import notification_file
from services.breaches.queries import breach_view, get_breach, list_breaches
from services.breaches.views import BreachDetail, BreachView
from web import breach_actions as actions
from web.auth import ApiStaff
from web.deps import SettingsDep

router = APIRouter(prefix="/breaches", tags=["breaches"])


@router.post("", response_model=BreachView, status_code=status.HTTP_201_CREATED)
async def declare(request: Request, staff: ApiStaff, data: BreachIn) -> BreachView:
    """Declare a breach (DPO or admin): `aware_at` is when the company became aware of it, with
    its UTC offset, never in the future; `notify_by` is 72 hours later, to the second."""
    row = await actions.declare(request, staff, data)
    return breach_view(row, utcnow())


@router.post("/suspicions", response_model=BreachView, status_code=status.HTTP_201_CREATED)
async def raise_suspicion(request: Request, staff: ApiStaff, data: SuspicionIn) -> BreachView:
    """Any staff member raises a suspicion; the DPO is emailed and confirms or dismisses it."""
    row = await actions.raise_suspicion(request, staff, data)
    return breach_view(row, utcnow())


@router.get("", response_model=list[BreachView])
def register(staff: ApiStaff, settings: SettingsDep) -> list[BreachView]:
    """The register of every breach (GDPR Art. 33(5)), open ones with the nearest deadline
    first."""
    with session_scope(settings) as session:
        return list_breaches(session, staff, utcnow())


@router.get("/{breach_id}", response_model=BreachDetail)
def read(breach_id: str, staff: ApiStaff, settings: SettingsDep) -> BreachDetail:
    """The breach with its texts, scopes, notifications and timeline; the read is audited."""
    with session_scope(settings) as session:
        return get_breach(session, staff, breach_id, utcnow(), settings, "consultation via l'API")


def _current(settings: SettingsDep, staff: ApiStaff, breach_id: str) -> BreachDetail:
    with session_scope(settings) as session:
        return get_breach(session, staff, breach_id, utcnow(), settings, "après une action")


@router.post("/{breach_id}/confirm", response_model=BreachDetail)
async def confirm(
    request: Request, breach_id: str, staff: ApiStaff, settings: SettingsDep, body: ConfirmIn
) -> BreachDetail:
    """Confirm a suspicion: the 72 hours run from `aware_at`."""
    await actions.confirm(request, staff, breach_id, body)
    return _current(settings, staff, breach_id)


@router.post("/{breach_id}/dismiss", response_model=BreachDetail)
async def dismiss(
    request: Request, breach_id: str, staff: ApiStaff, settings: SettingsDep, body: DismissIn
) -> BreachDetail:
    """Conclude that a suspicion is not a breach, with the reason (it stays in the register)."""
    await actions.dismiss(request, staff, breach_id, body)
    return _current(settings, staff, breach_id)


@router.post("/{breach_id}/scope", response_model=BreachDetail)
async def scope(
    request: Request, breach_id: str, staff: ApiStaff, settings: SettingsDep, body: ScopeIn
) -> BreachDetail:
    """Compute the affected people, records and data categories: from a compromised staff
    account over a window (`account`: the audit log of what it read and changed), exposed
    `tables`, the `documents` store or a `backup`; counts adjusted by hand need a reason."""
    await actions.scope(request, staff, breach_id, body)
    return _current(settings, staff, breach_id)


@router.post("/{breach_id}/assess", response_model=BreachDetail)
async def assess(
    request: Request, breach_id: str, staff: ApiStaff, settings: SettingsDep, body: AssessIn
) -> BreachDetail:
    """The risk with its rationale: none (register only), risk (notify the CNIL), high (also
    inform the people, unless an Art. 34(3) exception applies, with its reason)."""
    await actions.assess(request, staff, breach_id, body)
    return _current(settings, staff, breach_id)


@router.post("/{breach_id}/notify", response_model=BreachDetail)
async def notify(
    request: Request, breach_id: str, staff: ApiStaff, settings: SettingsDep, body: NotifyIn
) -> BreachDetail:
    """Record a notification to the CNIL (initial, then complementary), its document generated
    from the case; after 72 hours an initial one needs `delay_reasons`."""
    await actions.notify(request, staff, breach_id, body)
    return _current(settings, staff, breach_id)


@router.post("/{breach_id}/inform", response_model=BreachDetail)
async def inform(
    request: Request, breach_id: str, staff: ApiStaff, settings: SettingsDep, body: InformIn
) -> BreachDetail:
    """Email every affected person (high risk, no exception): batched, rate-limited, each
    delivery tracked; those without a usable address are listed for a letter or a call."""
    await actions.inform(request, staff, breach_id, body)
    return _current(settings, staff, breach_id)


@router.post("/{breach_id}/close", response_model=BreachDetail)
async def close(
    request: Request, breach_id: str, staff: ApiStaff, settings: SettingsDep, body: CloseIn
) -> BreachDetail:
    """Close the breach with the corrective measures taken (every required step done)."""
    await actions.close(request, staff, breach_id, body)
    return _current(settings, staff, breach_id)


@router.get("/{breach_id}/notifications/{notification_id}.pdf", response_class=Response)
def notification_pdf(
    breach_id: str, notification_id: int, staff: ApiStaff, settings: SettingsDep
) -> Response:
    """The notification to the CNIL as it was made, in PDF."""
    with session_scope(settings) as session:
        name, pdf = notification_file(session, staff, breach_id, notification_id, settings)
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
