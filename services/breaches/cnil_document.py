"""The notification to the CNIL (GDPR Art. 33(3)), generated from the case as it stands: the
nature of the breach with the categories and approximate numbers of people and records, the
DPO's contact, the likely consequences, the measures taken or proposed — and, once the 72 hours
are past, the reasons for the delay. Kept as generated with the notification (HTML); printed
to PDF on demand from those very bytes."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlmodel import Session

from config.settings import Settings
from domain.breach.inputs import NotifyIn
from domain.breach.rules import Exemption, Nature, NotificationKind, RiskLevel
from domain.breach.scope_sources import ScopeSource
from domain.clock import as_utc
from domain.french_dates import french_datetime
from domain.privacy.processing import category_notices
from models.breach import Breach, BreachNotification, BreachScope
from rendering.environment import document_environment
from rendering.pdf import html_to_pdf
from services.breaches.records import cipher_of
from services.breaches.scope import PERSON_LABELS

TEMPLATE = "report/breach_notification.html"
NOT_YET = "À compléter"


def notification_document(
    session: Session, row: Breach, data: NotifyIn, settings: Settings, now: datetime
) -> str:
    cipher = cipher_of(row, settings)

    def text(column: str, token: str | None) -> str:
        return cipher.decrypt("breach", column, row.id, token) or ""

    scope = session.get(BreachScope, row.scope_id) if row.scope_id else None
    notices = category_notices()
    exemption = Exemption(row.exemption)
    risk = RiskLevel(row.risk) if row.risk else None
    number = (row.notifications or 0) + 1
    notify_by = as_utc(row.notify_by)
    late = data.phase == NotificationKind.INITIAL and now > notify_by
    if risk == RiskLevel.HIGH and exemption == Exemption.NONE:
        information = "Les personnes concernées sont informées individuellement par e-mail."
    elif risk == RiskLevel.HIGH:
        information = (
            f"Pas d'information individuelle : exception de l'article 34(3), {exemption.label}"
        )
    else:
        information = "Pas d'information individuelle : le risque n'est pas élevé."
    context: dict[str, Any] = {
        "reference": row.reference,
        "phase_label": NotificationKind(data.phase).label,
        "number": number,
        "at_label": french_datetime(now),
        "late": late,
        "aware_at_label": french_datetime(as_utc(row.aware_at)),
        "notify_by_label": french_datetime(notify_by),
        "discovered_by": text("discovered_by", row.discovered_by_enc),
        "discovery": text("discovery", row.discovery_enc),
        "delay_reasons": data.delay_reasons or "",
        "new_facts": data.new_facts or "",
        "nature_label": Nature(row.nature).label,
        "data_categories": [
            notices[c].title if c in notices else c for c in row.data_categories.split(",") if c
        ],
        "person_categories": [
            PERSON_LABELS.get(p, p) for p in row.person_categories.split(",") if p
        ],
        "people": row.people_count,
        "records": row.records_count,
        "scope_source": _scope_label(scope),
        "description": text("description", row.description_enc),
        "dpo_email": settings.dpo_email,
        "risk_label": risk.label if risk else NOT_YET,
        "consequences": text("consequences", row.consequences_enc) or NOT_YET,
        "rationale": text("rationale", row.rationale_enc),
        "measures": data.measures,
        "information_label": information,
        "exemption_reason": text("exemption_reason", row.exemption_reason_enc),
    }
    return document_environment().get_template(TEMPLATE).render(n=context)


def _scope_label(scope: BreachScope | None) -> str:
    if scope is None:
        return ""
    label = ScopeSource(scope.source).label
    parameters = json.loads(scope.parameters)
    if "tables" in parameters:
        label += " : " + ", ".join(parameters["tables"])
    if scope.people_adjustment or scope.records_adjustment:
        label += " (nombres ajustés à la main, motif au dossier)"
    return label


def document_html(notification: BreachNotification, row: Breach, settings: Settings) -> str:
    return (
        cipher_of(row, settings).decrypt(
            "breach_notification", "document", notification.id or 0, notification.document_enc
        )
        or ""
    )


def document_pdf(notification: BreachNotification, row: Breach, settings: Settings) -> bytes:
    return html_to_pdf(document_html(notification, row, settings))
