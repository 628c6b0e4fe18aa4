"""When a dossier's workflow acts on its own, and what its read model then shows: the deadlines
(moment and French label of the "next deadline" column) and the names of its client emails on the
timeline. Pure, no Temporal.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import NamedTuple

from domain.dossier_lifecycle import ApprovalDelays, DossierState

# Shown on the dossier and matched by the staff pages (the case worker's task).
REMINDER_DUE_LABEL = "Relance du client si l'analyse n'est pas validée"
TASK_DUE_LABEL = "Contacter le client si l'analyse n'est toujours pas validée"
TASK_LABEL = "Contacter le client : validation de l'analyse en attente"

EMAIL_LABELS_FR = {
    "acknowledgement": "accusé de réception",
    "document_reminder": "relance des pièces",
    "closure": "avis de clôture",
}


def email_label(template: str) -> str:
    return EMAIL_LABELS_FR.get(template, template)


class DocumentReminder(NamedTuple):
    number: int
    due: datetime
    label: str


def document_reminders(opened_at: datetime, reminder_days: list[int]) -> list[DocumentReminder]:
    """The reminders for missing documents, counted from the dossier's opening."""
    return [
        DocumentReminder(
            number, opened_at + timedelta(days=day), f"Relance n°{number} si des pièces manquent"
        )
        for number, day in enumerate(reminder_days, start=1)
    ]


class ApprovalTimetable(NamedTuple):
    reminder_at: datetime
    task_at: datetime


def approval_timetable(submitted_at: datetime, delays: ApprovalDelays) -> ApprovalTimetable:
    """While a submission awaits the client's approval: the client's reminder, then the case
    worker's task, both counted from that submission."""
    return ApprovalTimetable(
        submitted_at + timedelta(days=delays.reminder_days),
        submitted_at + timedelta(days=delays.task_days),
    )


def retention_deadline(
    state: DossierState, history_due: datetime, documents_due: datetime | None, wake: datetime
) -> tuple[datetime, str]:
    """A closed dossier's next deadline: what retention deletes next, and when (or why not)."""
    if state.legal_hold:
        return wake, "Conservation pour motif légal : suppression suspendue"
    if documents_due is not None and documents_due <= history_due:
        return documents_due, "Suppression des pièces justificatives"
    if not state.documents_deleted and documents_due is None:
        return wake, "Pièces conservées : relation contractuelle en cours"
    return history_due, "Anonymisation du dossier"
