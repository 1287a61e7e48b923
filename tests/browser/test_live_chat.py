"""An employee in the widget and an agent in the console, live, in two browser contexts."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import httpx
import pytest
from playwright.async_api import Browser, expect

from .live import Stack
from .pages import Console, Session, Widget, ask_for_person

pytestmark = pytest.mark.browser

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"


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


async def _live_chat(
    stack: Stack, people: tuple[Session, Session], agent: dict[str, str], who: str, lang: str
) -> tuple[Widget, Console, str]:
    """The agent is online; the employee asks for a person; the agent claims the chat."""
    employee, staff = people
    console = await Console(staff.page).login(stack, agent["username"], agent["password"])
    email = who.lower().replace(" ", ".") + "@brandt.example"
    widget = await Widget(employee.page).visit(stack, who, email, lang)
    await widget.open()
    request = (
        "Ich möchte mit einem Menschen sprechen" if lang == "de" else "I want to talk to a person"
    )
    conversation_id = await ask_for_person(stack, widget, request)
    waiting = "Wartet auf eine Person" if lang == "de" else "Waiting for a person"
    await expect(widget.state).to_contain_text(waiting)
    # The chat appears in the queue without a reload, with a visible alert and a title badge.
    await expect(console.queue_item(who)).to_be_visible()
    await expect(staff.page.locator("#alerts")).to_contain_text(f"New chat waiting: {who}")
    await expect(staff.page).to_have_title(re.compile(r"^\(\d+\) "))
    await console.open_from_queue(who)
    await console.claim()
    joined = (
        f"{agent['name']} vom IT-Support" if lang == "de" else f"{agent['name']} from IT support"
    )
    await expect(widget.state).to_have_text(joined)
    return widget, console, conversation_id


async def test_agent_takes_over_and_both_write_live(
    stack: Stack, people: tuple[Session, Session], agent: dict[str, str]
) -> None:
    employee, staff = people
    widget, console, _ = await _live_chat(stack, people, agent, "Ben Wolf", "de")
    await expect(console.messages("Ich möchte mit einem Menschen sprechen")).to_have_count(1)
    # Typing shows on the other side.
    await staff.page.locator("#reply").press_sequentially("Hallo", delay=20)
    await expect(widget.host.locator(".typing")).to_have_text(f"{agent['name']} schreibt …")
    await console.reply("Hallo Herr Wolf, ich schaue mir das an.")
    await expect(widget.messages("Hallo Herr Wolf, ich schaue mir das an.")).to_have_count(1)
    await expect(widget.host.locator(".typing")).to_have_text("")
    await widget.host.locator("textarea").press_sequentially("Dan", delay=20)
    await expect(staff.page.locator("#typing")).to_have_text("Ben Wolf is typing …")
    await widget.send("Danke, der Drucker im 2. OG druckt nicht.")
    await expect(console.messages("der Drucker im 2. OG druckt nicht")).to_have_count(1)
    # An internal note is marked in the console and never reaches the employee.
    await console.note("Interne Notiz: Druckerwarteschlange prüfen")
    note = console.messages("Interne Notiz")
    await expect(note.locator(".intern")).to_have_text("intern")
    await console.reply("Bitte starten Sie den Drucker neu.")
    await expect(widget.messages("Bitte starten Sie den Drucker neu.")).to_have_count(1)
    await expect(widget.messages("Interne Notiz")).to_have_count(0)
    # Hand back to the bot: the employee sees the assistant again, and it answers again.
    await staff.page.locator("#act-handback").click()
    await expect(widget.state).to_have_text("Assistent")
    if stack.bot:
        await widget.send("Ich habe mein Passwort vergessen")
        await expect(widget.messages("passwort.brandt.example").first).to_be_visible(timeout=30_000)
    assert employee.dialogs == [] and staff.dialogs == []
    assert employee.errors == [] and staff.errors == []


async def test_markup_is_shown_literally_on_both_sides(
    stack: Stack, people: tuple[Session, Session], agent: dict[str, str]
) -> None:
    employee, staff = people
    widget, console, _ = await _live_chat(stack, people, agent, "Carla Neumann", "de")
    await widget.send(f"Mein Text {SCRIPT} und {IMG}")
    await console.reply(f"Antwort {IMG} und {SCRIPT}")
    for text in (f"Mein Text {SCRIPT} und {IMG}", f"Antwort {IMG} und {SCRIPT}"):
        await expect(widget.messages(text)).to_have_count(1)
        await expect(console.messages(text)).to_have_count(1)
    assert await widget.log.locator("img, script").count() == 0
    assert await console.transcript.locator("img, script").count() == 0
    # No element anywhere on either page came from the chat text, so no handler can run.
    for page in (employee.page, staff.page):
        await expect(page.locator("img[src='x']")).to_have_count(0)
        await expect(page.locator("script", has_text="alert(1)")).to_have_count(0)
    assert employee.dialogs == [] and staff.dialogs == []


async def test_reload_and_reconnect_lose_nothing_and_duplicate_nothing(
    stack: Stack, people: tuple[Session, Session], agent: dict[str, str]
) -> None:
    employee, _ = people
    widget, console, _ = await _live_chat(stack, people, agent, "Dana Krüger", "de")
    await console.reply("Erste Antwort")
    await expect(widget.messages("Erste Antwort")).to_have_count(1)
    before = await widget.log.locator("li.msg").count()
    # A reload restores the history (same conversation, same messages, once each).
    await employee.page.reload()
    await widget.open()
    await expect(widget.messages("Erste Antwort")).to_have_count(1)
    await expect(widget.log.locator("li.msg")).to_have_count(before)
    await expect(widget.state).to_contain_text(agent["name"])
    # Offline: the agent writes meanwhile; back online, both arrive exactly once.
    await employee.page.context.set_offline(True)
    await expect(widget.panel.get_by_role("status")).to_contain_text("Netzverbindung")
    await console.reply("Während Sie offline waren (1)")
    await console.reply("Während Sie offline waren (2)")
    # Both were sent live (the console shows them); the offline widget has neither.
    await expect(console.messages("Während Sie offline waren (2)")).to_have_count(1)
    await expect(widget.messages("offline waren")).to_have_count(0)
    await employee.page.context.set_offline(False)
    await expect(widget.messages("Während Sie offline waren (1)")).to_have_count(1)
    await expect(widget.messages("Während Sie offline waren (2)")).to_have_count(1)
    await expect(widget.panel.get_by_role("status")).to_be_hidden()
    await console.reply("Wieder live")
    await expect(widget.messages("Wieder live")).to_have_count(1)
    await expect(widget.messages("offline waren")).to_have_count(2)


async def test_escalation_to_level_two_updates_the_ticket(
    stack: Stack, people: tuple[Session, Session], agent: dict[str, str]
) -> None:
    _, staff = people
    widget, console, conversation_id = await _live_chat(stack, people, agent, "Erik Larsen", "en")
    await widget.send("The VPN drops every few minutes since this morning.")
    await console.reply("Thanks, I am passing this on to the network team.")
    await console.escalate("VPN drops every few minutes for one user since this morning.")
    await expect(staff.page.locator("#toasts")).to_contain_text(
        re.compile(r"INC-\d+ is now with level 2")
    )
    await expect(widget.messages(re.compile(r"level-2 support as ticket INC-\d+"))).to_have_count(1)
    # The ticket says so: level 2, with the summary in its activity log.
    number = (await staff.page.locator("#ticket-box a").first.inner_text()).strip()
    await staff.page.goto(f"{stack.base_url}/console/tickets/{number}")
    await expect(staff.page.locator("#ticket-summary")).to_contain_text("level 2")
    await expect(staff.page.locator("#ticket-activity")).to_contain_text(
        "VPN drops every few minutes"
    )
    async with httpx.AsyncClient(base_url=stack.base_url) as client:
        login = await client.post(
            "/api/auth/login", json={"username": agent["username"], "password": agent["password"]}
        )
        token = login.json()["token"]
        ticket = await client.get(
            f"/api/agent/tickets/{number}", headers={"Authorization": f"Bearer {token}"}
        )
    assert ticket.json()["level"] == 2 and ticket.json()["conversation_id"] == conversation_id
    # A reply on the ticket reaches the employee's widget.
    await staff.page.get_by_label("Reply to the requester").fill("The network team fixed it.")
    await staff.page.get_by_role("button", name="Send reply").click()
    reply = widget.messages("The network team fixed it.")
    await expect(reply).to_have_count(1)
    await expect(reply).to_contain_text(f"Reply on ticket {number}")
