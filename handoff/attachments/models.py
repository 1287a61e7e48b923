"""An attached file: its record; the bytes live in the storage backend under `storage_key`."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from handoff.database import Base, utcnow


class Attachment(Base):
    __tablename__ = "attachments"

    # 128 random bits: the id is part of the file's URL and must not be guessable.
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    conversation_id: Mapped[str] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), index=True
    )
    ticket_id: Mapped[int | None] = mapped_column(default=None, index=True)
    uploaded_by: Mapped[str] = mapped_column(String(200))  # "employee" or "agent:<username>"
    name: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
