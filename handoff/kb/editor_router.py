"""Knowledge-base editing API (role editor or admin): articles, versions, import, export."""

from __future__ import annotations

import difflib
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Query, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel, Field

from handoff.audit import service as audit
from handoff.deps import SessionDep
from handoff.users.dependencies import CurrentEditor

from . import service, transfer
from .models import Article, ArticleVersion
from .schemas import ArticleCreate, ArticleUpdate

router = APIRouter(prefix="/api/kb", tags=["knowledge base editing"])


class PublishBody(BaseModel):
    version: int | None = Field(default=None, ge=1)


def article_json(article: Article, version: ArticleVersion) -> dict[str, Any]:
    return {
        "slug": article.slug,
        "category": version.category,
        "tags": version.tags,
        "translations": version.translations,
        "status": "published" if article.published_version else "draft",
        "version": version.number,
        "published_version": article.published_version,
        "unpublished_changes": article.published_version != article.latest_version,
        "updated_at": article.updated_at.isoformat(),
        "author": version.author,
    }


async def _latest(session: Any, slug: str) -> tuple[Article, ArticleVersion]:
    try:
        article = await service.get_article(session=session, slug=slug)
        return article, await service.get_version(
            session=session, article=article, number=article.latest_version
        )
    except service.ArticleNotFound as exc:
        raise HTTPException(404, f"no article {slug!r}") from exc


@router.get("/articles")
async def list_articles(
    editor: CurrentEditor,
    session: SessionDep,
    q: str = "",
    category: str | None = None,
    lang: Annotated[Literal["de", "en"] | None, Query()] = None,
    status: Annotated[Literal["draft", "published"] | None, Query()] = None,
) -> dict[str, Any]:
    """Articles with their newest version; filter by text, category, language, status."""
    rows = await service.list_articles(
        session=session, q=q, category=category, lang=lang, status=status
    )
    return {"articles": [article_json(a, v) for a, v in rows]}


@router.post("/articles", status_code=201)
async def create_article(
    body: ArticleCreate, editor: CurrentEditor, session: SessionDep
) -> dict[str, Any]:
    """A new article starts as a draft."""
    try:
        await service.create_article(session=session, article=body, author=editor.username)
    except service.ArticleExists as exc:
        raise HTTPException(409, f"an article {body.slug!r} exists already") from exc
    await session.commit()
    return article_json(*await _latest(session, body.slug))


@router.get("/articles/{slug}")
async def read_article(slug: str, editor: CurrentEditor, session: SessionDep) -> dict[str, Any]:
    return article_json(*await _latest(session, slug))


@router.put("/articles/{slug}")
async def update_article(
    slug: str, body: ArticleUpdate, editor: CurrentEditor, session: SessionDep
) -> dict[str, Any]:
    """Save an edit as a new version (published only on publish)."""
    try:
        await service.update_article(
            session=session, slug=slug, content=body, author=editor.username, note=body.note
        )
    except service.ArticleNotFound as exc:
        raise HTTPException(404, f"no article {slug!r}") from exc
    await session.commit()
    return article_json(*await _latest(session, slug))


@router.delete("/articles/{slug}", status_code=204)
async def delete_article(slug: str, editor: CurrentEditor, session: SessionDep) -> None:
    """Retire the article (versions are kept; search stops finding it after a rebuild)."""
    try:
        await service.delete_article(session=session, slug=slug)
    except service.ArticleNotFound as exc:
        raise HTTPException(404, f"no article {slug!r}") from exc
    await session.commit()


@router.post("/articles/{slug}/publish")
async def publish(
    slug: str, editor: CurrentEditor, session: SessionDep, body: PublishBody | None = None
) -> dict[str, Any]:
    """Publish the newest version (or the given one); the next rebuild makes it searchable."""
    try:
        await service.publish(session=session, slug=slug, version=(body or PublishBody()).version)
    except service.ArticleNotFound as exc:
        raise HTTPException(404, str(exc)) from exc
    await audit.record(
        db=session, actor=f"user:{editor.username}", action="kb.publish", target=slug
    )
    await session.commit()
    return article_json(*await _latest(session, slug))


@router.get("/articles/{slug}/versions")
async def versions(slug: str, editor: CurrentEditor, session: SessionDep) -> dict[str, Any]:
    """Every version, newest first: who, when, note."""
    article, _ = await _latest(session, slug)
    rows = await service.versions(session=session, article=article)
    return {
        "versions": [
            {
                "number": v.number,
                "author": v.author,
                "note": v.note,
                "created_at": v.created_at.isoformat(),
                "published": v.number == article.published_version,
            }
            for v in rows
        ]
    }


@router.get("/articles/{slug}/versions/{number}")
async def version(
    slug: str, number: int, editor: CurrentEditor, session: SessionDep
) -> dict[str, Any]:
    article, _ = await _latest(session, slug)
    try:
        found = await service.get_version(session=session, article=article, number=number)
    except service.ArticleNotFound as exc:
        raise HTTPException(404, str(exc)) from exc
    return {
        **article_json(article, found),
        "note": found.note,
        "created_at": found.created_at.isoformat(),
    }


def _lines(version: ArticleVersion) -> list[str]:
    lines = [f"category: {version.category}", f"tags: {', '.join(version.tags)}"]
    for lang, text in sorted(version.translations.items()):
        lines += [f"[{lang}] title: {text['title']}"]
        lines += [f"[{lang}] question: {q}" for q in text.get("questions") or []]
        lines += [f"[{lang}] {line}" for line in text["body"].splitlines()]
    return lines


@router.get("/articles/{slug}/diff")
async def diff(
    slug: str,
    editor: CurrentEditor,
    session: SessionDep,
    from_: Annotated[int, Query(alias="from", ge=1)],
    to: Annotated[int, Query(ge=1)],
) -> dict[str, Any]:
    """A unified diff between two versions."""
    article, _ = await _latest(session, slug)
    try:
        old = await service.get_version(session=session, article=article, number=from_)
        new = await service.get_version(session=session, article=article, number=to)
    except service.ArticleNotFound as exc:
        raise HTTPException(404, str(exc)) from exc
    lines = difflib.unified_diff(
        _lines(old), _lines(new), f"version {from_}", f"version {to}", lineterm=""
    )
    return {"from": from_, "to": to, "diff": "\n".join(lines)}


@router.post("/articles/{slug}/versions/{number}/restore")
async def restore(
    slug: str, number: int, editor: CurrentEditor, session: SessionDep
) -> dict[str, Any]:
    """Copy an old version into a new newest version (publish it to make it live)."""
    try:
        await service.restore(session=session, slug=slug, number=number, author=editor.username)
    except service.ArticleNotFound as exc:
        raise HTTPException(404, str(exc)) from exc
    await session.commit()
    return article_json(*await _latest(session, slug))


@router.get("/export")
async def export(
    editor: CurrentEditor, session: SessionDep, format: Literal["zip", "csv"] = "zip"
) -> Response:
    """The whole knowledge base: the repository's source format as a zip, or CSV."""
    articles = await service.export_articles(session=session)
    if format == "csv":
        return Response(
            transfer.to_csv(articles),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="kb.csv"'},
        )
    return Response(
        transfer.to_zip(articles),
        media_type="application/zip",
        headers={"Content-Disposition": 'attachment; filename="kb.zip"'},
    )


@router.post("/import")
async def import_kb(file: UploadFile, editor: CurrentEditor, session: SessionDep) -> dict[str, int]:
    """Import a zip (source format) or CSV: new articles are created, changed ones versioned."""
    data = await file.read(transfer.MAX_UPLOAD + 1)
    if len(data) > transfer.MAX_UPLOAD:
        raise HTTPException(413, f"the file is larger than {transfer.MAX_UPLOAD} bytes")
    is_csv = (file.filename or "").lower().endswith(".csv") or "csv" in (file.content_type or "")
    try:
        articles = transfer.from_csv(data) if is_csv else transfer.from_zip(data)
    except transfer.TransferError as exc:
        raise HTTPException(422, str(exc)) from exc
    report = await service.import_articles(
        session=session, articles=articles, author=editor.username
    )
    return {"created": report.created, "updated": report.updated, "unchanged": report.unchanged}
