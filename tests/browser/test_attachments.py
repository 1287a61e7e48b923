"""Screenshots and files in the chat: paste, pick with the keyboard, refused types, inline view."""

from __future__ import annotations

import io
import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from PIL import Image
from playwright.async_api import Browser, Locator, Page, expect

from .axe import assert_accessible
from .live import Stack
from .pages import Console, Session, Widget, ask_for_person

pytestmark = pytest.mark.browser


def png(width: int = 64, height: int = 40) -> bytes:
    """A small real PNG (a red and blue screenshot stand-in)."""
    image = Image.new("RGB", (width, height), (200, 30, 30))
    image.paste((20, 60, 200), (0, 0, width // 2, height))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


@pytest.fixture
async def page(browser: Browser) -> AsyncIterator[Page]:
    context = await browser.new_context()
    try:
        yield await context.new_page()
    finally:
        await context.close()


async def test_a_pasted_screenshot_is_previewed_sent_and_shown_inline(
    stack: Stack, page: Page
) -> None:
    widget = await Widget(page).visit(stack, "Lena Vogt", "lena.vogt@brandt.example")
    await widget.open()
    await widget.paste_file(png(), "bildschirmfoto.png", "image/png")
    await expect(widget.waiting_files).to_have_count(1)
    await expect(widget.waiting_files).to_contain_text("bildschirmfoto.png")
    await expect(widget.waiting_files.locator("img")).to_have_attribute("src", re.compile("^data:"))
    await assert_accessible(page)
    await widget.box.press("Enter")  # no text: the file alone is sent
    await expect(widget.waiting_files).to_have_count(0)
    thumb = widget.log.get_by_role("button", name=re.compile("bildschirmfoto.png"))
    await expect(thumb.locator("img")).to_have_attribute("src", re.compile("^data:image/"))
    # Full size with the keyboard; Esc closes the picture, not the chat.
    await thumb.focus()
    await page.keyboard.press("Enter")
    viewer = widget.host.get_by_role("dialog", name="bildschirmfoto.png")
    await expect(viewer).to_be_visible()
    await expect(viewer.locator("img")).to_have_attribute("alt", "bildschirmfoto.png")
    await assert_accessible(page)
    await page.keyboard.press("Escape")
    await expect(viewer).to_be_hidden()
    await expect(widget.panel).to_be_visible()
    await expect(thumb).to_be_focused()


async def test_keyboard_only_attach_and_download(stack: Stack, page: Page, tmp_path: Path) -> None:
    # A listener from the start: the file chooser is intercepted well before Enter opens it.
    page.on("filechooser", lambda _chooser: None)
    widget = await Widget(page).visit(stack, "Paul Kern", "paul.kern@brandt.example")
    await widget.open()
    await expect(widget.box).to_be_focused()
    await page.keyboard.press("Shift+Tab")
    attach = widget.host.get_by_role("button", name="Datei oder Screenshot anhängen")
    await expect(attach).to_be_focused()
    log = tmp_path / "vpn.log"
    log.write_text("12:01 tunnel down\n12:02 retry\n", encoding="utf-8")
    async with page.expect_file_chooser() as chooser:
        await page.keyboard.press("Enter")
    await (await chooser.value).set_files(str(log))
    await expect(widget.waiting_files).to_contain_text("vpn.log (30 B)")
    await page.keyboard.press("Tab")  # to the box
    await widget.box.fill("Das Log vom VPN")
    await page.keyboard.press("Enter")
    # The service stores a log file as plain text (.txt); the size is the same.
    link = widget.log.get_by_role("link", name=re.compile(r"^vpn\.(log|txt) \(30 B\)$"))
    await expect(link).to_be_visible(timeout=30_000)
    await expect(widget.messages("Das Log vom VPN")).to_have_count(1)
    async with page.expect_download() as download:
        await link.focus()
        await page.keyboard.press("Enter")
    saved = tmp_path / "saved.log"
    await (await download.value).save_as(saved)
    assert saved.read_bytes() == log.read_bytes()


async def test_a_disguised_html_file_is_refused_with_a_clear_message(
    stack: Stack, page: Page
) -> None:
    widget = await Widget(page).visit(stack, "Mia Roth", "mia.roth@brandt.example", lang="en")
    await widget.open()
    html = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"
    await widget.host.locator("input[type=file]").set_input_files(
        files=[{"name": "screenshot.png", "mimeType": "image/png", "buffer": html}]
    )
    await widget.box.press("Enter")
    alert = widget.host.get_by_role("alert").filter(has_text="screenshot.png")
    await expect(alert).to_contain_text("cannot be accepted")
    await expect(widget.waiting_files).to_have_count(0)
    await expect(widget.log.locator(".files")).to_have_count(0)


async def test_a_dropped_screenshot_is_the_description_in_the_bots_ticket_form(
    stack: Stack, page: Page
) -> None:
    widget = await Widget(page).visit(stack, "Karl Brenner", "karl.brenner@brandt.example")
    await widget.open()
    await widget.send("Ich möchte eine Störung melden")
    await expect(widget.messages("Was genau funktioniert nicht?")).to_have_count(1)
    await widget.drop_file(png(), "fehlermeldung.png", "image/png")
    await expect(widget.waiting_files).to_contain_text("fehlermeldung.png")
    await expect(widget.box).to_be_focused()  # Enter sends it at once
    await assert_accessible(page)
    await page.keyboard.press("Enter")
    thumb = widget.log.get_by_role("button", name=re.compile("fehlermeldung.png"))
    await expect(thumb.locator("img")).to_have_attribute("src", re.compile("^data:image/"))
    # The bot's form took the screenshot as the description and asks the next question.
    thanks = widget.messages("Danke, der Screenshot ist beim Ticket")
    await expect(thanks).to_have_count(1, timeout=30_000)
    await expect(widget.messages("Seit wann besteht das Problem?")).to_have_count(1)


def jpeg(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (30, 120, 60)).save(out, "JPEG", quality=80)
    return out.getvalue()


async def test_on_a_phone_the_paper_clip_offers_camera_and_photos(
    stack: Stack, browser: Browser
) -> None:
    context = await browser.new_context(
        viewport={"width": 375, "height": 667}, is_mobile=True, has_touch=True
    )
    try:
        page = await context.new_page()
        page.on("filechooser", lambda _chooser: None)
        widget = await Widget(page).visit(stack, "Eva Lang", "eva.lang@brandt.example")
        await widget.open()
        attach = widget.host.get_by_role("button", name="Datei oder Screenshot anhängen")
        box = await attach.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 375
        assert box["width"] >= 24 and box["height"] >= 24  # a target a thumb can hit
        # Image types without `capture`: the phone's picker offers the camera AND the photos.
        picker = widget.host.locator("input[type=file]")
        accept = (await picker.get_attribute("accept") or "").split(",")
        assert {"image/png", "image/jpeg", "image/gif", "image/webp"} <= set(accept)
        assert await picker.get_attribute("capture") is None
        async with page.expect_file_chooser() as chooser:
            await attach.tap()
        photo = jpeg(1200, 1600)  # a photo of the screen, upright
        await (await chooser.value).set_files(
            files=[{"name": "foto.jpg", "mimeType": "image/jpeg", "buffer": photo}]
        )
        await expect(widget.waiting_files).to_contain_text("foto.jpg")
        await assert_accessible(page)
        await widget.host.get_by_role("button", name="Senden").tap()
        thumb = widget.log.get_by_role("button", name=re.compile("foto.jpg"))
        await expect(thumb.locator("img")).to_have_attribute("src", re.compile("^data:image/"))
        shown = await thumb.bounding_box()
        assert shown is not None and shown["x"] + shown["width"] <= 375
        await thumb.tap()
        viewer = widget.host.get_by_role("dialog", name="foto.jpg")
        await expect(viewer).to_be_visible()
        full = await viewer.locator("img").bounding_box()
        assert full is not None and full["width"] <= 375 and full["height"] <= 667
        await assert_accessible(page)
    finally:
        await context.close()


@pytest.fixture
async def people(browser: Browser) -> AsyncIterator[tuple[Session, Session]]:
    """The employee's and the agent's browser contexts (separate cookies and storage)."""
    employee = await browser.new_context(viewport={"width": 1280, "height": 800})
    staff = await browser.new_context(viewport={"width": 1440, "height": 900})
    try:
        yield Session(await employee.new_page()), Session(await staff.new_page())
    finally:
        await employee.close()
        await staff.close()


async def _loaded(image: Locator) -> bool:
    """Whether the browser could load and decode the picture (cookie or token accepted)."""
    await expect(image).to_be_visible()
    for _ in range(50):
        if await image.evaluate("(img) => img.complete && img.naturalWidth > 0"):
            return True
        await image.page.wait_for_timeout(100)
    return False


async def test_the_agent_sees_the_screenshot_in_the_chat_and_on_the_ticket(
    stack: Stack, people: tuple[Session, Session], agent: dict[str, str], tmp_path: Path
) -> None:
    employee, staff = people
    console = await Console(staff.page).login(stack, agent["username"], agent["password"])
    widget = await Widget(employee.page).visit(stack, "Ole Hansen", "ole.hansen@brandt.example")
    await widget.open()
    await ask_for_person(stack, widget, "Ich möchte mit einem Menschen sprechen")
    await console.open_from_queue("Ole Hansen")
    await console.claim()
    await widget.paste_file(png(120, 80), "fehlermeldung.png", "image/png")
    await widget.box.press("Enter")
    shown = console.transcript.get_by_role("img", name="fehlermeldung.png")
    assert await _loaded(shown)
    # The agent sends a file back from the reply box; the employee gets a link with its size.
    guide = tmp_path / "anleitung.txt"
    guide.write_text("1. Neu starten\n", encoding="utf-8")
    await staff.page.locator("#attach-input").set_input_files(str(guide))
    link = widget.log.get_by_role("link", name="anleitung.txt (15 B)")
    await expect(link).to_be_visible(timeout=15_000)
    await expect(
        console.transcript.get_by_role("link", name="anleitung.txt (15 B)")
    ).to_be_visible()
    # Both files go with the chat's ticket, and with it to level 2.
    meta = await staff.page.locator("#chat-meta").inner_text()
    number = re.search(r"[A-Z]+-\d+", meta)
    assert number, meta
    await staff.page.locator("#reply").blur()
    await staff.page.keyboard.press("e")
    dialog = staff.page.get_by_role("dialog", name="Escalate to second level")
    await expect(dialog.locator("#escalate-files")).to_have_text(
        "Files that go with the ticket (2): fehlermeldung.png, anleitung.txt"
    )
    await dialog.get_by_label("Summary for the specialists").fill("Siehe Screenshot")
    await dialog.get_by_role("button", name="Escalate").click()
    await expect(dialog).to_be_hidden(timeout=15_000)
    await staff.page.goto(f"{stack.base_url}/console/tickets/{number.group(0)}")
    await expect(staff.page.locator("#ticket-summary")).to_contain_text("level 2")
    files = staff.page.locator("#ticket-attachments")
    assert await _loaded(files.get_by_role("img", name="fehlermeldung.png"))
    await expect(files.get_by_role("link", name="anleitung.txt (15 B)")).to_be_visible()
    await assert_accessible(staff.page, "#ticket-attachments")
    assert employee.errors == [] and staff.errors == []


async def test_words_typed_with_a_screenshot_leave_the_ticket_about_the_problem(
    stack: Stack, people: tuple[Session, Session], agent: dict[str, str]
) -> None:
    """The widget sends the words before the file; they describe the file (the printer's
    error), not a problem of their own: the handoff's ticket is about the printer."""
    employee, staff = people
    widget = await Widget(employee.page).visit(stack, "Mia Kraus", "mia.kraus@brandt.example")
    await widget.open()
    await widget.send("Mein Drucker im 2. Stock druckt nur noch leere Seiten")
    await widget.paste_file(png(120, 80), "fehlermeldung.png", "image/png")
    await widget.send("Hier die Fehlermeldung")
    # The bot offers people to look at the file, not articles for the words alone.
    await expect(widget.messages("Soll ich ein Ticket damit eröffnen?")).to_have_count(1)
    await expect(
        widget.log.get_by_role("button", name=re.compile("fehlermeldung.png"))
    ).to_be_visible()
    await widget.send("Das hat nicht geholfen. Ich möchte mit einem Menschen sprechen")
    await expect(widget.state).to_contain_text("Wartet auf eine Person")
    console = await Console(staff.page).login(stack, agent["username"], agent["password"])
    await console.open_from_queue("Mia Kraus")
    ticket = staff.page.locator("#ticket-box")
    await expect(ticket).to_contain_text("Mein Drucker im 2. Stock druckt nur noch leere Seiten")
    await expect(ticket).not_to_contain_text("Hier die Fehlermeldung")
    assert employee.errors == [] and staff.errors == []
