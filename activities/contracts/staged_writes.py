"""The activity that applies a staged write (domain/staged_writes.py) once a workflow accepted
the update naming it. Identifiers only."""

from dataclasses import dataclass

from activities.contracts.refs import ActivityRef

# The business refusal of APPLY_STAGED_WRITE: no such write for this dossier or negotiation.
STAGED_WRITE_UNKNOWN = "StagedWriteUnknown"


@dataclass
class ApplyStagedWrite:
    staged_write_id: str
    dossier_id: str
    # The negotiation whose workflow accepted it; None for the dossier's own workflow.
    negotiation_id: str | None = None


APPLY_STAGED_WRITE = ActivityRef[ApplyStagedWrite, None]("apply_staged_write", type(None))
