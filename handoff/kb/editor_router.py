"""Knowledge-base editing API (role editor or admin): articles, versions, import, export."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Path, Query, UploadFile
from fastapi.responses import Response

from handoff.audit.dependencies import AuditDep
from handoff.deps import DbDep
from handoff.users.dependencies import CurrentEditor

from . import editing, service, transfer
from .dependencies import ArticleDep, RebuildJobsDep
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
# Version numbers are database integers: anything larger is no version (422, not a 500).
MAX_VERSION = 2**31 - 1
VersionNumber = Annotated[int, Path(ge=1, le=MAX_VERSION)]


@router.get("/articles", response_model=ArticleList)
async def list_articles(
    editor: CurrentEditor,
    db: DbDep,
    q: str = "",
    category: str | None = None,
    lang: Annotated[Literal["de", "en"] | None, Query()] = None,
    status: Annotated[Literal["draft", "published"] | None, Query()] = None,
) -> ArticleList:
    """Articles with their newest version; filter by text, category, language, status."""
    return await editing.list_articles(db=db, q=q, category=category, lang=lang, status=status)


@router.post("/articles", status_code=201, response_model=ArticleRead)
async def create_article(body: ArticleCreate, editor: CurrentEditor, db: DbDep) -> ArticleRead:
    """A new article starts as a draft."""
    try:
        return await editing.create(db=db, body=body, author=editor.username)
    except service.ArticleExists as exc:
        raise HTTPException(409, f"an article {body.slug!r} exists already") from exc


@router.get("/articles/{slug}", response_model=ArticleRead)
async def read_article(editor: CurrentEditor, article: ArticleDep, db: DbDep) -> ArticleRead:
    """The article with its newest version."""
    return await editing.read(db=db, article=article)


@router.put("/articles/{slug}", response_model=ArticleRead)
async def update_article(
    editor: CurrentEditor, article: ArticleDep, body: ArticleUpdate, db: DbDep
) -> ArticleRead:
    """Save an edit as a new version (published only on publish)."""
    return await editing.update(db=db, article=article, body=body, author=editor.username)


@router.delete("/articles/{slug}", status_code=204)
async def delete_article(
    editor: CurrentEditor, article: ArticleDep, db: DbDep, audit: AuditDep, jobs: RebuildJobsDep
) -> None:
    """Archive the article: search and the bot stop offering it at once, and a published
    article starts a rebuild that drops it from the index (joining one already running);
    versions are kept and POST /api/kb/archive/{slug}/restore undoes it."""
    was_published = article.published_version is not None
    await editing.delete(db=db, article=article)
    await audit(actor=f"user:{editor.username}", action="kb.archive", target=article.slug)
    if was_published:
        await jobs.after_change(requested_by=editor.username)


@router.get("/archive", response_model=ArticleList)
async def archived_articles(editor: CurrentEditor, db: DbDep) -> ArticleList:
    """Archived (deleted) articles, last archived first."""
    return await editing.archived(db=db)


@router.post("/archive/{slug}/restore", response_model=ArticleRead)
async def restore_archived(
    editor: CurrentEditor,
    slug: Annotated[str, Path(max_length=80)],
    db: DbDep,
    audit: AuditDep,
    jobs: RebuildJobsDep,
) -> ArticleRead:
    """Bring an archived article back as it was (published again if it was published; then
    search offers it at once if the live index still holds it, and a rebuild starts)."""
    try:
        restored = await editing.restore_archived(db=db, slug=slug)
    except service.ArticleNotFound as exc:
        raise HTTPException(404, f"no archived article {slug!r}") from exc
    await audit(actor=f"user:{editor.username}", action="kb.restore", target=slug)
    if restored.published_version is not None:
        await jobs.after_change(requested_by=editor.username)
    return restored


@router.post("/articles/{slug}/publish", response_model=ArticleRead)
async def publish(
    editor: CurrentEditor,
    article: ArticleDep,
    db: DbDep,
    audit: AuditDep,
    body: PublishBody | None = None,
) -> ArticleRead:
    """Publish the newest version (or the given one); the next rebuild makes it searchable."""
    try:
        published = await editing.publish(
            db=db, article=article, version=(body or PublishBody()).version
        )
    except service.ArticleNotFound as exc:
        raise HTTPException(404, str(exc)) from exc
    await audit(actor=f"user:{editor.username}", action="kb.publish", target=article.slug)
    return published


@router.get("/articles/{slug}/versions", response_model=VersionList)
async def versions(editor: CurrentEditor, article: ArticleDep, db: DbDep) -> VersionList:
    """Every version, newest first: who, when, note."""
    return await editing.history(db=db, article=article)


@router.get("/articles/{slug}/versions/{number}", response_model=VersionRead)
async def version(
    editor: CurrentEditor, article: ArticleDep, number: VersionNumber, db: DbDep
) -> VersionRead:
    """One version of the article, with its note and time."""
    try:
        return await editing.version(db=db, article=article, number=number)
    except service.ArticleNotFound as exc:
        raise HTTPException(404, str(exc)) from exc


@router.get("/articles/{slug}/diff", response_model=DiffRead)
async def diff(
    editor: CurrentEditor,
    article: ArticleDep,
    db: DbDep,
    from_: Annotated[int, Query(alias="from", ge=1, le=MAX_VERSION)],
    to: Annotated[int, Query(ge=1, le=MAX_VERSION)],
) -> DiffRead:
    """A unified diff between two versions."""
    try:
        return await editing.diff(db=db, article=article, old=from_, new=to)
    except service.ArticleNotFound as exc:
        raise HTTPException(404, str(exc)) from exc


@router.post("/articles/{slug}/versions/{number}/restore", response_model=ArticleRead)
async def restore(
    editor: CurrentEditor, article: ArticleDep, number: VersionNumber, db: DbDep
) -> ArticleRead:
    """Copy an old version into a new newest version (publish it to make it live)."""
    try:
        return await editing.restore(db=db, article=article, number=number, author=editor.username)
    except service.ArticleNotFound as exc:
        raise HTTPException(404, str(exc)) from exc


@router.get(
    "/export",
    response_class=Response,
    responses={200: {"content": {"application/zip": {}, "text/csv": {}}}},
)
async def export(
    editor: CurrentEditor, db: DbDep, audit: AuditDep, format: Literal["zip", "csv"] = "zip"
) -> Response:
    """The whole knowledge base: the repository's source format as a zip, or CSV (audited)."""
    exported = await editing.export(db=db, format=format)
    await audit(
        actor=f"user:{editor.username}",
        action="kb.export",
        target=exported.filename,
        format=format,
        articles=exported.articles,
    )
    return Response(
        exported.content,
        media_type=exported.media_type,
        headers={"Content-Disposition": f'attachment; filename="{exported.filename}"'},
    )


@router.post("/import", response_model=ImportRead)
async def import_kb(file: UploadFile, editor: CurrentEditor, db: DbDep) -> ImportRead:
    """Import a zip (source format) or CSV: new articles are created, changed ones versioned."""
    data = await file.read(transfer.MAX_UPLOAD + 1)
    if len(data) > transfer.MAX_UPLOAD:
        raise HTTPException(413, f"the file is larger than {transfer.MAX_UPLOAD} bytes")
    is_csv = (file.filename or "").lower().endswith(".csv") or "csv" in (file.content_type or "")
    try:
        return await editing.import_file(db=db, data=data, is_csv=is_csv, author=editor.username)
    except transfer.TransferError as exc:
        raise HTTPException(422, str(exc)) from exc
