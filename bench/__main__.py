"""`python -m bench` (make bench): throughput (dossiers, then creditor offers, beside one
trivial-workflow baseline on the same stack), then list latency, then the access package of a
client with many emails and audit entries (beside a plain SELECT dump), then informing the
people affected by a breach (beside a plain aiosmtplib loop), then searching people among the
dossiers of the list (beside the same static file); the report on stdout,
progress on stderr, the results saved under bench/results/. Everything runs on 127.0.0.1 and is
shut down before the end. `--quick` is a smoke run (under a minute once its small database is
cached).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
import traceback
from dataclasses import dataclass
from datetime import UTC, datetime

from bench.stack import BenchFailure, scrub_environment


@dataclass(frozen=True)
class Profile:
    name: str
    count: int
    concurrency: int
    warmup: int
    dossiers: int
    requests: int
    list_warmup: int
    # The access package: emails and audit entries of one client, rounds measured.
    package_rows: int
    package_rounds: int
    # People informed of a breach.
    breach_people: int


PROFILES = {
    "full": Profile("full", 200, 10, 20, 100_000, 300, 20, 10_000, 3, 10_000),
    "quick": Profile("quick", 30, 5, 5, 10_000, 40, 5, 1_000, 2, 500),
}


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument(
        "--quick", action="store_true", help="smoke run: fewer items, 10,000 dossiers"
    )
    parser.add_argument(
        "--postgres",
        action="store_true",
        help="also measure the list on PostgreSQL (127.0.0.1:5432, temporary database; "
        "admin URL from BENCH_PG_ADMIN_URL)",
    )
    parser.add_argument(
        "--only",
        choices=("throughput", "negotiation", "list", "access", "breach", "search"),
        help="run one part of the benchmark",
    )
    return parser.parse_args(argv)


def run(args: argparse.Namespace) -> None:
    # Imported here so the environment is scrubbed before any settings are read.
    from bench import postgres, report
    from bench.access_package import measure_access_package
    from bench.breach_information import measure_breach_information
    from bench.console import say
    from bench.dossier_search import run_search_latency
    from bench.fill import filled_database
    from bench.list_latency import run_list_latency
    from bench.negotiation import measure_negotiations
    from bench.throughput import live_stack, measure_baseline, measure_dossiers

    profile = PROFILES["quick" if args.quick else "full"]
    began = time.perf_counter()
    results = report.Results(
        profile=profile.name,
        started_at=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        machine=report.Machine.describe(),
    )
    if args.postgres:
        results.machine.postgresql = postgres.server_version()
    if args.only in (None, "throughput", "negotiation"):

        async def workflow_parts() -> None:
            # One stack and one baseline for both parts, so their ratios compare.
            size = (profile.count, profile.concurrency, profile.warmup)
            async with live_stack(profile.concurrency) as stack:
                baseline = await measure_baseline(stack, *size)
                if args.only in (None, "throughput"):
                    results.throughput = await measure_dossiers(stack, baseline, *size)
                if args.only in (None, "negotiation"):
                    results.negotiation = await measure_negotiations(stack, baseline, *size)

        asyncio.run(workflow_parts())
    if args.only in (None, "list"):
        filled = filled_database(profile.dossiers)
        results.fill_seconds = filled.filled_in_seconds
        results.list_latency.append(run_list_latency(filled, profile.requests, profile.list_warmup))
        if args.postgres:
            with postgres.temporary_database() as url:
                postgres.copy_filled(filled, url)
                results.list_latency.append(
                    run_list_latency(
                        filled, profile.requests, profile.list_warmup, url, "PostgreSQL"
                    )
                )
    if args.only in (None, "access"):
        rows = profile.package_rows
        results.access_package = measure_access_package(rows, rows, profile.package_rounds)
    if args.only in (None, "breach"):
        results.breach_information = measure_breach_information(profile.breach_people)
    if args.only in (None, "search"):
        filled = filled_database(profile.dossiers)
        results.fill_seconds = results.fill_seconds or filled.filled_in_seconds
        results.search_latency = run_search_latency(filled, profile.requests, profile.list_warmup)
    results.seconds = time.perf_counter() - began
    print(report.render(results), flush=True)
    say(f"results saved to {report.save(results)}")


def main() -> None:
    scrub_environment()
    args = parse_args(sys.argv[1:])
    status = 0
    try:
        run(args)
    except BenchFailure as exc:
        print(f"bench failed: {exc}", file=sys.stderr)
        status = 1
    except KeyboardInterrupt:
        status = 130
    except Exception:
        traceback.print_exc()
        status = 1
    sys.stdout.flush()
    sys.stderr.flush()
    # Temporal SDK issue #300: its Rust runtime can abort the interpreter at exit; the children
    # and servers are already stopped here, so leave without finalisation.
    os._exit(status)


if __name__ == "__main__":
    main()
