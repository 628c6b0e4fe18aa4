"""No client personal data reaches Temporal through a creditor negotiation either.

A negotiation runs on the dev server with its real worker: consent, an offer with amounts, the
creditor's counter-offer, then the client withdraws consent. Everything the server holds about
the negotiation workflow is read back without a codec and searched for the client's personal
values and the offer's figures; decoded, the payloads hold opaque identifiers and codes only.
"""

from __future__ import annotations

import json
import re

import pytest
from support.db import in_db
from support.devserver import Stack, eventually
from support.negotiation import (
    draft_offer,
    give_consent,
    record_reply_row,
    seed_negotiations,
)
from support.pii_scan import find_pii, plain_client, read_exposure, spellings
from temporalio.testing import WorkflowEnvironment

from domain.negotiation.sharing import ShareCategory
from domain.negotiation.states import NegotiationState
from domain.workflow_ids import negotiation_workflow_id
from models.database import session_scope
from models.negotiation import Negotiation
from services.negotiations.consents import REVOKED_BY_CLIENT, revoke_consent
from workflows.negotiation_messages import (
    CONSENT_REVOKED_UPDATE,
    NEGOTIATION_WORKFLOW,
    RECORD_REPLY_UPDATE,
    SEND_OFFER_UPDATE,
    ConsentRevoked,
    NegotiationInput,
    RecordReply,
    SendOffer,
)

pytestmark = pytest.mark.devserver

CLIENT_EMAIL = "jeanne.dupont.negociation@exemple-rare.fr"
# The seeded client (tests/support/negotiation.py) and the figures of the offers below.
PERSONAL = {"Jeanne", "Dupont", CLIENT_EMAIL, "12 rue des Lilas", "75011 Paris", "CPT-1-7731"}
PHONES = {"06 12 34 56 78", "0612345678", "+33612345678"}
FIGURES = {"1200.00", "1 200,00", "1\u202f200,00", "987.65", "987,65", "82.31", "82,31"}


def _values() -> set[str]:
    return {form for value in PERSONAL for form in spellings(value)} | PHONES | FIGURES


async def test_a_negotiation_sends_temporal_identifiers_only(
    temporal_dev_env: WorkflowEnvironment, live_stack: Stack
) -> None:
    settings = live_stack.settings
    seed = seed_negotiations(settings, creditors=1, client_email=CLIENT_EMAIL)
    [negotiation_id] = seed.negotiation_ids
    consent_id = give_consent(
        settings,
        negotiation_id,
        [ShareCategory.IDENTITY, ShareCategory.CONTACT, ShareCategory.DEBTS],
    )
    workflow_id = negotiation_workflow_id(negotiation_id)
    handle = await live_stack.client.start_workflow(
        NEGOTIATION_WORKFLOW,
        NegotiationInput(negotiation_id=negotiation_id, dossier_id=seed.dossier_id),
        id=workflow_id,
        task_queue=settings.task_queue,
    )

    async def current_state() -> str:
        with session_scope(settings) as session:
            row = session.get(Negotiation, negotiation_id)
            assert row is not None
            return row.state

    assert await eventually(current_state, lambda s: s == NegotiationState.READY) == "ready"
    offer_id = draft_offer(settings, negotiation_id, amount="1200.00", instalment_amount="100.00")
    sent = await handle.execute_update(SEND_OFFER_UPDATE, SendOffer(offer_id, seed.actor))
    assert sent == NegotiationState.AWAITING_REPLY
    counter_id = draft_offer(
        settings,
        negotiation_id,
        made_by="creditor",
        amount="987.65",
        instalments=12,
        instalment_amount="82.31",
    )
    reply_id = record_reply_row(
        settings, negotiation_id, "counter_offer", counter_offer_id=counter_id
    )
    replied = await handle.execute_update(
        RECORD_REPLY_UPDATE,
        RecordReply(reply_id, "counter_offer", seed.actor, counter_offer_id=counter_id),
    )
    assert replied == NegotiationState.COUNTER_OFFER
    in_db(
        settings,
        revoke_consent,
        settings,
        consent_id,
        actor=seed.client_actor,
        channel=REVOKED_BY_CLIENT,
    )
    revoked = await handle.execute_update(
        CONSENT_REVOKED_UPDATE, ConsentRevoked(consent_id, seed.client_actor)
    )
    assert revoked == NegotiationState.SUSPENDED

    plain = await plain_client(temporal_dev_env)
    exposure = await read_exposure(plain, workflow_id)
    assert re.fullmatch(r"negotiation:[0-9a-f]{32}", workflow_id), workflow_id
    assert find_pii(exposure.haystacks(), _values()) == []
    assert len(exposure.payloads) >= 15, "the history should carry the negotiation's payloads"
    assert exposure.unencrypted() == []

    # Positive control: decoded, the payloads are ids and codes; the scan sees inside them.
    codec = live_stack.client.data_converter.payload_codec
    assert codec is not None
    decoded = await codec.decode([payload for _, payload in exposure.payloads])
    plaintexts = [
        (f"decoded {path}", p.SerializeToString())
        for (path, _), p in zip(exposure.payloads, decoded, strict=True)
    ]
    assert find_pii(plaintexts, _values()) == []
    assert find_pii(plaintexts, {negotiation_id, offer_id, counter_id, consent_id})
    inputs = [json.loads(p.data) for p in decoded if p.data.startswith(b"{")]
    assert {"negotiation_id": negotiation_id, "dossier_id": seed.dossier_id} in inputs
    await handle.terminate("end of test")
