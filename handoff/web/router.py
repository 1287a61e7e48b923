"""Public pages: landing page, widget script, demo intranet page, KB articles, static files."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, Response

from handoff.deps import DbDep, get_settings_dep
from handoff.kb import service as kb_service

from . import articles, assets
from .audit import router as audit_router
from .console import router as console_router
from .editor import router as editor_router
from .insights import router as insights_router
from .rendering import page

router = APIRouter(include_in_schema=False)
router.include_router(console_router)
router.include_router(editor_router)
router.include_router(insights_router)
router.include_router(audit_router)

DEMO_EMPLOYEE = {"name": "Anna Berger", "email": "anna.berger@brandt.example"}


def _dev_mode(request: Request) -> bool:
    return get_settings_dep(request).dev_mode


@router.get("/")
async def landing(request: Request) -> Response:
    """Where to go: the demo intranet page, the agent console, the API documentation."""
    paths = {getattr(route, "path", "") for route in request.app.routes}
    return page(request, "landing.html", {"has_editor": "/editor" in paths})


@router.get("/widget.js")
async def widget_script(request: Request) -> Response:
    """The chat widget: `<script src=".../widget.js" data-...>` on any intranet page."""
    return assets.widget_loader(dev_mode=_dev_mode(request))


@router.get("/static/{version}/{path:path}")
async def static(version: str, path: str, request: Request) -> FileResponse:
    return assets.static_file(version, path, dev_mode=_dev_mode(request))


@router.get("/demo")
async def demo(request: Request, name: str = "", email: str = "", lang: str = "de") -> Response:
    """A fictional intranet page with the widget (dev mode only)."""
    if not _dev_mode(request):
        return page(request, "not_found.html", status_code=404)
    employee = {
        "name": name.strip()[:200] or DEMO_EMPLOYEE["name"],
        "email": email.strip()[:200] or DEMO_EMPLOYEE["email"],
        "lang": lang if lang in ("de", "en") else "de",
    }
    base = str(request.base_url).rstrip("/")
    return page(request, "demo.html", {"employee": employee, "helpdesk_url": base})


@router.get("/kb/{slug}")
async def kb_article(slug: str, request: Request, db: DbDep, lang: str = "de") -> Response:
    """A published article, readable by anyone (the link the bot gives)."""
    try:
        text = await kb_service.published_text(
            db=db, slug=slug, lang=lang if lang in ("de", "en") else "de"
        )
    except kb_service.ArticleNotFound:
        return page(request, "not_found.html", {"what": "article"}, status_code=404)
    return page(
        request,
        "kb_article.html",
        {
            "article": text,
            "body": articles.render(text.body),
            "languages": articles.language_links(text.slug, text.lang),
        },
    )
