"""The client's signed links about a negotiation: made by the email activities, read by the
public pages. Each names opaque ids only.

- consent link: decide on one pending consent; expires after settings.consent_link_days;
- decision link: decide on one counter-offer; the page also enforces its decision deadline;
- space link: the negotiation as the client sees it (state, what was shared with the
  creditor, schedule) and the withdrawal of consent; settings.negotiation_space_link_days.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

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


@dataclass(frozen=True)
class IdLink:
    """A signed link naming one id (under `key` in the token), valid `max_days(settings)`."""

    purpose: str
    path: str
    key: str
    max_days: Callable[[Settings], int]

    def token(self, settings: Settings, target_id: str) -> str:
        return sign_token(self.purpose, {self.key: target_id}, settings)

    def url(self, settings: Settings, target_id: str) -> str:
        base = settings.public_base_url.rstrip("/")
        return f"{base}{self.path}/{self.token(settings, target_id)}"

    def read(self, settings: Settings, token: str) -> str:
        """The id; TokenExpired or TokenInvalid (security.tokens) when refused."""
        payload = read_token(self.purpose, token, self.max_days(settings) * 24 * 3600, settings)
        value = payload.get(self.key)
        if not isinstance(value, str) or not value:
            raise TokenInvalid(f"{self.purpose} token has an unexpected payload")
        return value


CONSENT_LINK = IdLink(
    CONSENT_LINK_PURPOSE, CONSENT_LINK_PATH, "c", lambda settings: settings.consent_link_days
)
# The counter-offer id; the page still checks the offer's decision deadline.
DECISION_LINK = IdLink(
    DECISION_LINK_PURPOSE, DECISION_LINK_PATH, "o", lambda _: DECISION_LINK_MAX_DAYS
)
SPACE_LINK = IdLink(
    SPACE_LINK_PURPOSE,
    SPACE_LINK_PATH,
    "n",
    lambda settings: settings.negotiation_space_link_days,
)

consent_link_token, consent_link_url = CONSENT_LINK.token, CONSENT_LINK.url
read_consent_link = CONSENT_LINK.read
decision_link_token, decision_link_url = DECISION_LINK.token, DECISION_LINK.url
read_decision_link = DECISION_LINK.read
space_link_token, space_link_url = SPACE_LINK.token, SPACE_LINK.url
read_space_link = SPACE_LINK.read
