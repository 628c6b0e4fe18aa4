"""The client's signed links about a negotiation: made by the email activities, read by the
public pages. Each names opaque ids only.

- consent link: decide on one pending consent; expires after settings.consent_link_days;
- decision link: decide on one counter-offer; the page also enforces its decision deadline;
- space link: the negotiation as the client sees it (state, what was shared with the
  creditor, schedule) and the withdrawal of consent; settings.negotiation_space_link_days.
"""

from __future__ import annotations

from config.settings import Settings
from security.tokens import TokenInvalid, read_token, sign_token

CONSENT_LINK_PURPOSE = "negotiation-consent"
DECISION_LINK_PURPOSE = "counter-offer-decision"
SPACE_LINK_PURPOSE = "negotiation-space"

CONSENT_LINK_PATH = "/espace/consentement"
DECISION_LINK_PATH = "/espace/contre-proposition"
SPACE_LINK_PATH = "/espace/negociation"

# A counter-offer's decision window is at most this long; the page checks the real deadline.
DECISION_LINK_MAX_DAYS = 120


def _url(settings: Settings, path: str, token: str) -> str:
    return f"{settings.public_base_url.rstrip('/')}{path}/{token}"


def consent_link_token(settings: Settings, consent_id: str) -> str:
    return sign_token(CONSENT_LINK_PURPOSE, {"c": consent_id}, settings)


def consent_link_url(settings: Settings, consent_id: str) -> str:
    return _url(settings, CONSENT_LINK_PATH, consent_link_token(settings, consent_id))


def read_consent_link(settings: Settings, token: str) -> str:
    """The consent id; TokenExpired or TokenInvalid (security.tokens) when refused."""
    payload = read_token(
        CONSENT_LINK_PURPOSE, token, settings.consent_link_days * 24 * 3600, settings
    )
    return _string(payload.get("c"), CONSENT_LINK_PURPOSE)


def decision_link_token(settings: Settings, offer_id: str) -> str:
    return sign_token(DECISION_LINK_PURPOSE, {"o": offer_id}, settings)


def decision_link_url(settings: Settings, offer_id: str) -> str:
    return _url(settings, DECISION_LINK_PATH, decision_link_token(settings, offer_id))


def read_decision_link(settings: Settings, token: str) -> str:
    """The counter-offer id; the caller still checks the offer's decision deadline."""
    payload = read_token(DECISION_LINK_PURPOSE, token, DECISION_LINK_MAX_DAYS * 24 * 3600, settings)
    return _string(payload.get("o"), DECISION_LINK_PURPOSE)


def space_link_token(settings: Settings, negotiation_id: str) -> str:
    return sign_token(SPACE_LINK_PURPOSE, {"n": negotiation_id}, settings)


def space_link_url(settings: Settings, negotiation_id: str) -> str:
    return _url(settings, SPACE_LINK_PATH, space_link_token(settings, negotiation_id))


def read_space_link(settings: Settings, token: str) -> str:
    payload = read_token(
        SPACE_LINK_PURPOSE, token, settings.negotiation_space_link_days * 24 * 3600, settings
    )
    return _string(payload.get("n"), SPACE_LINK_PURPOSE)


def _string(value: object, purpose: str) -> str:
    if not isinstance(value, str) or not value:
        raise TokenInvalid(f"{purpose} token has an unexpected payload")
    return value
