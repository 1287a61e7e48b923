"""ratings and known problems: satisfaction per conversation; problems, notices, links

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 05:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import handoff.database

revision: str = "0008"
down_revision: str | None = "0007"
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
    # The insights read conversations by start time, trends and spikes bot turns by time.
    op.create_index("ix_conversations_created_at", "conversations", ["created_at"])
    op.create_index("ix_bot_turns_created_at", "bot_turns", ["created_at"])
    upgrade_problems()


def downgrade() -> None:
    op.drop_table("problem_tickets")
    op.drop_table("problem_notices")
    op.drop_table("problems")
    op.drop_index("ix_bot_turns_created_at", table_name="bot_turns")
    op.drop_index("ix_conversations_created_at", table_name="conversations")
    op.drop_table("ratings")


def upgrade_problems() -> None:
    op.create_table(
        "problems",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("notice", sa.JSON(), nullable=False),
        sa.Column("articles", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("note", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("resolved_by", sa.String(length=200), nullable=True),
        sa.Column("created_at", handoff.database.UtcDateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", handoff.database.UtcDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_problems")),
    )
    op.create_index(op.f("ix_problems_state"), "problems", ["state"])
    op.create_table(
        "problem_notices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("problem_id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.String(length=32), nullable=False),
        sa.Column("employee_id", sa.String(length=200), nullable=False),
        sa.Column("lang", sa.String(length=5), nullable=False),
        sa.Column("shown_at", handoff.database.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["problem_id"],
            ["problems.id"],
            name=op.f("fk_problem_notices_problem_id_problems"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_problem_notices")),
        sa.UniqueConstraint(
            "problem_id", "conversation_id", name=op.f("uq_problem_notices_problem_id")
        ),
    )
    op.create_index(
        op.f("ix_problem_notices_conversation_id"), "problem_notices", ["conversation_id"]
    )
    op.create_table(
        "problem_tickets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("problem_id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("linked_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", handoff.database.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["problem_id"],
            ["problems.id"],
            name=op.f("fk_problem_tickets_problem_id_problems"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_problem_tickets")),
        sa.UniqueConstraint("problem_id", "ticket_id", name=op.f("uq_problem_tickets_problem_id")),
    )
    op.create_index(op.f("ix_problem_tickets_ticket_id"), "problem_tickets", ["ticket_id"])
