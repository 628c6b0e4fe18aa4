"""Worker entry point: the dossier, negotiation, data-subject request, breach, audit witness and
daily backup workflows and their activities on one task queue."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from temporalio.client import Client
from temporalio.worker import Worker

from activities.analysis import AnalysisActivities
from activities.audit_witness import AuditWitnessActivities
from activities.backup import BackupActivities
from activities.breaches import BreachActivities
from activities.client_email import ClientEmailActivities
from activities.consent_receipt import ConsentReceiptActivities
from activities.correction_notices import CorrectionNoticeActivities
from activities.creditor_messages import CreditorMessageActivities
from activities.dossier_records import DossierRecordActivities
from activities.negotiation_email import NegotiationEmailActivities
from activities.negotiation_records import NegotiationRecordActivities
from activities.privacy_exports import PrivacyExportActivities
from activities.privacy_requests import PrivacyRequestActivities
from activities.retention import RetentionActivities
from activities.staff_notifications import deliver_staff_emails
from activities.staged_writes import StagedWriteActivities
from config.settings import Settings
from gateway.audit_witness import ensure_audit_witness
from gateway.backup_schedule import ensure_backup_schedule
from gateway.connection import connect_client
from gateway.start_intents import relay_pending_intents
from models.database import session_scope
from services.staged_writes import sweep_staged_writes
from workflows.audit_witness import AuditWitnessWorkflow
from workflows.backup import DailyBackupWorkflow
from workflows.breach import BreachWorkflow
from workflows.dossier import DossierWorkflow
from workflows.negotiation import CreditorNegotiationWorkflow
from workflows.privacy_request import PrivacyRequestWorkflow

WORKFLOWS: list[type] = [
    DossierWorkflow,
    CreditorNegotiationWorkflow,
    PrivacyRequestWorkflow,
    BreachWorkflow,
    AuditWitnessWorkflow,
    DailyBackupWorkflow,
]
ACTIVITY_THREADS = 16
SWEEP_INTERVAL_SECONDS = 300
STAFF_EMAIL_INTERVAL_SECONDS = 15
log = logging.getLogger(__name__)


def activity_functions(settings: Settings) -> list[Callable[..., Any]]:
    records = DossierRecordActivities(settings)
    emails = ClientEmailActivities(settings)
    retention = RetentionActivities(settings)
    analysis = AnalysisActivities(settings)
    negotiations = NegotiationRecordActivities(settings)
    privacy = PrivacyRequestActivities(settings)
    exports = PrivacyExportActivities(settings)
    notices = CorrectionNoticeActivities(settings)
    breaches = BreachActivities(settings)
    return [
        records.load_dossier_facts,
        records.record_progress,
        records.record_closure,
        records.set_legal_hold,
        records.relationship_end,
        emails.send_client_email,
        retention.delete_dossier_documents,
        retention.anonymise_dossier,
        analysis.load_analysis_facts,
        analysis.submit_analysis,
        analysis.record_analysis_approval,
        negotiations.load_negotiation_facts,
        negotiations.open_negotiations,
        negotiations.record_negotiation_progress,
        negotiations.load_offer,
        negotiations.set_offer_status,
        negotiations.create_schedule,
        negotiations.record_instalment,
        CreditorMessageActivities(settings).send_creditor_message,
        NegotiationEmailActivities(settings).send_negotiation_email,
        ConsentReceiptActivities(settings).send_consent_receipt,
        StagedWriteActivities(settings).apply_staged_write,
        AuditWitnessActivities(settings).read_audit_head,
        privacy.load_privacy_request,
        privacy.record_privacy_event,
        privacy.send_privacy_notice,
        privacy.record_privacy_confirmation,
        privacy.discard_unconfirmed_request,
        exports.prepare_privacy_export,
        exports.erase_person_data,
        exports.change_restriction,
        notices.send_correction_notices,
        notices.send_erasure_notices,
        BackupActivities(settings).take_backup,
        breaches.load_breach,
        breaches.record_breach_event,
        breaches.send_breach_alert,
        breaches.inform_breach_people,
    ]


def build_worker(client: Client, settings: Settings, **worker_options: Any) -> Worker:
    """The worker for `settings.task_queue`; options such as max_cached_workflows pass through."""
    # As many activities at once as threads to run them: a queued one would time out unstarted.
    worker_options.setdefault("max_concurrent_activities", ACTIVITY_THREADS)
    return Worker(
        client,
        task_queue=settings.task_queue,
        workflows=WORKFLOWS,
        activities=activity_functions(settings),
        # Database activities are synchronous; they run in this pool, off the event loop.
        activity_executor=ThreadPoolExecutor(max_workers=ACTIVITY_THREADS),
        **worker_options,
    )


async def sweep_staged_writes_forever(settings: Settings) -> None:
    """Runs beside the worker: removes the staged writes no workflow accepted."""
    while True:
        try:
            await asyncio.to_thread(_sweep_once, settings)
        except Exception:
            log.exception("staged write sweep failed; retrying")
        await asyncio.sleep(SWEEP_INTERVAL_SECONDS)


async def deliver_staff_emails_forever(settings: Settings) -> None:
    """Runs beside the worker: sends the notification emails queued for staff."""
    while True:
        try:
            await deliver_staff_emails(settings)
        except Exception:
            log.exception("staff notification emails not delivered; retrying")
        await asyncio.sleep(STAFF_EMAIL_INTERVAL_SECONDS)


def _sweep_once(settings: Settings) -> None:
    with session_scope(settings) as session:
        swept = sweep_staged_writes(session, settings)
    if swept:
        log.info("swept %d staged write(s) no workflow accepted", swept)


async def run_worker(settings: Settings, client: Client | None = None) -> None:
    """Run until cancelled: the worker, the relay that starts workflows left in the outbox, the
    sweep of staged writes and the delivery of notification emails to staff."""
    client = client or await connect_client(settings)
    worker = build_worker(client, settings)
    try:
        await ensure_audit_witness(client, settings)
    except Exception:
        # The worker serves dossiers all the same; the next worker start tries again.
        log.exception("could not start the audit witness")
    try:
        await ensure_backup_schedule(client, settings)
    except Exception:
        log.exception("could not create the daily backup schedule")
    loops = [
        asyncio.create_task(relay_pending_intents(client, settings)),
        asyncio.create_task(sweep_staged_writes_forever(settings)),
        asyncio.create_task(deliver_staff_emails_forever(settings)),
    ]
    try:
        await worker.run()
    finally:
        for loop in loops:
            loop.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await loop


if __name__ == "__main__":
    # `python worker.py` is `cravelynos worker`: the same settings checks and clean exit.
    from cli import main

    main(["worker"])
