"""For analysis-phase tests: a dossier's budget and strategy, a check that a text carries none
of its figures (emails must not), and a clean end for a workflow left waiting.
"""

from __future__ import annotations

import asyncio
import re
import time
from datetime import date
from decimal import Decimal

from temporalio.api.common.v1 import WorkflowExecution
from temporalio.api.workflowservice.v1 import DescribeWorkflowExecutionRequest
from temporalio.client import Client, WorkflowHandle

from config.settings import Settings
from domain.budget import BudgetAnalysis, BudgetInput
from models.database import session_scope
from models.staff import StaffUser
from services.budget.allowances import seed_sample_allowances
from services.budget.store import StrategyLine, analyse, save_budget_input, save_strategy

# Amounts chosen so that none reads like a date, a year or a dossier reference.
BUDGET = BudgetInput.model_validate(
    {
        "on": date(2025, 6, 2),
        "household": {"adults": 1, "children": 1},
        "dependants": 1,
        "resources": [
            {"kind": "salary", "monthly_amount": "1873.40"},
            {"kind": "family_benefit", "monthly_amount": "148.52"},
        ],
        "charges": [
            {"category": "rent", "monthly_amount": "612.35"},
            {"category": "health_insurance", "monthly_amount": "47.83"},
        ],
        "debts": [
            {
                "creditor": "Banque Exemple",
                "creditor_kind": "bank",
                "nature": "consumer_credit",
                "capital_outstanding": "8457.91",
                "monthly_instalment": "243.17",
            },
            {
                "creditor": "Énergie Exemple",
                "creditor_kind": "energy",
                "nature": "energy_arrears",
                "capital_outstanding": "0",
                "arrears": "918.64",
            },
        ],
    }
)
STRATEGY = [
    StrategyLine.model_validate(
        {
            "kind": "payment_plan",
            "debt_index": 0,
            "rationale": "Plan amiable au montant de la capacité de remboursement.",
            "monthly_amount": "187.29",
        }
    ),
    StrategyLine.model_validate(
        {
            "kind": "fee_waiver",
            "debt_index": 1,
            "rationale": "Demande de remise des frais de recouvrement.",
        }
    ),
]


def record_budget(
    settings: Settings,
    staff: StaffUser,
    dossier_id: str,
    *,
    data: BudgetInput = BUDGET,
    strategy: list[StrategyLine] | None = STRATEGY,
) -> None:
    """What the case worker's budget and strategy pages store (sample forfaits seeded)."""
    with session_scope(settings) as session:
        seed_sample_allowances(session)
        viewer = session.get(StaffUser, staff.id)
        assert viewer is not None
        save_budget_input(session, viewer, dossier_id, data, settings)
        if strategy is not None:
            save_strategy(session, viewer, dossier_id, strategy, settings)


def analysis_of(
    settings: Settings, data: BudgetInput = BUDGET, departement: str = "75"
) -> BudgetAnalysis:
    with session_scope(settings) as session:
        seed_sample_allowances(session)
        return analyse(session, departement, data)[0]


def _spellings(amount: Decimal) -> set[str]:
    """'1873.40' written as a French or an English reader would: 1 873,40 · 1873,40 · 1873.40."""
    whole, cents = f"{abs(amount):.2f}".split(".")
    grouped = f"{int(whole):,}"
    forms = {f"{whole},{cents}", f"{whole}.{cents}"}
    for separator in (" ", "\u202f", "\u00a0", "."):
        forms.add(f"{grouped.replace(',', separator)},{cents}")
    return forms


def figures_in(
    text: str, data: BudgetInput = BUDGET, analysis: BudgetAnalysis | None = None
) -> list[str]:
    """The budget's amounts (and the analysis' key results) found in `text`, however written.

    The declared amounts are also looked for as whole euros ("1873"); a number only counts when
    it stands alone, not inside a longer run of digits or letters.
    """
    amounts = [line.monthly_amount for line in data.resources]
    amounts += [line.monthly_amount for line in data.charges]
    for debt in data.debts:
        amounts += [debt.capital_outstanding, debt.arrears, debt.monthly_instalment]
    declared = [a for a in amounts if a >= 10]
    wanted = {form for amount in declared for form in _spellings(amount)}
    wanted |= {str(int(amount)) for amount in declared}
    if analysis is not None:
        results = [
            analysis.monthly_resources,
            analysis.living_budget,
            analysis.capacity,
            analysis.max_legal,
            analysis.quotite_saisissable,
            analysis.rsa_household,
            analysis.total_debt,
            analysis.reste_a_vivre,
        ]
        wanted |= {form for amount in results if abs(amount) >= 10 for form in _spellings(amount)}
    return sorted(
        form for form in wanted if re.search(rf"(?<![\w.,]){re.escape(form)}(?![\w]|[.,]\d)", text)
    )


async def settle_workflow(client: Client, handle: WorkflowHandle, timeout: float = 20.0) -> None:
    """Wait until the workflow has nothing in flight: no activity, no workflow task."""
    deadline = time.monotonic() + timeout
    quiet = 0
    while quiet < 3:
        # The raw call: describe() chokes on the test server's datetime search attribute.
        raw = await client.workflow_service.describe_workflow_execution(
            DescribeWorkflowExecutionRequest(
                namespace=client.namespace, execution=WorkflowExecution(workflow_id=handle.id)
            )
        )
        busy = bool(raw.pending_activities) or raw.HasField("pending_workflow_task")
        quiet = 0 if busy else quiet + 1
        assert time.monotonic() < deadline, f"{handle.id} did not settle"
        await asyncio.sleep(0.05)


async def finish_workflow(client: Client, handle: WorkflowHandle) -> None:
    """Let the workflow finish what it is doing, then terminate it and its running children
    (a dossier's creditor negotiations).

    The time-skipping server is shared by every test and stops skipping time while a workflow
    task or an activity waits for a worker: a workflow left behind with an activity in flight,
    or with a timer (a retention hop) that fires once its worker is gone, stalls later tests.
    """
    await settle_workflow(client, handle)
    raw = await client.workflow_service.describe_workflow_execution(
        DescribeWorkflowExecutionRequest(
            namespace=client.namespace, execution=WorkflowExecution(workflow_id=handle.id)
        )
    )
    for child in raw.pending_children:
        await finish_workflow(client, client.get_workflow_handle(child.workflow_id))
    await handle.terminate(reason="end of test")
