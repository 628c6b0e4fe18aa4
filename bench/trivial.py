"""The baseline: a workflow that runs one activity that does nothing, on its own task queue.

Kept free of project imports so the workflow sandbox loads it quickly.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from temporalio import activity, workflow

TRIVIAL_TASK_QUEUE = "cravelynos-bench-trivial"
TRIVIAL_WORKFLOW = "BenchTrivialWorkflow"


@dataclass
class TrivialInput:
    number: int


@activity.defn(name="bench_echo")
async def echo(arg: TrivialInput) -> int:
    return arg.number


@workflow.defn(name=TRIVIAL_WORKFLOW)
class TrivialWorkflow:
    @workflow.run
    async def run(self, arg: TrivialInput) -> int:
        return await workflow.execute_activity(
            echo, arg, start_to_close_timeout=timedelta(seconds=30)
        )
