"""Data-subject requests: the request, its timeline, the DPO's notes, the ID documents read to
check identity, the files made for the person, rectifications and erasures and the creditors
to tell of them, the marketing suppression list, the erasure ledger and the restriction of a
client's processing; the audit log indexed by object (a person's accesses are listed from it).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05 22:34:58.183958

"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes  # noqa: F401  (autogenerate renders sqlmodel's column types)
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "erasure_ledger",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("client_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.Column("complete", sa.Boolean(), nullable=False),
        sa.Column("withheld", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("erased_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("request_id"),
    )
    op.create_table(
        "marketing_suppression",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("email_hash"),
    )
    op.create_table(
        "privacy_request",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("reference", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("rights", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("channel", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("client_id", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("team", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("wrapped_key", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("email_enc", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("email_bidx", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("identity", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("identity_checked_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column(
            "identity_checked_by", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=True
        ),
        sa.Column(
            "identity_document_kind", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=True
        ),
        sa.Column("linked_to_id", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("received_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("recorded_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("recorded_by", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("creation_key", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column(
            "creation_fingerprint", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True
        ),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("due_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("paused_days", sa.Integer(), nullable=False),
        sa.Column("extended_months", sa.Integer(), nullable=False),
        sa.Column("outcomes", sqlmodel.sql.sqltypes.AutoString(length=400), nullable=False),
        sa.Column("answered_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("synced_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["client.id"],
        ),
        sa.ForeignKeyConstraint(
            ["linked_to_id"],
            ["privacy_request.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("creation_key"),
        sa.UniqueConstraint("reference"),
    )
    with op.batch_alter_table("privacy_request", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_privacy_request_client_id"), ["client_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_privacy_request_due_at"), ["due_at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_privacy_request_email_bidx"), ["email_bidx"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_privacy_request_received_at"), ["received_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_privacy_request_status"), ["status"], unique=False)

    op.create_table(
        "erasure_notice",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("creditor_id", sa.Integer(), nullable=False),
        sa.Column(
            "negotiation_reference", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False
        ),
        sa.Column("sent_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("message_id", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["creditor_id"],
            ["creditor.id"],
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["privacy_request.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("request_id", "creditor_id"),
    )
    with op.batch_alter_table("erasure_notice", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_erasure_notice_request_id"), ["request_id"], unique=False
        )

    op.create_table(
        "privacy_download",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("request_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("stored_name", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("expires_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("downloaded_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("shredded_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["privacy_request.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("request_id", "kind"),
        sa.UniqueConstraint("stored_name"),
    )
    with op.batch_alter_table("privacy_download", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_privacy_download_request_id"), ["request_id"], unique=False
        )

    op.create_table(
        "privacy_identity_document",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("request_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("stored_name", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("content_type", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("uploaded_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("uploaded_by", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("deleted_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["privacy_request.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("stored_name"),
    )
    with op.batch_alter_table("privacy_identity_document", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_privacy_identity_document_request_id"), ["request_id"], unique=False
        )

    op.create_table(
        "privacy_rectification",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("client_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("field_name", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("old_value_enc", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("new_value_enc", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("reason_enc", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("created_by", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["client.id"],
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["privacy_request.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("privacy_rectification", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_privacy_rectification_client_id"), ["client_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_privacy_rectification_request_id"), ["request_id"], unique=False
        )

    op.create_table(
        "privacy_request_note",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("text_enc", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("written_by", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("written_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["privacy_request.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("privacy_request_note", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_privacy_request_note_request_id"), ["request_id"], unique=False
        )

    op.create_table(
        "privacy_request_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
        sa.Column("actor", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("detail", sqlmodel.sql.sqltypes.AutoString(length=400), nullable=False),
        sa.Column("note_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["note_id"],
            ["privacy_request_note.id"],
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["privacy_request.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key"),
    )
    with op.batch_alter_table("privacy_request_event", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_privacy_request_event_request_id"), ["request_id"], unique=False
        )

    op.create_table(
        "recipient_notice",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("rectification_id", sa.Integer(), nullable=False),
        sa.Column("creditor_id", sa.Integer(), nullable=False),
        sa.Column("negotiation_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("sent_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("message_id", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("acknowledged_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("acknowledged_by", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=True),
        sa.ForeignKeyConstraint(
            ["creditor_id"],
            ["creditor.id"],
        ),
        sa.ForeignKeyConstraint(
            ["negotiation_id"],
            ["negotiation.id"],
        ),
        sa.ForeignKeyConstraint(
            ["rectification_id"],
            ["privacy_rectification.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("rectification_id", "creditor_id"),
    )
    with op.batch_alter_table("recipient_notice", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_recipient_notice_rectification_id"), ["rectification_id"], unique=False
        )

    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_entry_object_id"), ["object_id"], unique=False)

    with op.batch_alter_table("client", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("restricted_since", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True)
        )
        batch_op.add_column(
            sa.Column("restricted_by", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("client", schema=None) as batch_op:
        batch_op.drop_column("restricted_by")
        batch_op.drop_column("restricted_since")

    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_entry_object_id"))

    with op.batch_alter_table("recipient_notice", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_recipient_notice_rectification_id"))

    op.drop_table("recipient_notice")
    with op.batch_alter_table("privacy_request_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_privacy_request_event_request_id"))

    op.drop_table("privacy_request_event")
    with op.batch_alter_table("privacy_request_note", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_privacy_request_note_request_id"))

    op.drop_table("privacy_request_note")
    with op.batch_alter_table("privacy_rectification", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_privacy_rectification_request_id"))
        batch_op.drop_index(batch_op.f("ix_privacy_rectification_client_id"))

    op.drop_table("privacy_rectification")
    with op.batch_alter_table("privacy_identity_document", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_privacy_identity_document_request_id"))

    op.drop_table("privacy_identity_document")
    with op.batch_alter_table("privacy_download", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_privacy_download_request_id"))

    op.drop_table("privacy_download")
    with op.batch_alter_table("erasure_notice", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_erasure_notice_request_id"))

    op.drop_table("erasure_notice")
    with op.batch_alter_table("privacy_request", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_privacy_request_status"))
        batch_op.drop_index(batch_op.f("ix_privacy_request_received_at"))
        batch_op.drop_index(batch_op.f("ix_privacy_request_email_bidx"))
        batch_op.drop_index(batch_op.f("ix_privacy_request_due_at"))
        batch_op.drop_index(batch_op.f("ix_privacy_request_client_id"))

    op.drop_table("privacy_request")
    op.drop_table("marketing_suppression")
    op.drop_table("erasure_ledger")
