"""Knowledge editor pages over HTTP: who may see them, what they render, what they escape."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from handoff.web import assets

from ..conftest import Helpdesk
from ..factories import staff

PAGES = ["/editor", "/editor/articles/new", "/editor/index", "/editor/try", "/editor/gaps"]
STATIC = Path(assets.STATIC_DIR)
TEMPLATES = Path(assets.STATIC_DIR).parent / "templates" / "editor"
MARKUP_TITLE = 'Drucker <script>alert("t")</script> <b>fett</b>'
MARKUP_BODY = (
    "Kurz <img src=x onerror=alert(1)>\n\n## Zuerst prüfen\n- Strom\n\n## Schritte\n"
    "1. </textarea><script>alert(2)</script>\n\n## Klappt es nicht?\nAnruf bei 4357."
)


def _article(
    slug: str, title: str = "Beamer verbinden", tags: tuple[str, ...] | list[str] = ("beamer",)
) -> dict[str, Any]:
    return {
        "slug": slug,
        "category": "hardware",
        "tags": list(tags),
        "translations": {
            "de": {
                "title": title,
                "body": "Kurz.\n\n## Zuerst prüfen\n- Kabel\n\n## Schritte\n1. HDMI\n\n"
                "## Klappt es nicht?\n4357",
                "questions": ["Beamer zeigt nichts"],
            }
        },
    }


async def _as(helpdesk: Helpdesk, role: str) -> dict[str, Any]:
    """A staff member of that role whose db cookie the client now sends."""
    account = await staff(helpdesk, role, f"{role.title()} <i>Tester</i>")
    helpdesk.client.cookies.update(account["cookies"])
    return account


@pytest.mark.parametrize("path", [*PAGES, "/editor/articles/vpn-connect"])
async def test_editor_pages_send_anonymous_visitors_to_the_staff_login(
    sqlite_helpdesk: Helpdesk, path: str
) -> None:
    response = await sqlite_helpdesk.client.get(path, params={"q": "vpn"})
    assert response.status_code == 303
    assert response.headers["location"] == f"/console/login?next={path}%3Fq%3Dvpn"
    login = await sqlite_helpdesk.client.get(response.headers["location"])
    assert login.status_code == 200 and f'data-next="{path}?q=vpn"' in login.text


async def test_the_login_returns_editors_to_the_editor_but_nowhere_else(
    sqlite_helpdesk: Helpdesk,
) -> None:
    client = sqlite_helpdesk.client
    for evil in ("https://evil.example/editor", "//evil.example/editor", "/editor//evil"):
        page = await client.get("/console/login", params={"next": evil})
        assert 'data-next="/console"' in page.text
    await _as(sqlite_helpdesk, "editor")
    back = await client.get("/console/login", params={"next": "/editor/gaps"})
    assert back.status_code == 303 and back.headers["location"] == "/editor/gaps"
    # An editor may not use the console, so the login does not send them there.
    assert (await client.get("/console/login")).status_code == 200


@pytest.mark.parametrize("path", [*PAGES, "/editor/articles/vpn-connect"])
async def test_agents_get_the_not_allowed_page(sqlite_helpdesk: Helpdesk, path: str) -> None:
    agent = await _as(sqlite_helpdesk, "agent")
    response = await sqlite_helpdesk.client.get(path)
    assert response.status_code == 403
    assert "Not allowed" in response.text and "<strong>editor</strong>" in response.text
    assert f"logged in as\n    {agent['username']} (agent)" in response.text
    assert 'href="/editor/index"' not in response.text  # no editor navigation for agents


@pytest.mark.parametrize("role", ["editor", "admin"])
async def test_editors_and_admins_see_every_page_with_the_shared_nav(
    sqlite_helpdesk: Helpdesk, role: str
) -> None:
    await _as(sqlite_helpdesk, role)
    nav = {"/editor": "Articles", "/editor/index": "Index"}
    nav |= {"/editor/try": "Try a question", "/editor/gaps": "Knowledge gaps"}
    for path in PAGES:
        response = await sqlite_helpdesk.client.get(path)
        assert response.status_code == 200, path
        html = response.text
        assert '<nav aria-label="Knowledge editor">' in html
        for href, label in nav.items():
            assert f'<a href="{href}"' in html and f">{label}</a>" in html
        assert 'id="logout"' in html and f'data-role="{role}"' in html
        assert html.count('aria-current="page"') == 1
        assert "Tester" in html and "<i>Tester</i>" not in html  # display name escaped
        csp = response.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp
        assert re.search(r"<script(?![^>]*\bsrc=)", html) is None, "no inline script"
        assert " style=" not in html, "no inline style"
    index = await sqlite_helpdesk.client.get("/editor/index")
    assert ('id="override-form"' in index.text) is (role == "admin")


async def test_the_article_list_filters_and_escapes_titles(sqlite_helpdesk: Helpdesk) -> None:
    client = sqlite_helpdesk.client
    editor = await _as(sqlite_helpdesk, "editor")
    headers = editor["headers"]
    created = await client.post(
        "/api/kb/articles",
        json=_article("markup-title", MARKUP_TITLE, tags=["drucker"]),
        headers=headers,
    )
    assert created.status_code == 201, created.text
    await client.post("/api/kb/articles", json=_article("beamer-connect"), headers=headers)
    await client.post("/api/kb/articles/beamer-connect/publish", headers=headers)

    everything = await client.get("/editor")
    html = everything.text
    assert "Drucker &lt;script&gt;alert(&#34;t&#34;)&lt;/script&gt; &lt;b&gt;fett&lt;/b&gt;" in html
    assert "<script>alert" not in html and "<b>fett" not in html
    # Last edited first, with who edited it.
    assert html.index("/editor/articles/beamer-connect") < html.index("/editor/articles/markup")
    assert f"v1 · {editor['username']}" in html
    shipped = {"vpn-connect", "password-reset"}  # the seeded knowledge base is there too
    assert all(f"/editor/articles/{slug}" in html for slug in shipped)

    async def slugs(**params: str) -> set[str]:
        page = await client.get("/editor", params=params)
        assert page.status_code == 200
        return set(re.findall(r'href="/editor/articles/([a-z0-9-]+)"', page.text)) - {"new"}

    assert await slugs(q="beamer") == {"beamer-connect"}
    assert await slugs(q="FETT") == {"markup-title"}  # any case
    assert await slugs(status="draft") == {"markup-title"}
    assert "markup-title" not in await slugs(status="published")
    assert "beamer-connect" in await slugs(category="hardware", lang="de", edited="1")
    assert "beamer-connect" not in await slugs(category="network")
    edit = _article("beamer-connect", "Beamer anschließen") | {"note": "kürzer"}
    del edit["slug"]
    assert (
        await client.put("/api/kb/articles/beamer-connect", json=edit, headers=headers)
    ).is_success
    assert await slugs(status="changes") == {"beamer-connect"}
    filtered = await client.get("/editor", params={"category": "hardware", "status": "changes"})
    assert '<option value="hardware" selected>' in filtered.text
    assert '<option value="changes" selected>' in filtered.text


async def test_the_article_page_renders_the_form_escaped(sqlite_helpdesk: Helpdesk) -> None:
    client = sqlite_helpdesk.client
    editor = await _as(sqlite_helpdesk, "editor")
    article = _article("markup-title", MARKUP_TITLE)
    article["translations"]["de"]["body"] = MARKUP_BODY
    article["translations"]["en"] = {"title": "Printer", "body": "Short.", "questions": []}
    await client.post("/api/kb/articles", json=article, headers=editor["headers"])

    response = await client.get("/editor/articles/markup-title")
    assert response.status_code == 200
    html = response.text
    escaped = "Drucker &lt;script&gt;alert(&#34;t&#34;)&lt;/script&gt; &lt;b&gt;fett&lt;/b&gt;"
    assert f'<h1 id="article-heading">{escaped}</h1>' in html
    assert f"<title>{escaped} · IT Service Desk knowledge editor</title>" in html
    assert f'value="{escaped}"' in html
    # The body goes into its textarea as text: a closing tag in it cannot end the textarea.
    assert "1. &lt;/textarea&gt;&lt;script&gt;alert(2)&lt;/script&gt;" in html
    assert "<img src=x" not in html and "<script>alert" not in html
    assert ">Beamer zeigt nichts</textarea>" in html
    assert 'data-slug="markup-title"' in html and 'data-version="1"' in html
    assert 'id="slug" name="slug" value="markup-title"' in html and "readonly" in html
    assert '<option value="hardware" selected>' in html
    assert 'id="versions"' in html and 'id="publish"' in html
    assert f'data-public-url="{sqlite_helpdesk.settings.public_url.rstrip("/")}"' in html
    assert (await client.get("/editor/articles/no-such-article")).status_code == 404


async def test_the_new_article_page_has_an_empty_form(sqlite_helpdesk: Helpdesk) -> None:
    await _as(sqlite_helpdesk, "editor")
    html = (await sqlite_helpdesk.client.get("/editor/articles/new")).text
    assert '<h1 id="article-heading">New article</h1>' in html
    assert 'data-slug=""' in html and "Create draft" in html
    assert 'id="publish"' not in html and 'id="versions"' not in html
    for lang in ("de", "en"):
        assert f'id="{lang}-title"' in html and f'id="{lang}-preview"' in html


async def test_the_editor_modules_are_served_and_their_imports_exist(
    sqlite_helpdesk: Helpdesk,
) -> None:
    """No build step: every module a page loads, and everything it imports, is a real file."""
    await _as(sqlite_helpdesk, "editor")
    loaded: set[str] = set()
    for path in PAGES:
        html = (await sqlite_helpdesk.client.get(path)).text
        loaded |= set(re.findall(rf"/static/{assets.version()}/([\w/.-]+\.(?:js|css))", html))
    assert {"editor/nav.js", "editor/article.js", "editor/gaps.js", "editor/editor.css"} <= loaded
    pending, seen = [p for p in loaded if p.endswith(".js")], set()
    while pending:
        module = pending.pop()
        if module in seen:
            continue
        seen.add(module)
        response = await sqlite_helpdesk.client.get(assets.url(module))
        assert response.status_code == 200, module
        assert response.headers["content-type"] == "text/javascript; charset=utf-8"
        for target in re.findall(r'^import .*? from "(\.[^"]+)";$', response.text, re.M):
            resolved = (STATIC / module).parent.joinpath(target).resolve()
            assert resolved.is_file(), f"{module} imports a missing {target}"
            pending.append(resolved.relative_to(STATIC).as_posix())
    assert "widget/messages.js" in seen  # the preview draws the widget's own messages


def test_editor_modules_never_put_data_into_html() -> None:
    """Text reaches the page through text nodes only (see shared/dom.js)."""
    for path in sorted((STATIC / "editor").glob("*.js")):
        source = path.read_text(encoding="utf-8")
        for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
            assert sink not in source, f"{path.name} uses {sink}"
    for path in TEMPLATES.glob("*.html"):
        assert "|safe" not in path.read_text(encoding="utf-8").replace(" ", ""), path.name


async def test_deleted_articles_are_listed_with_undo_and_escaped(sqlite_helpdesk: Helpdesk) -> None:
    editor = await _as(sqlite_helpdesk, "editor")
    client = sqlite_helpdesk.client
    created = await client.post(
        "/api/kb/articles", json=_article("weg-damit", MARKUP_TITLE), headers=editor["headers"]
    )
    assert created.status_code == 201
    gone = await client.delete("/api/kb/articles/weg-damit", headers=editor["headers"])
    assert gone.status_code == 204
    html = (await client.get("/editor", params={"deleted": "weg-damit"})).text
    notice = re.search(r'<p class="alert" role="status" id="deleted-notice">(.*?)</p>', html, re.S)
    assert notice and 'data-slug="weg-damit"' in notice.group(1) and "Undo" in notice.group(1)
    assert "<script>alert" not in html and "&lt;script&gt;" in html
    assert re.search(r'<tr data-slug="weg-damit">', html)
    assert "Deleted articles (1)" in html and "editor/archive.js" in html
    plain = (await client.get("/editor", params={"deleted": "vpn-connect"})).text
    assert 'id="deleted-notice"' not in plain  # only for an article that is in the archive
