"""Articles and their versions: import, export, read, and what search indexes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from .models import Article, ArticleVersion
from .schemas import ArticleContent, ArticleCreate


class ArticleNotFound(LookupError):
    """No article with that slug."""


class ArticleExists(ValueError):
    """An article with that slug exists already."""


class NoTranslation(ValueError):
    """The article has no text in that language."""


@dataclass(frozen=True)
class PublishedText:
    slug: str
    lang: str
    title: str
    body: str
    category: str


@dataclass(frozen=True)
class ImportReport:
    created: int
    updated: int
    unchanged: int


def _content_json(content: ArticleContent) -> dict[str, Any]:
    return {k: v.model_dump() for k, v in content.translations.items()}


async def get_article(*, db: AsyncSession, slug: str) -> Article:
    """Return the article (not deleted) or raise ArticleNotFound."""
    article = await db.scalar(
        select(Article).where(Article.slug == slug, Article.deleted.is_(False))
    )
    if article is None:
        raise ArticleNotFound(slug)
    return article


async def published_slugs(*, db: AsyncSession, slugs: list[str]) -> set[str]:
    """Which of these articles are published and not deleted (what search may offer)."""
    if not slugs:
        return set()
    rows = await db.scalars(
        select(Article.slug).where(
            Article.slug.in_(slugs),
            Article.deleted.is_(False),
            Article.published_version.is_not(None),
        )
    )
    return set(rows)


async def get_version(*, db: AsyncSession, article: Article, number: int) -> ArticleVersion:
    """Return one version of an article or raise ArticleNotFound."""
    version = await db.scalar(
        select(ArticleVersion).where(
            ArticleVersion.article_id == article.id, ArticleVersion.number == number
        )
    )
    if version is None:
        raise ArticleNotFound(f"{article.slug} version {number}")
    return version


async def add_version(
    *, db: AsyncSession, article: Article, content: ArticleContent, author: str, note: str = ""
) -> ArticleVersion:
    """Store content as the article's next version (not yet published)."""
    article.latest_version += 1
    version = ArticleVersion(
        article_id=article.id,
        number=article.latest_version,
        category=content.category,
        tags=list(content.tags),
        translations=_content_json(content),
        author=author,
        note=note,
    )
    db.add(version)
    await db.flush()
    return version


async def create_article(
    *, db: AsyncSession, article: ArticleCreate, author: str, note: str = "created"
) -> Article:
    """Create a draft article with its first version."""
    existing = await db.scalar(select(Article).where(Article.slug == article.slug))
    if existing is not None and not existing.deleted:
        raise ArticleExists(article.slug)
    if existing is None:
        existing = Article(slug=article.slug, status="draft", latest_version=0)
        db.add(existing)
        await db.flush()
    else:
        existing.deleted, existing.status, existing.published_version = False, "draft", None
    await add_version(db=db, article=existing, content=article, author=author, note=note)
    return existing


def publish_version(*, article: Article, number: int) -> None:
    """Make version number the one search and the bot see."""
    article.published_version = number
    article.status = "published"


def same_content(*, version: ArticleVersion, content: ArticleContent) -> bool:
    """Tell whether a version stores exactly this content."""
    return (
        version.category == content.category
        and sorted(version.tags) == sorted(content.tags)
        and version.translations == _content_json(content)
    )


async def import_articles(
    *, db: AsyncSession, articles: list[tuple[ArticleCreate, str]], author: str
) -> ImportReport:
    """Create new articles and add a version where the content differs; publish as marked."""
    created = updated = unchanged = 0
    for content, status in articles:
        existing = await db.scalar(
            select(Article).where(Article.slug == content.slug, Article.deleted.is_(False))
        )
        if existing is None:
            article = await create_article(db=db, article=content, author=author, note="imported")
            created += 1
        else:
            article = existing
            latest = await get_version(db=db, article=article, number=article.latest_version)
            if same_content(version=latest, content=content):
                unchanged += 1
                if status == "published" and article.published_version != latest.number:
                    publish_version(article=article, number=latest.number)
                continue
            await add_version(
                db=db, article=article, content=content, author=author, note="imported"
            )
            updated += 1
        if status == "published":
            publish_version(article=article, number=article.latest_version)
    await db.commit()
    return ImportReport(created, updated, unchanged)


async def count_articles(*, db: AsyncSession) -> int:
    """Return how many articles exist (deleted ones included)."""
    return int(await db.scalar(select(func.count(Article.id))) or 0)


async def published_text(*, db: AsyncSession, slug: str, lang: str) -> PublishedText:
    """Return the published text of an article, in lang if it exists, else the other one."""
    article = await get_article(db=db, slug=slug)
    if article.published_version is None:
        raise ArticleNotFound(slug)
    version = await get_version(db=db, article=article, number=article.published_version)
    chosen = lang if lang in version.translations else sorted(version.translations)[0]
    text = version.translations[chosen]
    return PublishedText(slug, chosen, text["title"], text["body"], version.category)


async def export_articles(*, db: AsyncSession) -> list[tuple[ArticleCreate, str]]:
    """Return every article's latest version with its status (for the source format)."""
    rows = await db.execute(
        select(Article, ArticleVersion)
        .join(ArticleVersion, ArticleVersion.article_id == Article.id)
        .where(Article.deleted.is_(False), ArticleVersion.number == Article.latest_version)
        .order_by(Article.slug)
    )
    out = []
    for article, version in rows:
        content = ArticleCreate(
            slug=article.slug,
            category=version.category,
            tags=version.tags,
            translations=version.translations,
        )
        status = "published" if article.published_version == version.number else "draft"
        out.append((content, status))
    return out


async def category_of(*, db: AsyncSession, slug: str) -> str | None:
    """Return the category of an article's published version."""
    article = await db.scalar(
        select(Article).where(Article.slug == slug, Article.deleted.is_(False))
    )
    if article is None or article.published_version is None:
        return None
    version = await get_version(db=db, article=article, number=article.published_version)
    return version.category


async def latest(*, db: AsyncSession, article: Article) -> ArticleVersion:
    """Return the article's newest version (drafts included)."""
    return await get_version(db=db, article=article, number=article.latest_version)


async def update_article(
    *, db: AsyncSession, article: Article, content: ArticleContent, author: str, note: str = ""
) -> Article:
    """Store an edit as the next version; the published version stays until publish."""
    latest = await get_version(db=db, article=article, number=article.latest_version)
    if not same_content(version=latest, content=content):
        await add_version(
            db=db, article=article, content=content, author=author, note=note or "edited"
        )
    return article


async def publish(*, db: AsyncSession, article: Article, version: int | None = None) -> Article:
    """Publish the latest version (or a given one)."""
    number = version or article.latest_version
    await get_version(db=db, article=article, number=number)
    publish_version(article=article, number=number)
    return article


async def restore(*, db: AsyncSession, article: Article, number: int, author: str) -> Article:
    """Make an old version's content the newest version (a draft until published)."""
    old = await get_version(db=db, article=article, number=number)
    content = ArticleContent(category=old.category, tags=old.tags, translations=old.translations)
    await add_version(
        db=db,
        article=article,
        content=content,
        author=author,
        note=f"restored version {number}",
    )
    return article


async def delete_article(*, db: AsyncSession, article: Article) -> None:
    """Archive an article: search and the bot stop offering it; restore_archived undoes it."""
    # Status and published version stay, so that restoring brings back exactly this.
    article.deleted = True


async def archived_articles(*, db: AsyncSession) -> list[tuple[Article, ArticleVersion]]:
    """Archived (deleted) articles with their newest version, last archived first."""
    rows = await db.execute(
        select(Article, ArticleVersion)
        .join(ArticleVersion, ArticleVersion.article_id == Article.id)
        .where(Article.deleted.is_(True), ArticleVersion.number == Article.latest_version)
        .order_by(Article.updated_at.desc())
    )
    return [(article, version) for article, version in rows]


async def restore_archived(*, db: AsyncSession, slug: str) -> Article:
    """Bring an archived article back as it was; raise ArticleNotFound if none is archived."""
    article = await db.scalar(select(Article).where(Article.slug == slug, Article.deleted))
    if article is None:
        raise ArticleNotFound(slug)
    article.deleted = False
    return article


async def versions(*, db: AsyncSession, article: Article) -> list[ArticleVersion]:
    """Return every version of an article, newest first."""
    rows = await db.scalars(
        select(ArticleVersion)
        .where(ArticleVersion.article_id == article.id)
        .order_by(ArticleVersion.number.desc())
    )
    return list(rows)


async def list_articles(
    *,
    db: AsyncSession,
    q: str = "",
    category: str | None = None,
    lang: str | None = None,
    status: str | None = None,
) -> list[tuple[Article, ArticleVersion]]:
    """Articles with their latest version, filtered; q matches slug, titles and tags."""
    rows = await db.execute(
        select(Article, ArticleVersion)
        .join(ArticleVersion, ArticleVersion.article_id == Article.id)
        .where(Article.deleted.is_(False), ArticleVersion.number == Article.latest_version)
        .order_by(Article.updated_at.desc())
    )
    needle = q.strip().lower()
    out = []
    for article, version in rows:
        if category and version.category != category:
            continue
        if lang and lang not in version.translations:
            continue
        if status == "draft" and article.published_version == article.latest_version:
            continue
        if status == "published" and article.published_version is None:
            continue
        if needle:
            hay = " ".join(
                [
                    article.slug,
                    *version.tags,
                    *(t.get("title", "") for t in version.translations.values()),
                ]
            )
            if needle not in hay.lower():
                continue
        out.append((article, version))
    return out


async def add_questions(
    *, db: AsyncSession, article: Article, lang: str, questions: list[str], author: str
) -> ArticleVersion:
    """Add example questions to the newest version's text in lang, as a new version."""
    latest = await get_version(db=db, article=article, number=article.latest_version)
    translations = dict(latest.translations)
    if lang not in translations:
        raise NoTranslation(f"the article has no {lang} text to attach to")
    text = dict(translations[lang])
    known = list(text.get("questions") or [])
    text["questions"] = [*known, *(q for q in dict.fromkeys(questions) if q not in known)]
    translations[lang] = text
    content = ArticleContent(category=latest.category, tags=latest.tags, translations=translations)
    return await add_version(
        db=db,
        article=article,
        content=content,
        author=author,
        note="questions from knowledge gaps",
    )
