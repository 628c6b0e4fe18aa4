"""A client's detail corrected by their case worker, outside any data-subject request: the
rectification row exists without a request (request_id NULL), so every change of a client's
detail is recorded, audited and traced to its recipients the same way.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06 05:10:00.000000

"""

from collections.abc import Sequence

import sqlmodel.sql.sqltypes
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0014"
down_revision: str | Sequence[str] | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("privacy_rectification", schema=None) as batch_op:
        batch_op.alter_column(
            "request_id", existing_type=sqlmodel.sql.sqltypes.AutoString(), nullable=True
        )


def downgrade() -> None:
    # Corrections made by case workers have no request to hang on: they go first.
    op.execute(
        "DELETE FROM recipient_notice WHERE rectification_id IN "
        "(SELECT id FROM privacy_rectification WHERE request_id IS NULL)"
    )
    op.execute("DELETE FROM privacy_rectification WHERE request_id IS NULL")
    with op.batch_alter_table("privacy_rectification", schema=None) as batch_op:
        batch_op.alter_column(
            "request_id", existing_type=sqlmodel.sql.sqltypes.AutoString(), nullable=False
        )
