"""The audit witness: the audit log's head recorded outside the database, in this workflow's
history, every `interval_minutes` (and on demand through the `witness_now` update).

Someone able to write the database can cut off the log's newest entries and move its head back,
or wipe it: the chain left behind is consistent. `cravelynos audit verify` compares the log with
what the witness last recorded, which that person cannot change. The record is kept in the
workflow's memo, so reading it needs the Temporal frontend only, no worker. It only moves forward:
a head read with fewer entries than already recorded is itself a sign of tampering, and the
higher record stays.
"""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.contracts.audit_witness import READ_AUDIT_HEAD, AuditHeadRequest
    from domain.audit_checkpoint import AuditCheckpoint
    from workflows.audit_witness_messages import (
        AUDIT_WITNESS_WORKFLOW,
        CHECKPOINT_MEMO,
        WITNESS_NOW_UPDATE,
        AuditWitnessInput,
    )
    from workflows.plumbing import SHORT, run

# Rounds before continue-as-new: keeps the history short (about ten events a round).
ROUNDS_PER_RUN = 200


@workflow.defn(name=AUDIT_WITNESS_WORKFLOW)
class AuditWitnessWorkflow:
    @workflow.init
    def __init__(self, arg: AuditWitnessInput) -> None:
        self._last = arg.last
        # The memo starts empty on each run (continue-as-new): the first round writes it.
        self._published: AuditCheckpoint | None = None

    @workflow.run
    async def run(self, arg: AuditWitnessInput) -> None:
        interval = timedelta(minutes=arg.interval_minutes)
        for _ in range(ROUNDS_PER_RUN):
            await self._witness()
            await workflow.sleep(interval)
        # Handlers of witness_now still running finish before the history is cut.
        await workflow.wait_condition(workflow.all_handlers_finished)
        workflow.continue_as_new(AuditWitnessInput(arg.interval_minutes, self._last))

    async def _witness(self) -> AuditCheckpoint | None:
        seen = await run(READ_AUDIT_HEAD, AuditHeadRequest(), SHORT)
        if self._last is None or seen.last_seq > self._last.last_seq:
            self._last = seen
        if self._last != self._published:
            workflow.upsert_memo({CHECKPOINT_MEMO: self._last})
            self._published = self._last
        return self._last

    @workflow.update(name=WITNESS_NOW_UPDATE)
    async def witness_now(self) -> AuditCheckpoint | None:
        """Record the head now (before a backup, or for a test) and say what is recorded."""
        return await self._witness()
