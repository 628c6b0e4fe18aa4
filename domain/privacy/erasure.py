"""Erasure decided record group by record group (GDPR Art. 17): erased now, or withheld with its
legal basis and the day the obligation ends (Art. 17(3)(b) and (e)). The policy of the seed:
"si nous avons une obligation légale de les conserver … nous devrons refuser" — the answer says
which records and why. Pure: from the person's dossiers and the retention rules.

- An open dossier: the contract is running; nothing is erased until it is closed.
- A legal hold: everything is kept for the dispute, with no end date known.
- A closed dossier: the negotiation history and the financial data stay until 5 years after the
  closure (legal obligation), the supporting documents until 3 years after the end of the
  relationship (legal claims), and the identity and contact details with them (the history is
  about someone); emails and exchanges go now.
- Past every date (or no dossier at all): everything goes, and the person's data key with it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from domain.labelled_enum import LabelledEnum
from domain.retention import RetentionPolicy, documents_expiry, history_expiry


class RecordGroup(LabelledEnum):
    ACCOUNT = "account", "Identité et coordonnées"
    FINANCIAL = "financial", "Situation financière et analyse budgétaire"
    NEGOTIATION_HISTORY = "negotiation_history", "Historique des négociations et consentements"
    DOCUMENTS = "documents", "Pièces justificatives"
    CORRESPONDENCE = "correspondence", "Courriels et échanges"


class Basis(LabelledEnum):
    CONTRACT = "contract", "Votre dossier est en cours : ces données servent à l'accompagnement"
    LEGAL_HOLD = "legal_hold", "Conservation imposée par une procédure en cours (litige, autorité)"
    HISTORY = (
        "history",
        ("Obligation légale de conserver l'historique des négociations 5 ans après la clôture"),
    )
    CLAIMS = (
        "claims",
        (
            "Conservation des justificatifs 3 ans après la fin de la relation, pour la défense de "
            "droits en justice"
        ),
    )
    WITH_HISTORY = (
        "with_history",
        ("Nécessaires à l'historique conservé, qui vous concerne : effacées avec lui"),
    )


@dataclass(frozen=True)
class DossierFacts:
    open: bool
    legal_hold: bool
    closed_at: datetime | None


@dataclass(frozen=True)
class GroupDecision:
    group: RecordGroup
    erase: bool
    basis: Basis | None = None
    # The day the obligation ends and the records go (None: not known yet).
    until: datetime | None = None


@dataclass(frozen=True)
class ErasurePlan:
    decisions: list[GroupDecision]

    @property
    def complete(self) -> bool:
        """Everything goes: the person's data key can be destroyed."""
        return all(decision.erase for decision in self.decisions)

    @property
    def withheld(self) -> list[GroupDecision]:
        return [decision for decision in self.decisions if not decision.erase]

    def erases(self, group: RecordGroup) -> bool:
        return next(d.erase for d in self.decisions if d.group == group)


def plan_erasure(
    dossiers: list[DossierFacts], now: datetime, policy: RetentionPolicy
) -> ErasurePlan:
    everything = list(RecordGroup)
    if any(d.legal_hold for d in dossiers):
        return ErasurePlan([GroupDecision(g, False, Basis.LEGAL_HOLD) for g in everything])
    if any(d.open for d in dossiers):
        kept = [GroupDecision(g, False, Basis.CONTRACT) for g in everything[:-1]]
        return ErasurePlan([*kept, GroupDecision(RecordGroup.CORRESPONDENCE, True)])
    closures = [d.closed_at for d in dossiers if d.closed_at is not None]
    if not closures:
        return ErasurePlan([GroupDecision(g, True) for g in everything])
    history_until = history_expiry(max(closures), policy)
    documents_until = documents_expiry(max(closures), policy)
    history_kept = history_until > now
    decisions = [
        _kept_until(RecordGroup.ACCOUNT, history_kept, Basis.WITH_HISTORY, history_until),
        _kept_until(RecordGroup.FINANCIAL, history_kept, Basis.HISTORY, history_until),
        _kept_until(RecordGroup.NEGOTIATION_HISTORY, history_kept, Basis.HISTORY, history_until),
        _kept_until(RecordGroup.DOCUMENTS, documents_until > now, Basis.CLAIMS, documents_until),
        GroupDecision(RecordGroup.CORRESPONDENCE, True),
    ]
    return ErasurePlan(decisions)


def _kept_until(group: RecordGroup, kept: bool, basis: Basis, until: datetime) -> GroupDecision:
    return GroupDecision(group, False, basis, until) if kept else GroupDecision(group, True)
