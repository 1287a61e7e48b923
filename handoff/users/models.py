"""Staff users, login sessions, and which agents are online."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from handoff.database import Base, utcnow

ROLES = ("agent", "editor", "lead", "admin")


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(10))
    password_hash: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(default=None)

    def can(self, role: str) -> bool:
        """Admins can do everything; otherwise the role must match."""
        return self.active and (self.role == role or self.role == "admin")


class AuthSession(Base):
    """A login: the cookie or bearer token is a random secret; only its hash is stored."""

    __tablename__ = "auth_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(10))  # cookie | bearer
    # The cookie and the bearer token of one login share it: logging out ends both.
    login_id: Mapped[str | None] = mapped_column(String(32), default=None, index=True)
    csrf_token: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]


class AgentPresence(Base):
    """One open agent console connection; stale rows (no heartbeat) do not count."""

    __tablename__ = "agent_presence"

    connection_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    display_name: Mapped[str] = mapped_column(String(200))
    last_seen: Mapped[datetime] = mapped_column(default=utcnow)
