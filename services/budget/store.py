"""Reading and writing a dossier's budget, strategy and submissions: encrypted, checked, audited.

Staff functions take the viewer and check access with load_dossier; the system functions
(snapshot, submission, approval) serve the workflow's activities and the client's signed link,
which have checked who is asking by their own means. Every read or write of the figures leaves
an audit entry without any figure in it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    TypeAdapter,
)
from sqlmodel import Session, select

from config.settings import Settings
from domain.budget import (
    BudgetAnalysis,
    BudgetInput,
    ChargeCategory,
    ParameterRef,
    StrategyKind,
    compute_budget,
)
from domain.budget.amounts import Money
from domain.budget.inputs import DEFAULT_DEPARTEMENT, MAX_LINES
from domain.budget.legal_parameters import ParameterMissing, rsa_on, seizure_scale_on
from domain.clock import utcnow
from domain.dossier_stages import OPEN_STAGES, Stage
from domain.errors import InvalidInput, NotFound, Refused
from domain.input_fields import required_text
from models.budget import BudgetRecord
from models.client import Client
from models.dossier import Dossier
from models.staff import StaffUser
from rendering.labels import eur
from security.datakeys import ClientCipher
from services.audit import append_audit
from services.budget.allowances import PARAMETER_LABELS_FR, ResolvedAllowances, resolve_allowances
from services.dossiers.access import DossierAction, actor_of, load_dossier

TABLE = "budget_record"
SYSTEM = "system"
MAX_STRATEGY_LINES = 60
NO_BUDGET = (
    "Aucun budget n'est enregistré pour ce dossier : saisissez les ressources, les charges et "
    "les dettes avant d'envoyer l'analyse."
)
NO_STRATEGY = (
    "Aucune stratégie n'est retenue : choisissez au moins une proposition dans l'éditeur de "
    "stratégie avant d'envoyer l'analyse."
)
STALE_STRATEGY = (
    "La stratégie mentionne une dette qui ne figure plus dans le budget : mettez la stratégie "
    "à jour avant d'envoyer l'analyse."
)
NO_SUBMISSION = "Aucune analyse n'a encore été envoyée au client pour ce dossier."
CLOSED = "Ce dossier est clôturé : son budget ne peut plus être modifié."
APPROVED_LOCKED = (
    "Le client a validé cette analyse : le budget et la stratégie qu'il a approuvés ne peuvent "
    "plus être modifiés."
)
ERASED = "Les données de ce client ont été effacées."


class BudgetNotReady(Refused):
    """The analysis cannot be sent (or printed): the message says what is missing."""


class BudgetRefused(Refused):
    """A change refused for a reason other than the form (closed dossier, erased client)."""


def _strategy_kind(value: object) -> object:
    if isinstance(value, StrategyKind) or value in StrategyKind._value2member_map_:
        return value
    raise ValueError("Type de stratégie inconnu.")


_rationale = required_text(
    "Justification",
    1500,
    multiline=True,
    missing="Expliquez en quelques mots pourquoi cette stratégie est proposée.",
)


class StrategyLine(BaseModel):
    """One strategy the case worker retained (a proposal, edited or not, or their own)."""

    model_config = ConfigDict(extra="forbid")

    kind: Annotated[StrategyKind, BeforeValidator(_strategy_kind)]
    # Position of the debt in BudgetInput.debts; None for the household as a whole.
    debt_index: int | None = Field(default=None, ge=0, lt=MAX_LINES)
    rationale: Annotated[str, AfterValidator(_rationale)]
    monthly_amount: Money | None = None


_STRATEGY = TypeAdapter(list[StrategyLine])


@dataclass(frozen=True)
class BudgetStatus:
    """Where the budget stands, without any figure: for the dossier page."""

    entered_at: datetime | None
    strategy_at: datetime | None
    submission: int
    submitted_at: datetime | None
    approved_at: datetime | None
    approval_channel: str | None

    @property
    def state(self) -> str:
        """ "not_started", "entered", "submitted" or "approved" (of the latest submission)."""
        if self.approved_at is not None:
            return "approved"
        if self.submitted_at is not None:
            return "submitted"
        return "entered" if self.entered_at is not None else "not_started"


@dataclass(frozen=True)
class CurrentAnalysis:
    """The working copy and what the engine makes of it today, for the analysis page."""

    data: BudgetInput
    analysis: BudgetAnalysis
    allowances: ResolvedAllowances
    strategy: list[StrategyLine] | None
    departement: str


@dataclass(frozen=True)
class Submission:
    """What was sent to the client (submission `number`) and whether they approved it."""

    number: int
    submitted_at: datetime
    data: BudgetInput
    analysis: BudgetAnalysis
    strategy: list[StrategyLine]
    approved_at: datetime | None
    approval_channel: str | None
    report_document_id: str | None


# ----- helpers ------------------------------------------------------------------------------


def _cipher(session: Session, dossier: Dossier, settings: Settings) -> ClientCipher:
    client = session.get(Client, dossier.client_id)
    if client is None or client.wrapped_key is None:
        raise BudgetRefused(ERASED)
    return ClientCipher.for_client(client, settings)


def _decrypt(cipher: ClientCipher, column: str, dossier_id: str, token: str | None) -> str | None:
    return cipher.decrypt(TABLE, column, dossier_id, token)


def _encrypt(cipher: ClientCipher, column: str, dossier_id: str, text: str) -> str | None:
    return cipher.encrypt(TABLE, column, dossier_id, text)


def _record(session: Session, dossier_id: str, *, lock: bool = False) -> BudgetRecord | None:
    if lock:
        lock_budget(session, dossier_id)
    return session.exec(select(BudgetRecord).where(BudgetRecord.dossier_id == dossier_id)).first()


def lock_budget(session: Session, dossier_id: str) -> None:
    """Serialise the writers of one dossier's budget until the transaction ends.

    The dossier row is locked rather than the budget row, which may not exist yet (two first
    saves would both insert). On SQLite every write transaction holds the database anyway.
    """
    session.exec(select(Dossier.id).where(Dossier.id == dossier_id).with_for_update()).first()


def _audit(
    session: Session, actor: str, action: str, dossier_id: str, reason: str, **detail: object
) -> None:
    append_audit(
        session, actor, action, TABLE, dossier_id, reason=reason, detail=dict(detail) or None
    )


def _writable(session: Session, viewer: StaffUser, dossier_id: str, purpose: str) -> Dossier:
    dossier = load_dossier(session, viewer, dossier_id, DossierAction.WRITE, purpose)
    if dossier.stage not in OPEN_STAGES:
        raise BudgetRefused(CLOSED)
    # What the client approved is what the negotiation will rely on: it stays as approved.
    if dossier.stage in (Stage.APPROVED, Stage.NEGOTIATION):
        raise BudgetRefused(APPROVED_LOCKED)
    return dossier


def _departement(session: Session, dossier: Dossier) -> str:
    client = session.get(Client, dossier.client_id)
    if client is None:
        raise NotFound("Le client de ce dossier est introuvable.")
    return client.departement


_ALLOWANCE_REF_NAMES = {f"Forfait : {label}" for label in PARAMETER_LABELS_FR.values()} | {
    PARAMETER_LABELS_FR[ChargeCategory.WORK_TRAVEL]
}


def analyse(
    session: Session, departement: str, data: BudgetInput
) -> tuple[BudgetAnalysis, ResolvedAllowances]:
    """The engine's analysis with the commission's forfaits; ParameterMissing names the field.

    The engine summarises the forfaits as one set; each category may come from its own row
    (the département's or the default one, of its own date), so the references the analysis
    keeps are replaced by one per category, with that row's date and source.
    """
    # The legal parameters first: a date before the first barème is reported as such.
    seizure_scale_on(data.on)
    rsa_on(data.on)
    resolved = resolve_allowances(session, departement, data.on, data.household)
    analysis = compute_budget(data, resolved.allowance_set)
    refs = analysis.parameters_used
    kept = [ref for ref in refs if ref.name not in _ALLOWANCE_REF_NAMES]
    at = next((i for i, ref in enumerate(refs) if ref.name in _ALLOWANCE_REF_NAMES), len(kept))
    applied = [
        ParameterRef(
            name=(
                item.label_fr
                if item.category is ChargeCategory.WORK_TRAVEL
                else f"Forfait : {item.label_fr}"
            ),
            valid_from=item.valid_from,
            value=(
                eur(item.amount)
                if item.formula_fr == eur(item.amount)
                else f"{eur(item.amount)} = {item.formula_fr}"
            ),
            source=f"{item.source} ; département {_where(item.departement)}"
            + (
                ""
                if "exemple" in item.source.lower() or not item.sample
                else " — données d'exemple"
            ),
        )
        for item in resolved.applied
    ]
    return analysis.model_copy(
        update={"parameters_used": kept[:at] + applied + kept[at:]}
    ), resolved


def _where(departement: str) -> str:
    return "par défaut" if departement == DEFAULT_DEPARTEMENT else departement


def check_strategy(data: BudgetInput, strategy: list[StrategyLine]) -> dict[str, str]:
    """Errors of lines naming a debt the budget does not have (keyed like the form)."""
    return {
        f"lines.{i}.debt_index": "Cette dette ne figure pas dans le budget."
        for i, line in enumerate(strategy)
        if line.debt_index is not None and line.debt_index >= len(data.debts)
    }


# ----- staff functions ----------------------------------------------------------------------


def load_budget_input(
    session: Session, viewer: StaffUser, dossier_id: str, settings: Settings
) -> BudgetInput | None:
    dossier = load_dossier(session, viewer, dossier_id, DossierAction.READ, "budget.read")
    record = _record(session, dossier.id)
    if record is None or record.input_enc is None:
        return None
    text = _decrypt(_cipher(session, dossier, settings), "input", dossier.id, record.input_enc)
    _audit(session, actor_of(viewer), "budget.read", dossier.id, "consultation du budget")
    return BudgetInput.model_validate_json(text or "")


def save_budget_input(
    session: Session,
    viewer: StaffUser,
    dossier_id: str,
    data: BudgetInput,
    settings: Settings,
) -> None:
    """Store the working copy; InvalidInput (ParameterMissing) when it cannot be analysed.

    The analysis is computed once here so that a date before the first legal parameter, or a
    département without forfaits, is refused on the form rather than on the analysis page.
    """
    dossier = _writable(session, viewer, dossier_id, "budget.write")
    analyse(session, _departement(session, dossier), data)
    cipher = _cipher(session, dossier, settings)
    record = _record(session, dossier.id, lock=True) or BudgetRecord(dossier_id=dossier.id)
    now = utcnow()
    record.input_enc = _encrypt(cipher, "input", dossier.id, data.model_dump_json())
    record.input_updated_at = now
    record.updated_at = now
    session.add(record)
    _audit(
        session,
        actor_of(viewer),
        "budget.write",
        dossier.id,
        "saisie du budget",
        resources=len(data.resources),
        charges=len(data.charges),
        debts=len(data.debts),
    )


def load_strategy(
    session: Session, viewer: StaffUser, dossier_id: str, settings: Settings
) -> list[StrategyLine] | None:
    dossier = load_dossier(session, viewer, dossier_id, DossierAction.READ, "budget.read")
    record = _record(session, dossier.id)
    if record is None or record.strategy_enc is None:
        return None
    text = _decrypt(
        _cipher(session, dossier, settings), "strategy", dossier.id, record.strategy_enc
    )
    _audit(session, actor_of(viewer), "budget.strategy_read", dossier.id, "consultation")
    return _STRATEGY.validate_json(text or "[]")


def save_strategy(
    session: Session,
    viewer: StaffUser,
    dossier_id: str,
    strategy: list[StrategyLine],
    settings: Settings,
) -> None:
    """Store the retained lines; InvalidInput when there are none or one names no debt."""
    dossier = _writable(session, viewer, dossier_id, "budget.strategy")
    record = _record(session, dossier.id, lock=True)
    if record is None or record.input_enc is None:
        raise BudgetNotReady(NO_BUDGET)
    if not strategy:
        raise InvalidInput({"lines": "Retenez au moins une stratégie ou ajoutez la vôtre."})
    if len(strategy) > MAX_STRATEGY_LINES:
        raise InvalidInput({"lines": f"{MAX_STRATEGY_LINES} lignes au maximum."})
    cipher = _cipher(session, dossier, settings)
    data = BudgetInput.model_validate_json(
        _decrypt(cipher, "input", dossier.id, record.input_enc) or ""
    )
    errors = check_strategy(data, strategy)
    if errors:
        raise InvalidInput(errors)
    now = utcnow()
    record.strategy_enc = _encrypt(
        cipher, "strategy", dossier.id, _STRATEGY.dump_json(strategy).decode()
    )
    record.strategy_updated_at = now
    record.updated_at = now
    session.add(record)
    _audit(
        session,
        actor_of(viewer),
        "budget.strategy_write",
        dossier.id,
        "choix de la stratégie",
        lines=len(strategy),
        kinds=sorted({line.kind.value for line in strategy}),
    )


def current_analysis_detail(
    session: Session, viewer: StaffUser, dossier_id: str, settings: Settings
) -> CurrentAnalysis | None:
    """The working copy, its analysis and the strategy, read once (one audit entry)."""
    dossier = load_dossier(session, viewer, dossier_id, DossierAction.READ, "budget.analysis")
    record = _record(session, dossier.id)
    if record is None or record.input_enc is None:
        return None
    cipher = _cipher(session, dossier, settings)
    data = BudgetInput.model_validate_json(
        _decrypt(cipher, "input", dossier.id, record.input_enc) or ""
    )
    strategy = (
        None
        if record.strategy_enc is None
        else _STRATEGY.validate_json(
            _decrypt(cipher, "strategy", dossier.id, record.strategy_enc) or "[]"
        )
    )
    departement = _departement(session, dossier)
    analysis, resolved = analyse(session, departement, data)
    _audit(session, actor_of(viewer), "budget.read", dossier.id, "analyse budgétaire")
    return CurrentAnalysis(data, analysis, resolved, strategy, departement)


def current_analysis(
    session: Session, viewer: StaffUser, dossier_id: str, settings: Settings
) -> tuple[BudgetInput, BudgetAnalysis] | None:
    current = current_analysis_detail(session, viewer, dossier_id, settings)
    return None if current is None else (current.data, current.analysis)


# ----- system functions (workflow activities, the client's signed link) ----------------------


def snapshot_analysis(
    session: Session,
    dossier_id: str,
    settings: Settings,
    *,
    submission: int | None = None,
    actor: str = SYSTEM,
) -> BudgetAnalysis:
    """Freeze the working copy, its analysis and the strategy as the submission sent to the client.

    `submission` is the workflow's number for it (default: the next one). Calling again with
    the number already frozen returns that snapshot unchanged, so a retried activity is safe.
    Raises BudgetNotReady (French message) when there is no budget or no strategy.
    """
    dossier = session.get(Dossier, dossier_id)
    if dossier is None:
        raise NotFound("Dossier introuvable : il n'existe pas ou plus.")
    record = _record(session, dossier.id, lock=True)
    if record is None or record.input_enc is None:
        raise BudgetNotReady(NO_BUDGET)
    cipher = _cipher(session, dossier, settings)
    if submission is not None and submission == record.submission and record.analysis_enc:
        text = _decrypt(cipher, "analysis", dossier.id, record.analysis_enc)
        return BudgetAnalysis.model_validate_json(text or "")
    if record.strategy_enc is None:
        raise BudgetNotReady(NO_STRATEGY)
    input_json = _decrypt(cipher, "input", dossier.id, record.input_enc) or ""
    strategy_json = _decrypt(cipher, "strategy", dossier.id, record.strategy_enc) or "[]"
    data = BudgetInput.model_validate_json(input_json)
    strategy = _STRATEGY.validate_json(strategy_json)
    if not strategy:
        raise BudgetNotReady(NO_STRATEGY)
    if check_strategy(data, strategy):
        raise BudgetNotReady(STALE_STRATEGY)
    try:
        analysis, _ = analyse(session, _departement(session, dossier), data)
    except ParameterMissing as exc:
        raise BudgetNotReady(exc.message_fr) from None
    number = submission if submission is not None else record.submission + 1
    record.submission = number
    record.submitted_input_enc = _encrypt(cipher, "submitted_input", dossier.id, input_json)
    record.submitted_strategy_enc = _encrypt(
        cipher, "submitted_strategy", dossier.id, strategy_json
    )
    record.analysis_enc = _encrypt(cipher, "analysis", dossier.id, analysis.model_dump_json())
    record.submitted_at = utcnow()
    # A new submission awaits its own approval.
    record.approved_submission = None
    record.approved_at = None
    record.approval_channel = None
    record.approved_by = None
    record.updated_at = utcnow()
    session.add(record)
    _audit(session, actor, "budget.submit", dossier.id, "envoi de l'analyse", submission=number)
    return analysis


def load_submission(
    session: Session,
    dossier_id: str,
    *,
    actor: str,
    reason: str,
    settings: Settings,
) -> Submission | None:
    """The latest submission, decrypted, for `actor` (already authorised by the caller)."""
    dossier = session.get(Dossier, dossier_id)
    record = _record(session, dossier_id)
    if dossier is None or record is None or record.submission == 0 or record.analysis_enc is None:
        return None
    cipher = _cipher(session, dossier, settings)
    data = BudgetInput.model_validate_json(
        _decrypt(cipher, "submitted_input", dossier.id, record.submitted_input_enc) or ""
    )
    analysis = BudgetAnalysis.model_validate_json(
        _decrypt(cipher, "analysis", dossier.id, record.analysis_enc) or ""
    )
    strategy = _STRATEGY.validate_json(
        _decrypt(cipher, "submitted_strategy", dossier.id, record.submitted_strategy_enc) or "[]"
    )
    _audit(
        session,
        actor,
        "budget.submission_read",
        dossier.id,
        reason[:200],
        submission=record.submission,
    )
    return Submission(
        number=record.submission,
        submitted_at=record.submitted_at or record.updated_at,
        data=data,
        analysis=analysis,
        strategy=strategy,
        approved_at=record.approved_at if record.approved_submission == record.submission else None,
        approval_channel=record.approval_channel,
        report_document_id=(
            record.report_document_id if record.report_submission == record.submission else None
        ),
    )


def record_approval(
    session: Session,
    dossier_id: str,
    *,
    submission: int,
    channel: str,
    actor: str,
    approved_at: datetime | None = None,
) -> bool:
    """Record the client's approval of `submission`; False if already recorded (a retry).

    BudgetNotReady when that submission is not the latest one: a stale approval changes nothing.
    """
    record = _record(session, dossier_id, lock=True)
    if record is None or record.submission == 0:
        raise BudgetNotReady(NO_SUBMISSION)
    if record.approved_submission == submission:
        return False
    if record.submission != submission:
        raise BudgetNotReady(
            f"L'envoi n° {submission} a été remplacé par l'envoi n° {record.submission} : "
            "seule la dernière version peut être validée."
        )
    record.approved_submission = submission
    record.approved_at = approved_at or utcnow()
    record.approval_channel = channel
    record.approved_by = actor
    record.updated_at = utcnow()
    session.add(record)
    _audit(
        session,
        actor,
        "budget.approve",
        dossier_id,
        "validation de l'analyse par le client",
        submission=submission,
        channel=channel,
    )
    return True


def budget_status(session: Session, dossier_id: str) -> BudgetStatus:
    """Dates and channel only (no figure, nothing decrypted): callers check access first."""
    record = _record(session, dossier_id)
    if record is None:
        return BudgetStatus(None, None, 0, None, None, None)
    approved = record.approved_submission == record.submission and record.submission > 0
    return BudgetStatus(
        entered_at=record.input_updated_at,
        strategy_at=record.strategy_updated_at,
        submission=record.submission,
        submitted_at=record.submitted_at,
        approved_at=record.approved_at if approved else None,
        approval_channel=record.approval_channel if approved else None,
    )
