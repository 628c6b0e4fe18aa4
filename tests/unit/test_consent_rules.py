"""Consent checks and the versioned consent text: what may leave the company, and when."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from domain.negotiation.consent_rules import (
    ConsentPurpose,
    ConsentSnapshot,
    ConsentStatus,
    consent_refusal,
)
from domain.negotiation.consent_text import (
    CONSENT_TEXT_VERSION,
    consent_text,
    text_digest,
)
from domain.negotiation.sharing import (
    REQUIRED_CATEGORIES,
    SHARE_CATEGORY_LABELS_FR,
    MessageKind,
    ShareCategory,
)

NOW = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)
IDENTITY_AND_DEBTS = frozenset({ShareCategory.IDENTITY, ShareCategory.DEBTS})


def given(
    categories: frozenset[ShareCategory] = IDENTITY_AND_DEBTS, **kwargs: object
) -> ConsentSnapshot:
    return ConsentSnapshot(status=ConsentStatus.GIVEN, categories=categories, **kwargs)  # type: ignore[arg-type]


def test_a_given_consent_allows_what_it_names() -> None:
    assert consent_refusal(given(), REQUIRED_CATEGORIES[MessageKind.OFFER], now=NOW) is None


@pytest.mark.parametrize(
    ("consent", "reason"),
    [
        (None, "pas encore donné"),
        (ConsentSnapshot(ConsentStatus.PENDING, IDENTITY_AND_DEBTS), "pas encore donné"),
        (ConsentSnapshot(ConsentStatus.REFUSED, IDENTITY_AND_DEBTS), "refusé"),
        (ConsentSnapshot(ConsentStatus.REVOKED, IDENTITY_AND_DEBTS), "retiré"),
        (ConsentSnapshot(ConsentStatus.SUPERSEDED, IDENTITY_AND_DEBTS), "remplacé"),
    ],
)
def test_no_given_consent_shares_nothing(consent: ConsentSnapshot | None, reason: str) -> None:
    refusal = consent_refusal(consent, [ShareCategory.IDENTITY], now=NOW)
    assert refusal is not None and reason in refusal


def test_a_category_outside_the_consent_is_named_in_the_refusal() -> None:
    refusal = consent_refusal(given(), [ShareCategory.IDENTITY, ShareCategory.BUDGET], now=NOW)
    assert refusal == "Le consentement du client ne couvre pas : Situation budgétaire."


def test_only_documents_chosen_one_by_one_may_leave() -> None:
    consent = given(
        frozenset({ShareCategory.IDENTITY, ShareCategory.DOCUMENTS}),
        document_ids=frozenset({"doc-a"}),
    )
    assert consent_refusal(consent, [ShareCategory.DOCUMENTS], ["doc-a"], now=NOW) is None
    refusal = consent_refusal(consent, [ShareCategory.DOCUMENTS], ["doc-a", "doc-b"], now=NOW)
    assert refusal is not None and "1 pièce ne figure pas" in refusal


def test_an_expired_consent_stops_at_its_expiry() -> None:
    consent = given(expires_at=NOW + timedelta(hours=1))
    assert consent_refusal(consent, [ShareCategory.IDENTITY], now=NOW) is None
    late = consent_refusal(consent, [ShareCategory.IDENTITY], now=NOW + timedelta(hours=1))
    assert late is not None and "expiré" in late


def test_the_end_of_mandate_needs_no_consent_and_every_other_message_does() -> None:
    assert REQUIRED_CATEGORIES[MessageKind.MANDATE_END] == frozenset()
    for kind in MessageKind:
        if kind != MessageKind.MANDATE_END:
            assert ShareCategory.IDENTITY in REQUIRED_CATEGORIES[kind], kind


def test_the_consent_text_names_the_creditor_each_category_and_each_document() -> None:
    text = consent_text(
        creditor_name="Banque Exemple",
        categories=[ShareCategory.DEBTS, ShareCategory.IDENTITY, ShareCategory.DOCUMENTS],
        document_labels=["Pièce d'identité (document reçu le 3 novembre 2026)"],
        purpose=ConsentPurpose.DEBT_NEGOTIATION,
        expires_on="26 mai 2027",
    )
    assert "transmettre à Banque Exemple, et à lui seul" in text
    # Categories in a fixed order whatever the order chosen, so one choice gives one text.
    assert text.index("Mon identité") < text.index("Les dettes concernées")
    assert "Pièce d'identité (document reçu le 3 novembre 2026)" in text
    assert "Mes coordonnées" not in text and "situation budgétaire" not in text
    assert "retirer ce consentement à tout moment" in text
    assert "valable jusqu'au 26 mai 2027" in text
    assert CONSENT_TEXT_VERSION.endswith("v1")
    assert len(text_digest(text)) == 64 and text_digest(text) != text_digest(text + " ")


def test_the_consent_text_speaks_in_the_clients_own_voice() -> None:
    """ "J'autorise … me concernant :" is followed by "Mon identité", never "Votre identité"."""
    text = consent_text(
        creditor_name="Banque Exemple",
        categories=list(ShareCategory),
        document_labels=["Pièce d'identité", "Dernier avis d'imposition"],
        purpose=ConsentPurpose.DEBT_NEGOTIATION,
        expires_on=None,
    )
    lines = text.splitlines()
    assert lines[1:8] == [
        "- Mon identité (nom et prénom)",
        "- Mes coordonnées (adresse postale, e-mail, téléphone)",
        "- Ma situation budgétaire (ressources, charges, capacité de remboursement)",
        "- Les dettes concernées auprès de ce créancier (montants, références)",
        "- Les pièces justificatives suivantes :",
        "    • Pièce d'identité",
        "    • Dernier avis d'imposition",
    ]
    for second_person in ("Votre", "Vos ", "vous"):
        assert second_person not in text


def test_the_clients_labels_point_at_nothing_that_is_not_there() -> None:
    """The labels shown to the client in tables, emails and the receipt stand alone: nothing
    is "ci-dessous" in a ledger row or an email."""
    for label in SHARE_CATEGORY_LABELS_FR.values():
        assert "ci-dessous" not in label and "ci-dessus" not in label
