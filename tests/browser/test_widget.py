"""The widget on its own: safe rendering of bot answers, language, keyboard, phone screen."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.async_api import Browser, Page, expect

from handoff.web import assets

from .axe import assert_accessible
from .live import Stack
from .pages import BOT_TYPING, AgentApi, Widget

pytestmark = pytest.mark.browser
STATIC = Path(__file__).resolve().parents[2] / "handoff" / "web" / "static"

BOT_ANSWER = {
    "seq": 7,
    "sender": "bot",
    "created_at": "2026-01-05T09:30:00+00:00",
    "text": "Dazu habe ich etwas gefunden: **Passwort zurücksetzen**\n\n"
    "1. Öffnen Sie [das Portal](https://passwort.brandt.example).\n"
    "2. Klicken Sie auf **Weiter** <img src=x onerror=alert(1)>\n"
    "- [gefährlich](javascript:alert(1))\n- siehe https://status.brandt.example.\n"
    "Der ganze Artikel: https://helpdesk.example/kb/password-reset?lang=de",
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
    # The article is linked once (the widget's own link, not also the bot's URL line).
    assert [href for _, href, _ in rendered["links"]].count(rendered["links"][-1][1]) == 1
    assert "Der ganze Artikel" not in rendered["text"]
    assert rendered["clicked"] == ["/feedback_positive"] and rendered["disabled"]


async def _static_page(page: Page) -> None:
    """A blank page whose origin serves handoff/web/static from disk (no helpdesk needed)."""

    async def serve(route: Any) -> None:
        path = route.request.url.split("/static/", 1)[1]
        await route.fulfill(
            body=(STATIC / path).read_bytes(), content_type="text/javascript; charset=utf-8"
        )

    await page.route("http://widget.test/static/**", serve)
    await page.route(
        "http://widget.test/",
        lambda route: route.fulfill(body="<ul id=log></ul>", content_type="text/html"),
    )
    await page.goto("http://widget.test/")


async def test_only_the_latest_answers_buttons_can_be_clicked(page: Page) -> None:
    await _static_page(page)
    state: dict[str, Any] = await page.evaluate(
        """async () => {
            const { MessageLog } = await import("/static/widget/log.js");
            const { markRefused } = await import("/static/widget/messages.js");
            const { translator } = await import("/static/widget/i18n.js");
            const list = document.getElementById("log");
            const view = {
                list, root: document, add: (node) => list.append(node),
                clearLog: () => list.replaceChildren(), focusInput: () => {}, scrollToEnd: () => {},
            };
            const log = new MessageLog({ view, articleUrl: () => "", onButton: () => {},
                                         greeting: () => "Hallo" });
            const t = translator("de");
            log.reset(t);
            const at = "2026-01-05T09:30:00+00:00";
            const asks = (seq, title) => ({ seq, sender: "bot", text: "Welche?", created_at: at,
                                            buttons: [{ title, payload: `/choose{"n":${seq}}` }] });
            const enabled = () => [...list.querySelectorAll(".buttons button:enabled")]
                .map((b) => b.textContent);
            log.add(asks(1, "Erste"));
            log.add({ seq: 2, sender: "user", text: "im 2. OG", created_at: at });
            log.add(asks(3, "Zweite"));
            log.add(asks(4, "Dritte")); // the same answer, a second message
            const afterTurns = enabled();
            const entry = log.addPending("Zweite");
            const afterClick = enabled();
            markRefused(entry.node, t("buttonSpent"));
            return {
                afterTurns, afterClick,
                status: entry.node.querySelector(".status").textContent,
                retry: entry.node.querySelectorAll("button").length,
                classes: [...entry.node.classList],
            };
        }"""
    )
    assert state["afterTurns"] == ["Zweite", "Dritte"]  # the earlier answer's are spent
    assert state["afterClick"] == []
    assert state["status"].startswith("Diese Auswahl gilt nicht mehr")
    assert state["retry"] == 0  # sending a spent button again cannot help
    assert "failed" in state["classes"] and "pending" not in state["classes"]


async def test_keyboard_language_switch_and_phone_screen(stack: Stack, browser: Browser) -> None:
    context = await browser.new_context(viewport={"width": 390, "height": 844}, locale="en-GB")
    try:
        page = await context.new_page()
        widget = await Widget(page).visit(stack, "Jonas Weber", "jonas.weber@brandt.example")
        launcher = widget.host.get_by_role("button", name="IT-Hilfe – Chat mit dem IT-Assistenten")
        await launcher.focus()
        await page.keyboard.press("Enter")
        await expect(widget.panel).to_be_visible()
        await expect(widget.host.locator("textarea")).to_be_focused()
        box = await widget.panel.bounding_box()
        assert box is not None and (box["width"], box["height"]) == (390, 844)  # full screen
        await widget.send("Hallo")
        # English: the texts switch at once, and the conversation's language follows.
        await widget.host.get_by_role("button", name="EN (English)").click()
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
            widget.host.get_by_role("button", name="IT help – Chat with the IT assistant")
        ).to_be_focused()
    finally:
        await context.close()


async def test_quick_replies_keep_the_keyboard_in_the_widget(stack: Stack, page: Page) -> None:
    widget = await Widget(page).visit(stack, "Ida Roth", "ida.roth@brandt.example")
    await widget.open()
    await assert_accessible(page)  # open, before any message
    await widget.send("Ich habe mein Passwort vergessen")
    buttons = widget.log.locator(".buttons button:enabled")
    await expect(buttons.first).to_be_visible(timeout=60_000)
    await expect(widget.log.locator(".article-link a")).to_have_count(1)
    answer = widget.log.locator("li.msg.bot", has=page.locator(".article-link"))
    assert await answer.locator("a[href*='/kb/']").count() == 1  # one link to the article
    await assert_accessible(page)  # with messages and quick replies
    # A keyboard user answers with a quick reply: the focus goes to the message box.
    await buttons.first.focus()
    await page.keyboard.press("Enter")
    await expect(widget.box).to_be_focused()
    await expect(widget.log.locator(".buttons.used")).to_have_count(1)
    # That answer helped: closing (Esc, still inside the widget) asks once for a rating.
    await page.keyboard.press("Escape")
    rating = widget.host.get_by_role("group", name="Wie zufrieden sind Sie mit der Hilfe")
    await expect(rating).to_be_visible()
    await expect(rating.get_by_role("radio", name="1 sehr unzufrieden")).to_be_focused()
    await assert_accessible(page)
    await page.keyboard.press("Space")
    for _ in range(3):
        await page.keyboard.press("ArrowRight")
    await expect(rating.get_by_role("radio", name="4 zufrieden")).to_be_checked()
    await page.keyboard.press("Tab")
    await page.keyboard.type("Schnell erledigt")
    await page.keyboard.press("Tab")
    async with page.expect_response(re.compile(r"/rating$")) as rated:
        await page.keyboard.press("Enter")
    response = await rated.value
    assert response.status == 200
    assert (await response.json())["score"] == 4
    assert json.loads(response.request.post_data or "{}") == {
        "score": 4,
        "comment": "Schnell erledigt",
    }
    await expect(
        widget.host.get_by_role("status").filter(has_text="Danke für Ihre Bewertung")
    ).to_be_visible()
    await page.keyboard.press("Escape")
    await expect(widget.panel).to_be_hidden()
    # Never twice for one conversation: after a reload, opening and closing just close.
    await page.reload()
    await widget.open()
    await widget.box.press("Escape")
    await expect(widget.panel).to_be_hidden()
    await expect(rating).to_have_count(0)


async def test_a_paste_over_the_limit_is_kept_and_explained(stack: Stack, page: Page) -> None:
    widget = await Widget(page).visit(stack, "Jan Busch", "jan.busch@brandt.example")
    await widget.open()
    await widget.box.focus()
    await page.keyboard.insert_text("x" * 5000)  # what a paste does
    await expect(widget.box).to_have_value("x" * 5000)  # nothing cut off
    await expect(widget.host.locator(".counter")).to_have_text("5.000 / 4.000 Zeichen")
    await expect(widget.host.get_by_role("alert")).to_contain_text("1.000 Zeichen zu lang")
    await expect(widget.box).to_have_attribute("aria-invalid", "true")
    send = widget.host.get_by_role("button", name="Senden")
    await expect(send).to_be_disabled()
    await page.keyboard.press("Enter")  # refused: the text stays, nothing is sent
    await expect(widget.box).to_have_value("x" * 5000)
    await expect(widget.log.locator("li.msg.user")).to_have_count(0)
    await widget.box.fill("x" * 4000)
    await expect(send).to_be_enabled()
    await expect(widget.host.get_by_role("alert")).to_be_hidden()


async def test_texts_dates_and_opening_times_in_both_languages(
    stack: Stack, browser: Browser
) -> None:
    context = await browser.new_context(locale="en-US", timezone_id="Europe/Berlin")
    try:
        page = await context.new_page()
        await Widget(page).visit(stack, "Kai Lenz", "kai.lenz@brandt.example")
        found: dict[str, Any] = await page.evaluate(
            """async ([i18n, status]) => {
                const { TEXTS, translator } = await import(i18n);
                const { ChatStatus } = await import(status);
                const keys = (o) => Object.keys(o).sort().join(",");
                const opens = new Date();
                opens.setDate(opens.getDate() + 3);
                opens.setHours(7, 0, 0, 0);
                const line = (locale) => {
                    const s = new ChatStatus();
                    s.update({ state: "queued", position: 4, minutes: 1, deskOpen: false,
                               opensAt: opens.toISOString() });
                    return s.text(translator(locale));
                };
                const unstaffed = (locale) => {
                    const s = new ChatStatus();
                    s.update({ state: "queued", position: 1, deskOpen: true, deskStaffed: false });
                    return s.text(translator(locale));
                };
                const de = translator("de"), en = translator("en");
                return {
                    unstaffed: [unstaffed("de"), unstaffed("en")],
                    same: keys(TEXTS.de) === keys(TEXTS.en),
                    statuses: keys(TEXTS.de.status) === keys(TEXTS.en.status),
                    empty: [...Object.values(TEXTS.de), ...Object.values(TEXTS.en)]
                        .filter((v) => v === "").length,
                    de: line("de"), en: line("en"),
                    weekday: [opens.toLocaleDateString("de-DE", { weekday: "long" }),
                              opens.toLocaleDateString("en-GB", { weekday: "long" })],
                    dates: [de.date("2026-01-05T09:30:00Z"), en.date("2026-01-05T09:30:00Z")],
                    labels: [de.status("in_progress"), en.status("in_progress")],
                };
            }""",
            [
                f"{stack.base_url}{assets.url('widget/i18n.js')}",
                f"{stack.base_url}{assets.url('widget/status.js')}",
            ],
        )
        assert found["same"] and found["statuses"] and found["empty"] == 0
        # Out of hours: no position and no estimate, but when the desk opens, in each language.
        day_de, day_en = found["weekday"]
        assert found["de"] == (
            f"Wartet auf eine Person – Der IT Service Desk öffnet am {day_de} um 07:00"
        )
        assert found["en"] == (
            f"Waiting for a person – The IT Service Desk opens on {day_en} at 07:00"
        )
        # Open, but nobody in the chat: no place in line either (the bot says the same).
        assert found["unstaffed"] == [
            "Wartet auf eine Person – Gerade ist niemand vom Service Desk online",
            "Waiting for a person – Nobody from the service desk is online right now",
        ]
        assert found["dates"] == ["05.01.2026", "5 Jan 2026"]  # never 1/5/2026
        assert found["labels"] == ["In Bearbeitung", "In progress"]
    finally:
        await context.close()


async def test_an_open_known_problem_shows_as_a_dismissible_banner(
    stack: Stack, page: Page, agent: dict[str, str]
) -> None:
    staff = await AgentApi.log_in(stack, agent)
    notice = {
        "de": "Kalenderfreigaben gehen gerade nicht. Wir arbeiten daran.",
        "en": "Calendar sharing is down right now. We are working on it.",
    }
    created = await staff.call(
        "POST",
        "/api/problems",
        json={"title": "Kalender", "notice": notice, "articles": ["calendar-sharing"]},
    )
    try:
        widget = await Widget(page).visit(stack, "Rita Falk", "rita.falk@brandt.example", "en")
        await widget.open()
        banner = widget.host.get_by_role("status").filter(has_text=notice["en"])
        await expect(banner).to_be_visible()
        await expect(banner).to_contain_text("Kalender")
        await assert_accessible(page)
        await widget.host.get_by_role("button", name="DE (Deutsch)").click()
        german = widget.host.get_by_role("status").filter(has_text=notice["de"])
        await expect(german).to_be_visible()
        await german.get_by_role("button", name=re.compile("Hinweise? ausblenden")).click()
        await expect(german).to_be_hidden()
        # Dismissed stays dismissed on this browser, though the service still lists it.
        async with page.expect_response(re.compile(r"/api/chat/problems")) as listed:
            await page.reload()
            await widget.open()
        assert any(p["id"] == created["id"] for p in await (await listed.value).json())
        await expect(widget.log).to_be_visible()
        await expect(german).to_be_hidden()
    finally:
        await staff.call(
            "POST",
            f"/api/problems/{created['id']}/resolve",
            json={"note": {"de": "Behoben.", "en": "Fixed."}},
        )


async def test_the_assistant_is_typing_until_its_answer_is_shown(stack: Stack, page: Page) -> None:
    """The message is stored at once (and marked sent); the answer may take seconds."""
    widget = await Widget(page).visit(stack, "Tom Weber", "tom.weber@brandt.example")
    await widget.open()
    held: list[Any] = []

    async def slow_answer(route: Any) -> None:
        held.append(route)

    await page.route(re.compile(r"/api/chat/sessions/[^/]+/messages$"), slow_answer)
    await widget.box.fill("Ich habe mein Passwort vergessen")
    await widget.box.press("Enter")
    await expect(widget.typing).to_have_text(BOT_TYPING)
    for _ in range(300):  # the widget opens its chat first, then sends
        if held:
            break
        await page.wait_for_timeout(100)
    assert len(held) == 1
    await expect(widget.typing).to_have_text(BOT_TYPING)
    await held[0].continue_()
    await expect(widget.messages("passwort.brandt.example")).to_be_visible(timeout=60_000)
    await expect(widget.typing).to_have_text("")


async def test_a_clearly_english_message_gets_an_answer_all_in_english(
    stack: Stack, page: Page
) -> None:
    """The widget follows the chat's language before it shows the answer: text, labels,
    buttons and the article link in one language."""
    widget = await Widget(page).visit(stack, "Rita Roth", "rita.roth@brandt.example", "de")
    await widget.open()
    await widget.send("Wie verbinde ich mich mit dem WLAN im Büro?")
    await expect(widget.log.get_by_text("Ganzen Artikel öffnen")).to_have_count(1)
    await widget.send("how do I share my calendar with a colleague?")
    answer = widget.messages("Open the whole article")
    await expect(answer).to_have_count(1)
    await expect(widget.log.get_by_text("Ganzen Artikel öffnen")).to_have_count(1)  # the first
    await expect(widget.log.get_by_role("button", name="Yes, that helped")).to_be_visible()
    await expect(widget.host.locator('button[lang="en"]')).to_have_attribute("aria-pressed", "true")
    # Each of the employee's own messages is labelled in the language of its turn (screen
    # readers read the label): the English question was drawn while the chat was German.
    own = widget.log.locator("li.msg.user")
    await expect(own.filter(has_text="share my calendar").locator(".who")).to_have_text("You")
    await expect(own.filter(has_text="WLAN").locator(".who")).to_have_text("Sie")


async def test_a_message_the_service_cannot_store_now_is_kept_for_sending_again(
    stack: Stack, page: Page
) -> None:
    """A busy database answers 503: the text stays in the chat with "Send again", once."""
    widget = await Widget(page).visit(stack, "Lea Krüger", "lea.krueger@brandt.example")
    await widget.open()
    busy: list[str] = []

    async def database_busy(route: Any) -> None:
        if route.request.method == "POST" and not busy:
            busy.append(route.request.post_data or "")
            body = {"detail": "the database is busy; please try again"}
            await route.fulfill(status=503, headers={"Retry-After": "2"}, json=body)
        else:
            await route.continue_()

    await page.route(re.compile(r"/api/chat/sessions/[^/]+/messages$"), database_busy)
    text = "Mein Drucker im 3. Stock druckt nur leere Seiten"
    await widget.send(text)
    assert len(busy) == 1 and text in busy[0]
    failed = widget.log.locator("li.msg.user.failed", has_text=text)
    await expect(failed).to_contain_text("Nicht gesendet.")
    await failed.get_by_role("button", name="Erneut senden").click()
    await expect(widget.log.locator("li.msg.user.failed")).to_have_count(0, timeout=30_000)
    await expect(widget.typing).not_to_contain_text(BOT_TYPING, timeout=60_000)
    # What the server holds: the message once (the history comes from it after a reload).
    await page.reload()
    await widget.open()
    await expect(widget.messages(re.compile("Drucker"))).not_to_have_count(0)
    await expect(widget.log.locator("li.msg.user", has_text=text)).to_have_count(1)


async def test_a_message_of_only_slashes_is_refused_with_its_reason(
    stack: Stack, page: Page
) -> None:
    """Typed "/…" is text, never an intent; text of nothing but slashes has none to send."""
    widget = await Widget(page).visit(stack, "Ole Brandt", "ole.brandt@brandt.example")
    await widget.open()
    await widget.box.fill(" / /")
    await widget.box.press("Enter")
    refused = widget.log.locator("li.msg.user.failed", has_text="/")
    await expect(refused).to_contain_text("Nicht gesendet: Die Nachricht enthält keinen Text.")
    await expect(refused.get_by_role("button")).to_have_count(0)  # sending again cannot help
    await expect(widget.typing).not_to_contain_text(BOT_TYPING)
