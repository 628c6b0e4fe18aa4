"""The offer and reply forms of a negotiation: one French message per wrong field."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from domain.errors import InvalidInput
from domain.negotiation import offer_terms as terms
from domain.negotiation.sharing import ShareCategory
from domain.negotiation.states import OfferType, ReplyKind

TODAY = date(2026, 11, 26)


def plan(**overrides: str) -> dict[str, str]:
    form = {
        "offer_type": "payment_plan",
        "amount": "1 200,00",
        "instalments": "12",
        "instalment_amount": "100",
        "first_due_date": "01/01/2027",
        "valid_until": "2026-12-26",
    }
    form.update(overrides)
    return form


def errors_of(form: dict[str, str], **kwargs: object) -> dict[str, str]:
    with pytest.raises(InvalidInput) as refused:
        terms.parse_offer(form, today=TODAY, **kwargs)  # type: ignore[arg-type]
    return refused.value.errors


def test_a_payment_plan_reads_as_typed_with_its_share_computed() -> None:
    offer = terms.parse_offer(plan(), today=TODAY, balance=Decimal("1920.00"))
    assert offer == terms.OfferTerms(
        offer_type=OfferType.PAYMENT_PLAN,
        amount=Decimal("1200.00"),
        balance_share=Decimal("62.50"),
        instalments=12,
        instalment_amount=Decimal("100.00"),
        first_due_date=date(2027, 1, 1),
        valid_until=date(2026, 12, 26),
    )


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"valid_until": "25/11/2026"}, "valid_until", terms.VALIDITY_PASSED),
        ({"valid_until": "26/11/2026"}, "valid_until", terms.VALIDITY_TODAY),
        ({"valid_until": "01/01/2028"}, "valid_until", terms.VALIDITY_TOO_FAR),
        ({"valid_until": ""}, "valid_until", terms.DATE_REQUIRED),
        ({"valid_until": "demain"}, "valid_until", "Date attendue"),
        ({"offer_type": "gift"}, "offer_type", terms.CHOOSE_TYPE),
        ({"amount": ""}, "amount", terms.AMOUNT_REQUIRED),
        ({"amount": "0"}, "amount", terms.AMOUNT_POSITIVE),
        ({"amount": "12,345"}, "amount", "Deux décimales"),
        ({"instalments": "0"}, "instalments", terms.INSTALMENTS_RANGE),
        ({"instalments": "121"}, "instalments", terms.INSTALMENTS_RANGE),
        ({"instalments": ""}, "instalments", terms.INSTALMENTS_REQUIRED),
        ({"instalment_amount": ""}, "instalment_amount", terms.INSTALMENT_AMOUNT_REQUIRED),
        ({"instalment_amount": "90"}, "instalments", terms.INSTALMENTS_SHORT),
        ({"instalment_amount": "110"}, "instalments", terms.INSTALMENTS_TOO_MANY),
        ({"instalments": "1"}, "instalments", terms.INSTALMENTS_SHORT),
        ({"instalment_amount": "1300"}, "instalment_amount", terms.INSTALMENT_TOO_LARGE),
        ({"first_due_date": ""}, "first_due_date", terms.FIRST_DUE_REQUIRED),
        ({"first_due_date": "25/11/2026"}, "first_due_date", terms.FIRST_DUE_PASSED),
    ],
)
def test_each_wrong_field_gets_its_message(
    overrides: dict[str, str], field: str, message: str
) -> None:
    errors = errors_of(plan(**overrides))
    assert message in errors[field]


def test_a_fee_waiver_needs_neither_amount_nor_instalments() -> None:
    offer = terms.parse_offer(
        {"offer_type": "fee_waiver", "valid_until": "10/12/2026"}, today=TODAY
    )
    assert (offer.amount, offer.instalments, offer.first_due_date) == (None, None, None)


def test_a_counter_offer_may_expire_today_and_its_errors_carry_the_prefix() -> None:
    form = {f"counter_{k}": v for k, v in plan(valid_until="26/11/2026").items()}
    assert terms.parse_offer(form, today=TODAY, ours=False, prefix="counter_").valid_until == TODAY
    form["counter_valid_until"] = "25/11/2026"
    assert errors_of(form, ours=False, prefix="counter_") == {
        "counter_valid_until": terms.VALIDITY_PASSED
    }


def test_a_reply_names_what_it_needs() -> None:
    base = {"kind": "information_requested", "received_on": "26/11/2026", "channel": "post"}
    with pytest.raises(InvalidInput) as refused:
        terms.parse_reply(base, [], today=TODAY)
    assert refused.value.errors == {"requested_categories": terms.CHOOSE_REQUESTED}
    reply = terms.parse_reply(base, ["budget", "nonsense"], today=TODAY)
    assert reply.requested_categories == (ShareCategory.BUDGET,)
    with pytest.raises(InvalidInput) as refused:
        terms.parse_reply(
            {"kind": "", "received_on": "27/11/2026", "channel": "fax", "terms": "mdp : 1234"},
            [],
            today=TODAY,
        )
    assert set(refused.value.errors) == {"kind", "received_on", "channel", "terms"}
    assert refused.value.errors["received_on"] == terms.RECEIVED_FUTURE


def test_a_counter_offer_reply_carries_its_terms() -> None:
    form = {
        "kind": "counter_offer",
        "received_on": "25/11/2026",
        "channel": "email",
        **{f"counter_{k}": v for k, v in plan().items()},
    }
    reply = terms.parse_reply(form, ["budget"], today=TODAY)
    assert reply.kind == ReplyKind.COUNTER_OFFER and reply.requested_categories == ()
    assert reply.counter_offer is not None and reply.counter_offer.instalments == 12
    form["counter_amount"] = ""
    with pytest.raises(InvalidInput) as refused:
        terms.parse_reply(form, [], today=TODAY)
    assert refused.value.errors == {"counter_amount": terms.AMOUNT_REQUIRED}


# ----- fix 1: figures that cannot contradict each other --------------------------------------


@pytest.mark.parametrize(
    ("amount", "count", "each"),
    [
        ("1 200,00", "12", "100"),  # exact
        ("980,00", "37", "27,22"),  # 36 × 27,22 = 979,92: the 37th pays 0,08 €
        ("1 240,00", "6", "239,70"),  # the 6th pays 41,50 €
        ("100,00", "1", "100"),
    ],
)
def test_a_plan_whose_last_instalment_is_smaller_is_consistent(
    amount: str, count: str, each: str
) -> None:
    offer = terms.parse_offer(
        plan(amount=amount, instalments=count, instalment_amount=each), today=TODAY
    )
    assert offer.instalments == int(count)


@pytest.mark.parametrize(
    ("amount", "count", "each", "start"),
    [
        # QA: 1 240 € in 6 × 239,70 € would have made 1 438,20 € with a full 6th instalment;
        # 7 × 239,70 € is one instalment too many.
        ("1 240,00", "7", "239,70", terms.INSTALMENTS_TOO_MANY),
        ("1 007,15", "37", "27,22", terms.INSTALMENTS_SHORT),
        ("980,00", "38", "27,22", terms.INSTALMENTS_TOO_MANY),
        ("1 200,00", "11", "100", terms.INSTALMENTS_SHORT),
        ("1 200,00", "13", "100", terms.INSTALMENTS_TOO_MANY),
    ],
)
def test_a_plan_must_make_its_total_with_a_message_naming_the_fields(
    amount: str, count: str, each: str, start: str
) -> None:
    errors = errors_of(plan(amount=amount, instalments=count, instalment_amount=each))
    assert list(errors) == ["instalments"]
    message = errors["instalments"]
    assert message.startswith(start)
    assert "« Montant total »" in message and "« Montant de chaque échéance »" in message
    assert "la dernière peut être plus petite" in message


def test_the_plan_message_says_how_many_instalments_it_takes() -> None:
    message = errors_of(plan(amount="1 240,00", instalments="7", instalment_amount="239,70"))
    assert "6 échéances de 239,70\u00a0€ font déjà 1\u202f438,20\u00a0€" in message["instalments"]
    assert "il en faut 6" in message["instalments"]
    short = errors_of(plan(amount="100 000", instalments="12", instalment_amount="10"))
    assert "Même 120 échéances" in short["instalments"]


def test_a_plan_needs_its_total() -> None:
    errors = errors_of(plan(offer_type="moratorium", amount=""))
    assert errors == {"amount": terms.PLAN_AMOUNT_REQUIRED}


def test_the_share_of_the_balance_is_computed_never_typed() -> None:
    # A typed share is ignored: QA had "100 %" typed for a 600 € total on a 1 240 € balance.
    form = plan(amount="600", instalments="6", instalment_amount="100", balance_share="100")
    offer = terms.parse_offer(form, today=TODAY, balance=Decimal("1240.00"))
    assert offer.balance_share == Decimal("48.39")
    assert terms.parse_offer(form, today=TODAY).balance_share is None  # no approved balance
    waiver = terms.parse_offer(
        {"offer_type": "fee_waiver", "valid_until": "10/12/2026"},
        today=TODAY,
        balance=Decimal("1240.00"),
    )
    assert waiver.balance_share is None
    assert "balance_share" not in terms.OFFER_FIELDS


def test_a_counter_offer_is_checked_the_same_way() -> None:
    form = {
        "kind": "counter_offer",
        "received_on": "25/11/2026",
        "channel": "email",
        **{
            f"counter_{k}": v
            for k, v in plan(instalments="6", instalment_amount="239,70", amount="1 240,00").items()
        },
    }
    reply = terms.parse_reply(form, [], today=TODAY, balance=Decimal("1240.00"))
    assert reply.counter_offer is not None
    assert reply.counter_offer.balance_share == Decimal("100.00")
    form["counter_instalments"] = "7"
    with pytest.raises(InvalidInput) as refused:
        terms.parse_reply(form, [], today=TODAY)
    assert list(refused.value.errors) == ["counter_instalments"]
    assert refused.value.errors["counter_instalments"].startswith(terms.INSTALMENTS_TOO_MANY)


# ----- fix 2: documents asked by the creditor, one by one ------------------------------------


def test_an_information_request_for_documents_names_them() -> None:
    base = {"kind": "information_requested", "received_on": "26/11/2026", "channel": "post"}
    with pytest.raises(InvalidInput) as refused:
        terms.parse_reply(base, ["documents"], today=TODAY)
    assert refused.value.errors == {"document_ids": terms.CHOOSE_DOCUMENTS}
    reply = terms.parse_reply(base, ["budget"], today=TODAY, documents=["d1", "d2", "d1"])
    # Choosing documents implies the documents category.
    assert reply.requested_categories == (ShareCategory.BUDGET, ShareCategory.DOCUMENTS)
    assert reply.requested_document_ids == ("d1", "d2")
    refused_reply = terms.parse_reply(
        {**base, "kind": "refused"}, ["budget"], today=TODAY, documents=["d1"]
    )
    assert refused_reply.requested_document_ids == ()


# ----- fix 5: the day an instalment was paid --------------------------------------------------


def test_the_payment_date_is_required_and_not_in_the_future() -> None:
    assert terms.parse_paid_on("26/11/2026", today=TODAY) == TODAY
    assert terms.parse_paid_on(" 2026-11-02 ", today=TODAY) == date(2026, 11, 2)
    for value, message in (
        ("", terms.PAID_ON_REQUIRED),
        ("27/11/2026", terms.PAID_ON_FUTURE),
        ("hier", "Date attendue"),
    ):
        with pytest.raises(InvalidInput) as refused:
            terms.parse_paid_on(value, today=TODAY)
        assert message in refused.value.errors["paid_on"]
