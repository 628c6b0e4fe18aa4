"""The analysis report: the submission sent to the client as a PDF, stored with the documents.

Rendered by WeasyPrint from templates/report/analysis.html, in French, with every figure, its
legal basis and the dates and sources of the parameters used. The PDF is encrypted under the
client's data key like an uploaded document (models.document_files' helpers) and recorded as
a Document of kind "analysis_report". One report per submission: building it again for the
same submission returns the same document, so a retried activity stores nothing twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from config.settings import Settings
from domain.budget import BudgetAnalysis, BudgetInput
from domain.clock import utcnow
from domain.dossier_stages import DocumentKind
from domain.errors import CravelynosError, NotFound
from models.budget import BudgetRecord
from models.client import Client
from models.database import session_scope
from models.document import Document
from models.dossier import Dossier
from rendering.pdf import REPORT_DIR, render_pdf
from security.datakeys import ClientCipher
from services.budget.store import (
    NO_SUBMISSION,
    BudgetNotReady,
    StrategyLine,
    load_submission,
    lock_budget,
)
from services.documents import new_generated_pdf

REPORT_TEMPLATE = "report/analysis.html"
REPORT_CSS = REPORT_DIR / "analysis.css"
PDF = "application/pdf"
SYSTEM = "system"
ERASED_NAME = "(données effacées)"


class ReportSuperseded(CravelynosError):
    """A newer submission was frozen while this report was rendered (retrying builds that one)."""


@dataclass(frozen=True)
class ReportHeader:
    reference: str
    client_name: str
    departement: str
    # None for a preview that was not sent to the client.
    submission: int | None
    submitted_at: datetime | None
    generated_at: datetime


def render_analysis_pdf(
    header: ReportHeader,
    data: BudgetInput,
    analysis: BudgetAnalysis,
    strategy: list[StrategyLine],
) -> bytes:
    context = {"report": header, "data": data, "analysis": analysis, "strategy": strategy}
    return render_pdf(REPORT_TEMPLATE, context, [REPORT_CSS])


def report_filename(reference: str, submission: int | None) -> str:
    suffix = f"envoi-{submission}" if submission else "apercu"
    return f"analyse-budgetaire-{reference}-{suffix}.pdf"


def report_header(
    session: Session,
    dossier: Dossier,
    settings: Settings,
    *,
    submission: int | None,
    submitted_at: datetime | None,
) -> ReportHeader:
    """The report's heading: dossier reference and the client's name (decrypted here)."""
    client = session.get(Client, dossier.client_id)
    if client is None:
        raise NotFound("Le client de ce dossier est introuvable.")
    name = ERASED_NAME
    if client.wrapped_key is not None:
        cipher = ClientCipher.for_client(client, settings)
        first = cipher.decrypt("client", "first_name", client.id, client.first_name_enc) or ""
        last = cipher.decrypt("client", "last_name", client.id, client.last_name_enc) or ""
        name = f"{first} {last}".strip()
    return ReportHeader(
        reference=dossier.reference,
        client_name=name,
        departement=client.departement,
        submission=submission,
        submitted_at=submitted_at,
        generated_at=utcnow(),
    )


def _existing(session: Session, record: BudgetRecord | None, submission: int) -> str | None:
    if record is None or record.report_submission != submission or not record.report_document_id:
        return None
    return record.report_document_id if session.get(Document, record.report_document_id) else None


def build_analysis_report(settings: Settings, dossier_id: str) -> str:
    """The id of the report Document of the latest submission, made and stored if needed.

    Rendering takes a moment, so it happens between two short transactions; the second one
    locks the budget row and keeps the first report stored for this submission if another
    attempt got there meanwhile.
    """
    with session_scope(settings) as session:
        dossier = session.get(Dossier, dossier_id)
        if dossier is None:
            raise NotFound("Dossier introuvable : il n'existe pas ou plus.")
        record = session.get(BudgetRecord, dossier_id)
        if record is None or record.submission == 0:
            raise BudgetNotReady(NO_SUBMISSION)
        done = _existing(session, record, record.submission)
        if done:
            return done
        submitted = load_submission(
            session, dossier_id, actor=SYSTEM, reason="rapport d'analyse", settings=settings
        )
        if submitted is None:
            raise BudgetNotReady(NO_SUBMISSION)
        header = report_header(
            session,
            dossier,
            settings,
            submission=submitted.number,
            submitted_at=submitted.submitted_at,
        )
    pdf = render_analysis_pdf(header, submitted.data, submitted.analysis, submitted.strategy)
    with session_scope(settings) as session:
        return _store(session, settings, dossier, submitted.number, pdf)


def _store(
    session: Session, settings: Settings, dossier: Dossier, submission: int, pdf: bytes
) -> str:
    lock_budget(session, dossier.id)
    record = session.get(BudgetRecord, dossier.id)
    done = _existing(session, record, submission)
    if done:
        return done
    if record is None or record.submission != submission:
        # A newer submission was frozen while this one was rendered: its own build follows.
        raise ReportSuperseded(f"dossier {dossier.id}: submission {submission} was superseded")
    client = session.get(Client, dossier.client_id)
    if client is None:
        raise NotFound("Le client de ce dossier est introuvable.")
    pending = new_generated_pdf(
        session,
        client,
        dossier.id,
        DocumentKind.ANALYSIS_REPORT,
        report_filename(dossier.reference, submission),
        pdf,
        settings,
        reason="rapport d'analyse budgétaire",
        submission=submission,
    )
    record.report_document_id = pending.document.id
    record.report_submission = submission
    session.add(record)
    return pending.store(session, settings).id
