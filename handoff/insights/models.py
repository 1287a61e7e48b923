"""What an editor has done about a knowledge gap."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from handoff.database import Base, utcnow


class GapResolution(Base):
    """A question from the knowledge gaps that an editor has dealt with."""

    __tablename__ = "kb_gap_resolutions"

    text_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    slug: Mapped[str] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(String(16))  # draft | attached
    by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
