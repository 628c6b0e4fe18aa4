"""staged writes: rows a staff action wrote until the workflow accepts them

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04 21:33:40.263486

"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes  # noqa: F401  (autogenerate renders sqlmodel's column types)
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The tables whose rows a staff action may write staged.
STAGED_TABLES = (
    "creditor_consent",
    "creditor_reply",
    "document",
    "dossier_creditor",
    "negotiation",
    "negotiation_offer",
)


def upgrade() -> None:
    op.create_table(
        "staged_write",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("dossier_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("negotiation_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
        sa.Column("text_enc", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("created_by", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("applied_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["dossier_id"], ["dossier.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("staged_write", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_staged_write_dossier_id"), ["dossier_id"], unique=False
        )
    for table in STAGED_TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(
                sa.Column("staged_write_id", sqlmodel.sql.sqltypes.AutoString(), nullable=True)
            )
            batch_op.create_index(
                batch_op.f(f"ix_{table}_staged_write_id"), ["staged_write_id"], unique=False
            )
            batch_op.create_foreign_key(
                f"fk_{table}_staged_write_id", "staged_write", ["staged_write_id"], ["id"]
            )


def downgrade() -> None:
    for table in reversed(STAGED_TABLES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(f"fk_{table}_staged_write_id", type_="foreignkey")
            batch_op.drop_index(batch_op.f(f"ix_{table}_staged_write_id"))
            batch_op.drop_column("staged_write_id")
    with op.batch_alter_table("staged_write", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_staged_write_dossier_id"))
    op.drop_table("staged_write")
