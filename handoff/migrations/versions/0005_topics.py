"""topics: several problems in one conversation, each with its failures, verdict and ticket

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 05:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import handoff.database

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "topics",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.String(length=32), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("first_seq", sa.Integer(), nullable=False),
        sa.Column("query", sa.Text(), nullable=False),
        sa.Column("slugs", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=True),
        sa.Column("created_at", handoff.database.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", handoff.database.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name=op.f("fk_topics_conversation_id_conversations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_topics")),
        sa.UniqueConstraint("conversation_id", "number", name=op.f("uq_topics_conversation_id")),
    )
    op.create_index(op.f("ix_topics_conversation_id"), "topics", ["conversation_id"])
    with op.batch_alter_table("conversations") as batch:
        batch.add_column(sa.Column("topic_id", sa.Integer(), nullable=True))
        batch.drop_column("kb_failures")
    with op.batch_alter_table("bot_turns") as batch:
        batch.add_column(sa.Column("topic_id", sa.Integer(), nullable=True))
    with op.batch_alter_table("kb_feedback") as batch:
        batch.add_column(sa.Column("topic_id", sa.Integer(), nullable=True))
    op.create_index("ix_tickets_conversation_status", "tickets", ["conversation_id", "status"])


def downgrade() -> None:
    op.drop_index("ix_tickets_conversation_status", table_name="tickets")
    with op.batch_alter_table("kb_feedback") as batch:
        batch.drop_column("topic_id")
    with op.batch_alter_table("bot_turns") as batch:
        batch.drop_column("topic_id")
    with op.batch_alter_table("conversations") as batch:
        batch.add_column(sa.Column("kb_failures", sa.Integer(), nullable=False, server_default="0"))
        batch.drop_column("topic_id")
    op.drop_index(op.f("ix_topics_conversation_id"), table_name="topics")
    op.drop_table("topics")
