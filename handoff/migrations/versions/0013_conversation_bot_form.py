"""conversations: the form the bot was filling after its last turn

Kept from the bot channel's answer, so that a file arriving in a chat needs no tracker
request to Rasa to learn whether the ticket form is asking. NULL: not known (Rasa is asked).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01 01:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("bot_form", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.drop_column("bot_form")
