"""Knowledge-base editing API (role editor or admin): articles, versions, import, export."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Query, UploadFile
from fastapi.responses import Response

from handoff.deps import ArticleDep, SessionDep
from handoff.users.dependencies import CurrentEditor

from . import editing, service, transfer
from .schemas import (
    ArticleCreate,
    ArticleList,
    ArticleRead,
    ArticleUpdate,
    DiffRead,
    ImportRead,
    PublishBody,
    VersionList,
    VersionRead,
)

router = APIRouter(prefix="/api/kb", tags=["knowledge base editing"])


@router.get("/articles", response_model=ArticleList)
async def list_articles(
    editor: CurrentEditor,
    session: SessionDep,
    q: str = "",
    category: str | None = None,
    lang: Annotated[Literal["de", "en"] | None, Query()] = None,
    status: Annotated[Literal["draft", "published"] | None, Query()] = None,
) -> ArticleList:
    """Articles with their newest version; filter by text, category, language, status."""
    return await editing.list_articles(
        session=session, q=q, category=category, lang=lang, status=status
    )


@router.post("/articles", status_code=201, response_model=ArticleRead)
async def create_article(
    body: ArticleCreate, editor: CurrentEditor, session: SessionDep
) -> ArticleRead:
    """A new article starts as a draft."""
    try:
        return await editing.create(session=session, body=body, author=editor.username)
    except service.ArticleExists as exc:
        raise HTTPException(409, f"an article {body.slug!r} exists already") from exc


@router.get("/articles/{slug}", response_model=ArticleRead)
async def read_article(
    editor: CurrentEditor, article: ArticleDep, session: SessionDep
) -> ArticleRead:
    """The article with its newest version."""
    return await editing.read(session=session, article=article)


@router.put("/articles/{slug}", response_model=ArticleRead)
async def update_article(
    editor: CurrentEditor, article: ArticleDep, body: ArticleUpdate, session: SessionDep
) -> ArticleRead:
    """Save an edit as a new version (published only on publish)."""
    return await editing.update(session=session, article=article, body=body, author=editor.username)


@router.delete("/articles/{slug}", status_code=204)
async def delete_article(editor: CurrentEditor, article: ArticleDep, session: SessionDep) -> None:
    """Retire the article (versions are kept; search stops finding it after a rebuild)."""
    await editing.delete(session=session, article=article)


@router.post("/articles/{slug}/publish", response_model=ArticleRead)
async def publish(
    editor: CurrentEditor,
    article: ArticleDep,
    session: SessionDep,
    body: PublishBody | None = None,
) -> ArticleRead:
    """Publish the newest version (or the given one); the next rebuild makes it searchable."""
    try:
        return await editing.publish(
            session=session, article=article, version=(body or PublishBody()).version
        )
    except service.ArticleNotFound as exc:
        raise HTTPException(404, str(exc)) from exc


@router.get("/articles/{slug}/versions", response_model=VersionList)
async def versions(editor: CurrentEditor, article: ArticleDep, session: SessionDep) -> VersionList:
    """Every version, newest first: who, when, note."""
    return await editing.history(session=session, article=article)


@router.get("/articles/{slug}/versions/{number}", response_model=VersionRead)
async def version(
    editor: CurrentEditor, article: ArticleDep, number: int, session: SessionDep
) -> VersionRead:
    """One version of the article, with its note and time."""
    try:
        return await editing.version(session=session, article=article, number=number)
    except service.ArticleNotFound as exc:
        raise HTTPException(404, str(exc)) from exc


@router.get("/articles/{slug}/diff", response_model=DiffRead)
async def diff(
    editor: CurrentEditor,
    article: ArticleDep,
    session: SessionDep,
    from_: Annotated[int, Query(alias="from", ge=1)],
    to: Annotated[int, Query(ge=1)],
) -> DiffRead:
    """A unified diff between two versions."""
    try:
        return await editing.diff(session=session, article=article, old=from_, new=to)
    except service.ArticleNotFound as exc:
        raise HTTPException(404, str(exc)) from exc


@router.post("/articles/{slug}/versions/{number}/restore", response_model=ArticleRead)
async def restore(
    editor: CurrentEditor, article: ArticleDep, number: int, session: SessionDep
) -> ArticleRead:
    """Copy an old version into a new newest version (publish it to make it live)."""
    try:
        return await editing.restore(
            session=session, article=article, number=number, author=editor.username
        )
    except service.ArticleNotFound as exc:
        raise HTTPException(404, str(exc)) from exc


@router.get(
    "/export",
    response_class=Response,
    responses={200: {"content": {"application/zip": {}, "text/csv": {}}}},
)
async def export(
    editor: CurrentEditor, session: SessionDep, format: Literal["zip", "csv"] = "zip"
) -> Response:
    """The whole knowledge base: the repository's source format as a zip, or CSV."""
    exported = await editing.export(session=session, format=format)
    return Response(
        exported.content,
        media_type=exported.media_type,
        headers={"Content-Disposition": f'attachment; filename="{exported.filename}"'},
    )


@router.post("/import", response_model=ImportRead)
async def import_kb(file: UploadFile, editor: CurrentEditor, session: SessionDep) -> ImportRead:
    """Import a zip (source format) or CSV: new articles are created, changed ones versioned."""
    data = await file.read(transfer.MAX_UPLOAD + 1)
    if len(data) > transfer.MAX_UPLOAD:
        raise HTTPException(413, f"the file is larger than {transfer.MAX_UPLOAD} bytes")
    is_csv = (file.filename or "").lower().endswith(".csv") or "csv" in (file.content_type or "")
    try:
        return await editing.import_file(
            session=session, data=data, is_csv=is_csv, author=editor.username
        )
    except transfer.TransferError as exc:
        raise HTTPException(422, str(exc)) from exc
