"""A data-subject request as its workflow will keep it: the rights asked for, where the clock
stands (received, paused, extended) and the rules that decide whether the DPO's action may
change it. Pure, no Temporal: a rule returns None when the action may go on, or the French
message that refuses it.

Only waiting on the person pauses the clock (an ID document, a clarification); an internal
discussion never does. A pause counts the days in Paris from the day it began to the day it
ended: paused on Monday and resumed on Wednesday adds two days back.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime

from domain.labelled_enum import LabelledEnum
from domain.privacy.deadline import ExtensionRefused, RequestClock, paris_day

ANSWERED = "La réponse a déjà été envoyée : la demande est close."
# A request filed on the site waits this long for the person to confirm their address.
CONFIRMATION_HOURS = 48
REASON_NEEDED = (
    "Indiquez les motifs du refus : la personne les recevra, avec son droit de saisir la CNIL."
)


class Right(LabelledEnum):
    ACCESS = "access", "Droit d'accès"
    RECTIFICATION = "rectification", "Droit de rectification"
    ERASURE = "erasure", "Droit à l'effacement"
    PORTABILITY = "portability", "Droit à la portabilité"
    OBJECTION = "objection", "Droit d'opposition"
    RESTRICTION = "restriction", "Droit à la limitation du traitement"


class Channel(LabelledEnum):
    PUBLIC_FORM = "public_form", "Formulaire du site (adresse confirmée)"
    SIGNED_LINK = "signed_link", "Lien d'un courriel reçu"
    LETTER = "letter", "Courrier"
    EMAIL = "email", "Courriel à l'adresse de contact"


class PauseReason(LabelledEnum):
    IDENTITY = "identity", "Pièce d'identité demandée à la personne"
    CLARIFICATION = "clarification", "Précision demandée à la personne"


class RequestStatus(LabelledEnum):
    # Filed on the public form, the address not confirmed yet: no clock, not in the queue.
    UNCONFIRMED = "unconfirmed", "Adresse à confirmer"
    OPEN = "open", "En cours"
    PAUSED = "paused", "En attente de la personne"
    ANSWERED = "answered", "Répondu"


class Outcome(LabelledEnum):
    FULFILLED = "fulfilled", "Satisfait"
    PARTIAL = "partial", "Satisfait en partie"
    REFUSED = "refused", "Refusé"


@dataclass(frozen=True)
class Pause:
    reason: PauseReason
    started_at: datetime


@dataclass
class PrivacyRequestState:
    request_id: str
    rights: list[Right]
    clock: RequestClock
    status: RequestStatus = RequestStatus.OPEN
    pause: Pause | None = None
    # Every pause once it ended, as (reason, started, ended, days added back).
    pauses: list[tuple[PauseReason, datetime, datetime, int]] = field(default_factory=list)
    outcomes: dict[Right, Outcome] = field(default_factory=dict)

    def pause_refusal(self, now: datetime) -> str | None:
        if self.status == RequestStatus.ANSWERED:
            return ANSWERED
        if self.pause is not None:
            return "Le délai est déjà suspendu : reprenez-le avant de le suspendre à nouveau."
        if self.clock.overdue(now):
            return "Le délai est dépassé : il ne peut plus être suspendu."
        return None

    def paused(self, reason: PauseReason, now: datetime) -> None:
        self.pause, self.status = Pause(reason, now), RequestStatus.PAUSED

    def resume_refusal(self) -> str | None:
        return None if self.pause is not None else "Le délai n'est pas suspendu."

    def resumed(self, now: datetime) -> int:
        """End the pause; the days added back to the clock."""
        assert self.pause is not None
        days = max(0, (paris_day(now) - paris_day(self.pause.started_at)).days)
        self.pauses.append((self.pause.reason, self.pause.started_at, now, days))
        self.clock = replace(self.clock, paused_days=self.clock.paused_days + days)
        self.pause, self.status = None, RequestStatus.OPEN
        return days

    def extension_refusal(self, months: int, reason: str, now: datetime) -> str | None:
        if self.status == RequestStatus.ANSWERED:
            return ANSWERED
        try:
            self.clock.extended(months, reason, now)
        except ExtensionRefused as refused:
            return str(refused)
        return None

    def extended(self, months: int, reason: str, now: datetime) -> None:
        self.clock = self.clock.extended(months, reason, now)

    def decision_refusal(self, right: Right, outcome: Outcome, has_reason: bool) -> str | None:
        if self.status == RequestStatus.ANSWERED:
            return ANSWERED
        if right not in self.rights:
            return f"Cette demande ne porte pas sur le {right.label.lower()}."
        if outcome != Outcome.FULFILLED and not has_reason:
            # The person is owed the reasons of any refusal (Art. 12(4)).
            return REASON_NEEDED
        return None

    def decided(self, right: Right, outcome: Outcome) -> None:
        self.outcomes[right] = outcome

    def answer_refusal(self) -> str | None:
        if self.status == RequestStatus.ANSWERED:
            return ANSWERED
        if self.pause is not None:
            return "Le délai est suspendu : reprenez-le avant de répondre."
        missing = [right.label for right in self.rights if right not in self.outcomes]
        if missing:
            return "Décidez d'abord de chaque droit demandé : " + ", ".join(missing) + "."
        return None

    def answered(self) -> None:
        self.status = RequestStatus.ANSWERED
