"""What every public page behind a client's signed link shares (analysis, consent, negotiation
space, counter-offer): one SignedLinkPage each, so all get the same protections.

No staff login: the link is the credential. So: no cookie (never render through
web.ui.rendering.render, which opens a staff session), no referrer (the token is in the path),
not cached, not indexed; rate-limited per IP with the limiter the analysis page uses; forms
carry a signed nonce bound to the link instead of a session's CSRF token, and a browser that
posts with `Origin: null` (what it sends when there is no referrer) is accepted because the
nonce is what proves the form is ours. An expired link gets a 410 page, a tampered one a 400
page, both saying nothing changed.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, Generic, TypeVar
from urllib.parse import quote, urlsplit

from fastapi import Depends, Form, Request
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from config.settings import Settings
from domain.errors import LinkRefused
from security.tokens import TokenError, TokenExpired, read_token, sign_token
from services.negotiations.client_views import audit_client_read
from web.deps import SettingsDep, client_ip
from web.rate_limit import SharedRateLimiter
from web.transactions import in_session
from web.ui.rendering import templates
from web.workflow_gateway import TemporalUnavailable, TransitionRefused, send_negotiation_update

log = logging.getLogger(__name__)
T = TypeVar("T")

# Long enough for a page left open while the client thinks it over; the link itself lasts longer.
NONCE_MAX_AGE_SECONDS = 12 * 3600
NOTHING_CHANGED = "Rien n'a été modifié."
# The header as well as the page's <meta>: the token in the path must never leave as a Referer.
PRIVATE_HEADERS = {
    "Cache-Control": "no-store",
    "X-Robots-Tag": "noindex, nofollow",
    "Referrer-Policy": "no-referrer",
}

EXPIRED_HEADING = "Ce lien a expiré"
INVALID_HEADING = "Ce lien n'est pas valable"
INVALID_MESSAGE = (
    "L'adresse est incomplète ou a été modifiée. Ouvrez le lien directement depuis le dernier "
    f"courriel reçu, ou contactez votre conseiller. {NOTHING_CHANGED}"
)
TOO_MANY = "Trop de demandes en peu de temps : patientez une minute, puis réessayez."
FORM_REFUSED_HEADING = "Réponse non enregistrée"
FORM_EXPIRED = (
    "La page est restée ouverte trop longtemps ou ne provient pas de Cravelynos : rechargez-la, "
    "puis recommencez. Votre réponse n'a pas été enregistrée."
)


def page_url(path: str, token: str) -> str:
    return f"{path}/{quote(token, safe='')}"


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()[:32]


def form_nonce(settings: Settings, token: str, purpose: str) -> str:
    """A per-page nonce bound to this link (and to one form's purpose): a form posted from
    anywhere else, or a step skipped, is refused."""
    return sign_token(purpose, {"l": _digest(token)}, settings)


def nonce_ok(settings: Settings, token: str, nonce: str, purpose: str) -> bool:
    try:
        payload = read_token(purpose, nonce, NONCE_MAX_AGE_SECONDS, settings)
    except TokenError:
        return False
    return hmac.compare_digest(str(payload.get("l", "")), _digest(token))


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def same_origin(request: Request, settings: Settings) -> bool:
    origin = request.headers.get("origin")
    # With no referrer a browser posts the form with `Origin: null`; the nonce decides then.
    if origin is None or origin == "null":
        return True
    allowed = {_origin(settings.public_base_url), _origin(str(request.base_url))}
    return origin.lower().rstrip("/") in allowed


def _limiter(settings: Settings) -> SharedRateLimiter:
    """Every signed-link page counts on the same key per address: a client's links share one
    budget, in every web process."""
    return SharedRateLimiter(settings, settings.client_link_requests_per_minute)


def page(
    request: Request, template: str, context: dict[str, Any], status_code: int = 200
) -> HTMLResponse:
    response = templates.TemplateResponse(
        request, f"web/client/{template}", context, status_code=status_code
    )
    response.headers.update(PRIVATE_HEADERS)
    return response


def lasts(
    days: Callable[[Settings], int], link: str = "ce lien", instead: str = "un nouveau lien"
) -> Callable[[Settings], str]:
    """What an expired link says: how long `link` lasts, and what to ask the adviser for."""
    return lambda settings: (
        f"Pour votre sécurité, {link} n'est valable que {days(settings)} jours. "
        f"Demandez à votre conseiller de vous envoyer {instead}."
    )


def raise_refusal(refused: LinkRefused | None) -> None:
    """Raise what a link's check found wrong, if anything (its page then says why)."""
    if refused is not None:
        raise refused


def refusal_page(request: Request, refused: LinkRefused) -> HTMLResponse:
    """The page of a link that cannot be used (web/errors.py answers every LinkRefused so)."""
    settings: Settings = request.app.state.settings
    context = {
        "heading": refused.heading,
        "message": refused.message,
        "contact_email": settings.client_contact_email,
        "contact_phone": settings.client_contact_phone,
    }
    response = page(request, "message.html", context, refused.status_code)
    if refused.retry_after:
        response.headers["Retry-After"] = str(refused.retry_after)
    return response


@dataclass
class LinkForm:
    """What every form posted on a signed-link page brings: the request, the link's token (from
    the path) and the page's nonce; a route takes it as `form: LinkFormDep`."""

    request: Request
    token: str
    settings: SettingsDep
    nonce: Annotated[str, Form()] = ""


LinkFormDep = Annotated[LinkForm, Depends()]


@dataclass(frozen=True)
class ReadAudit:
    """What the audit log says when the client opens the page (action, object type, reason)."""

    action: str
    object_type: str
    reason: str


@dataclass(frozen=True)
class SignedLinkPage(Generic[T]):
    """One public page behind a signed link: its path, how its token reads, its template, its
    form's nonce purpose and what an expired link says. Every route of the page goes through it,
    so no page forgets the rate limit, the nonce or the private headers."""

    path: str
    reader: Callable[[Settings, str], T]
    template: str
    nonce_purpose: str
    expired_message: Callable[[Settings], str]
    read_audit: ReadAudit | None = None

    def url(self, token: str) -> str:
        return page_url(self.path, token)

    async def open(self, request: Request, settings: Settings, token: str) -> T:
        """The link's target; LinkRefused says why it cannot be used (rate limit first)."""
        limiter = _limiter(settings)
        wait = await run_in_threadpool(limiter.hit, f"link:{client_ip(request)}")
        if wait:
            raise LinkRefused(429, "Trop de demandes", TOO_MANY, retry_after=int(wait) + 1)
        try:
            return self.reader(settings, token)
        except TokenExpired:
            expired = f"{self.expired_message(settings)} {NOTHING_CHANGED}"
            raise LinkRefused(410, EXPIRED_HEADING, expired) from None
        except TokenError:
            raise LinkRefused(400, INVALID_HEADING, INVALID_MESSAGE) from None

    async def submitted(
        self, form: LinkForm, *, purpose: str | None = None, heading: str = FORM_REFUSED_HEADING
    ) -> T:
        """The link's target of a posted form, once the link and the form's nonce hold."""
        target = await self.open(form.request, form.settings, form.token)
        self.check_form(
            form.request, form.settings, form.token, form.nonce, purpose=purpose, heading=heading
        )
        return target

    def check_form(
        self,
        request: Request,
        settings: Settings,
        token: str,
        nonce: str,
        *,
        purpose: str | None = None,
        heading: str = FORM_REFUSED_HEADING,
    ) -> None:
        """LinkRefused (403) for a form posted from elsewhere, or a step skipped."""
        purpose = purpose or self.nonce_purpose
        if not same_origin(request, settings) or not nonce_ok(settings, token, nonce, purpose):
            raise LinkRefused(403, heading, FORM_EXPIRED)

    def render(
        self,
        request: Request,
        settings: Settings,
        token: str,
        context: dict[str, Any],
        *,
        notice: str = "",
        error: str = "",
        status_code: int = 200,
    ) -> HTMLResponse:
        full = {
            "page_url": self.url(token),
            "nonce": form_nonce(settings, token, self.nonce_purpose),
            "notice": notice,
            "error": error,
            **context,
        }
        return page(request, self.template, full, status_code)

    async def audit_read(self, settings: Settings, client_id: str, object_id: str) -> None:
        if self.read_audit is None:
            return
        await in_session(
            settings,
            audit_client_read,
            client_id=client_id,
            action=self.read_audit.action,
            object_type=self.read_audit.object_type,
            object_id=object_id,
            reason=self.read_audit.reason,
        )


async def tell_negotiation_after_write(
    request: Request, negotiation_id: str, update_name: str, update: Any, *, late: str, stale: str
) -> dict[str, str]:
    """Tell the workflow of a decision the client's page has already written. The decision
    stands whatever happens (every message re-checks the database); the answer is the page's
    notice or error when the workflow could not be told: `late` when Temporal is unreachable,
    `stale` followed by the workflow's reason when it refused."""
    try:
        await send_negotiation_update(request, negotiation_id, update_name, update)
    except (TransitionRefused, TemporalUnavailable) as exc:
        log.warning(
            "negotiation %s was not told of %s: %s", negotiation_id, update_name, exc.message
        )
        if isinstance(exc, TemporalUnavailable):
            return {"notice": late}
        return {"error": stale + exc.message}
    return {}
