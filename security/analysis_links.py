"""The client's signed link to an analysis submission: made by the email activity, read by the
public page. It names the dossier and the submission number, nothing else; it expires after
settings.analysis_link_days.
"""

from __future__ import annotations

from dataclasses import dataclass

from config.settings import Settings
from security.tokens import TokenInvalid, read_token, sign_token

ANALYSIS_LINK_PURPOSE = "analysis-approval"
ANALYSIS_LINK_PATH = "/espace/analyse"


@dataclass(frozen=True)
class AnalysisLink:
    dossier_id: str
    submission: int


def analysis_link_token(settings: Settings, dossier_id: str, submission: int) -> str:
    return sign_token(ANALYSIS_LINK_PURPOSE, {"d": dossier_id, "s": submission}, settings)


def analysis_link_url(settings: Settings, dossier_id: str, submission: int) -> str:
    token = analysis_link_token(settings, dossier_id, submission)
    return f"{settings.public_base_url.rstrip('/')}{ANALYSIS_LINK_PATH}/{token}"


def read_analysis_link(settings: Settings, token: str) -> AnalysisLink:
    """The link's target; TokenExpired or TokenInvalid (security.tokens) when refused."""
    payload = read_token(
        ANALYSIS_LINK_PURPOSE, token, settings.analysis_link_days * 24 * 3600, settings
    )
    dossier_id, submission = payload.get("d"), payload.get("s")
    if not isinstance(dossier_id, str) or not isinstance(submission, int) or submission < 1:
        raise TokenInvalid(f"{ANALYSIS_LINK_PURPOSE} token has an unexpected payload")
    return AnalysisLink(dossier_id, submission)
