"""What an editor does to articles, one function per request: change, commit, read back.

The rules and queries are in `service.py`; this layer adds the unit of work (commit)
and the shapes the editing API answers with.
"""

from __future__ import annotations

import asyncio
import difflib
from dataclasses import dataclass
from typing import Literal

from sqlalchemy.ext.asyncio import AsyncSession

from . import service, transfer
from .models import Article, ArticleVersion
from .schemas import (
    ArticleCreate,
    ArticleList,
    ArticleRead,
    ArticleUpdate,
    DiffRead,
    ImportRead,
    VersionList,
    VersionRead,
    VersionSummary,
)


async def read(*, db: AsyncSession, article: Article) -> ArticleRead:
    """Return the article with its newest version."""
    return ArticleRead.of(article, await service.latest(db=db, article=article))


async def list_articles(
    *,
    db: AsyncSession,
    q: str = "",
    category: str | None = None,
    lang: str | None = None,
    status: str | None = None,
) -> ArticleList:
    """Return the articles with their newest versions, filtered."""
    rows = await service.list_articles(db=db, q=q, category=category, lang=lang, status=status)
    return ArticleList(articles=[ArticleRead.of(a, v) for a, v in rows])


async def create(*, db: AsyncSession, body: ArticleCreate, author: str) -> ArticleRead:
    """Create a draft article; raise service.ArticleExists if the slug is taken."""
    article = await service.create_article(db=db, article=body, author=author)
    await db.commit()
    return await read(db=db, article=article)


async def update(
    *, db: AsyncSession, article: Article, body: ArticleUpdate, author: str
) -> ArticleRead:
    """Save an edit as a new version (unless nothing changed)."""
    await service.update_article(
        db=db, article=article, content=body, author=author, note=body.note
    )
    await db.commit()
    return await read(db=db, article=article)


async def delete(*, db: AsyncSession, article: Article) -> None:
    """Archive the article (undone by restore_archived)."""
    await service.delete_article(db=db, article=article)
    await db.commit()


async def archived(*, db: AsyncSession) -> ArticleList:
    """Return the archived articles with their newest versions."""
    rows = await service.archived_articles(db=db)
    return ArticleList(articles=[ArticleRead.of(a, v) for a, v in rows])


async def restore_archived(*, db: AsyncSession, slug: str) -> ArticleRead:
    """Bring an archived article back; raise service.ArticleNotFound if none is archived."""
    article = await service.restore_archived(db=db, slug=slug)
    await db.commit()
    return await read(db=db, article=article)


async def publish(*, db: AsyncSession, article: Article, version: int | None) -> ArticleRead:
    """Publish the newest (or the given) version; raise ArticleNotFound for no such version."""
    await service.publish(db=db, article=article, version=version)
    await db.commit()
    return await read(db=db, article=article)


async def restore(*, db: AsyncSession, article: Article, number: int, author: str) -> ArticleRead:
    """Copy an old version into a new newest version."""
    await service.restore(db=db, article=article, number=number, author=author)
    await db.commit()
    return await read(db=db, article=article)


async def history(*, db: AsyncSession, article: Article) -> VersionList:
    """Return every version, newest first."""
    rows = await service.versions(db=db, article=article)
    return VersionList(
        versions=[
            VersionSummary(
                number=v.number,
                author=v.author,
                note=v.note,
                created_at=v.created_at,
                published=v.number == article.published_version,
            )
            for v in rows
        ]
    )


async def version(*, db: AsyncSession, article: Article, number: int) -> VersionRead:
    """Return one version with its note and time; raise ArticleNotFound if there is none."""
    found = await service.get_version(db=db, article=article, number=number)
    base = ArticleRead.of(article, found).model_dump()
    return VersionRead(**base, note=found.note, created_at=found.created_at)


def _lines(version: ArticleVersion) -> list[str]:
    lines = [f"category: {version.category}", f"tags: {', '.join(version.tags)}"]
    for lang, text in sorted(version.translations.items()):
        lines += [f"[{lang}] title: {text['title']}"]
        lines += [f"[{lang}] question: {q}" for q in text.get("questions") or []]
        lines += [f"[{lang}] {line}" for line in text["body"].splitlines()]
    return lines


async def diff(*, db: AsyncSession, article: Article, old: int, new: int) -> DiffRead:
    """Return a unified diff between two versions; raise ArticleNotFound for a missing one."""
    before = await service.get_version(db=db, article=article, number=old)
    after = await service.get_version(db=db, article=article, number=new)
    lines = difflib.unified_diff(
        _lines(before), _lines(after), f"version {old}", f"version {new}", lineterm=""
    )
    return DiffRead(from_=old, to=new, diff="\n".join(lines))


@dataclass(frozen=True)
class ExportFile:
    content: bytes | str
    media_type: str
    filename: str
    articles: int


async def export(*, db: AsyncSession, format: Literal["zip", "csv"]) -> ExportFile:
    """Return the whole knowledge base as a zip of the source format, or as CSV."""
    articles = await service.export_articles(db=db)
    if format == "csv":
        text = await asyncio.to_thread(transfer.to_csv, articles)
        return ExportFile(text, "text/csv; charset=utf-8", "kb.csv", len(articles))
    packed = await asyncio.to_thread(transfer.to_zip, articles)
    return ExportFile(packed, "application/zip", "kb.zip", len(articles))


async def import_file(*, db: AsyncSession, data: bytes, is_csv: bool, author: str) -> ImportRead:
    """Import a zip (source format) or CSV; raise transfer.TransferError for a bad file."""
    # Unpacking and parsing take a while for a large file: never on the event loop.
    read = transfer.from_csv if is_csv else transfer.from_zip
    articles = await asyncio.to_thread(read, data)
    report = await service.import_articles(db=db, articles=articles, author=author)
    return ImportRead(created=report.created, updated=report.updated, unchanged=report.unchanged)
