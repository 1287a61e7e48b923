"""insights: the conversations and tickets of the days not yet rolled up, one row each

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30 11:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import handoff.database

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FLAGS = (
    "self_solved",
    "handed",
    "tickets",
    "first_contact",
    "escalated",
    "reopened",
    "reason_requested",
    "reason_low_confidence",
    "reason_negative_feedback",
    "reason_form",
    "bot_ratings",
    "bot_score",
    "agent_ratings",
    "agent_score",
)
Time = handoff.database.UtcDateTime


def upgrade() -> None:
    op.create_table(
        "insights_recent_conversations",
        sa.Column("conversation_id", sa.String(length=32), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("started", Time(timezone=True), nullable=False),
        sa.Column("locale", sa.String(length=5), nullable=False),
        sa.Column("article", sa.String(length=80), nullable=False),
        sa.Column("ticket_category", sa.String(length=40), nullable=False),
        *(sa.Column(name, sa.Integer(), nullable=False) for name in FLAGS),
        sa.Column("wait_for_agent", sa.Integer(), nullable=True),
        sa.Column("first_agent_response", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("conversation_id", name=op.f("pk_insights_recent_conversations")),
    )
    op.create_index(
        op.f("ix_insights_recent_conversations_day"), "insights_recent_conversations", ["day"]
    )
    op.create_table(
        "insights_recent_tickets",
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.String(length=32), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("first_response_due", Time(timezone=True), nullable=False),
        sa.Column("first_responded_at", Time(timezone=True), nullable=True),
        sa.Column("resolution_due", Time(timezone=True), nullable=False),
        sa.Column("resolved_at", Time(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("ticket_id", name=op.f("pk_insights_recent_tickets")),
    )
    op.create_index(
        op.f("ix_insights_recent_tickets_conversation_id"),
        "insights_recent_tickets",
        ["conversation_id"],
    )
    op.create_index(op.f("ix_insights_recent_tickets_day"), "insights_recent_tickets", ["day"])
    op.create_table(
        "insights_recent_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("since", sa.Date(), nullable=False),
        sa.Column("watermark", Time(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_insights_recent_state")),
    )
    # A topic handed to a person changes its conversation's figures.
    op.create_index(op.f("ix_topics_updated_at"), "topics", ["updated_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_topics_updated_at"), table_name="topics")
    op.drop_table("insights_recent_state")
    op.drop_index(op.f("ix_insights_recent_tickets_day"), table_name="insights_recent_tickets")
    op.drop_index(
        op.f("ix_insights_recent_tickets_conversation_id"), table_name="insights_recent_tickets"
    )
    op.drop_table("insights_recent_tickets")
    op.drop_index(
        op.f("ix_insights_recent_conversations_day"), table_name="insights_recent_conversations"
    )
    op.drop_table("insights_recent_conversations")
