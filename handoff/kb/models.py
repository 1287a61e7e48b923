"""Knowledge-base articles: every edit is a new version; search sees the published one."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from handoff.database import Base, utcnow

ARTICLE_STATUSES = ("draft", "published")
LANGUAGES = ("de", "en")


class Article(Base):
    __tablename__ = "kb_articles"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    status: Mapped[str] = mapped_column(String(16), default="draft")
    latest_version: Mapped[int] = mapped_column(default=0)
    published_version: Mapped[int | None] = mapped_column(default=None)
    deleted: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    versions: Mapped[list[ArticleVersion]] = relationship(
        back_populates="article", order_by="ArticleVersion.number", lazy="raise"
    )


class ArticleVersion(Base):
    __tablename__ = "kb_article_versions"
    __table_args__ = (UniqueConstraint("article_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("kb_articles.id", ondelete="CASCADE"))
    number: Mapped[int]
    category: Mapped[str] = mapped_column(String(40))
    tags: Mapped[list[str]] = mapped_column(default=list)
    # {"de": {"title": str, "body": str, "questions": [str]}, "en": {...}}
    translations: Mapped[dict[str, Any]]
    author: Mapped[str] = mapped_column(String(120), default="system")
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    article: Mapped[Article] = relationship(back_populates="versions", lazy="raise")


class IndexBuild(Base):
    """One build of the search index; the live one is the newest with live=True."""

    __tablename__ = "kb_index_builds"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    state: Mapped[str] = mapped_column(String(16), default="queued")
    path: Mapped[str] = mapped_column(Text, default="")
    model_id: Mapped[str] = mapped_column(String(200), default="")
    documents: Mapped[int] = mapped_column(default=0)
    embedded: Mapped[int] = mapped_column(default=0)
    progress: Mapped[float] = mapped_column(default=0.0)
    message: Mapped[str] = mapped_column(Text, default="")
    live: Mapped[bool] = mapped_column(default=False)
    requested_by: Mapped[str] = mapped_column(String(120), default="system")
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(default=None)
    activated_at: Mapped[datetime | None] = mapped_column(default=None)
    # 1 while queued or running: the unique constraint allows one rebuild at a time.
    active_slot: Mapped[int | None] = mapped_column(unique=True, default=None)
    heartbeat_at: Mapped[datetime | None] = mapped_column(default=None)
