"""hardening: audit events, one login = cookie + bearer token, employee ids in one case

Revision ID: 0006_hardening
Revises: 0005
Create Date: 2026-11-30 06:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import handoff.database

revision: str = "0006_hardening"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "audit_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", handoff.database.UtcDateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=120), nullable=False),
        sa.Column("action", sa.String(length=60), nullable=False),
        sa.Column("target", sa.String(length=200), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_events")),
    )
    for column in ("at", "actor", "action"):
        op.create_index(op.f(f"ix_audit_events_{column}"), "audit_events", [column])
    with op.batch_alter_table("auth_sessions") as batch:
        batch.add_column(sa.Column("login_id", sa.String(length=32), nullable=True))
        batch.create_index(batch.f("ix_auth_sessions_login_id"), ["login_id"])
    # Employee ids are compared in lower case from now on.
    op.execute("UPDATE conversations SET employee_id = lower(employee_id)")
    op.execute("UPDATE tickets SET requester_id = lower(requester_id)")


def downgrade() -> None:
    with op.batch_alter_table("auth_sessions") as batch:
        batch.drop_index(batch.f("ix_auth_sessions_login_id"))
        batch.drop_column("login_id")
    op.drop_table("audit_events")
