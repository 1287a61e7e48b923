"""privacy: editors' gap and suggestion decisions keep the question's hash, not its text

The text was a copy of an employee's message that outlived the conversation's erasure and
expiry; nothing read it (the hash is what hides a question from the gaps and suggestions).

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30 14:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("kb_gap_resolutions", "kb_suggestion_decisions")


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("text")


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("text", sa.Text(), nullable=False, server_default=""))
