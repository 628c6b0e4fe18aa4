"""What a message to a creditor carries: decided from the consent, built from loaded data.

Pure (no I/O): the activity loads and decrypts the client's data, then `plan_message` says which
categories and documents a message of a kind would carry and `build_message` keeps exactly
those, nothing else. The consent check itself is `consent_rules.consent_refusal` on the plan, so
what is checked is what is sent.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import TypeVar

from domain.negotiation.consent_rules import ConsentSnapshot, consent_refusal
from domain.negotiation.sharing import (
    MESSAGE_KIND_LABELS_FR,
    REQUIRED_CATEGORIES,
    MessageKind,
    ShareCategory,
)

_T = TypeVar("_T")


@dataclass(frozen=True)
class Identity:
    first_name: str
    last_name: str


@dataclass(frozen=True)
class Contact:
    address: str
    email: str
    phone: str


@dataclass(frozen=True)
class BudgetLine:
    label: str
    monthly_amount: Decimal


@dataclass(frozen=True)
class BudgetFacts:
    """The budget situation of the analysis the client approved."""

    on: date
    resources: tuple[BudgetLine, ...]
    charges: tuple[BudgetLine, ...]
    monthly_resources: Decimal
    monthly_charges: Decimal
    capacity: Decimal


@dataclass(frozen=True)
class DebtFacts:
    nature: str
    capital_outstanding: Decimal
    arrears: Decimal
    monthly_instalment: Decimal
    account_reference: str | None

    @property
    def claim(self) -> Decimal:
        return self.capital_outstanding + self.arrears


@dataclass(frozen=True)
class SharedDocument:
    id: str
    label: str


@dataclass(frozen=True)
class OfferTerms:
    """An offer as a message quotes it; amounts are None where the message names it only."""

    round: int
    made_by: str
    offer_type: str
    type_label: str
    valid_until: date
    amount: Decimal | None = None
    balance_share: Decimal | None = None
    instalments: int | None = None
    instalment_amount: Decimal | None = None
    first_due_date: date | None = None
    sent_at: datetime | None = None


# Messages that say which follow-up they are.
FOLLOW_UP_KINDS = frozenset({MessageKind.FOLLOW_UP, MessageKind.CONFIRMATION_REQUEST})


@dataclass(frozen=True)
class MessageSources:
    """What the activity loaded for one message: None / empty for what the plan does not need."""

    reference: str
    creditor_name: str
    identity: Identity | None = None
    contact: Contact | None = None
    budget: BudgetFacts | None = None
    debts: tuple[DebtFacts, ...] = ()
    documents: tuple[SharedDocument, ...] = ()
    offer: OfferTerms | None = None
    follow_up: int = 0


@dataclass(frozen=True)
class MessagePlan:
    kind: MessageKind
    # In ShareCategory order; the documents in the consent's order.
    categories: tuple[ShareCategory, ...]
    document_ids: tuple[str, ...]


@dataclass(frozen=True)
class CreditorMessageContent:
    """Everything one message says; a part is set only when its category is in `categories`."""

    kind: MessageKind
    kind_label: str
    reference: str
    creditor_name: str
    categories: tuple[ShareCategory, ...]
    identity: Identity | None
    contact: Contact | None
    budget: BudgetFacts | None
    debts: tuple[DebtFacts, ...]
    documents: tuple[SharedDocument, ...]
    offer: OfferTerms | None
    follow_up: int

    @property
    def document_ids(self) -> list[str]:
        return [d.id for d in self.documents]


def plan_message(
    kind: MessageKind,
    consented: Iterable[ShareCategory],
    consented_document_ids: Sequence[str] = (),
    *,
    requested: Iterable[ShareCategory] = (),
) -> MessagePlan:
    """The categories and documents a message of `kind` would carry.

    OFFER: what it cannot go without plus every consented category (the creditor sees the whole
    consented picture once). INFORMATION: what it cannot go without plus what the creditor asked
    for — consented or not: the check then refuses what the consent does not cover. Others: only
    what they cannot go without. MANDATE_END: nothing at all.
    """
    wanted = set(REQUIRED_CATEGORIES[kind])
    if kind == MessageKind.OFFER:
        wanted |= set(consented)
    elif kind == MessageKind.INFORMATION:
        wanted |= set(requested)
    categories = tuple(c for c in ShareCategory if c in wanted)
    documents = (
        tuple(dict.fromkeys(consented_document_ids))
        if ShareCategory.DOCUMENTS in categories
        else ()
    )
    return MessagePlan(kind=kind, categories=categories, document_ids=documents)


def plan_refusal(
    plan: MessagePlan, consent: ConsentSnapshot | None, *, now: datetime
) -> str | None:
    """Why the consent does not allow this message now (French), or None. The end of the
    mandate shares nothing, so it needs no consent."""
    if plan.kind == MessageKind.MANDATE_END:
        return None
    return consent_refusal(consent, plan.categories, plan.document_ids, now=now)


def build_message(plan: MessagePlan, sources: MessageSources) -> CreditorMessageContent:
    """The message of `plan` from `sources`: a category outside the plan is left out even when
    its data was loaded, and documents are the planned ones that still exist."""
    wanted = set(plan.categories)
    documents = tuple(d for d in sources.documents if d.id in set(plan.document_ids))
    categories = tuple(c for c in plan.categories if c != ShareCategory.DOCUMENTS or documents)
    return CreditorMessageContent(
        kind=plan.kind,
        kind_label=MESSAGE_KIND_LABELS_FR[plan.kind],
        reference=sources.reference,
        creditor_name=sources.creditor_name,
        categories=categories,
        identity=_required(sources.identity, ShareCategory.IDENTITY, wanted),
        contact=_required(sources.contact, ShareCategory.CONTACT, wanted),
        budget=_required(sources.budget, ShareCategory.BUDGET, wanted),
        debts=sources.debts if ShareCategory.DEBTS in wanted else (),
        documents=documents,
        offer=_offer_for(plan.kind, sources.offer),
        follow_up=sources.follow_up if plan.kind in FOLLOW_UP_KINDS else 0,
    )


def _required(value: _T | None, category: ShareCategory, wanted: set[ShareCategory]) -> _T | None:
    if category not in wanted:
        return None
    if value is None:
        raise ValueError(f"the message needs {category.value} but it was not loaded")
    return value


def _offer_for(kind: MessageKind, offer: OfferTerms | None) -> OfferTerms | None:
    """Our offer in full, an agreed offer in full (the agreement must be exact); a follow-up
    or a refusal names the offer (type, date) without its figures."""
    if offer is None or kind == MessageKind.MANDATE_END:
        return None
    if kind in (
        MessageKind.OFFER,
        MessageKind.COUNTER_ACCEPTANCE,
        MessageKind.CONFIRMATION_REQUEST,
    ):
        return offer
    if kind in (MessageKind.FOLLOW_UP, MessageKind.COUNTER_REFUSAL):
        return dataclasses.replace(
            offer,
            amount=None,
            balance_share=None,
            instalments=None,
            instalment_amount=None,
            first_due_date=None,
        )
    return None
