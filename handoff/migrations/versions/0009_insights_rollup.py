"""insights rollup (daily outcome counts, wait histograms, SLA counts, hourly article
counts) and editors' decisions on suggested example questions

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30 07:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import handoff.database

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COUNTS = (
    "conversations",
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


def upgrade() -> None:
    op.create_table(
        "insights_daily",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("locale", sa.String(length=5), nullable=False),
        sa.Column("article", sa.String(length=80), nullable=False),
        sa.Column("ticket_category", sa.String(length=40), nullable=False),
        *(sa.Column(name, sa.Integer(), nullable=False) for name in COUNTS),
        sa.PrimaryKeyConstraint(
            "day", "locale", "article", "ticket_category", name=op.f("pk_insights_daily")
        ),
    )
    op.create_table(
        "insights_daily_waits",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("measure", sa.String(length=24), nullable=False),
        sa.Column("bucket", sa.Integer(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("day", "measure", "bucket", name=op.f("pk_insights_daily_waits")),
    )
    op.create_table(
        "insights_daily_sla",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("clock", sa.String(length=16), nullable=False),
        sa.Column("state", sa.String(length=8), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "day", "priority", "clock", "state", name=op.f("pk_insights_daily_sla")
        ),
    )
    op.create_table(
        "insights_rolled_days",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("computed_at", handoff.database.UtcDateTime(timezone=True), nullable=False),
        sa.Column("stale_at", handoff.database.UtcDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("day", name=op.f("pk_insights_rolled_days")),
    )
    op.create_table(
        "insights_hourly_articles",
        sa.Column("hour", handoff.database.UtcDateTime(timezone=True), nullable=False),
        sa.Column("article", sa.String(length=80), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("clock_hour", sa.Integer(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("hour", "article", name=op.f("pk_insights_hourly_articles")),
    )
    op.create_index(op.f("ix_insights_hourly_articles_day"), "insights_hourly_articles", ["day"])
    op.create_table(
        "kb_suggestion_decisions",
        sa.Column("text_hash", sa.String(length=64), nullable=False),
        sa.Column("slug", sa.String(length=80), nullable=False),
        sa.Column("lang", sa.String(length=5), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("decision", sa.String(length=10), nullable=False),
        sa.Column("by", sa.String(length=120), nullable=False),
        sa.Column("created_at", handoff.database.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("text_hash", "slug", name=op.f("pk_kb_suggestion_decisions")),
    )
    # A rolled-up day is recomputed when one of its conversations, tickets or ratings changed.
    op.create_index("ix_conversations_updated_at", "conversations", ["updated_at"])
    op.create_index("ix_tickets_updated_at", "tickets", ["updated_at"])
    op.create_index(op.f("ix_ratings_updated_at"), "ratings", ["updated_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_ratings_updated_at"), table_name="ratings")
    op.drop_index("ix_tickets_updated_at", table_name="tickets")
    op.drop_index("ix_conversations_updated_at", table_name="conversations")
    op.drop_table("kb_suggestion_decisions")
    op.drop_table("insights_hourly_articles")
    op.drop_table("insights_rolled_days")
    op.drop_table("insights_daily_sla")
    op.drop_table("insights_daily_waits")
    op.drop_table("insights_daily")
