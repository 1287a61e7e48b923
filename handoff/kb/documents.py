"""What search indexes: one document per article and language, published or newest."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from kb_index import Document

from .models import Article, ArticleVersion


async def _published_versions(db: AsyncSession) -> list[tuple[str, ArticleVersion]]:
    rows = await db.execute(
        select(Article.slug, ArticleVersion)
        .join(ArticleVersion, ArticleVersion.article_id == Article.id)
        .where(
            Article.deleted.is_(False),
            Article.published_version.is_not(None),
            ArticleVersion.number == Article.published_version,
        )
        .order_by(Article.slug)
    )
    return [(slug, version) for slug, version in rows]


async def published_documents(*, db: AsyncSession) -> list[Document]:
    """Return one search document per published article and language."""
    return [
        doc for slug, version in await _published_versions(db) for doc in _documents(slug, version)
    ]


async def latest_documents(*, db: AsyncSession) -> list[Document]:
    """Search documents of every article's newest version, drafts included (to try edits)."""
    rows = await db.execute(
        select(Article.slug, ArticleVersion)
        .join(ArticleVersion, ArticleVersion.article_id == Article.id)
        .where(Article.deleted.is_(False), ArticleVersion.number == Article.latest_version)
        .order_by(Article.slug)
    )
    return [doc for slug, version in rows for doc in _documents(slug, version)]


def _documents(slug: str, version: ArticleVersion) -> list[Document]:
    return [
        Document(
            id=slug,
            lang=lang,
            title=text["title"],
            text=text["body"],
            questions=tuple(text.get("questions") or ()),
            tags=tuple(version.tags),
        )
        for lang, text in sorted(version.translations.items())
    ]
