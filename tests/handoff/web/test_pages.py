"""Pages over HTTP: landing, widget script, demo (dev only), console login guard, KB articles."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from fastapi import HTTPException
from sqlalchemy import select

from handoff.kb import service as kb_service
from handoff.kb.models import Article
from handoff.kb.schemas import ArticleCreate
from handoff.web import assets

from ..conftest import Helpdesk, make_settings, running_helpdesk
from ..factories import PASSWORD, staff


@pytest.fixture
async def dev_helpdesk(tmp_path: Path) -> AsyncIterator[Helpdesk]:
    """The service in dev mode (the demo page and /api/dev/token exist)."""
    async with running_helpdesk(make_settings(tmp_path, env="dev")) as helpdesk:
        yield helpdesk


async def _publish(helpdesk: Helpdesk, slug: str, de_body: str, en_body: str) -> None:
    article = ArticleCreate.model_validate(
        {
            "slug": slug,
            "category": "software",
            "translations": {
                "de": {"title": "Drucker <b>hängt</b>", "body": de_body},
                "en": {"title": "Printer stuck", "body": en_body},
            },
        }
    )
    async with helpdesk.app.state.open_db() as db:
        await kb_service.import_articles(db=db, articles=[(article, "published")], author="test")


async def test_landing_page_links_console_and_api_docs(sqlite_helpdesk: Helpdesk) -> None:
    response = await sqlite_helpdesk.client.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert 'href="/console"' in response.text and 'href="/docs"' in response.text
    assert 'href="/demo"' not in response.text  # not in test mode
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp


async def test_widget_script_is_javascript_and_cacheable(sqlite_helpdesk: Helpdesk) -> None:
    response = await sqlite_helpdesk.client.get("/widget.js")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/javascript; charset=utf-8"
    assert "max-age=300" in response.headers["cache-control"]
    assert response.headers["access-control-allow-origin"] == "*"
    assert f"static/{assets.version()}/widget/main.js" in response.text
    assert assets.LOADER_VERSION_MARK not in response.text


async def test_static_modules_are_versioned_and_confined(sqlite_helpdesk: Helpdesk) -> None:
    client = sqlite_helpdesk.client
    current = await client.get(assets.url("widget/main.js"))
    assert current.status_code == 200
    assert current.headers["content-type"] == "text/javascript; charset=utf-8"
    assert "immutable" in current.headers["cache-control"]
    stale = await client.get("/static/old/widget/main.js")
    assert stale.status_code == 200 and stale.headers["cache-control"] == "no-cache"
    css = await client.get(assets.url("console/console.css"))
    assert css.headers["content-type"] == "text/css; charset=utf-8"
    for path in ("%2e%2e/router.py", "..%2F..%2Fconfig.py", "widget", "nope.js"):
        assert (await client.get(f"/static/{assets.version()}/{path}")).status_code == 404
    for path in ("../router.py", "../../config.py", "/etc/passwd"):
        with pytest.raises(HTTPException) as refused:
            assets.static_file(assets.version(), path, dev_mode=False)
        assert refused.value.status_code == 404


async def test_demo_page_only_in_dev_mode(sqlite_helpdesk: Helpdesk, tmp_path: Path) -> None:
    assert (await sqlite_helpdesk.client.get("/demo")).status_code == 404
    async with running_helpdesk(make_settings(tmp_path / "dev", env="dev")) as dev:
        response = await dev.client.get(
            "/demo", params={"name": "Ben <Wolf>", "email": "ben@brandt.example", "lang": "en"}
        )
        assert response.status_code == 200
        assert "Brandt Industrietechnik GmbH" in response.text
        assert 'src="http://helpdesk.test/widget.js"' in response.text
        assert 'data-token-endpoint="/api/dev/token"' in response.text
        assert 'data-employee-name="Ben &lt;Wolf&gt;"' in response.text  # escaped
        assert 'data-locale="en"' in response.text and '<html lang="en">' in response.text
        token = await dev.client.post(
            "/api/dev/token", json={"email": "ben@brandt.example", "name": "Ben Wolf"}
        )
        assert token.status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/console",
        "/console/tickets",
        "/console/tickets/INC-000001",
        "/console/canned",
        "/console/privacy",
    ],
)
async def test_console_pages_redirect_to_login(sqlite_helpdesk: Helpdesk, path: str) -> None:
    response = await sqlite_helpdesk.client.get(path)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/console/login?next=/console")


async def test_console_with_a_session_cookie(sqlite_helpdesk: Helpdesk) -> None:
    client = sqlite_helpdesk.client
    agent = await staff(sqlite_helpdesk, "agent", "Anna Schmidt")
    client.cookies.update(agent["cookies"])
    page = await client.get("/console")
    assert page.status_code == 200
    assert "Anna Schmidt" in page.text and 'id="queue"' in page.text
    assert "Keyboard shortcuts" in page.text
    assert (await client.get("/console/tickets")).status_code == 200
    # Canned responses are for admins; the login page sends a logged-in agent on.
    assert (await client.get("/console/canned")).status_code == 403
    login = await client.get("/console/login", params={"next": "/console/tickets"})
    assert login.status_code == 303 and login.headers["location"] == "/console/tickets"
    admin = await staff(sqlite_helpdesk, "admin", "Ada Admin")
    client.cookies.update(admin["cookies"])
    assert (await client.get("/console/canned")).status_code == 200


async def test_login_page_and_no_open_redirect(sqlite_helpdesk: Helpdesk) -> None:
    client = sqlite_helpdesk.client
    page = await client.get("/console/login", params={"next": "https://evil.example/"})
    assert page.status_code == 200
    assert 'data-next="/console"' in page.text
    editor = await staff(sqlite_helpdesk, "editor")
    client.cookies.update(editor["cookies"])
    assert (await client.get("/console")).status_code == 403  # editors are not agents
    assert PASSWORD  # the factory's password works for the form too


async def test_kb_article_page_escapes_raw_html(sqlite_helpdesk: Helpdesk) -> None:
    await _publish(
        sqlite_helpdesk,
        "printer-stuck",
        "Vorher <script>alert(1)</script>\n\n1. **Neu starten**\n2. [Portal](https://it.example)"
        "\n\n[böse](javascript:alert(1)) <img src=x onerror=alert(1)>",
        "Restart the printer.",
    )
    client = sqlite_helpdesk.client
    response = await client.get("/kb/printer-stuck", params={"lang": "de"})
    assert response.status_code == 200
    html = response.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>alert" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html and "<img src=x" not in html
    assert 'href="javascript:' not in html
    assert '<a href="https://it.example" rel="noopener noreferrer">Portal</a>' in html
    assert "<strong>Neu starten</strong>" in html and "<ol>" in html
    assert "Drucker &lt;b&gt;hängt&lt;/b&gt;" in html  # the title is escaped too
    assert '<html lang="de">' in html
    english = await client.get("/kb/printer-stuck", params={"lang": "en"})
    assert "Printer stuck" in english.text and '<html lang="en">' in english.text


async def test_kb_article_page_404s(sqlite_helpdesk: Helpdesk) -> None:
    client = sqlite_helpdesk.client
    assert (await client.get("/kb/no-such-article")).status_code == 404
    await _publish(sqlite_helpdesk, "draft-only", "Entwurf", "Draft")
    async with sqlite_helpdesk.app.state.open_db() as db:
        article = await db.scalar(select(Article).where(Article.slug == "draft-only"))
        assert article is not None
        article.published_version, article.status = None, "draft"
        await db.commit()
    missing = await client.get("/kb/draft-only")
    assert missing.status_code == 404 and "text/html" in missing.headers["content-type"]


async def test_the_audit_log_page_shows_filtered_events_to_admins_only(
    sqlite_helpdesk: Helpdesk,
) -> None:
    client = sqlite_helpdesk.client
    failed = await client.post("/api/auth/login", json={"username": "nobody", "password": "x" * 12})
    assert failed.status_code == 401
    agent = await staff(sqlite_helpdesk, "agent", "Anna Schmidt")
    client.cookies.update(agent["cookies"])
    assert (await client.get("/console/audit")).status_code == 403
    admin = await staff(sqlite_helpdesk, "admin", "Ada Admin")
    client.cookies.update(admin["cookies"])
    page = await client.get("/console/audit")
    assert page.status_code == 200
    rows = page.text.split("<tbody>")[1]
    assert "login.failed" in rows and "nobody" in rows
    assert f"user:{admin['username']}" in rows
    only_failures = await client.get("/console/audit", params={"action": "login.failed"})
    assert admin["username"] not in only_failures.text.split("<tbody>")[1]
    assert 'href="/api/admin/audit/export?action=login.failed"' in only_failures.text
    export = await client.get("/api/admin/audit/export", params={"action": "login.failed"})
    assert export.status_code == 200 and "nobody" in export.text
    by_target = await client.get("/console/audit", params={"target": "nobody"})
    link = 'href="/api/admin/audit/export?target=nobody"'
    assert link in by_target.text  # the export holds what the page shows
    export = await client.get("/api/admin/audit/export", params={"target": "nobody"})
    assert [row.split(",")[3] for row in export.text.splitlines()[1:]] == ["login.failed"]
