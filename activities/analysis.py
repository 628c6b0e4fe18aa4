"""Activities of the dossier's analysis phase: freeze what is sent to the client, print the
report, record the client's approval. Figures stay in the database; the workflow sees numbers
of submissions and a document id.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.contracts import dossier as io
from activities.rows import get_dossier
from config.settings import Settings
from domain.errors import NotFound
from domain.staff_notifications import NotificationKind
from models.database import session_scope
from services.budget.report import build_analysis_report
from services.budget.store import (
    BudgetNotReady,
    BudgetRefused,
    record_approval,
    snapshot_analysis,
)
from services.privacy_requests.restriction import PROCESSING_RESTRICTED, restriction_of
from services.staff_notifications import notify_assignee


@contextmanager
def business_refusals() -> Iterator[None]:
    """What no retry can fix fails the activity at once, with the French reason for the person."""
    try:
        yield
    except (BudgetNotReady, BudgetRefused, NotFound) as exc:
        raise ApplicationError(exc.message, type=type(exc).__name__, non_retryable=True) from None


class AnalysisActivities:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    @activity.defn(name=io.LOAD_ANALYSIS_FACTS.name)
    def load_analysis_facts(self, ref: io.DossierRef) -> io.AnalysisFacts:
        return io.AnalysisFacts(
            reminder_days=self.settings.analysis_approval_reminder_days,
            task_days=self.settings.analysis_approval_task_days,
        )

    @activity.defn(name=io.SUBMIT_ANALYSIS.name)
    def submit_analysis(self, request: io.AnalysisSubmission) -> io.AnalysisSubmitted:
        """Freeze submission `request.submission` and its PDF report; a retry changes nothing."""
        with business_refusals():
            with session_scope(self.settings) as session:
                dossier = get_dossier(session, request.dossier_id)
                refusal = restriction_of(session, dossier.client_id)
                if refusal:
                    raise ApplicationError(refusal, type=PROCESSING_RESTRICTED, non_retryable=True)
                snapshot_analysis(
                    session,
                    request.dossier_id,
                    self.settings,
                    submission=request.submission,
                    actor=request.actor,
                )
            report_id = build_analysis_report(self.settings, request.dossier_id)
        return io.AnalysisSubmitted(report_document_id=report_id)

    @activity.defn(name=io.RECORD_ANALYSIS_APPROVAL.name)
    def record_analysis_approval(self, approval: io.AnalysisApproval) -> None:
        with business_refusals(), session_scope(self.settings) as session:
            get_dossier(session, approval.dossier_id)
            recorded = record_approval(
                session,
                approval.dossier_id,
                submission=approval.submission,
                channel=approval.channel,
                actor=approval.actor,
                approved_at=approval.approved_at,
            )
            if recorded:
                # With the approval: the case worker hears of it exactly when it is recorded.
                notify_assignee(
                    session,
                    self.settings,
                    dossier_id=approval.dossier_id,
                    kind=NotificationKind.ANALYSIS_APPROVED,
                    source_key=f"analysis_approved:{approval.dossier_id}:{approval.submission}",
                    actor=approval.actor,
                )
