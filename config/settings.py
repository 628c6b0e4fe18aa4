"""Application settings, read from CRAVELYNOS_* environment variables.

Constructing `Settings` only reads: it never writes a file. Embedded (dev) mode works with no
configuration at all because the entry points go through `config.loading.load_settings`, which
fills the secrets left unset from the data directory's dev secrets (generated on first use).
Production mode refuses to start unless every secret is given explicitly and none is a dev value.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from domain.errors import CravelynosError
from domain.retention import RetentionPolicy

DEV_SECRETS_FILE = "dev-secrets.json"
# Given explicitly in production; generated once and kept in the data directory in dev mode.
SECRET_NAMES = (
    "master_keys",
    "active_key_id",
    "blind_index_key",
    "session_secret",
    "audit_key",
)


class SettingsError(CravelynosError):
    """Raised when the configuration is unsafe or incomplete."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CRAVELYNOS_", extra="ignore")

    mode: Literal["dev", "production"] = "dev"
    data_dir: Path = Path(".data")
    database_url: str = ""

    # Key ring: "kid:base64key,kid:base64key"; the active key encrypts, all keys decrypt.
    master_keys: str = ""
    active_key_id: str = ""
    blind_index_key: str = ""
    session_secret: str = ""
    # Keys the audit log's hash chain (HMAC-SHA256, base64 of 32 bytes): whoever can write the
    # database but lacks this key cannot rewrite the log undetected.
    audit_key: str = ""

    temporal_address: str = "127.0.0.1:7233"
    temporal_namespace: str = "default"
    task_queue: str = "cravelynos"
    temporal_ui_url: str = "http://127.0.0.1:8233"
    # Mutual TLS to the Temporal frontend (PEM files): the CA that signed the server's
    # certificate, and this process's client certificate and key. Required in production; the
    # embedded dev server listens on loopback without TLS. `cravelynos tls generate` makes a set.
    temporal_tls_ca: str = ""
    temporal_tls_cert: str = ""
    temporal_tls_key: str = ""
    # The name in the server's certificate, when it differs from the address's host.
    temporal_tls_server_name: str = ""

    web_host: str = "127.0.0.1"
    web_port: int = 8000
    # Comma-separated addresses or networks of the reverse proxies whose X-Forwarded-For and
    # X-Forwarded-Proto are believed. Empty: none, the peer's own address is the client's (else
    # anyone could pick the address every rate limit counts by).
    trusted_proxies: str = ""
    # Empty: the web app's own address (http://127.0.0.1:<CRAVELYNOS_WEB_PORT>), so that links
    # follow a changed port; set it to the public address behind a proxy.
    public_base_url: str = ""

    smtp_host: str = "127.0.0.1"
    smtp_port: int = 1025
    smtp_username: str = ""
    smtp_password: str = ""
    smtp_starttls: bool = False
    smtp_timeout_seconds: float = 30.0
    mail_from: str = "Cravelynos <dossiers@cravelynos.example>"
    mail_domain: str = "cravelynos.example"
    # The data protection officer's address: in every breach notification and information.
    dpo_email: str = "dpo@cravelynos.example"
    # Where a client reaches the advisers when a page cannot name theirs (an unusable link).
    client_contact_email: str = "conseillers@cravelynos.example"
    client_contact_phone: str = ""
    # Informing the people affected by a breach: messages a second, connections at once.
    breach_emails_per_second: float = 50.0
    breach_email_concurrency: int = 8

    demo_password: str = ""

    upload_max_bytes: int = 10 * 1024 * 1024
    session_idle_minutes: int = 30
    session_absolute_hours: int = 10
    api_token_minutes: int = 60
    login_attempts_per_minute: int = 10
    # How often the audit witness (a Temporal workflow) records the log's head outside the
    # database: entries removed from the end of the log are caught back to the last record.
    audit_witness_minutes: int = Field(default=60, ge=1)

    # Dossier timing: reminders while documents are missing, in days after creation.
    document_reminder_days: list[int] = Field(default_factory=lambda: [7, 14])
    # Retention: negotiation history 5 years after closure, documents 3 years after
    # the end of the contractual relationship; the wait runs in hops of at most 90 days.
    history_retention_years: int = 5
    documents_retention_years: int = 3
    retention_hop_days: int = Field(default=90, ge=1, le=90)
    # Client approval of the budget analysis, in days after each submission to the client:
    # a reminder email, then a task for the case worker. The signed link stays valid this long.
    analysis_approval_reminder_days: int = Field(default=7, ge=1)
    analysis_approval_task_days: int = Field(default=14, ge=1)
    analysis_link_days: int = Field(default=30, ge=1)
    # Creditor negotiation delays, in days. After each message to a creditor: follow-ups, then
    # "no response". The client's decision on a counter-offer (never past the offer's own
    # validity). Instalments: an alert when one is still unpaid `grace` days after its due
    # date, the plan broken when still unpaid `broken_after` days after it.
    negotiation_follow_up_days: list[int] = Field(default_factory=lambda: [15, 30])
    negotiation_no_response_days: int = Field(default=45, ge=1)
    counter_offer_decision_days: int = Field(default=10, ge=1)
    instalment_grace_days: int = Field(default=5, ge=0)
    instalment_broken_after_days: int = Field(default=30, ge=1)
    # Signed links: a consent request, and the client's negotiation space (status, what was
    # shared, schedule, withdrawal of consent).
    consent_link_days: int = Field(default=14, ge=1)
    negotiation_space_link_days: int = Field(default=365, ge=1)
    # A data-subject request's answer (access package, portable data): one download, within.
    privacy_download_days: int = Field(default=14, ge=1)
    # The link in every client email to exercise their rights (it identifies them).
    rights_link_days: int = Field(default=365, ge=1)
    # Encrypted backups kept under data_dir/backups (the daily schedule prunes the oldest).
    backups_kept: int = Field(default=14, ge=1)
    # Requests per minute and IP address on the client's public pages (signed links).
    client_link_requests_per_minute: int = Field(default=30, ge=1)
    # Data-subject requests filed per minute and IP address on the site's public form.
    public_requests_per_minute: int = Field(default=5, ge=1)
    # Bearer token Prometheus sends to GET /metrics; empty: /metrics answers 404.
    metrics_token: str = ""

    @model_validator(mode="after")
    def _reminder_before_task(self) -> Settings:
        if self.analysis_approval_task_days <= self.analysis_approval_reminder_days:
            raise ValueError(
                "CRAVELYNOS_ANALYSIS_APPROVAL_TASK_DAYS must be greater than "
                "CRAVELYNOS_ANALYSIS_APPROVAL_REMINDER_DAYS (the reminder comes first)"
            )
        return self

    @model_validator(mode="after")
    def _negotiation_delays_in_order(self) -> Settings:
        follow_ups = self.negotiation_follow_up_days
        if follow_ups != sorted(set(follow_ups)) or any(day < 1 for day in follow_ups):
            raise ValueError(
                "CRAVELYNOS_NEGOTIATION_FOLLOW_UP_DAYS must be increasing positive days"
            )
        if follow_ups and follow_ups[-1] >= self.negotiation_no_response_days:
            raise ValueError(
                "CRAVELYNOS_NEGOTIATION_NO_RESPONSE_DAYS must come after the last follow-up"
            )
        if self.instalment_broken_after_days <= self.instalment_grace_days:
            raise ValueError(
                "CRAVELYNOS_INSTALMENT_BROKEN_AFTER_DAYS must be greater than "
                "CRAVELYNOS_INSTALMENT_GRACE_DAYS (the alert comes first)"
            )
        return self

    @model_validator(mode="after")
    def _fill_defaults(self) -> Settings:
        if not self.database_url:
            self.database_url = f"sqlite:///{(self.data_dir / 'cravelynos.db').as_posix()}"
        if not self.public_base_url:
            host = "127.0.0.1" if self.web_host in ("0.0.0.0", "::", "") else self.web_host
            host = f"[{host}]" if ":" in host else host
            self.public_base_url = f"http://{host}:{self.web_port}"
        if self.mode == "production":
            self._refuse_missing_or_dev_secrets()
        return self

    def _refuse_missing_or_dev_secrets(self) -> None:
        missing = self.missing_secrets()
        if missing:
            names = ", ".join(f"CRAVELYNOS_{n.upper()}" for n in missing)
            raise SettingsError(f"production mode needs explicit secrets: {names}")
        dev_file = self.data_dir / DEV_SECRETS_FILE
        if dev_file.exists():
            dev = json.loads(dev_file.read_text())
            reused = [n for n in SECRET_NAMES if getattr(self, n) == dev.get(n)]
            if reused:
                raise SettingsError(f"production mode refuses dev secrets: {', '.join(reused)}")
        if self.demo_password:
            raise SettingsError("production mode refuses CRAVELYNOS_DEMO_PASSWORD")
        if not self.temporal_mtls:
            raise SettingsError(
                "production mode talks to Temporal over mutual TLS only: set "
                "CRAVELYNOS_TEMPORAL_TLS_CA, CRAVELYNOS_TEMPORAL_TLS_CERT and "
                "CRAVELYNOS_TEMPORAL_TLS_KEY (`cravelynos tls generate` makes a set)"
            )

    def missing_secrets(self) -> list[str]:
        return [name for name in SECRET_NAMES if not getattr(self, name)]

    @property
    def temporal_mtls(self) -> bool:
        return bool(self.temporal_tls_ca and self.temporal_tls_cert and self.temporal_tls_key)

    @property
    def documents_dir(self) -> Path:
        return self.data_dir / "documents"

    @property
    def mailbox_dir(self) -> Path:
        return self.data_dir / "mailbox"

    @property
    def retention_policy(self) -> RetentionPolicy:
        return RetentionPolicy(
            history_years=self.history_retention_years,
            documents_years=self.documents_retention_years,
            hop_days=self.retention_hop_days,
        )

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")
