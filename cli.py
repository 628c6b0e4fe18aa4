"""The `cravelynos` command: one entry point for every process and admin task."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import getpass
import logging
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from config.loading import load_settings
from config.settings import Settings, SettingsError
from security.file_modes import keep_new_files_private, make_data_dir_private

if TYPE_CHECKING:  # imported lazily at run time: each command loads only what it uses
    from sqlmodel import Session

    from domain.audit_checkpoint import AuditCheckpoint
    from domain.errors import InvalidInput
    from models.staff import StaffUser

Handler = Callable[[argparse.Namespace, Settings], int]
# The Temporal frontend's names in docker-compose.yml and on this machine.
DEFAULT_TEMPORAL_SERVER_NAMES = ("temporal", "localhost", "127.0.0.1")
# Changes one staff account in a transaction; returns how many sessions it ended.
AccountChange = Callable[["Session", "StaffUser"], int]


def cmd_dev(args: argparse.Namespace, settings: Settings) -> int:
    from dev.stack import run_dev

    return run_dev(settings)


def cmd_web(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    from web.app import create_app
    from web.serving import server_options

    # The client's signed links carry their token in the path: keep them out of access logs.
    logging.getLogger("uvicorn.access").addFilter(
        lambda record: "/espace/" not in record.getMessage()
    )
    uvicorn.run(
        create_app(settings),
        **server_options(settings),
        log_level="info",
    )
    return 0


def cmd_worker(args: argparse.Namespace, settings: Settings) -> int:
    from worker import run_worker

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(run_worker(settings))
    return 0


def cmd_migrate(args: argparse.Namespace, settings: Settings) -> int:
    from models.migrate import current_revision, upgrade_database

    upgrade_database(settings)
    print(f"database at revision {current_revision(settings)}")
    return 0


def cmd_createuser(args: argparse.Namespace, settings: Settings) -> int:
    from domain.errors import InvalidInput
    from models.database import session_scope
    from services.staff_accounts import create_staff_user

    password = _read_password()
    try:
        with session_scope(settings) as session:
            user = create_staff_user(
                session,
                email=args.email,
                display_name=args.name,
                role=args.role,
                team=args.team,
                password=password,
            )
    except InvalidInput as exc:
        return _refused(exc)
    print(f"created {user.role} {user.email} (id {user.id}, team {user.team})")
    return 0


def _refused(exc: InvalidInput) -> int:
    """Each field's message on stderr; the exit status of refused input."""
    for field, message in exc.errors.items():
        print(f"{field}: {message}", file=sys.stderr)
    return 2


def _read_password() -> str:
    password = getpass.getpass("Mot de passe : ") if sys.stdin.isatty() else sys.stdin.readline()
    return password.rstrip("\n")


def _account_change(args: argparse.Namespace, settings: Settings, change: AccountChange) -> int:
    from domain.errors import InvalidInput
    from models.database import session_scope
    from services.staff_accounts import find_staff_by_email

    try:
        with session_scope(settings) as session:
            user = find_staff_by_email(session, args.email)
            if user is None:
                print(f"no staff account {args.email}", file=sys.stderr)
                return 2
            ended = change(session, user)
    except InvalidInput as exc:
        return _refused(exc)
    print(f"{args.email}: done, {ended} open session(s) and API token(s) ended")
    return 0


def cmd_set_password(args: argparse.Namespace, settings: Settings) -> int:
    from services.staff_accounts import set_password

    password = _read_password()
    return _account_change(
        args, settings, lambda session, user: set_password(session, user, password, "system")
    )


def cmd_deactivate(args: argparse.Namespace, settings: Settings) -> int:
    from services.staff_accounts import deactivate

    return _account_change(
        args, settings, lambda session, user: deactivate(session, user, "system")
    )


def cmd_sign_out(args: argparse.Namespace, settings: Settings) -> int:
    from services.staff_sessions import revoke_all

    return _account_change(
        args, settings, lambda session, user: revoke_all(session, user, "system", "revoked")
    )


def cmd_seed_demo(args: argparse.Namespace, settings: Settings) -> int:
    from dev.demo_breach import seed_demo_breach
    from dev.demo_data import ensure_demo_accounts, seed_demo_dossiers
    from dev.demo_privacy import seed_demo_privacy_requests
    from gateway.connection import connect_client

    async def seed() -> tuple[int, int, int]:
        password = ensure_demo_accounts(settings)
        if password:
            print(f"demo password: {password}")
        client = await connect_client(settings)
        dossiers = await seed_demo_dossiers(settings, client)
        requests = await seed_demo_privacy_requests(settings, client)
        return dossiers, requests, await seed_demo_breach(settings, client)

    dossiers, requests, breaches = asyncio.run(seed())
    print(
        f"{dossiers} demo dossier(s), {requests} data-subject request(s) and {breaches} breach "
        "suspicion(s) created"
    )
    return 0


def cmd_reindex_search(args: argparse.Namespace, settings: Settings) -> int:
    from models.database import session_scope
    from services.audit import append_audit
    from services.dossiers.search_index import reindex_batch

    after, clients, tokens = "", 0, 0
    while True:
        # One transaction per batch: a run cut short keeps what it did, and a new run redoes all.
        with session_scope(settings) as session:
            last, done, written = reindex_batch(session, settings, after, args.batch)
            if last is None:
                break
            append_audit(
                session, "system", "client.search_reindexed", "client", last,
                reason="index de recherche reconstruit",
                detail={"first_after": after, "clients": done},
            )  # fmt: skip
        after, clients, tokens = last, clients + done, tokens + written
        print(f"{clients} client(s) reindexed", file=sys.stderr, flush=True)
    print(f"search index rebuilt: {clients} client(s), {tokens} token(s)")
    return 0


def cmd_keys_rotate(args: argparse.Namespace, settings: Settings) -> int:
    from models.database import session_scope
    from services.key_rotation import rotate_keys

    with session_scope(settings) as session:
        report = rotate_keys(session, settings)
    print(
        f"active key {report.active_key_id}: {report.rewrapped} client key(s) re-wrapped, "
        f"{report.already_current} already current"
    )
    for old, count in sorted(report.by_old_key.items()):
        print(f"  from {old}: {count}")
    print(
        "Keep the old keys in CRAVELYNOS_MASTER_KEYS while Temporal histories encrypted with them "
        "are retained; they no longer protect any database field."
    )
    return 0


def cmd_backup(args: argparse.Namespace, settings: Settings) -> int:
    from services.backups import list_backups, take_backup

    if not args.list:
        taken = take_backup(settings)
        print(f"backup written: {taken.name} ({taken.size_bytes:,} bytes)")
    for info in list_backups(settings):
        print(f"{info.taken_at:%Y-%m-%d %H:%M:%S} UTC  {info.size_bytes:>14,} bytes  {info.name}")
    return 0


def cmd_restore(args: argparse.Namespace, settings: Settings) -> int:
    from services.backups import BackupError, backups_dir, restore_backup

    path = Path(args.backup)
    if not path.exists():
        path = backups_dir(settings) / args.backup
    try:
        report = restore_backup(settings, path)
    except BackupError as exc:
        print(f"restore refused: {exc}", file=sys.stderr)
        return 1
    print(
        f"restored the backup of {report.taken_at:%Y-%m-%d %H:%M:%S} UTC; "
        f"{report.erasures_reapplied} erasure(s) made since then applied again"
    )
    return 0


def cmd_keys_generate(args: argparse.Namespace, settings: Settings) -> int:
    from security.keyring import generate_key

    print(f"{args.key_id}:{generate_key()}")
    return 0


def cmd_tls_generate(args: argparse.Namespace, settings: Settings) -> int:
    from security.tls_certificates import generate_tls_files

    directory = Path(args.directory)
    names = tuple(args.server_name) or DEFAULT_TEMPORAL_SERVER_NAMES
    if not generate_tls_files(directory, names, group_readable=args.group_readable):
        print(f"{directory}: TLS files already there, left as they are")
        return 0
    print(f"{directory}: CA, server ({', '.join(names)}) and client certificates written")
    return 0


def cmd_audit_verify(args: argparse.Namespace, settings: Settings) -> int:
    from models.database import session_scope
    from services.audit import AuditChainError, verify_audit_chain

    witnessed = None
    if not args.without_witness:
        try:
            witnessed = asyncio.run(_witnessed(settings))
        except WitnessUnreadable as exc:
            print(f"audit witness unreadable: {exc}", file=sys.stderr)
            print(
                "  the log's end cannot be confirmed; `--without-witness` checks the database "
                "alone (edits, deletions inside the log, the anchor)",
                file=sys.stderr,
            )
            return 2
    try:
        with session_scope(settings) as session:
            report = verify_audit_chain(session, witnessed)
    except AuditChainError as exc:
        print(f"audit chain cannot be checked: {exc}", file=sys.stderr)
        return 2
    if report.ok:
        print(f"audit chain intact: {report.checked} entries (from #{report.anchor_seq + 1})")
        if witnessed is not None:
            print(f"  consistent with the witness (entry {witnessed.last_seq} recorded)")
        elif args.without_witness:
            print("  witness not consulted: entries cut off the end would go unnoticed")
        else:
            print("  the witness has recorded nothing yet")
        return 0
    print(f"audit chain BROKEN ({len(report.problems)} problem(s)):", file=sys.stderr)
    for problem in report.problems:
        print(f"  - {problem}", file=sys.stderr)
    return 1


class WitnessUnreadable(Exception):
    pass


async def _witnessed(settings: Settings) -> AuditCheckpoint | None:
    from gateway.audit_witness import WitnessMissing, witnessed_checkpoint
    from gateway.connection import connect_client

    try:
        client = await asyncio.wait_for(connect_client(settings), timeout=15)
        return await asyncio.wait_for(witnessed_checkpoint(client), timeout=15)
    except WitnessMissing:
        raise WitnessUnreadable(
            "no audit witness runs in this Temporal namespace (a worker starts it)"
        ) from None
    except Exception as exc:  # connection refused, timeout, TLS: all mean "cannot confirm"
        raise WitnessUnreadable(
            f"Temporal at {settings.temporal_address} did not answer ({type(exc).__name__})"
        ) from None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cravelynos", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    def add(name: str, handler: Handler, help_text: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_text, description=help_text)
        sub.set_defaults(handler=handler)
        return sub

    add("dev", cmd_dev, "Run everything on this machine (Temporal, worker, web, SMTP catcher)")
    add("web", cmd_web, "Run the web app")
    add("worker", cmd_worker, "Run the Temporal worker")
    add("migrate", cmd_migrate, "Bring the database schema up to date")
    createuser = add("createuser", cmd_createuser, "Create a staff account (password on stdin)")
    createuser.add_argument("email")
    createuser.add_argument("--name", required=True)
    createuser.add_argument(
        "--role", required=True, choices=["case_worker", "supervisor", "dpo", "ops", "admin"]
    )
    createuser.add_argument("--team", default="paris")
    for name, handler, help_text in (
        (
            "set-password",
            cmd_set_password,
            "New password (on stdin); ends the account's sessions",
        ),
        ("deactivate", cmd_deactivate, "Deactivate a staff account; ends its sessions and tokens"),
        ("sign-out", cmd_sign_out, "End every session and API token of a staff account"),
    ):
        add(name, handler, help_text).add_argument("email")
    add("seed-demo", cmd_seed_demo, "Create the demo accounts and dossiers (dev)")
    reindex = add(
        "reindex-search",
        cmd_reindex_search,
        "Rebuild the dossier search index from every client's details (idempotent, in batches)",
    )
    reindex.add_argument("--batch", type=int, default=500, help="clients per transaction")
    backup = add("backup", cmd_backup, "Take an encrypted backup (database and documents)")
    backup.add_argument("--list", action="store_true", help="only list the backups taken")
    restore = add(
        "restore",
        cmd_restore,
        "Restore a backup (web and worker stopped), then apply again the erasures made since",
    )
    restore.add_argument("backup", help="the backup's file, or its name under data_dir/backups")

    keys = commands.add_parser("keys", help="Master key ring").add_subparsers(
        dest="keys_command", required=True
    )
    rotate = keys.add_parser("rotate", help="Re-wrap every client key with the active master key")
    rotate.set_defaults(handler=cmd_keys_rotate)
    generate = keys.add_parser("generate", help="Print a new master key entry kid:base64")
    generate.add_argument("key_id")
    generate.set_defaults(handler=cmd_keys_generate)

    tls = commands.add_parser("tls", help="Mutual TLS with Temporal").add_subparsers(
        dest="tls_command", required=True
    )
    generate_tls = tls.add_parser(
        "generate", help="A private CA, the Temporal server's and the app's certificates"
    )
    generate_tls.add_argument("directory")
    generate_tls.add_argument(
        "--server-name",
        action="append",
        default=[],
        help="A name (or IP) of the Temporal frontend; repeatable (default: temporal, localhost)",
    )
    generate_tls.add_argument(
        "--group-readable",
        action="store_true",
        help="Keys readable by the owner's group (0640): for containers sharing the files",
    )
    generate_tls.set_defaults(handler=cmd_tls_generate)

    audit = commands.add_parser("audit", help="Audit log").add_subparsers(
        dest="audit_command", required=True
    )
    verify = audit.add_parser(
        "verify",
        help="Check the keyed hash chain (edits, deletions, reordering) and the witness in "
        "Temporal (entries cut off the end, a wiped log)",
    )
    verify.add_argument(
        "--without-witness",
        action="store_true",
        help="Check the database alone, when Temporal cannot be reached",
    )
    verify.set_defaults(handler=cmd_audit_verify)
    return parser


def main(argv: Sequence[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    keep_new_files_private()
    try:
        settings = load_settings()
    except SettingsError as exc:
        print(f"configuration refused: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    make_data_dir_private(settings.data_dir)
    status = args.handler(args, settings)
    # Temporal's runtime can abort the interpreter at exit (SDK issue #300): leave directly.
    from dev.stack import hard_exit

    hard_exit(status)
