"""Saved DossierWorkflow, CreditorNegotiationWorkflow, PrivacyRequestWorkflow and BreachWorkflow
histories replay on the current code (running workflows must survive every deployment).

The histories under histories/ were recorded by make_histories.py (read its docstring before
regenerating anything). A change that would make a running dossier take a different path on
replay fails here, before it reaches production.
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from make_histories import HISTORIES_DIR, MANIFEST, REPLAY_KEY_ID, replay_settings
from temporalio import workflow
from temporalio.client import WorkflowHistory
from temporalio.worker import Replayer

from activities.contracts import breach as bio
from activities.contracts import dossier as io
from activities.contracts import negotiation as nio
from activities.contracts import privacy_request as pio
from config.loading import dev_settings
from security.codec import make_data_converter
from security.keyring import generate_key
from workflows.breach import BreachWorkflow
from workflows.breach_messages import BREACH_WORKFLOW, BreachInput
from workflows.dossier import DossierWorkflow
from workflows.dossier_messages import DOSSIER_WORKFLOW, DossierInput
from workflows.negotiation import CreditorNegotiationWorkflow
from workflows.negotiation_messages import NEGOTIATION_WORKFLOW, NegotiationInput
from workflows.privacy_request import PrivacyRequestWorkflow
from workflows.privacy_request_messages import PRIVACY_REQUEST_WORKFLOW, PrivacyRequestInput

# Every workflow a history may belong to: the replayer picks by the history's workflow type.
WORKFLOWS = (DossierWorkflow, CreditorNegotiationWorkflow, PrivacyRequestWorkflow, BreachWorkflow)

# The scenarios make_histories.py records; files added later with --suffix replay too.
EXPECTED = {
    "reminders_then_documents_complete",
    "closure_retention_1_first_run",
    "closure_retention_2_documents_deleted_hop",
    "closure_retention_3_final_run",
    "legal_hold_1_placed",
    "legal_hold_2_lifted",
    "legal_hold_3_final_run",
    "refused_updates",
    "staged_note_and_hold_reason",
    # The negotiation phase (negotiation_histories.py).
    "dossier_negotiation_phase",
    "negotiation_remission_as_child",
    "negotiation_counter_offer_plan",
    "negotiation_no_response_escalated",
    "negotiation_revoked_information_refused",
    "negotiation_expiry_lapse_broken",
    "negotiation_lost_notices",
    "negotiation_staged_writes",
    # Data-subject requests (privacy_histories.py).
    "privacy_request_every_action",
    "privacy_request_public_overdue",
    "privacy_request_unconfirmed",
    # Personal-data breaches (breach_histories.py).
    "breach_every_step",
    "breach_dismissed",
}
NEGOTIATION_HISTORIES = sorted(name for name in EXPECTED if name.startswith("negotiation_"))
PRIVACY_HISTORIES = sorted(name for name in EXPECTED if name.startswith("privacy_request_"))
BREACH_HISTORIES = sorted(name for name in EXPECTED if name.startswith("breach_"))


def _manifest() -> dict[str, dict[str, str]]:
    manifest: dict[str, dict[str, str]] = json.loads(MANIFEST.read_text())
    return manifest


SAVED = sorted(Path(name).stem for name in _manifest())


def load_history(name: str) -> WorkflowHistory:
    path = HISTORIES_DIR / f"{name}.json"
    return WorkflowHistory.from_json(_manifest()[path.name]["workflow_id"], path.read_text())


def _replayer(tmp_path: Path, *workflows: type) -> Replayer:
    settings = replay_settings(tmp_path)
    assert settings.active_key_id == REPLAY_KEY_ID
    return Replayer(workflows=list(workflows), data_converter=make_data_converter(settings))


def test_every_scenario_is_saved_and_every_file_listed() -> None:
    on_disk = {path.stem for path in HISTORIES_DIR.glob("*.json") if path != MANIFEST}
    assert on_disk == set(SAVED), "every saved history has a manifest entry, and only those"
    assert set(SAVED) >= EXPECTED


@pytest.mark.parametrize("name", SAVED)
async def test_saved_history_replays_on_the_current_workflow(tmp_path: Path, name: str) -> None:
    history = load_history(name)
    result = await _replayer(tmp_path, *WORKFLOWS).replay_workflow(
        history, raise_on_replay_failure=False
    )
    assert result.replay_failure is None, f"{name}: {result.replay_failure!r}"
    assert result.history is history and len(history.events) > 10


async def test_replay_needs_the_key_ring_the_histories_were_encrypted_with(
    tmp_path: Path,
) -> None:
    """The payloads really are decrypted and fed to the workflow during replay."""
    settings = dev_settings(
        data_dir=tmp_path, master_keys=f"other:{generate_key()}", active_key_id="other"
    )
    replayer = Replayer(workflows=[DossierWorkflow], data_converter=make_data_converter(settings))
    result = await replayer.replay_workflow(
        load_history("closure_retention_1_first_run"), raise_on_replay_failure=False
    )
    # Decoding the first payload fails; the failure is itself encrypted, its type is not.
    assert 'r#type: "UnknownKeyError"' in str(result.replay_failure), result.replay_failure


# A deliberately altered DossierWorkflow, as a careless change would produce it: it looks at the
# relationship before loading the facts. Registered under the real name, it must not replay.
@workflow.defn(name=DOSSIER_WORKFLOW, sandboxed=False)
class AlteredDossierWorkflow:
    @workflow.run
    async def run(self, arg: DossierInput) -> str:
        await workflow.execute_activity(
            io.RELATIONSHIP_END.name,
            io.DossierRef(arg.dossier_id),
            result_type=io.RelationshipEnd,
            start_to_close_timeout=timedelta(seconds=30),
        )
        await workflow.execute_activity(
            io.LOAD_DOSSIER_FACTS.name,
            io.DossierRef(arg.dossier_id),
            result_type=io.DossierFacts,
            start_to_close_timeout=timedelta(seconds=30),
        )
        return "altered"


@pytest.mark.parametrize(
    "name", ["closure_retention_1_first_run", "closure_retention_2_documents_deleted_hop"]
)
async def test_replay_fails_on_an_incompatible_change(tmp_path: Path, name: str) -> None:
    result = await _replayer(tmp_path, AlteredDossierWorkflow).replay_workflow(
        load_history(name), raise_on_replay_failure=False
    )
    assert isinstance(result.replay_failure, workflow.NondeterminismError), result.replay_failure
    assert "Nondeterminism error" in str(result.replay_failure)


# The same for a negotiation: it reads the offer before the facts it starts with.
@workflow.defn(name=NEGOTIATION_WORKFLOW, sandboxed=False)
class AlteredNegotiationWorkflow:
    @workflow.run
    async def run(self, arg: NegotiationInput) -> str:
        await workflow.execute_activity(
            nio.LOAD_OFFER.name,
            nio.OfferRef("nothing"),
            start_to_close_timeout=timedelta(seconds=30),
        )
        return "altered"


def test_negotiation_histories_are_negotiations() -> None:
    for name in NEGOTIATION_HISTORIES:
        history = load_history(name)
        started = history.events[0].workflow_execution_started_event_attributes
        assert started.workflow_type.name == NEGOTIATION_WORKFLOW, name
        assert history.workflow_id.startswith("negotiation:")


@pytest.mark.parametrize("name", NEGOTIATION_HISTORIES)
async def test_a_negotiation_history_fails_on_an_incompatible_change(
    tmp_path: Path, name: str
) -> None:
    result = await _replayer(tmp_path, DossierWorkflow, AlteredNegotiationWorkflow).replay_workflow(
        load_history(name), raise_on_replay_failure=False
    )
    assert isinstance(result.replay_failure, workflow.NondeterminismError), result.replay_failure


# A request that sends its notice before loading what it is about.
@workflow.defn(name=PRIVACY_REQUEST_WORKFLOW, sandboxed=False)
class AlteredPrivacyRequestWorkflow:
    @workflow.run
    async def run(self, arg: PrivacyRequestInput) -> str:
        await workflow.execute_activity(
            pio.RECORD_PRIVACY_CONFIRMATION.name,
            pio.ConfirmationRecord(arg.request_id, workflow.now()),
            start_to_close_timeout=timedelta(seconds=30),
        )
        return "altered"


@pytest.mark.parametrize("name", PRIVACY_HISTORIES)
async def test_a_privacy_request_history_fails_on_an_incompatible_change(
    tmp_path: Path, name: str
) -> None:
    history = load_history(name)
    started = history.events[0].workflow_execution_started_event_attributes
    assert started.workflow_type.name == PRIVACY_REQUEST_WORKFLOW
    result = await _replayer(tmp_path, AlteredPrivacyRequestWorkflow).replay_workflow(
        history, raise_on_replay_failure=False
    )
    assert isinstance(result.replay_failure, workflow.NondeterminismError), result.replay_failure


# A breach that alerts the DPO before loading what it is about.
@workflow.defn(name=BREACH_WORKFLOW, sandboxed=False)
class AlteredBreachWorkflow:
    @workflow.run
    async def run(self, arg: BreachInput) -> str:
        await workflow.execute_activity(
            bio.SEND_BREACH_ALERT.name,
            bio.BreachAlert(arg.breach_id, "suspicion", "suspicion", workflow.now()),
            start_to_close_timeout=timedelta(seconds=30),
        )
        return "altered"


@pytest.mark.parametrize("name", BREACH_HISTORIES)
async def test_a_breach_history_fails_on_an_incompatible_change(tmp_path: Path, name: str) -> None:
    history = load_history(name)
    started = history.events[0].workflow_execution_started_event_attributes
    assert started.workflow_type.name == BREACH_WORKFLOW
    result = await _replayer(tmp_path, AlteredBreachWorkflow).replay_workflow(
        history, raise_on_replay_failure=False
    )
    assert isinstance(result.replay_failure, workflow.NondeterminismError), result.replay_failure
