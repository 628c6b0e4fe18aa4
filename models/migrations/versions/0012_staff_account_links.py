"""Staff accounts: the single-use links to choose a password (reset, invitation), kept as
hashes with their expiry and use; each account's own data key for the emails about it.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06 05:06:31.744422

"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes  # noqa: F401  (autogenerate renders sqlmodel's column types)
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0012"
down_revision: str | Sequence[str] | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "staff_account_link",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.Enum("RESET", "INVITATION", name="linkpurpose"), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("expires_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("used_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("created_by", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.ForeignKeyConstraint(["staff_id"], ["staff_user.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("staff_account_link", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_staff_account_link_staff_id"), ["staff_id"], unique=False
        )

    with op.batch_alter_table("staff_user", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("wrapped_key", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("staff_user", schema=None) as batch_op:
        batch_op.drop_column("wrapped_key")

    with op.batch_alter_table("staff_account_link", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_staff_account_link_staff_id"))

    op.drop_table("staff_account_link")
    sa.Enum(name="linkpurpose").drop(op.get_bind(), checkfirst=True)
