"""Knowledge editor pages (editors and admins): server-rendered shells over the KB editing API.

The article list and the article form are rendered here (titles and bodies escaped by
Jinja2); versions, previews, rebuilds, "try a question" and the knowledge gaps are loaded
by the page's modules from `/api/kb/...`.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from handoff.database import utcnow
from handoff.deps import DbDep
from handoff.kb import service as kb_service
from handoff.kb.models import Article, ArticleVersion
from handoff.kb.schemas import CATEGORIES
from handoff.users.models import User

from .console import PageUser
from .rendering import page

router = APIRouter(prefix="/editor")
ROLE = "editor"
LANGUAGES = {"de": "Deutsch", "en": "English"}
STATUSES = {"draft": "never published", "published": "published", "changes": "unpublished changes"}
EDITED_WITHIN = {"1": "last 24 hours", "7": "last 7 days", "30": "last 30 days"}


def _editor(request: Request, user: User | None) -> User | Response:
    """The editor, or the staff login (not logged in) or the "not allowed" page (agents)."""
    if user is None:
        here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/console/login?next={quote(here, safe='/')}", status_code=303)
    if not user.can(ROLE):
        return page(
            request, "console/forbidden.html", {"user": user, "role": ROLE}, status_code=403
        )
    return user


def _editor_page(request: Request, user: User, template: str, **context: object) -> Response:
    """Render an editor page with what every one of them needs (nav, categories, links)."""
    settings = request.app.state.settings
    values = {
        "user": user,
        "categories": CATEGORIES,
        "languages": LANGUAGES,
        "public_url": settings.public_url.rstrip("/"),
    }
    return page(request, template, {**values, **context})


def _shell(request: Request, user: User | None, template: str, **context: object) -> Response:
    """A page whose data the browser loads from the API."""
    editor = _editor(request, user)
    if isinstance(editor, Response):
        return editor
    return _editor_page(request, editor, template, **context)


def _row(article: Article, version: ArticleVersion) -> dict[str, Any]:
    titles = {lang: text["title"] for lang, text in sorted(version.translations.items())}
    return {
        "slug": article.slug,
        "titles": titles,
        "category": version.category,
        "tags": version.tags,
        "status": "published" if article.published_version else "draft",
        "changes": article.published_version is not None
        and article.published_version != article.latest_version,
        "version": version.number,
        "author": version.author,
        "updated_at": article.updated_at,  # aware UTC (database.UtcDateTime)
    }


def _keep(row: dict[str, Any], status: str, days: str) -> bool:
    if status == "draft" and row["status"] != "draft":
        return False
    if status == "published" and row["status"] != "published":
        return False
    if status == "changes" and not row["changes"]:
        return False
    if days in EDITED_WITHIN:
        if row["updated_at"] < utcnow() - timedelta(days=int(days)):
            return False
    return True


@router.get("")
async def articles(
    request: Request,
    user: PageUser,
    db: DbDep,
    q: str = "",
    category: str = "",
    lang: str = "",
    status: str = "",
    edited: str = "",
    deleted: str = "",
) -> Response:
    """All articles, last edited first, with search and filters kept in the URL; the archive."""
    editor = _editor(request, user)
    if isinstance(editor, Response):
        return editor
    filters = {"q": q.strip()[:200], "category": category, "lang": lang, "status": status}
    rows = await kb_service.list_articles(
        db=db,
        q=filters["q"],
        category=category if category in CATEGORIES else None,
        lang=lang if lang in LANGUAGES else None,
    )
    shown = [row for row in (_row(*r) for r in rows) if _keep(row, status, edited)]
    archived = [_row(*r) for r in await kb_service.archived_articles(db=db)]
    return _editor_page(
        request,
        editor,
        "editor/articles.html",
        active="articles",
        rows=shown,
        filters={**filters, "edited": edited},
        statuses=STATUSES,
        edited_within=EDITED_WITHIN,
        archived=archived,
        # The undo notice after a deletion (only for an article that is in the archive).
        just_deleted=next((r for r in archived if r["slug"] == deleted), None),
    )


@router.get("/articles/new")
async def new_article(request: Request, user: PageUser) -> Response:
    """An empty article form (the article is created as a draft on save)."""
    return _shell(request, user, "editor/article.html", active="articles", article=None)


@router.get("/articles/{slug}")
async def edit_article(slug: str, request: Request, user: PageUser, db: DbDep) -> Response:
    """The article's newest version in both languages, its preview and its history."""
    editor = _editor(request, user)
    if isinstance(editor, Response):
        return editor
    try:
        found = await kb_service.get_article(db=db, slug=slug)
    except kb_service.ArticleNotFound:
        return page(request, "not_found.html", status_code=404)
    latest = await kb_service.latest(db=db, article=found)
    article = {
        **_row(found, latest),
        "published_version": found.published_version,
        "translations": latest.translations,
    }
    return _editor_page(request, editor, "editor/article.html", active="articles", article=article)


@router.get("/index")
async def index(request: Request, user: PageUser) -> Response:
    """The live index, a rebuild with its progress and quality verdict, recent jobs."""
    return _shell(request, user, "editor/index.html", active="index")


@router.get("/try")
async def try_question(request: Request, user: PageUser) -> Response:
    """Ranked hits for a question, live index beside the draft index."""
    return _shell(request, user, "editor/try.html", active="try")


@router.get("/gaps")
async def knowledge_gaps(request: Request, user: PageUser) -> Response:
    """Grouped questions the bot could not answer, with transcripts and actions."""
    return _shell(request, user, "editor/gaps.html", active="gaps")
