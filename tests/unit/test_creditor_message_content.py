"""What a message to a creditor carries: exactly the consented categories, never more."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from domain.negotiation.consent_rules import ConsentSnapshot, ConsentStatus
from domain.negotiation.message_content import (
    BudgetFacts,
    BudgetLine,
    Contact,
    CreditorMessageContent,
    DebtFacts,
    Identity,
    MessageSources,
    OfferTerms,
    SharedDocument,
    build_message,
    plan_message,
    plan_refusal,
)
from domain.negotiation.sharing import MessageKind, ShareCategory

NOW = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)
ALL = frozenset(ShareCategory)

# Everything the activity could load: a message must leave out what its plan does not name.
SOURCES = MessageSources(
    reference="D-2026-0042-C1",
    creditor_name="Banque Exemple 1",
    identity=Identity("Jeanne", "Dupont"),
    contact=Contact("12 rue des Lilas, 75011 Paris", "jeanne@example.org", "06 12 34 56 78"),
    budget=BudgetFacts(
        on=date(2026, 6, 2),
        resources=(BudgetLine("Salaire", Decimal("1873.40")),),
        charges=(BudgetLine("Loyer", Decimal("612.35")),),
        monthly_resources=Decimal("1873.40"),
        monthly_charges=Decimal("612.35"),
        capacity=Decimal("187.29"),
    ),
    debts=(
        DebtFacts(
            "Crédit à la consommation", Decimal("8457.91"), Decimal("0"), Decimal("243.17"), "CPT-1"
        ),
    ),
    documents=(SharedDocument("doc-id", "Pièce d'identité"), SharedDocument("doc-inc", "Revenus")),
    offer=OfferTerms(
        round=1,
        made_by="us",
        offer_type="payment_plan",
        type_label="Échéancier de remboursement",
        valid_until=date(2026, 12, 31),
        amount=Decimal("1200.00"),
        instalments=12,
        instalment_amount=Decimal("100.00"),
        first_due_date=date(2027, 1, 10),
        sent_at=NOW,
    ),
    follow_up=1,
)


def given(*categories: ShareCategory, documents: tuple[str, ...] = ()) -> ConsentSnapshot:
    return ConsentSnapshot(ConsentStatus.GIVEN, frozenset(categories), frozenset(documents))


def compose(
    kind: MessageKind,
    consent: ConsentSnapshot,
    documents: tuple[str, ...] = (),
    requested: tuple[ShareCategory, ...] = (),
) -> CreditorMessageContent:
    plan = plan_message(kind, consent.categories, documents, requested=requested)
    assert plan_refusal(plan, consent, now=NOW) is None
    return build_message(plan, SOURCES)


def parts(content: CreditorMessageContent) -> set[ShareCategory]:
    """The categories whose data the built message actually holds."""
    present = {
        ShareCategory.IDENTITY: content.identity is not None,
        ShareCategory.CONTACT: content.contact is not None,
        ShareCategory.BUDGET: content.budget is not None,
        ShareCategory.DEBTS: bool(content.debts),
        ShareCategory.DOCUMENTS: bool(content.documents),
    }
    return {category for category, there in present.items() if there}


@pytest.mark.parametrize(
    "consented",
    [
        {ShareCategory.IDENTITY, ShareCategory.DEBTS},
        {ShareCategory.IDENTITY, ShareCategory.DEBTS, ShareCategory.CONTACT},
        {ShareCategory.IDENTITY, ShareCategory.DEBTS, ShareCategory.BUDGET},
        set(ALL),
    ],
)
def test_an_offer_carries_every_consented_category_and_nothing_else(
    consented: set[ShareCategory],
) -> None:
    documents = ("doc-id",) if ShareCategory.DOCUMENTS in consented else ()
    content = compose(MessageKind.OFFER, given(*consented, documents=documents), documents)
    assert set(content.categories) == consented
    assert parts(content) == consented
    assert content.document_ids == list(documents)
    # Our offer is quoted in full.
    assert content.offer is not None and content.offer.amount == Decimal("1200.00")


def test_a_category_removed_from_the_consent_disappears_from_the_message() -> None:
    full = compose(
        MessageKind.OFFER, given(*ALL, documents=("doc-id", "doc-inc")), ("doc-id", "doc-inc")
    )
    assert full.budget is not None and full.contact is not None
    narrower = given(
        ShareCategory.IDENTITY, ShareCategory.DEBTS, ShareCategory.DOCUMENTS, documents=("doc-inc",)
    )
    reduced = compose(MessageKind.OFFER, narrower, ("doc-inc",))
    assert reduced.budget is None and reduced.contact is None
    assert set(reduced.categories) == {
        ShareCategory.IDENTITY,
        ShareCategory.DEBTS,
        ShareCategory.DOCUMENTS,
    }
    assert reduced.document_ids == ["doc-inc"]


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        (MessageKind.FOLLOW_UP, {ShareCategory.IDENTITY}),
        (MessageKind.COUNTER_REFUSAL, {ShareCategory.IDENTITY}),
        (MessageKind.COUNTER_ACCEPTANCE, {ShareCategory.IDENTITY, ShareCategory.DEBTS}),
        (MessageKind.CONFIRMATION_REQUEST, {ShareCategory.IDENTITY, ShareCategory.DEBTS}),
    ],
)
def test_other_messages_carry_only_what_they_need_even_under_a_wide_consent(
    kind: MessageKind, expected: set[ShareCategory]
) -> None:
    content = compose(kind, given(*ALL, documents=("doc-id",)), ("doc-id",))
    assert set(content.categories) == expected
    assert parts(content) == expected


def test_a_follow_up_names_our_offer_without_its_figures() -> None:
    content = compose(MessageKind.FOLLOW_UP, given(ShareCategory.IDENTITY, ShareCategory.DEBTS))
    assert content.offer is not None and content.offer.sent_at == NOW
    assert content.offer.amount is None and content.offer.instalment_amount is None
    assert content.follow_up == 1


def test_a_confirmation_request_restates_the_agreed_terms_and_counts_its_follow_ups() -> None:
    content = compose(
        MessageKind.CONFIRMATION_REQUEST, given(ShareCategory.IDENTITY, ShareCategory.DEBTS)
    )
    assert content.offer == SOURCES.offer  # The figures in full: the agreement must be exact.
    assert content.follow_up == 1
    assert content.kind_label == "Relance pour la confirmation écrite de l'accord"


def test_information_carries_exactly_the_requested_categories() -> None:
    consent = given(*ALL, documents=("doc-id", "doc-inc"))
    content = compose(
        MessageKind.INFORMATION, consent, ("doc-id", "doc-inc"), requested=(ShareCategory.BUDGET,)
    )
    assert set(content.categories) == {ShareCategory.IDENTITY, ShareCategory.BUDGET}
    assert parts(content) == {ShareCategory.IDENTITY, ShareCategory.BUDGET}


def test_information_asking_for_an_unconsented_category_is_refused() -> None:
    consent = given(ShareCategory.IDENTITY, ShareCategory.DEBTS)
    plan = plan_message(
        MessageKind.INFORMATION, consent.categories, requested=(ShareCategory.BUDGET,)
    )
    refusal = plan_refusal(plan, consent, now=NOW)
    assert refusal is not None and "Situation budgétaire" in refusal


@pytest.mark.parametrize(
    "status", [ConsentStatus.REVOKED, ConsentStatus.REFUSED, ConsentStatus.PENDING]
)
def test_nothing_is_allowed_without_a_given_consent(status: ConsentStatus) -> None:
    consent = ConsentSnapshot(status, ALL)
    for kind in (MessageKind.OFFER, MessageKind.FOLLOW_UP, MessageKind.COUNTER_ACCEPTANCE):
        plan = plan_message(kind, consent.categories)
        assert plan_refusal(plan, consent, now=NOW) is not None
    assert plan_refusal(plan_message(MessageKind.OFFER, ()), None, now=NOW) is not None


def test_an_expired_consent_allows_nothing() -> None:
    consent = ConsentSnapshot(ConsentStatus.GIVEN, ALL, expires_at=NOW - timedelta(minutes=1))
    plan = plan_message(MessageKind.FOLLOW_UP, consent.categories)
    assert (
        plan_refusal(plan, consent, now=NOW)
        == "Le consentement du client pour ce créancier a expiré."
    )


def test_an_offer_needs_identity_and_debts_in_the_consent() -> None:
    consent = given(ShareCategory.IDENTITY, ShareCategory.CONTACT)
    plan = plan_message(MessageKind.OFFER, consent.categories)
    refusal = plan_refusal(plan, consent, now=NOW)
    assert refusal is not None and "Dettes concernées" in refusal


def test_a_document_outside_the_consent_is_never_planned() -> None:
    consent = given(*ALL, documents=("doc-id",))
    plan = plan_message(MessageKind.OFFER, consent.categories, ("doc-id",))
    assert plan.document_ids == ("doc-id",)
    assert [d.id for d in build_message(plan, SOURCES).documents] == ["doc-id"]


def test_the_end_of_the_mandate_has_no_personal_data_and_needs_no_consent() -> None:
    revoked = ConsentSnapshot(ConsentStatus.REVOKED, ALL, frozenset({"doc-id"}))
    plan = plan_message(MessageKind.MANDATE_END, ())
    assert plan.categories == () and plan.document_ids == ()
    assert plan_refusal(plan, revoked, now=NOW) is None
    content = build_message(plan, SOURCES)
    assert content.categories == () and parts(content) == set()
    assert content.offer is None and content.follow_up == 0
    assert content.reference == "D-2026-0042-C1"
