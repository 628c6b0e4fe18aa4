"""The commissions' allowances as staff keep them: checked input, resolution for a household
and a date, sample rows, every change audited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, field_validator
from sqlmodel import Session, col, func, select

from domain.budget import (
    ALLOWANCE_CATEGORIES,
    CHARGE_LABELS_FR,
    SAMPLE_ALLOWANCES,
    AllowanceSet,
    ChargeCategory,
    Household,
)
from domain.budget.amounts import DateField, Money, cents
from domain.budget.inputs import DEFAULT_DEPARTEMENT
from domain.budget.legal_parameters import ParameterMissing, date_fr
from domain.budget.sample_allowances import (
    CHILD_SHARE,
    SAMPLE_SOURCE,
    SECOND_ADULT_SHARE,
)
from domain.clock import utcnow
from domain.contact_fields import normalise_departement
from domain.input_fields import required_text
from models.allowance_parameters import AllowanceParameter
from rendering.labels import eur
from services.audit import append_audit
from services.view_fields import view_of

# Categories a row can hold: the allowance-based charges and the work travel ceiling.
PARAMETER_CATEGORIES: tuple[ChargeCategory, ...] = (
    *ALLOWANCE_CATEGORIES,
    ChargeCategory.WORK_TRAVEL,
)
PARAMETER_LABELS_FR: dict[ChargeCategory, str] = {
    **{category: CHARGE_LABELS_FR[category] for category in ALLOWANCE_CATEGORIES},
    ChargeCategory.WORK_TRAVEL: "Plafond des frais de trajet domicile-travail",
}
SAMPLE_ACTOR = "system"


def _departement(value: str) -> str:
    text = value.strip()
    if text == DEFAULT_DEPARTEMENT:
        return text
    if not text:
        raise ValueError("Ce champ est obligatoire.")
    try:
        return normalise_departement(text)
    except ValueError as exc:
        raise ValueError(str(exc)) from None


def _category(value: object) -> object:
    if isinstance(value, str) and value in {c.value for c in PARAMETER_CATEGORIES}:
        return value
    if value in ("", None):
        raise ValueError("Choisissez la catégorie.")
    raise ValueError("Catégorie inconnue.")


_source = required_text(
    "Source", 300, missing="Indiquez la source : la délibération ou le barème de la commission."
)


class AllowanceParameterIn(BaseModel):
    """One row as staff enter it on the allowances page (French, field-named errors)."""

    model_config = ConfigDict(extra="forbid")

    departement: Annotated[str, AfterValidator(_departement)]
    valid_from: DateField
    category: Annotated[ChargeCategory, BeforeValidator(_category)]
    base_amount: Money
    second_adult_amount: Money = Decimal("0.00")
    per_child_amount: Money = Decimal("0.00")
    source: Annotated[str, AfterValidator(_source)]

    @field_validator("valid_from")
    @classmethod
    def _plausible(cls, value: date) -> date:
        if value.year < 2000 or value.year > 2100:
            raise ValueError("Date hors des années couvertes (2000 à 2100).")
        return value


@dataclass(frozen=True)
class AppliedAllowance:
    """One category's figure for a household, with the row it came from (for page and report)."""

    category: ChargeCategory
    label_fr: str
    amount: Decimal
    departement: str
    valid_from: date
    source: str
    sample: bool
    base_amount: Decimal
    second_adult_amount: Decimal
    per_child_amount: Decimal
    household: Household

    @property
    def formula_fr(self) -> str:
        """How the household's amount comes from the row: "345,00 € + 172,50 € + 2 × 103,50 €"."""
        parts = [eur(self.base_amount)]
        if self.household.adults > 1 and self.second_adult_amount:
            parts.append(f"{eur(self.second_adult_amount)} (2e adulte)")
        if self.household.children and self.per_child_amount:
            parts.append(f"{self.household.children} × {eur(self.per_child_amount)} (enfants)")
        return " + ".join(parts)


@dataclass(frozen=True)
class ResolvedAllowances:
    allowance_set: AllowanceSet
    applied: list[AppliedAllowance]

    @property
    def sample(self) -> bool:
        return any(item.sample for item in self.applied)


def _latest(
    session: Session, departement: str, category: ChargeCategory, on: date
) -> AllowanceParameter | None:
    return session.exec(
        select(AllowanceParameter)
        .where(
            AllowanceParameter.departement == departement,
            AllowanceParameter.category == category,
            col(AllowanceParameter.valid_from) <= on,
        )
        .order_by(col(AllowanceParameter.valid_from).desc())
    ).first()


def resolve_allowances(
    session: Session, departement: str, on: date, household: Household
) -> ResolvedAllowances:
    """The forfaits and ceiling for this household on `on`; ParameterMissing (field "on")."""
    applied: list[AppliedAllowance] = []
    missing: list[str] = []
    for category in PARAMETER_CATEGORIES:
        row = _latest(session, departement, category, on) or _latest(
            session, DEFAULT_DEPARTEMENT, category, on
        )
        if row is None:
            missing.append(PARAMETER_LABELS_FR[category])
            continue
        applied.append(
            view_of(
                AppliedAllowance,
                row,
                category=category,
                label_fr=PARAMETER_LABELS_FR[category],
                amount=row.amount_for(household),
                household=household,
            )
        )
    if missing:
        raise ParameterMissing(
            "on",
            f"Aucun forfait de la commission n'est défini au {date_fr(on)} pour : "
            f"{', '.join(missing)}. Un administrateur ou un superviseur doit les saisir "
            "(page « Forfaits des commissions »).",
        )
    amounts = {a.category: a.amount for a in applied if a.category in ALLOWANCE_CATEGORIES}
    ceiling = next(a.amount for a in applied if a.category is ChargeCategory.WORK_TRAVEL)
    sources = list(dict.fromkeys(a.source for a in applied))
    return ResolvedAllowances(
        allowance_set=AllowanceSet(
            departement=departement,
            valid_from=max(a.valid_from for a in applied),
            amounts=amounts,
            work_travel_ceiling=ceiling,
            source=" ; ".join(sources),
            sample=any(a.sample for a in applied),
        ),
        applied=applied,
    )


def seed_sample_allowances(session: Session) -> int:
    """Fill an empty table with the engine's sample figures (flagged); returns rows added.

    Does nothing once the table holds any row: real figures are never mixed with samples.
    """
    if session.exec(select(func.count()).select_from(AllowanceParameter)).one():
        return 0
    rows: list[AllowanceParameter] = []
    for sample in SAMPLE_ALLOWANCES:
        for category, amount in sample.amounts.items():
            rows.append(
                _sample_row(
                    sample,
                    category,
                    amount,
                    cents(amount * SECOND_ADULT_SHARE[category]),
                    cents(amount * CHILD_SHARE[category]),
                )
            )
        rows.append(
            _sample_row(
                sample,
                ChargeCategory.WORK_TRAVEL,
                sample.work_travel_ceiling,
                Decimal("0.00"),
                Decimal("0.00"),
            )
        )
    session.add_all(rows)
    append_audit(
        session,
        SAMPLE_ACTOR,
        "allowance.seed_samples",
        "allowance_parameter",
        "*",
        reason="forfaits d'exemple (table vide)",
        detail={"rows": len(rows)},
    )
    return len(rows)


def _sample_row(
    sample: AllowanceSet,
    category: ChargeCategory,
    base: Decimal,
    second_adult: Decimal,
    per_child: Decimal,
) -> AllowanceParameter:
    return AllowanceParameter(
        departement=sample.departement,
        valid_from=sample.valid_from,
        category=category,
        base_amount=base,
        second_adult_amount=second_adult,
        per_child_amount=per_child,
        # The engine's sample source says "for one adult"; a row covers every household.
        source=SAMPLE_SOURCE,
        sample=True,
        updated_by=SAMPLE_ACTOR,
    )


def list_parameters(session: Session) -> list[AllowanceParameter]:
    """Every row: "*" first, then by département, newest date first, then category order."""
    order = {category: index for index, category in enumerate(PARAMETER_CATEGORIES)}
    return sorted(
        session.exec(select(AllowanceParameter)).all(),
        key=lambda r: (
            r.departement != DEFAULT_DEPARTEMENT,
            r.departement,
            -r.valid_from.toordinal(),
            order.get(r.category, len(order)),
        ),
    )


def save_parameter(session: Session, data: AllowanceParameterIn, actor: str) -> AllowanceParameter:
    """Add the row, or replace the one with the same département, date and category.

    An edited row is the commission's figure from now on: it loses its sample flag.
    """
    row = session.exec(
        select(AllowanceParameter).where(
            AllowanceParameter.departement == data.departement,
            AllowanceParameter.valid_from == data.valid_from,
            AllowanceParameter.category == data.category,
        )
    ).first()
    created = row is None
    if row is None:
        row = AllowanceParameter(
            departement=data.departement,
            valid_from=data.valid_from,
            category=data.category,
            base_amount=data.base_amount,
            source=data.source,
            updated_by=actor,
        )
    previous = None if created else _figures(row)
    row.base_amount = data.base_amount
    row.second_adult_amount = data.second_adult_amount
    row.per_child_amount = data.per_child_amount
    row.source = data.source
    row.sample = False
    row.updated_by = actor
    row.updated_at = utcnow()
    session.add(row)
    session.flush()
    _audit(session, actor, "allowance.create" if created else "allowance.update", row, previous)
    return row


def delete_parameter(session: Session, parameter_id: int, actor: str) -> AllowanceParameter | None:
    row = session.get(AllowanceParameter, parameter_id)
    if row is None:
        return None
    _audit(session, actor, "allowance.delete", row, _figures(row), after=False)
    session.delete(row)
    return row


def _audit(
    session: Session,
    actor: str,
    action: str,
    row: AllowanceParameter,
    before: dict[str, str] | None,
    *,
    after: bool = True,
) -> None:
    """The change with the row's key and its figures before (and after, unless deleted)."""
    detail: dict[str, Any] = {
        "departement": row.departement,
        "valid_from": row.valid_from,
        "category": row.category.value,
        "before": before,
    }
    if after:
        detail["after"] = _figures(row)
    append_audit(
        session,
        actor,
        action,
        "allowance_parameter",
        str(row.id),
        reason="forfaits des commissions",
        detail=detail,
    )


def _figures(row: AllowanceParameter) -> dict[str, str]:
    return {
        "base": str(row.base_amount),
        "second_adult": str(row.second_adult_amount),
        "per_child": str(row.per_child_amount),
        "sample": str(row.sample),
    }
