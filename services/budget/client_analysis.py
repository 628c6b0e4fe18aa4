"""What the client's analysis page reads and writes, once the signed link was checked.

The link names a dossier and a submission; everything else comes from the database: the
submission as frozen when it was sent, whether a newer one replaced it, its PDF report. Every
read is audited with the client as actor ("client:<id>").
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from config.settings import Settings
from domain.dossier_stages import OPEN_STAGES
from domain.errors import LinkRefused
from models.budget import BudgetRecord
from models.client import Client
from models.document import Document
from models.dossier import Dossier
from models.staff import StaffUser
from security.analysis_links import AnalysisLink
from security.datakeys import ClientCipher
from services.audit import append_audit
from services.budget.store import Submission, budget_status, load_submission
from services.documents import decrypt_document, document_path
from services.dossiers.timeline import add_timeline_event

UNAVAILABLE_HEADING = "Analyse indisponible"
CLOSED = (
    "Ce dossier est clôturé : son analyse n'est plus consultable en ligne. Votre conseiller "
    "reste à votre disposition. Rien n'a été modifié."
)
STALE_HEADING = "Une version plus récente existe"
STALE = (
    "Votre conseiller vous a envoyé depuis une version mise à jour de votre analyse : ouvrez le "
    "lien du courriel le plus récent. Cette ancienne version ne peut plus être approuvée. "
    "Rien n'a été modifié."
)
NOT_READY = (
    "Cette analyse n'est pas disponible. Ouvrez le lien du courriel le plus récent, ou "
    "contactez votre conseiller. Rien n'a été modifié."
)
NO_REPORT = "Le rapport de cette analyse n'est pas encore disponible : réessayez plus tard."


@dataclass(frozen=True)
class ClientAnalysis:
    dossier_id: str
    reference: str
    client_id: str
    first_name: str
    adviser_name: str
    submission: Submission


def _actor(client: Client) -> str:
    return f"client:{client.id}"


def _current(session: Session, link: AnalysisLink) -> tuple[Dossier, Client]:
    """The dossier and client if `link` names the latest submission of an open dossier."""
    dossier = session.get(Dossier, link.dossier_id)
    client = None if dossier is None else session.get(Client, dossier.client_id)
    if dossier is None or client is None or client.wrapped_key is None:
        raise LinkRefused(410, UNAVAILABLE_HEADING, NOT_READY)
    if dossier.stage not in OPEN_STAGES:
        raise LinkRefused(410, UNAVAILABLE_HEADING, CLOSED)
    latest = budget_status(session, dossier.id).submission
    if latest > link.submission:
        raise LinkRefused(409, STALE_HEADING, STALE)
    if latest < link.submission:
        raise LinkRefused(404, UNAVAILABLE_HEADING, NOT_READY)
    return dossier, client


def submission_client(session: Session, link: AnalysisLink) -> str:
    """The client's id, after checking the link still names the latest submission."""
    _, client = _current(session, link)
    return client.id


def load_client_analysis(
    session: Session, settings: Settings, link: AnalysisLink, reason: str
) -> ClientAnalysis:
    dossier, client = _current(session, link)
    submission = load_submission(
        session, dossier.id, actor=_actor(client), reason=reason, settings=settings
    )
    if submission is None or submission.number != link.submission:
        raise LinkRefused(404, UNAVAILABLE_HEADING, NOT_READY)
    cipher = ClientCipher.for_client(client, settings)
    adviser = session.get(StaffUser, dossier.assignee_id)
    return ClientAnalysis(
        dossier_id=dossier.id,
        reference=dossier.reference,
        client_id=client.id,
        first_name=cipher.decrypt("client", "first_name", client.id, client.first_name_enc) or "",
        adviser_name=adviser.display_name if adviser else "",
        submission=submission,
    )


def record_discussion_request(session: Session, link: AnalysisLink) -> None:
    """A timeline event for the case worker (once per submission); nothing is sent."""
    dossier, client = _current(session, link)
    add_timeline_event(
        session,
        dossier.id,
        f"{dossier.workflow_id}:analysis_discussion:{link.submission}",
        "analysis_discussion",
        "Le client souhaite parler de l'analyse avec son conseiller avant de la valider",
        _actor(client),
    )
    append_audit(
        session,
        _actor(client),
        "analysis.discussion_requested",
        "dossier",
        dossier.id,
        reason="demande d'échange sur l'analyse",
        detail={"submission": link.submission},
    )


def read_client_report(
    session: Session, settings: Settings, link: AnalysisLink
) -> tuple[str, bytes]:
    """(file name, PDF) of the link's submission report; the download is audited."""
    dossier, client = _current(session, link)
    record = session.get(BudgetRecord, dossier.id)
    document = (
        None
        if record is None
        or record.report_submission != link.submission
        or not record.report_document_id
        else session.get(Document, record.report_document_id)
    )
    if document is None or not document_path(document, settings).exists():
        raise LinkRefused(404, UNAVAILABLE_HEADING, NO_REPORT)
    filename, pdf = decrypt_document(document, ClientCipher.for_client(client, settings), settings)
    append_audit(
        session,
        _actor(client),
        "document.read",
        "document",
        document.id,
        reason="téléchargement du rapport d'analyse par le client",
        detail={"dossier_id": dossier.id, "submission": link.submission},
    )
    return filename or f"analyse-{dossier.reference}.pdf", pdf
