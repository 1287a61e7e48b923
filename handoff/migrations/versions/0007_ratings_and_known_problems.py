"""ratings: an employee's satisfaction with a conversation and who handled it

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 05:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import handoff.database

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "ratings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.String(length=32), nullable=False),
        sa.Column("employee_id", sa.String(length=200), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("handled_by", sa.String(length=10), nullable=False),
        sa.Column("agent_id", sa.Integer(), nullable=True),
        sa.Column("agent_name", sa.String(length=200), nullable=True),
        sa.Column("created_at", handoff.database.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", handoff.database.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name=op.f("fk_ratings_conversation_id_conversations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ratings")),
        sa.UniqueConstraint("conversation_id", name=op.f("uq_ratings_conversation_id")),
    )
    # The insights read conversations by start time.
    op.create_index("ix_conversations_created_at", "conversations", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_conversations_created_at", table_name="conversations")
    op.drop_table("ratings")
