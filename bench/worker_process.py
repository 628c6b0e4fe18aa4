"""Child process of the throughput benchmark: the real worker (`run_worker`: dossier workflow,
its activities and the intent relay) and the trivial baseline worker, on the same Temporal
server, until SIGTERM. Settings come from CRAVELYNOS_* set by the parent.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
import traceback

from temporalio.worker import Worker

from bench.trivial import TRIVIAL_TASK_QUEUE, TrivialWorkflow, echo
from config.loading import load_settings
from gateway.connection import connect_client
from worker import run_worker

SHUTDOWN_SECONDS = 10.0


async def serve() -> int:
    settings = load_settings()
    client = await connect_client(settings)
    trivial = Worker(
        client, task_queue=TRIVIAL_TASK_QUEUE, workflows=[TrivialWorkflow], activities=[echo]
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    dossiers = asyncio.create_task(run_worker(settings, client))
    baseline = asyncio.create_task(trivial.run())
    stopping = asyncio.create_task(stop.wait())
    await asyncio.wait({dossiers, baseline, stopping}, return_when=asyncio.FIRST_COMPLETED)
    status = 0
    for task in (dossiers, baseline):
        if task.done() and not task.cancelled() and task.exception() is not None:
            traceback.print_exception(task.exception())
            status = 1
    dossiers.cancel()
    with contextlib.suppress(Exception):
        await asyncio.wait_for(trivial.shutdown(), SHUTDOWN_SECONDS)
    await asyncio.wait({dossiers, baseline}, timeout=SHUTDOWN_SECONDS)
    return status


def main() -> None:
    status = asyncio.run(serve())
    sys.stdout.flush()
    sys.stderr.flush()
    # Temporal SDK issue #300: the Rust runtime can abort the interpreter at exit.
    os._exit(status)


if __name__ == "__main__":
    main()
