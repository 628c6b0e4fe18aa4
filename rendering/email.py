"""Jinja2 rendering of client emails (French, HTML + text) from templates/email/."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rendering.environment import email_environment


@dataclass
class RenderedEmail:
    recipient: str
    subject: str
    text: str
    html: str


SUBJECTS: dict[str, str] = {
    "acknowledgement": "Votre dossier {reference} est ouvert",
    "document_reminder": "Dossier {reference} : des pièces nous manquent encore",
    "closure": "Dossier {reference} : clôture et conservation de vos données",
    "analysis_ready": "Dossier {reference} : votre analyse budgétaire est prête",
    "analysis_reminder": "Dossier {reference} : votre analyse budgétaire attend votre réponse",
    # To a creditor (activities/creditor_messages.py): our negotiation reference only.
    "creditor_message": "Réf. {reference} : {kind_label}",
    "creditor_rectification": "Réf. {reference} : rectification d'une donnée (RGPD, art. 16 et 19)",
    "creditor_erasure": "Réf. {reference} : effacement de données (RGPD, art. 17 et 19)",
    # About a data-subject request (activities/privacy_requests.py): to the person...
    "privacy_confirmation": "Confirmez votre demande {reference} sur vos données",
    "privacy_extension": "Votre demande {reference} : délai de réponse prolongé",
    "privacy_response": "Votre demande {reference} : notre réponse",
    "privacy_restriction_lift": "Votre demande {reference} : fin de la limitation de vos données",
    # ... and to staff: the reference and dates only.
    "privacy_reminder": "Demande {reference} : réponse due le {due_on}",
    "privacy_escalation": "Demande {reference} : échéance aujourd'hui",
    "privacy_overdue": "Demande {reference} : délai de réponse dépassé",
    # About a personal-data breach (activities/breaches.py): to the DPO and management...
    "breach_suspicion": "Violation de données {reference} signalée : à confirmer",
    "breach_alert": "Violation {reference} : {hours_left} avant l'échéance de 72 heures",
    "breach_overdue": "Violation {reference} : délai de 72 heures dépassé",
    # To the case worker a supervisor entrusts a dossier to: its reference only.
    "dossier_assigned": "Dossier {reference} : il vous est confié",
    # ...and to each person affected.
    "breach_information": "Information importante sur la sécurité de vos données",
    # To a staff member about their own account (services/staff_emails.py).
    "account_invitation": "Votre compte Cravelynos : choisissez votre mot de passe",
    "account_reset": "Cravelynos : choisir un nouveau mot de passe",
    "account_password_changed": "Cravelynos : votre mot de passe a été changé",
    # To a dossier's case worker (services/staff_notifications.py): the reference only.
    "staff_notification": "Dossier {reference} : {event_lower}",
}
# To the client about one creditor (activities/negotiation_email.py): never a figure.
NEGOTIATION_SUBJECTS: dict[str, str] = {
    "negotiation_consent_request": "votre accord pour contacter {creditor_name}",
    "negotiation_consent_receipt": "reçu de votre décision pour {creditor_name}",
    "negotiation_offer_sent": "notre proposition a été envoyée à {creditor_name}",
    "negotiation_counter_offer": "{creditor_name} fait une contre-proposition",
    "negotiation_counter_accepted": "reçu de votre acceptation ({creditor_name})",
    "negotiation_agreement": "accord trouvé avec {creditor_name}",
    "negotiation_refused": "réponse négative de {creditor_name}",
    "negotiation_no_response": "{creditor_name} n'a pas répondu",
    "negotiation_offer_expired": "proposition arrivée à échéance ({creditor_name})",
    "negotiation_suspended": "retrait de votre consentement pour {creditor_name}",
    "negotiation_instalment_missed": "échéance non constatée ({creditor_name})",
    "negotiation_plan_broken": "plan de remboursement rompu ({creditor_name})",
    "negotiation_completed": "négociation terminée avec {creditor_name}",
    "negotiation_escalated": "recours engagé pour {creditor_name}",
    "negotiation_closed": "fin de la négociation avec {creditor_name}",
}
SUBJECTS.update(
    {name: f"Dossier {{reference}} : {text}" for name, text in NEGOTIATION_SUBJECTS.items()}
)


def render_email(template: str, recipient: str, context: dict[str, Any]) -> RenderedEmail:
    # A header is one line: a line break from a name would end it (or inject another header).
    subject = " ".join(SUBJECTS[template].format(**context).split())
    env = email_environment()
    values = {**context, "subject": subject}
    return RenderedEmail(
        recipient=recipient,
        subject=subject,
        text=env.get_template(f"email/{template}.txt").render(values),
        html=env.get_template(f"email/{template}.html").render(values),
    )
