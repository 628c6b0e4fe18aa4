"""The offer and reply forms of a negotiation, checked field by field. Pure.

Forms arrive as typed text; each refusal names its field with a French message, so the page can
put it next to the field and keep what was typed. `today` is the Paris date of the request.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal
from typing import TypeVar

from domain.budget.amounts import euros, parse_amount, parse_date
from domain.credentials import credential_message, looks_like_credential
from domain.errors import InvalidInput
from domain.input_fields import refused_character, whole_number
from domain.negotiation.sharing import ShareCategory
from domain.negotiation.states import OfferType, ReplyKind

# The share of the balance is not typed: it is computed from the total and the balance of the
# debts concerned (see `balance_share`), so it cannot contradict them.
OFFER_FIELDS = (
    "offer_type",
    "amount",
    "instalments",
    "instalment_amount",
    "first_due_date",
    "valid_until",
)
REPLY_FIELDS = ("kind", "received_on", "channel", "terms")
# The counter-offer's fields on the reply form carry this prefix ("counter_amount"...).
COUNTER_PREFIX = "counter_"
MAX_INSTALMENTS = 120
MAX_VALIDITY = timedelta(days=366)
MAX_TERMS = 2000

# How a creditor's reply reached us.
REPLY_CHANNEL_LABELS_FR: dict[str, str] = {
    "email": "E-mail",
    "post": "Courrier postal",
    "phone": "Téléphone",
}

VALIDITY_PASSED = "La date de validité de l'offre est déjà passée."
VALIDITY_TODAY = (
    "L'offre doit rester valable au moins jusqu'à demain : le créancier doit avoir le temps "
    "de répondre."
)
VALIDITY_TOO_FAR = "La date de validité ne peut pas dépasser un an."
CHOOSE_TYPE = "Choisissez le type d'offre."
AMOUNT_REQUIRED = "Indiquez le montant total de l'offre."
AMOUNT_POSITIVE = "Le montant doit être supérieur à zéro."
PLAN_AMOUNT_REQUIRED = "Indiquez le montant total que couvrent les échéances."
INSTALMENTS_REQUIRED = "Indiquez le nombre d'échéances du plan."
INSTALMENTS_RANGE = f"Le nombre d'échéances va de 1 à {MAX_INSTALMENTS}."
INSTALMENT_AMOUNT_REQUIRED = "Indiquez le montant de chaque échéance."
# A plan is consistent when (n − 1) × échéance < total ≤ n × échéance: the last instalment
# may be smaller, never larger nor missing (QA: "37 × 27,22 €" had gone out as a 980 € offer).
INSTALMENTS_SHORT = "Les échéances ne couvrent pas le « Montant total »"
INSTALMENTS_TOO_MANY = "Trop d'échéances pour le « Montant total »"
INSTALMENT_TOO_LARGE = (
    "Le « Montant de chaque échéance » ne peut pas dépasser le « Montant total » de l'offre."
)
FIRST_DUE_REQUIRED = "Indiquez la date de la première échéance."
FIRST_DUE_PASSED = "La première échéance ne peut pas être déjà passée."
DATE_REQUIRED = "Indiquez la date de validité de l'offre."
CHOOSE_REPLY = "Choisissez le type de réponse du créancier."
RECEIVED_REQUIRED = "Indiquez la date de réception de la réponse."
RECEIVED_FUTURE = "La date de réception ne peut pas être dans le futur."
CHOOSE_CHANNEL = "Indiquez comment la réponse est arrivée."
CHOOSE_REQUESTED = "Cochez les informations que le créancier demande."
TERMS_TOO_LONG = f"{MAX_TERMS} caractères au maximum."
CHOOSE_DOCUMENTS = "Cochez les pièces que le créancier demande, une par une."
PAID_ON_REQUIRED = "Indiquez la date du paiement."
PAID_ON_FUTURE = "La date du paiement ne peut pas être dans le futur."

# Offers that state a sum: what is repaid (a plan) or what remains due (a remission).
AMOUNT_NEEDED = frozenset({OfferType.PAYMENT_PLAN, OfferType.REMISSION})


@dataclass(frozen=True)
class OfferTerms:
    offer_type: OfferType
    amount: Decimal | None
    # Percent of the balance of the debts concerned, computed (balance_share), never typed.
    balance_share: Decimal | None
    instalments: int | None
    instalment_amount: Decimal | None
    first_due_date: date | None
    valid_until: date


@dataclass(frozen=True)
class ReplyTerms:
    kind: ReplyKind
    received_on: date
    channel: str
    terms: str | None
    requested_categories: tuple[ShareCategory, ...]
    counter_offer: OfferTerms | None
    # The dossier's documents the creditor asks for, one by one (information requests).
    requested_document_ids: tuple[str, ...] = ()


def parse_offer(
    form: Mapping[str, str],
    *,
    today: date,
    ours: bool = True,
    prefix: str = "",
    balance: Decimal | None = None,
) -> OfferTerms:
    """Our offer (valid at least until tomorrow) or the creditor's counter-offer (until today
    at least). InvalidInput keyed by `prefix` + field name. `balance`: the claims of the debts
    concerned in the approved budget; the share of the balance is computed from it."""
    errors: dict[str, str] = {}

    def text(name: str) -> str:
        return (form.get(prefix + name) or "").strip()

    def fail(name: str, message: str) -> None:
        errors.setdefault(prefix + name, message)

    offer_type = _enum(OfferType, text("offer_type"))
    if offer_type is None:
        fail("offer_type", CHOOSE_TYPE)
    amount = _money(text("amount"), lambda m: fail("amount", m))
    if amount is not None and amount <= 0:
        fail("amount", AMOUNT_POSITIVE)
    if amount is None and offer_type in AMOUNT_NEEDED and (prefix + "amount") not in errors:
        fail("amount", AMOUNT_REQUIRED)
    instalments = _count(text("instalments"), lambda m: fail("instalments", m))
    if instalments is None and offer_type == OfferType.PAYMENT_PLAN:
        fail("instalments", INSTALMENTS_REQUIRED)
    instalment_amount = _money(text("instalment_amount"), lambda m: fail("instalment_amount", m))
    if instalment_amount is not None and instalment_amount <= 0:
        fail("instalment_amount", AMOUNT_POSITIVE)
    first_due = _day(text("first_due_date"), lambda m: fail("first_due_date", m))
    plan = instalments is not None or offer_type == OfferType.PAYMENT_PLAN
    if plan:
        if instalment_amount is None:
            fail("instalment_amount", INSTALMENT_AMOUNT_REQUIRED)
        if first_due is None:
            fail("first_due_date", FIRST_DUE_REQUIRED)
        if amount is None and (prefix + "amount") not in errors:
            fail("amount", PLAN_AMOUNT_REQUIRED)
    if first_due is not None and first_due < today:
        fail("first_due_date", FIRST_DUE_PASSED)
    if amount and instalment_amount and instalments and amount > 0 and instalment_amount > 0:
        if instalment_amount > amount:
            fail("instalment_amount", INSTALMENT_TOO_LARGE)
        else:
            mismatch = plan_mismatch(amount, instalments, instalment_amount)
            if mismatch:
                fail("instalments", mismatch)
    valid_until = _day(text("valid_until"), lambda m: fail("valid_until", m))
    if valid_until is None:
        fail("valid_until", DATE_REQUIRED)
    elif valid_until < today:
        fail("valid_until", VALIDITY_PASSED)
    elif ours and valid_until == today:
        fail("valid_until", VALIDITY_TODAY)
    elif valid_until > today + MAX_VALIDITY:
        fail("valid_until", VALIDITY_TOO_FAR)
    if errors:
        raise InvalidInput(errors)
    assert offer_type is not None and valid_until is not None
    return OfferTerms(
        offer_type=offer_type,
        amount=amount,
        balance_share=balance_share(amount, balance),
        instalments=instalments,
        instalment_amount=instalment_amount,
        first_due_date=first_due,
        valid_until=valid_until,
    )


def parse_reply(
    form: Mapping[str, str],
    requested: Iterable[str],
    *,
    today: date,
    balance: Decimal | None = None,
    documents: Iterable[str] = (),
) -> ReplyTerms:
    """The reply form; a counter-offer's terms come with the `counter_` prefix. `documents`:
    the ids ticked in the information request's document picker (checked against the dossier
    when the consent is extended)."""
    errors: dict[str, str] = {}
    kind = _enum(ReplyKind, (form.get("kind") or "").strip())
    if kind is None:
        errors["kind"] = CHOOSE_REPLY
    received_text = (form.get("received_on") or "").strip()
    received = _day(received_text, lambda m: errors.setdefault("received_on", m))
    if received is None and "received_on" not in errors:
        errors["received_on"] = RECEIVED_REQUIRED
    elif received is not None and received > today:
        errors["received_on"] = RECEIVED_FUTURE
    channel = (form.get("channel") or "").strip()
    if channel not in REPLY_CHANNEL_LABELS_FR:
        errors["channel"] = CHOOSE_CHANNEL
    terms = "\n".join(line.rstrip() for line in (form.get("terms") or "").strip().splitlines())
    if len(terms) > MAX_TERMS:
        errors["terms"] = TERMS_TOO_LONG
    elif problem := refused_character(terms, multiline=True):
        errors["terms"] = problem
    elif looks_like_credential(terms):
        errors["terms"] = credential_message("Termes de la réponse")
    document_ids = tuple(dict.fromkeys(d for d in documents if d))
    wanted = set(requested) | ({ShareCategory.DOCUMENTS.value} if document_ids else set())
    categories = tuple(c for c in ShareCategory if c.value in wanted)
    if kind == ReplyKind.INFORMATION_REQUESTED:
        if not categories:
            errors["requested_categories"] = CHOOSE_REQUESTED
        elif ShareCategory.DOCUMENTS in categories and not document_ids:
            errors["document_ids"] = CHOOSE_DOCUMENTS
    counter: OfferTerms | None = None
    if kind == ReplyKind.COUNTER_OFFER:
        try:
            counter = parse_offer(
                form, today=today, ours=False, prefix=COUNTER_PREFIX, balance=balance
            )
        except InvalidInput as exc:
            errors.update(exc.errors)
    if errors:
        raise InvalidInput(errors)
    assert kind is not None and received is not None
    return ReplyTerms(
        kind=kind,
        received_on=received,
        channel=channel,
        terms=terms or None,
        requested_categories=categories if kind == ReplyKind.INFORMATION_REQUESTED else (),
        requested_document_ids=(document_ids if kind == ReplyKind.INFORMATION_REQUESTED else ()),
        counter_offer=counter,
    )


def parse_paid_on(value: str, *, today: date) -> date:
    """The day an instalment was paid: required, not after today (Paris). InvalidInput on
    `paid_on`."""
    errors: dict[str, str] = {}
    paid_on = _day(value.strip(), lambda m: errors.setdefault("paid_on", m))
    if paid_on is None and not errors:
        errors["paid_on"] = PAID_ON_REQUIRED
    elif paid_on is not None and paid_on > today:
        errors["paid_on"] = PAID_ON_FUTURE
    if errors:
        raise InvalidInput(errors)
    assert paid_on is not None
    return paid_on


def balance_share(amount: Decimal | None, balance: Decimal | None) -> Decimal | None:
    """The total as a percentage of the balance of the debts concerned, 2 decimals (None when
    either is unknown). Above 100 when a creditor asks more than the approved budget records."""
    if amount is None or balance is None or balance <= 0:
        return None
    return (amount * 100 / balance).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def instalments_needed(amount: Decimal, instalment_amount: Decimal) -> int:
    """How many instalments of that amount pay the total (the last one may be smaller)."""
    return int((amount / instalment_amount).to_integral_value(rounding=ROUND_CEILING))


def last_instalment(amount: Decimal, instalments: int, instalment_amount: Decimal) -> Decimal:
    """What the last instalment of a consistent plan pays (the whole amount but the others)."""
    return amount - instalment_amount * (instalments - 1)


def plan_mismatch(amount: Decimal, instalments: int, instalment_amount: Decimal) -> str | None:
    """Why n instalments of m do not make the total, naming the fields; None when
    (n − 1) × m < total ≤ n × m."""
    needed = instalments_needed(amount, instalment_amount)
    advice = (
        f"Avec des échéances de {euros(instalment_amount)}, il en faut {needed} (la dernière "
        "peut être plus petite) ; sinon corrigez le « Montant de chaque échéance » ou le "
        "« Montant total »."
        if needed <= MAX_INSTALMENTS
        else f"Même {MAX_INSTALMENTS} échéances de {euros(instalment_amount)} n'y suffiraient "
        "pas : augmentez le « Montant de chaque échéance » ou corrigez le « Montant total »."
    )
    if instalments * instalment_amount < amount:
        return (
            f"{INSTALMENTS_SHORT} : {instalments} × {euros(instalment_amount)} = "
            f"{euros(instalments * instalment_amount)} pour un total de {euros(amount)}. {advice}"
        )
    if (instalments - 1) * instalment_amount >= amount:
        return (
            f"{INSTALMENTS_TOO_MANY} : {instalments - 1} échéances de "
            f"{euros(instalment_amount)} font déjà {euros((instalments - 1) * instalment_amount)}"
            f" pour un total de {euros(amount)}. {advice}"
        )
    return None


# ----- field parsers: None for an empty field, `fail(message)` for a wrong one ---------------

Fail = Callable[[str], object]
E = TypeVar("E", OfferType, ReplyKind)


def _enum(enum: type[E], value: str) -> E | None:
    try:
        return enum(value)
    except ValueError:
        return None


def _money(value: str, fail: Fail) -> Decimal | None:
    if not value:
        return None
    try:
        return parse_amount(value)
    except ValueError as exc:
        fail(str(exc))
        return None


def _count(value: str, fail: Fail) -> int | None:
    if not value:
        return None
    count = whole_number(value, maximum=MAX_INSTALMENTS)
    if count is None or count < 1:
        fail(INSTALMENTS_RANGE)
        return None
    return count


def _day(value: str, fail: Fail) -> date | None:
    if not value:
        return None
    try:
        return parse_date(value)
    except ValueError as exc:
        fail(str(exc))
        return None
