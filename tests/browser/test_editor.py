"""The knowledge editor against the whole system: a question the bot failed on becomes an
article, is published and indexed, and the same question in the widget gets the article."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import httpx
import pytest
import yaml
from playwright.async_api import Browser, Locator, Page, expect

from handoff.kb.sections import split_sections
from handoff.web import assets

from .axe import assert_accessible
from .live import ROOT, Stack
from .pages import Session, Widget

pytestmark = pytest.mark.browser

PASSWORD = "editor browser password"
QUESTION = "Wie verbinde ich den Beamer im Besprechungsraum?"
SLUG = "beamer-besprechungsraum"
TITLE = "Beamer im Besprechungsraum verbinden"
BODY = """Im Besprechungsraum hängt ein Beamer an der Decke. So zeigen Sie Ihren Laptop darauf.

## Zuerst prüfen
- Der Beamer ist eingeschaltet: Taste **On** an der Fernbedienung auf dem Tisch.
- Das HDMI-Kabel steckt in der Tischbox im Anschluss **HDMI 1**.

## Schritte
1. Stecken Sie das HDMI-Kabel aus der Tischbox in Ihren Laptop.
2. Drücken Sie **Windows-Taste + P** und wählen Sie **Duplizieren**.
3. Wählen Sie an der Fernbedienung mit **Source** den Eingang **HDMI 1**.

## Klappt es nicht?
Rufen Sie den IT Service Desk an (intern 4357) und nennen Sie die Raumnummer."""
FINAL = re.compile(r"^(succeeded|failed|rejected)$")
WAIT = 15_000  # ms for a navigation after a request (busy machines)


@pytest.fixture
async def person(browser: Browser) -> AsyncIterator[Session]:
    context = await browser.new_context(viewport={"width": 1440, "height": 1000})
    try:
        yield Session(await context.new_page())
    finally:
        await context.close()


async def _editor(stack: Stack, name: str) -> dict[str, str]:
    username = re.sub(r"\W+", "-", name.lower())
    await stack.create_staff(username, "editor", name, PASSWORD)
    return {"username": username, "password": PASSWORD}


async def _log_in(page: Page, stack: Stack, account: dict[str, str], path: str) -> None:
    """Open an editor page: the staff login comes first and leads back to it."""
    await page.goto(f"{stack.base_url}{path}")
    await expect(page).to_have_url(re.compile(r"/console/login\?next="))
    await page.get_by_label("Username").fill(account["username"])
    await page.get_by_label("Password").fill(account["password"])
    await page.get_by_role("button", name="Log in").click()
    await expect(page).to_have_url(f"{stack.base_url}{path}")
    await page.wait_for_load_state()  # the page's modules ran: keys and buttons work


async def _ask(widget: Widget, question: str) -> Locator:
    """Send a question; return the bot's answers to it (once the first one is there)."""
    before = await widget.log.locator("li.msg").count()
    await widget.send(question)
    bot = "contains(concat(' ', @class, ' '), ' bot ')"
    answers = (
        widget.log.locator("li.msg").nth(before).locator(f"xpath=following-sibling::li[{bot}]")
    )
    await expect(answers.first).to_be_visible(timeout=30_000)
    return answers


async def test_an_unanswered_question_becomes_an_article_the_bot_answers_with(
    stack: Stack, browser: Browser, person: Session
) -> None:
    employee = await browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        widget = await Widget(await employee.new_page()).visit(
            stack, "Lena Vogt", "lena.vogt@brandt.example"
        )
        await widget.open()
        answers = await _ask(widget, QUESTION)
        await expect(answers.filter(has_text="Dazu habe ich etwas gefunden")).to_have_count(0)
        assert await answers.locator(".article-title").count() == 0, "answered before the edit"
    finally:
        await employee.close()

    # The editor finds the question among the knowledge gaps, with its conversation.
    page = person.page
    await _log_in(page, stack, await _editor(stack, "Erika Editor"), "/editor/gaps")
    group = page.locator("li.group", has=page.get_by_text(QUESTION, exact=True))
    await expect(group).to_be_visible()
    await expect(group).to_contain_text("no confident answer")
    await group.get_by_role("button", name=re.compile(r"^Conversation 1 for")).first.click()
    transcript = page.get_by_role("dialog", name="Conversation")
    await expect(transcript.get_by_role("log")).to_contain_text(QUESTION)
    await transcript.get_by_role("button", name="Close").click()

    # A new draft from the group: its question becomes an example question.
    await group.get_by_role("button", name="New draft article from this group").click()
    dialog = page.get_by_role("dialog", name="New draft article from this group")
    await dialog.get_by_label("Slug").fill(SLUG)
    await dialog.get_by_label("Category").select_option("hardware")
    await dialog.get_by_label("Language").select_option("de")
    await dialog.get_by_label("Title").fill(TITLE)
    await dialog.get_by_role("button", name="Create draft and edit it").click()
    await expect(page).to_have_url(f"{stack.base_url}/editor/articles/{SLUG}")
    await expect(page.locator("#notice")).to_contain_text("The draft was created")
    await expect(page.get_by_label("Example questions, one per line (de)")).to_have_value(QUESTION)

    # Write the body; the preview shows what the bot will send.
    await page.get_by_label("Body, Markdown (de)").fill(BODY)
    preview = page.locator("#de-preview")
    await expect(preview.locator(".article-title")).to_contain_text(TITLE)
    await expect(preview.locator("ol li")).to_have_count(3)
    await expect(preview.locator("ol li").first).to_have_text(
        "Stecken Sie das HDMI-Kabel aus der Tischbox in Ihren Laptop."
    )
    # The article is linked once, by name (the widget drops the bot's raw URL line).
    link = preview.get_by_role("link", name="Ganzen Artikel öffnen")
    await expect(link).to_have_attribute("href", re.compile(rf"/kb/{SLUG}\?lang=de$"))
    await expect(page.locator("#de-warnings li")).to_have_count(0)
    await page.get_by_label("Note for this version (optional)").fill("Schritte für den Beamer")
    await page.get_by_role("button", name="Save new version").click()
    await expect(page.locator("#article-state")).to_contain_text("version 2")
    versions = page.locator("#versions")
    await expect(versions.locator("li").first).to_contain_text("Schritte für den Beamer")
    await expect(versions.locator("li").last).to_contain_text("from knowledge gaps")
    await page.get_by_role("button", name="Publish").click()
    await expect(page.locator("#article-state")).to_contain_text("published: version 2")
    await expect(page.locator("#notice")).to_contain_text("index rebuild")

    # Rebuild the index and follow the progress bar to the end.
    await (
        page.get_by_role("navigation", name="Knowledge editor")
        .get_by_role("link", name="Index")
        .click()
    )
    await expect(page).to_have_url(f"{stack.base_url}/editor/index")
    await page.get_by_role("button", name="Rebuild index").click()
    progress = page.get_by_role("progressbar")
    await expect(progress).to_be_visible()
    await expect(page.locator("#job")).to_have_attribute("data-state", FINAL, timeout=240_000)
    message = await page.locator("#job-message").text_content()
    verdict = await page.locator("#verdict").text_content()
    assert await page.locator("#job-state").text_content() == "succeeded", (message, verdict)
    await expect(progress).to_have_attribute("value", "100")
    await expect(page.locator("#job-message")).to_contain_text("the new index is live")
    job_id = (await page.locator("#job-label").text_content() or "").split()[-1]
    await expect(page.locator("#live")).to_contain_text(job_id)

    # "Try a question" agrees; the group has left the knowledge gaps.
    await page.goto(f"{stack.base_url}/editor/try")
    await page.get_by_label("Question", exact=True).fill(QUESTION)
    await page.get_by_label("Language", exact=True).select_option("de")
    await page.get_by_role("button", name="Try").click()
    live = page.locator("#live-results")
    await expect(live.locator(".decision")).to_contain_text("Confident")
    await expect(live.locator(".decision")).to_contain_text(TITLE)
    await page.goto(f"{stack.base_url}/editor/gaps")
    await expect(page.locator("#gaps-status")).not_to_have_text("Loading…")
    await expect(page.get_by_text(QUESTION, exact=True)).to_have_count(0)

    # The same question in a new conversation now gets the new article.
    employee = await browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        widget = await Widget(await employee.new_page()).visit(
            stack, "Jonas Keller", "jonas.keller@brandt.example"
        )
        await widget.open()
        answers = await _ask(widget, QUESTION)
        answer = answers.filter(has=widget.page.locator(".article-title"))
        await expect(answer.locator(".article-title")).to_contain_text(TITLE)
        await expect(answers.filter(has_text="Windows-Taste + P").first).to_be_visible()
        link = answer.locator(f'.article-link a[href*="/kb/{SLUG}"]')
        await expect(link).to_be_visible()
    finally:
        await employee.close()
    assert person.dialogs == [] and person.errors == []


MARKUP_TITLE = "<img src=x onerror=alert(1)> <b>Fett</b>"
MARKUP_BODY = (
    "Kurz <script>alert(2)</script>\n\n## Zuerst prüfen\n- nichts\n\n## Schritte\n"
    "1. Klicken Sie <img src=y onerror=alert(3)>\n2. [Portal](javascript:alert(4))\n\n"
    "## Klappt es nicht?\n4357"
)


async def test_markup_in_an_article_is_shown_literally(stack: Stack, person: Session) -> None:
    page = person.page
    await _log_in(page, stack, await _editor(stack, "Max Markup"), "/editor/articles/new")
    await page.get_by_label("Slug (the article's address)").fill("markup-literal")
    await page.get_by_label("Category").select_option("general")
    await page.get_by_label("Title (de)").fill(MARKUP_TITLE)
    await page.get_by_label("Body, Markdown (de)").fill(MARKUP_BODY)
    preview = page.locator("#de-preview")
    await expect(preview.locator(".article-title")).to_contain_text(MARKUP_TITLE)
    await expect(preview.locator("ol li").first).to_have_text(
        "Klicken Sie <img src=y onerror=alert(3)>"
    )
    await expect(preview.locator("ol li").nth(1)).to_contain_text("Portal")
    await expect(preview.locator("ol li").nth(1).locator("a")).to_have_count(0)  # javascript:
    assert await preview.locator("img, script, b, a[href^='javascript']").count() == 0
    await page.get_by_role("button", name="Create draft").click()
    await expect(page).to_have_url(f"{stack.base_url}/editor/articles/markup-literal")
    await expect(page.get_by_role("heading", level=1)).to_have_text(MARKUP_TITLE)
    await expect(page.get_by_label("Body, Markdown (de)")).to_have_value(MARKUP_BODY)
    await expect(preview.locator(".article-title")).to_contain_text(MARKUP_TITLE)

    await page.goto(f"{stack.base_url}/editor?q=fett")
    row = page.locator("#article-rows tr", has_text="markup-literal")
    await expect(row.get_by_role("link")).to_have_text(MARKUP_TITLE)
    await expect(row).to_contain_text("draft")
    assert await page.locator("#article-rows img, #article-rows b").count() == 0
    assert person.dialogs == [] and person.errors == []


async def test_validation_errors_are_shown_next_to_the_fields(
    stack: Stack, person: Session
) -> None:
    page = person.page
    await _log_in(page, stack, await _editor(stack, "Vera Valid"), "/editor/articles/new")
    await page.get_by_label("Slug (the article's address)").fill("Not A Slug")
    await page.get_by_label("Title (en)").fill("   ")
    await page.get_by_label("Body, Markdown (en)").fill("Some text")
    await page.keyboard.press("Control+s")
    errors = page.get_by_role("alert").filter(has_text="The draft was not created")
    await expect(errors).to_be_visible()
    await expect(page.locator("#slug-error")).to_contain_text("lower-case letters")
    await expect(page.get_by_label("Slug (the article's address)")).to_have_attribute(
        "aria-invalid", "true"
    )
    await page.get_by_label("Slug (the article's address)").fill("valid-slug-now")
    await page.get_by_role("button", name="Create draft").click()
    await expect(page.locator("#en-title-error")).to_contain_text("must not be blank")
    assert page.url.endswith("/editor/articles/new")
    assert person.dialogs == [] and person.errors == []


def _bot_answer(lang: str, title: str, body: str, url: str) -> str:
    """The bot's answer with an article: domain.yml's utter_kb_answer, filled in as
    bot/actions/kb.py utter_article does."""
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    variants = domain["responses"]["utter_kb_answer"]
    template = next(v["text"] for v in variants if bool(v.get("condition")) == (lang == "en"))
    parts = split_sections(body)
    steps = re.sub(r"\n\s*\n+", "\n", (parts["steps"] or parts["check_first"]).strip())
    return str(template.format(title=title, steps=steps, url=url))


async def test_the_preview_says_what_the_bot_says(stack: Stack, person: Session) -> None:
    """The preview's text is the bot's, for both languages (guards against the two drifting)."""
    page = person.page
    await page.goto(f"{stack.base_url}/")
    english = BODY.replace("## Zuerst prüfen", "## Check first").replace("## Schritte", "## Steps")
    without_steps = BODY.split("## Schritte")[0]
    base = stack.base_url
    for lang, body in (("de", BODY), ("en", english), ("de", without_steps)):
        url = f"{base}/kb/{SLUG}?lang={lang}"
        preview: str = await page.evaluate(
            """async ([module, article]) => (await import(module)).botMessages(article)[0].text""",
            [
                f"{stack.base_url}{assets.url('editor/preview.js')}",
                {"slug": SLUG, "lang": lang, "title": TITLE, "body": body, "publicUrl": base},
            ],
        )
        assert preview == _bot_answer(lang, TITLE, body, url)


async def test_logging_out_ends_the_session_and_returns_to_the_editor_login(
    stack: Stack, person: Session
) -> None:
    page = person.page
    await _log_in(page, stack, await _editor(stack, "Lea Logout"), "/editor")
    await page.get_by_role("button", name="Log out").click()
    await expect(page).to_have_url(f"{stack.base_url}/console/login?next=/editor")
    await page.goto(f"{stack.base_url}/editor")  # the session is gone: the login again
    await expect(page).to_have_url(f"{stack.base_url}/console/login?next=/editor")
    assert person.dialogs == [] and person.errors == []


async def test_the_editor_pages_have_no_serious_accessibility_problems(
    stack: Stack, person: Session
) -> None:
    page = person.page
    await _log_in(page, stack, await _editor(stack, "Axel Access"), "/editor")
    pages = ("", "/articles/new", "/articles/password-reset", "/index", "/try", "/gaps")
    for path in (f"/editor{p}" for p in pages):
        response = await page.goto(f"{stack.base_url}{path}")
        assert response is not None and response.ok, f"{path}: HTTP {response and response.status}"
        await page.wait_for_load_state("networkidle")
        await assert_accessible(page)  # WCAG 2.1 A/AA: no serious or critical violations


async def test_deleting_an_article_asks_first_and_is_undone_from_the_list(
    stack: Stack, person: Session
) -> None:
    account = await _editor(stack, "Dora Delete")
    slug = "beamer-loeschen"
    async with httpx.AsyncClient(base_url=stack.base_url, timeout=30) as client:
        token = (await client.post("/api/auth/login", json=account)).json()["token"]
        headers = {"Authorization": f"Bearer {token}"}
        article = {
            "slug": slug,
            "category": "hardware",
            "translations": {"de": {"title": "Beamer zum Löschen", "body": BODY}},
        }
        assert (await client.post("/api/kb/articles", json=article, headers=headers)).is_success
        published = await client.post(f"/api/kb/articles/{slug}/publish", headers=headers)
        assert published.json()["status"] == "published"
    page = person.page
    await _log_in(page, stack, account, f"/editor/articles/{slug}")
    dialog = page.get_by_role("dialog", name="Delete this article?")
    await page.get_by_role("button", name="Delete…").click()
    await expect(dialog).to_contain_text("you can undo this")
    await dialog.get_by_role("button", name="Cancel").click()
    await expect(dialog).to_be_hidden()
    await expect(page).to_have_url(f"{stack.base_url}/editor/articles/{slug}")

    await page.get_by_role("button", name="Delete…").click()
    await dialog.get_by_role("button", name="Delete", exact=True).click()
    await expect(page).to_have_url(f"{stack.base_url}/editor?deleted={slug}", timeout=WAIT)
    await page.wait_for_load_state()  # the page's modules ran: Undo works
    notice = page.locator("#deleted-notice")
    await expect(notice).to_contain_text("Beamer zum Löschen")
    await expect(page.locator("#article-rows")).not_to_contain_text("Beamer zum Löschen")
    await notice.get_by_role("button", name="Undo").click()
    await expect(page).to_have_url(f"{stack.base_url}/editor/articles/{slug}", timeout=WAIT)
    await page.wait_for_load_state()
    await expect(page.get_by_role("button", name="Delete…")).to_be_enabled()

    # Deleted again: the list of deleted articles restores it too, published as before.
    await page.get_by_role("button", name="Delete…").click()
    await dialog.get_by_role("button", name="Delete", exact=True).click()
    await expect(page).to_have_url(f"{stack.base_url}/editor?deleted={slug}", timeout=WAIT)
    await page.goto(f"{stack.base_url}/editor")
    await page.wait_for_load_state()
    await page.get_by_text(re.compile(r"^Deleted articles \(\d+\)$")).click()
    row = page.locator("#archived-articles tr", has=page.get_by_text(slug, exact=True))
    await expect(row).to_contain_text("published")
    await row.get_by_role("button", name=f"Restore {slug}").click()
    await expect(page).to_have_url(f"{stack.base_url}/editor/articles/{slug}", timeout=WAIT)
    async with httpx.AsyncClient(base_url=stack.base_url, timeout=30) as client:
        back = await client.get(f"/api/kb/articles/{slug}", headers=headers)
        assert back.json()["status"] == "published"
    assert person.dialogs == [] and person.errors == []
