"""The widget on its own: safe rendering of bot answers, language, keyboard, phone screen."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from playwright.async_api import Browser, Page, expect

from handoff.web import assets

from .live import Stack
from .pages import Widget

pytestmark = pytest.mark.browser

BOT_ANSWER = {
    "seq": 7,
    "sender": "bot",
    "created_at": "2026-01-05T09:30:00+00:00",
    "text": "Dazu habe ich etwas gefunden: **Passwort zurücksetzen**\n\n"
    "1. Öffnen Sie [das Portal](https://passwort.brandt.example).\n"
    "2. Klicken Sie auf **Weiter** <img src=x onerror=alert(1)>\n"
    "- [gefährlich](javascript:alert(1))\n- siehe https://status.brandt.example.",
    "kb_article": {"slug": "password-reset", "title": "Passwort <b>vergessen</b>"},
    "buttons": [
        {"title": "Ja, hat geholfen", "payload": "/feedback_positive"},
        {"title": "Nein, leider nicht", "payload": "/feedback_negative"},
    ],
}


@pytest.fixture
async def page(browser: Browser) -> AsyncIterator[Page]:
    context = await browser.new_context()
    try:
        yield await context.new_page()
    finally:
        await context.close()


async def test_bot_answers_render_markdown_safely(stack: Stack, page: Page) -> None:
    await Widget(page).visit(stack, "Anna Berger", "anna.berger@brandt.example")
    module = f"{stack.base_url}{assets.url('widget/messages.js')}"
    i18n = f"{stack.base_url}{assets.url('widget/i18n.js')}"
    rendered: dict[str, Any] = await page.evaluate(
        """async ([module, i18n, message]) => {
            const { messageNode } = await import(module);
            const { translator } = await import(i18n);
            const clicked = [];
            const node = messageNode(message, {
                t: translator("de"),
                articleUrl: (slug) => `https://helpdesk.example/kb/${slug}?lang=de`,
                onButton: (button) => clicked.push(button.payload),
            });
            document.body.append(node);
            node.querySelector(".buttons button").click();
            return {
                html: node.innerHTML,
                text: node.innerText,
                links: [...node.querySelectorAll("a")].map((a) => [a.textContent, a.href, a.rel]),
                items: [...node.querySelectorAll("ol li, ul li")].map((li) => li.textContent),
                bold: [...node.querySelectorAll("strong")].map((b) => b.textContent),
                title: node.querySelector(".article-title").textContent,
                images: node.querySelectorAll("img").length,
                disabled: [...node.querySelectorAll(".buttons button")].every((b) => b.disabled),
                clicked,
            };
        }""",
        [module, i18n, BOT_ANSWER],
    )
    assert rendered["title"] == "Artikel Passwort <b>vergessen</b>"
    assert rendered["bold"] == ["Passwort zurücksetzen", "Weiter"]
    assert rendered["items"][0] == "Öffnen Sie das Portal."
    assert "<img src=x onerror=alert(1)>" in rendered["items"][1] and rendered["images"] == 0
    assert ["das Portal", "https://passwort.brandt.example/", "noopener noreferrer"] in rendered[
        "links"
    ]
    assert ["https://status.brandt.example", "https://status.brandt.example/"] == rendered["links"][
        1
    ][:2]
    assert not any(href.startswith("javascript") for _, href, _ in rendered["links"])
    assert "gefährlich" in rendered["items"][2]  # shown as text, not as a link
    assert rendered["links"][-1][1] == "https://helpdesk.example/kb/password-reset?lang=de"
    assert rendered["clicked"] == ["/feedback_positive"] and rendered["disabled"]


async def test_keyboard_language_switch_and_phone_screen(stack: Stack, browser: Browser) -> None:
    context = await browser.new_context(viewport={"width": 390, "height": 844}, locale="en-GB")
    try:
        page = await context.new_page()
        widget = await Widget(page).visit(stack, "Jonas Weber", "jonas.weber@brandt.example")
        launcher = widget.host.get_by_role("button", name="Chat mit dem IT-Assistenten")
        await launcher.focus()
        await page.keyboard.press("Enter")
        await expect(widget.panel).to_be_visible()
        await expect(widget.host.locator("textarea")).to_be_focused()
        box = await widget.panel.bounding_box()
        assert box is not None and (box["width"], box["height"]) == (390, 844)  # full screen
        await widget.send("Hallo")
        # English: the texts switch at once, and the conversation's language follows.
        await widget.host.get_by_role("button", name="English (EN)").click()
        await expect(widget.state).to_have_text("Assistant")
        await expect(widget.host.get_by_role("button", name="Send")).to_be_visible()
        conversation_id = await widget.conversation_id()
        async with httpx.AsyncClient(base_url=stack.base_url) as client:
            token = await client.post(
                "/api/dev/token", json={"email": "jonas.weber@brandt.example", "name": "Jonas"}
            )
            headers = {"Authorization": f"Bearer {token.json()['token']}"}
            for _ in range(20):
                session = await client.get(f"/api/chat/sessions/{conversation_id}", headers=headers)
                if session.json()["locale"] == "en":
                    break
                await page.wait_for_timeout(100)
        assert session.json()["locale"] == "en"
        # Esc closes the panel and gives the focus back to the launcher.
        await widget.host.locator("textarea").focus()
        await page.keyboard.press("Escape")
        await expect(widget.panel).to_be_hidden()
        await expect(
            widget.host.get_by_role("button", name="Chat with the IT assistant")
        ).to_be_focused()
    finally:
        await context.close()
