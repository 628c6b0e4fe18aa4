"""Notes and call logs on dossiers (text encrypted under the client's key), and the in-app
notifications staff receive about their dossiers (ids and codes only).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06 05:08:43.653215

"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes  # noqa: F401  (autogenerate renders sqlmodel's column types)
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0013"
down_revision: str | Sequence[str] | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "staff_notification",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("dossier_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("source_key", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("read_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["dossier_id"],
            ["dossier.id"],
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"],
            ["staff_user.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("source_key"),
    )
    with op.batch_alter_table("staff_notification", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_staff_notification_dossier_id"), ["dossier_id"], unique=False
        )
        batch_op.create_index("ix_staff_notification_unread", ["staff_id", "read_at"], unique=False)

    op.create_table(
        "dossier_note",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("dossier_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("client_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("text_enc", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("call_direction", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=True),
        sa.Column("call_party", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=True),
        sa.Column("call_creditor_id", sa.Integer(), nullable=True),
        sa.Column("called_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("duration_minutes", sa.Integer(), nullable=True),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["staff_user.id"],
        ),
        sa.ForeignKeyConstraint(
            ["call_creditor_id"],
            ["dossier_creditor.id"],
        ),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["client.id"],
        ),
        sa.ForeignKeyConstraint(
            ["dossier_id"],
            ["dossier.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("dossier_note", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_dossier_note_client_id"), ["client_id"], unique=False)
        batch_op.create_index(
            "ix_dossier_note_dossier_created", ["dossier_id", "created_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("dossier_note", schema=None) as batch_op:
        batch_op.drop_index("ix_dossier_note_dossier_created")
        batch_op.drop_index(batch_op.f("ix_dossier_note_client_id"))

    op.drop_table("dossier_note")
    with op.batch_alter_table("staff_notification", schema=None) as batch_op:
        batch_op.drop_index("ix_staff_notification_unread")
        batch_op.drop_index(batch_op.f("ix_staff_notification_dossier_id"))

    op.drop_table("staff_notification")
