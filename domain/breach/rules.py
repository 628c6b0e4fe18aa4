"""What a breach is and the order of its steps: scope, assess, notify the CNIL, inform the
people, close. The workflow's validators and the web app's checks ask these rules, so a step
out of order is refused the same way everywhere, with the same French message.

The rule that follows the assessment (GDPR Art. 33–34): no risk to people — the register only;
a risk — the CNIL is notified within 72 hours; a high risk — the people are also informed,
unless an exception of Art. 34(3) applies (recorded with its reason).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from domain.breach.deadline import notify_by
from domain.labelled_enum import LabelledEnum


class BreachStatus(LabelledEnum):
    SUSPECTED = "suspected", "Suspicion à confirmer"
    OPEN = "open", "En cours"
    CLOSED = "closed", "Close"
    DISMISSED = "dismissed", "Écartée (pas de violation)"


class Nature(LabelledEnum):
    CONFIDENTIALITY = "confidentiality", "Confidentialité (divulgation ou accès non autorisé)"
    INTEGRITY = "integrity", "Intégrité (altération non autorisée)"
    AVAILABILITY = "availability", "Disponibilité (perte ou destruction)"


class RiskLevel(LabelledEnum):
    NONE = "none", "Aucun risque pour les personnes"
    RISK = "risk", "Risque pour les personnes"
    HIGH = "high", "Risque élevé pour les personnes"


class Exemption(LabelledEnum):
    """Art. 34(3): a high risk that still does not call for informing each person."""

    NONE = "none", "Aucune : les personnes sont informées"
    ENCRYPTED = (
        "encrypted",
        ("a) Données rendues incompréhensibles (chiffrées, clés non compromises)"),
    )
    MITIGATED = (
        "mitigated",
        ("b) Mesures ultérieures : le risque élevé n'est plus susceptible de se matérialiser"),
    )
    DISPROPORTIONATE = (
        "disproportionate",
        ("c) Efforts disproportionnés : communication publique à la place"),
    )


class NotificationKind(LabelledEnum):
    INITIAL = "initial", "Notification initiale"
    COMPLEMENTARY = "complementary", "Notification complémentaire"


class Step(LabelledEnum):
    SCOPE = "scope", "Portée : personnes, enregistrements et catégories de données"
    ASSESS = "assess", "Évaluation du risque"
    NOTIFY = "notify", "Notification à la CNIL"
    INFORM = "inform", "Information des personnes concernées"
    CLOSE = "close", "Clôture avec les mesures correctives"


NOT_SUSPECTED = "Cette violation n'est pas (ou plus) une suspicion à confirmer."
SUSPECTED = "Confirmez d'abord la violation (ou écartez la suspicion)."
CLOSED = "Cette violation est close : rien ne peut plus y être changé."
DISMISSED = "Cette suspicion a été écartée : rien ne peut plus y être changé."
FUTURE = "La date de prise de connaissance ne peut pas être dans le futur."
SCOPE_FIRST = "Déterminez d'abord la portée de la violation (étape 1)."
ASSESS_FIRST = "Évaluez d'abord le risque pour les personnes (étape 2)."
SCOPE_FROZEN = (
    "Les personnes concernées sont en cours d'information (ou informées) : la portée ne peut "
    "plus changer. Décrivez les faits nouveaux dans une notification complémentaire."
)
RATIONALE_NEEDED = "Justifiez le niveau de risque retenu."
EXEMPTION_ONLY_HIGH = "Une exception de l'article 34(3) ne concerne qu'un risque élevé."
EXEMPTION_REASON_NEEDED = "Expliquez pourquoi l'exception de l'article 34(3) s'applique."
NO_CNIL = (
    "Le risque évalué ne demande pas de notification à la CNIL : la violation est inscrite au "
    "registre seulement."
)
INITIAL_DONE = "La notification initiale est faite : envoyez une notification complémentaire."
INITIAL_FIRST = "Envoyez d'abord la notification initiale."
LATE_WITHOUT_REASONS = (
    "Le délai de 72 heures est dépassé : la notification doit indiquer les motifs du retard "
    "(article 33(1))."
)
NO_PEOPLE = (
    "Le risque évalué ne demande pas d'informer les personnes (risque non élevé, ou exception "
    "de l'article 34(3))."
)
NOBODY = "Aucune personne concernée n'est identifiée : rien à envoyer."
INFORMING = "L'information des personnes est déjà lancée."
NOTIFY_BEFORE_CLOSING = "Notifiez la CNIL avant de clore la violation."
INFORM_BEFORE_CLOSING = "Informez les personnes concernées avant de clore la violation."
STILL_INFORMING = "L'information des personnes est en cours : attendez la fin des envois."
MEASURES_NEEDED = "Décrivez les mesures correctives prises."


@dataclass
class BreachState:
    """The steps as they stand (what the workflow holds and replays)."""

    aware_at: datetime
    status: BreachStatus = BreachStatus.OPEN
    scoped: bool = False
    people: int = 0
    risk: RiskLevel | None = None
    exemption: Exemption = Exemption.NONE
    notifications: int = 0
    informing: bool = False
    informed: bool = False

    @property
    def notify_by(self) -> datetime:
        return notify_by(self.aware_at)

    @property
    def cnil_required(self) -> bool:
        return self.risk in (RiskLevel.RISK, RiskLevel.HIGH)

    @property
    def people_required(self) -> bool:
        return self.risk == RiskLevel.HIGH and self.exemption == Exemption.NONE

    def deadline_steps_remain(self) -> bool:
        """What the 72 hours are for is not all done: the alerts go on."""
        if self.status != BreachStatus.OPEN:
            return False
        if self.risk is None:
            return True
        return (self.cnil_required and self.notifications == 0) or (
            self.people_required and not self.informed
        )

    def steps(self) -> dict[Step, bool | None]:
        """Each step: done (True), to do (False) or not required (None)."""
        done = self.status == BreachStatus.CLOSED
        assessed = self.risk is not None
        return {
            Step.SCOPE: self.scoped,
            Step.ASSESS: assessed,
            Step.NOTIFY: (self.notifications > 0) if self.cnil_required or not assessed else None,
            Step.INFORM: self.informed if self.people_required or not assessed else None,
            Step.CLOSE: done,
        }

    # ----- refusals ---------------------------------------------------------------------------

    def open_refusal(self) -> str | None:
        return {
            BreachStatus.SUSPECTED: SUSPECTED,
            BreachStatus.CLOSED: CLOSED,
            BreachStatus.DISMISSED: DISMISSED,
        }.get(self.status)

    def confirm_refusal(self, aware_at: datetime, now: datetime) -> str | None:
        if self.status != BreachStatus.SUSPECTED:
            return NOT_SUSPECTED
        return FUTURE if aware_at > now else None

    def dismiss_refusal(self) -> str | None:
        return None if self.status == BreachStatus.SUSPECTED else NOT_SUSPECTED

    def scope_refusal(self) -> str | None:
        if refusal := self.open_refusal():
            return refusal
        return SCOPE_FROZEN if self.informing else None

    def assess_refusal(
        self, risk: RiskLevel, rationale: bool, exemption: Exemption, exemption_reason: bool
    ) -> str | None:
        if refusal := self.open_refusal():
            return refusal
        if not self.scoped:
            return SCOPE_FIRST
        if not rationale:
            return RATIONALE_NEEDED
        if exemption != Exemption.NONE and risk != RiskLevel.HIGH:
            return EXEMPTION_ONLY_HIGH
        if exemption != Exemption.NONE and not exemption_reason:
            return EXEMPTION_REASON_NEEDED
        return None

    def notify_refusal(
        self, kind: NotificationKind, delay_reasons: bool, now: datetime
    ) -> str | None:
        if refusal := self.open_refusal():
            return refusal
        if self.risk is None:
            return ASSESS_FIRST
        if not self.cnil_required:
            return NO_CNIL
        if kind == NotificationKind.INITIAL and self.notifications:
            return INITIAL_DONE
        if kind == NotificationKind.COMPLEMENTARY and not self.notifications:
            return INITIAL_FIRST
        if kind == NotificationKind.INITIAL and now > self.notify_by and not delay_reasons:
            return LATE_WITHOUT_REASONS
        return None

    def inform_refusal(self) -> str | None:
        if refusal := self.open_refusal():
            return refusal
        if self.risk is None:
            return ASSESS_FIRST
        if not self.people_required:
            return NO_PEOPLE
        if self.informing:
            return INFORMING
        return NOBODY if self.people == 0 else None

    def close_refusal(self, measures: bool) -> str | None:
        if refusal := self.open_refusal():
            return refusal
        if self.risk is None:
            return ASSESS_FIRST
        if self.cnil_required and not self.notifications:
            return NOTIFY_BEFORE_CLOSING
        if self.informing and not self.informed:
            return STILL_INFORMING
        if self.people_required and not self.informed:
            return INFORM_BEFORE_CLOSING
        return None if measures else MEASURES_NEEDED
