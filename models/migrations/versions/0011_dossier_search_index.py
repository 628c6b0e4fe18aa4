"""The dossier search index: keyed hashes of the words of each client's name, phone and email
and of their creditors' names. Existing clients are indexed by `cravelynos reindex-search`
(it needs the blind-index key, which a migration does not have).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 05:09:19.028745

"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes  # noqa: F401  (autogenerate renders sqlmodel's column types)
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0011"
down_revision: str | Sequence[str] | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "client_search_token",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("dossier_creditor_id", sa.Integer(), nullable=True),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("token", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.ForeignKeyConstraint(["client_id"], ["client.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["dossier_creditor_id"], ["dossier_creditor.id"], ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("client_search_token", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_client_search_token_client_id"), ["client_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_client_search_token_dossier_creditor_id"),
            ["dossier_creditor_id"],
            unique=False,
        )
        batch_op.create_index(
            "ix_client_search_token_token_client", ["token", "client_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("client_search_token", schema=None) as batch_op:
        batch_op.drop_index("ix_client_search_token_token_client")
        batch_op.drop_index(batch_op.f("ix_client_search_token_dossier_creditor_id"))
        batch_op.drop_index(batch_op.f("ix_client_search_token_client_id"))

    op.drop_table("client_search_token")
