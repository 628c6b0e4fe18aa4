"""The offer and reply forms of a negotiation: one French message per wrong field."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from cravelynos.domain.errors import InvalidInput
from cravelynos.domain.negotiation import offer_terms as terms
from cravelynos.domain.negotiation.sharing import ShareCategory
from cravelynos.domain.negotiation.states import OfferType, ReplyKind

TODAY = date(2026, 11, 26)


def plan(**overrides: str) -> dict[str, str]:
    form = {
        "offer_type": "payment_plan",
        "amount": "1 200,00",
        "balance_share": "62,5",
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


def test_a_payment_plan_reads_as_typed() -> None:
    offer = terms.parse_offer(plan(), today=TODAY)
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
        ({"balance_share": "100,01"}, "balance_share", terms.SHARE_RANGE),
        ({"balance_share": "-1"}, "balance_share", terms.SHARE_RANGE),
        ({"instalments": "0"}, "instalments", terms.INSTALMENTS_RANGE),
        ({"instalments": "121"}, "instalments", terms.INSTALMENTS_RANGE),
        ({"instalments": ""}, "instalments", terms.INSTALMENTS_REQUIRED),
        ({"instalment_amount": ""}, "instalment_amount", terms.INSTALMENT_AMOUNT_REQUIRED),
        ({"instalment_amount": "90"}, "instalment_amount", terms.INSTALMENTS_SHORT),
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
