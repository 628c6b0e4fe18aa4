"""The AuditWitness workflow's name, id, input, query and update: what the worker starts and
`cravelynos audit verify` reads (the memo). It carries sequence numbers and keyed hashes only."""

from dataclasses import dataclass

from domain.audit_checkpoint import AuditCheckpoint

AUDIT_WITNESS_WORKFLOW = "AuditWitness"
# One witness per namespace: every worker makes sure it runs.
AUDIT_WITNESS_ID = "audit-witness"
# The memo key holding the last AuditCheckpoint recorded.
CHECKPOINT_MEMO = "checkpoint"
WITNESS_NOW_UPDATE = "witness_now"


@dataclass
class AuditWitnessInput:
    interval_minutes: int
    # What the previous run recorded, handed on through continue-as-new.
    last: AuditCheckpoint | None = None
