"""Personal-data breaches: the breach and its read model, the scopes computed, the affected
persons and the delivery of their information, the notifications to the CNIL, the timeline.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 02:15:12.308983

"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes  # noqa: F401  (autogenerate renders sqlmodel's column types)
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "breach",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("reference", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("nature", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("wrapped_key", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("raised_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("raised_by", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("aware_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("notify_by", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("declared_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("declared_by", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=True),
        sa.Column("description_enc", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("discovered_by_enc", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("discovery_enc", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("evidence_enc", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("scope_id", sa.Integer(), nullable=True),
        sa.Column("people_count", sa.Integer(), nullable=True),
        sa.Column("records_count", sa.Integer(), nullable=True),
        sa.Column("data_categories", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column(
            "person_categories", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False
        ),
        sa.Column("risk", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=True),
        sa.Column("exemption", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("assessed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("rationale_enc", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("consequences_enc", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("exemption_reason_enc", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("what_happened_enc", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("what_we_did_enc", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("what_you_can_do_enc", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("closed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("measures_enc", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("dismissal_enc", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("notifications", sa.Integer(), nullable=False),
        sa.Column("first_notified_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("informing", sa.Boolean(), nullable=False),
        sa.Column("informed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("alerts", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("synced_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("reference"),
    )
    with op.batch_alter_table("breach", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_breach_aware_at"), ["aware_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_breach_notify_by"), ["notify_by"], unique=False)
        batch_op.create_index(batch_op.f("ix_breach_status"), ["status"], unique=False)

    op.create_table(
        "breach_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("breach_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
        sa.Column("actor", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("detail", sqlmodel.sql.sqltypes.AutoString(length=400), nullable=False),
        sa.ForeignKeyConstraint(
            ["breach_id"],
            ["breach.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key"),
    )
    with op.batch_alter_table("breach_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_breach_event_breach_id"), ["breach_id"], unique=False)

    op.create_table(
        "breach_notification",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("breach_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("phase", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("by", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("late", sa.Boolean(), nullable=False),
        sa.Column("accepted", sa.Boolean(), nullable=False),
        sa.Column("measures_enc", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("delay_reasons_enc", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("new_facts_enc", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("document_enc", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.ForeignKeyConstraint(
            ["breach_id"],
            ["breach.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("breach_notification", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_breach_notification_breach_id"), ["breach_id"], unique=False
        )

    op.create_table(
        "breach_scope",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("breach_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("by", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("parameters", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column("computed_people", sa.Integer(), nullable=False),
        sa.Column("computed_records", sa.Integer(), nullable=False),
        sa.Column("people_adjustment", sa.Integer(), nullable=False),
        sa.Column("records_adjustment", sa.Integer(), nullable=False),
        sa.Column("adjustment_reason_enc", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("data_categories", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column(
            "person_categories", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["breach_id"],
            ["breach.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("breach_scope", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_breach_scope_breach_id"), ["breach_id"], unique=False)

    op.create_table(
        "breach_affected",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("breach_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("scope_id", sa.Integer(), nullable=False),
        sa.Column("person_key", sqlmodel.sql.sqltypes.AutoString(length=50), nullable=False),
        sa.Column("client_id", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("request_id", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("records", sa.Integer(), nullable=False),
        sa.Column("data_categories", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("delivery", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("delivered_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["breach_id"],
            ["breach.id"],
        ),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["client.id"],
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["privacy_request.id"],
        ),
        sa.ForeignKeyConstraint(
            ["scope_id"],
            ["breach_scope.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("breach_id", "person_key"),
    )
    with op.batch_alter_table("breach_affected", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_breach_affected_breach_id"), ["breach_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_breach_affected_client_id"), ["client_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_breach_affected_delivery"), ["delivery"], unique=False)
        batch_op.create_index(batch_op.f("ix_breach_affected_scope_id"), ["scope_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("breach_affected", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_breach_affected_scope_id"))
        batch_op.drop_index(batch_op.f("ix_breach_affected_delivery"))
        batch_op.drop_index(batch_op.f("ix_breach_affected_client_id"))
        batch_op.drop_index(batch_op.f("ix_breach_affected_breach_id"))

    op.drop_table("breach_affected")
    with op.batch_alter_table("breach_scope", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_breach_scope_breach_id"))

    op.drop_table("breach_scope")
    with op.batch_alter_table("breach_notification", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_breach_notification_breach_id"))

    op.drop_table("breach_notification")
    with op.batch_alter_table("breach_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_breach_event_breach_id"))

    op.drop_table("breach_event")
    with op.batch_alter_table("breach", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_breach_status"))
        batch_op.drop_index(batch_op.f("ix_breach_notify_by"))
        batch_op.drop_index(batch_op.f("ix_breach_aware_at"))

    op.drop_table("breach")
