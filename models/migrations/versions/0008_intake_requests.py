"""intake requests: a retried creation finds its dossier

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05 08:16:08.639054

"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes  # noqa: F401  (autogenerate renders sqlmodel's column types)
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "intake_request",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("dossier_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("fingerprint", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["dossier_id"],
            ["dossier.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("intake_request", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_intake_request_dossier_id"), ["dossier_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("intake_request", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_intake_request_dossier_id"))

    op.drop_table("intake_request")
