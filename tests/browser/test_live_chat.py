"""An employee in the widget and an agent in the console, live, in two browser contexts."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import httpx
import pytest
from playwright.async_api import Browser, expect

from .axe import assert_accessible
from .live import Stack
from .pages import (
    AgentApi,
    Console,
    EmployeeApi,
    Session,
    Widget,
    ask_for_person,
)

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
    # Claimed with `c`; `r` then moves to the reply box without typing into it.
    await staff.page.keyboard.press("r")
    await expect(staff.page.locator("#reply")).to_be_focused()
    await expect(staff.page.locator("#reply")).to_have_value("")
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
    # "insert link" (an article suggested for that) puts a space between text and link.
    await staff.page.locator("#reply").fill("Siehe")
    insert = staff.page.locator("#suggestions").get_by_role("button", name="insert link")
    await insert.first.click()
    await expect(staff.page.locator("#reply")).to_have_value(re.compile(r"^Siehe \S.*: http"))
    await staff.page.locator("#reply").fill("")
    await assert_accessible(staff.page)  # the console with a live chat
    # An internal note is marked in the console and never reaches the employee.
    await console.note("Interne Notiz: Druckerwarteschlange prüfen")
    note = console.messages("Interne Notiz")
    await expect(note.locator(".intern")).to_have_text("intern")
    await assert_accessible(staff.page)  # with an internal note
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
    await expect(widget.connection).to_contain_text("Netzverbindung")
    await console.reply("Während Sie offline waren (1)")
    await console.reply("Während Sie offline waren (2)")
    # Both were sent live (the console shows them); the offline widget has neither.
    await expect(console.messages("Während Sie offline waren (2)")).to_have_count(1)
    await expect(widget.messages("offline waren")).to_have_count(0)
    await employee.page.context.set_offline(False)
    await expect(widget.messages("Während Sie offline waren (1)")).to_have_count(1)
    await expect(widget.messages("Während Sie offline waren (2)")).to_have_count(1)
    await expect(widget.connection).to_be_hidden()
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


async def test_ticket_pages_show_labels_names_local_dates_and_markdown(
    stack: Stack, people: tuple[Session, Session], agent: dict[str, str]
) -> None:
    employee, staff = people
    console = await Console(staff.page).login(stack, agent["username"], agent["password"])
    widget = await Widget(employee.page).visit(stack, "Fiona Brandt", "fiona.brandt@brandt.example")
    await widget.open()
    await widget.send("Ich habe mein Passwort vergessen")
    await expect(widget.log.locator(".article-link")).to_have_count(1, timeout=60_000)
    handed = await stack.hand_off(await widget.conversation_id())
    await console.open_from_queue("Fiona Brandt")
    await console.claim()
    # The close dialog lists the chat's tickets; the handoff's ticket is checked.
    await staff.page.locator("#act-close").click()
    dialog = staff.page.get_by_role("dialog", name="Close the chat")
    await expect(dialog.get_by_role("checkbox", name=handed["ticket_number"])).to_be_checked()
    await assert_accessible(staff.page)
    await dialog.get_by_role("button", name="Cancel").click()
    # The ticket page: labels and names, not raw values; British dates in an en-US browser.
    await staff.page.goto(f"{stack.base_url}/console/tickets/{handed['ticket_number']}")
    activity = staff.page.locator("#ticket-activity")
    await expect(activity).to_contain_text(agent["name"])
    await expect(activity).not_to_contain_text("agent:")
    summary = staff.page.locator("#ticket-summary")
    await expect(summary).to_contain_text(
        re.compile(r"created \d{1,2} [A-Z][a-z]{2} \d{4}, \d\d:\d\d")
    )
    await expect(summary).not_to_contain_text(re.compile(r"\d/\d|in_progress|on_hold|\b(AM|PM)\b"))
    await expect(staff.page.locator("#f-status option:checked")).not_to_have_text(re.compile(r"_"))
    # The bot's Markdown in the transcript is rendered (bold, links), never as raw stars.
    transcript = staff.page.locator("#ticket-transcript")
    await expect(transcript.locator("li.bot strong").first).to_be_visible()
    await expect(transcript).not_to_contain_text("**")
    await assert_accessible(staff.page)
    await staff.page.goto(f"{stack.base_url}/console/tickets")
    await expect(staff.page.locator("#ticket-rows tr").first).to_be_visible()
    await expect(staff.page.locator("#ticket-rows")).not_to_contain_text(re.compile(r"\b\w+_\w+\b"))
    await assert_accessible(staff.page)
    assert employee.errors == [] and staff.errors == []


async def test_a_second_device_shows_the_open_chat_and_earlier_ones(
    stack: Stack, people: tuple[Session, Session], agent: dict[str, str], browser: Browser
) -> None:
    employee, _ = people
    name, email = "Greta Hahn", "greta.hahn@brandt.example"
    api = await EmployeeApi.sign_in(stack, name, email)
    staff = await AgentApi.log_in(stack, agent)
    # An earlier chat: handed to an agent and closed, its ticket left open.
    earlier = await api.start("de")
    await api.send(earlier, "Der Drucker im 2. OG druckt nicht")
    printer = (await stack.hand_off(earlier))["ticket_number"]
    await staff.chat(earlier, "claim")
    await staff.chat(earlier, "close", resolution="", resolve_tickets=[])
    # The open chat, on the first device: with an agent, who has answered.
    first = await Widget(employee.page).visit(stack, name, email)
    await first.open()
    await first.send("Mein Bildschirm flackert")
    current = await first.conversation_id()
    assert current != earlier
    await stack.hand_off(current)
    await staff.chat(current, "claim")
    await staff.chat(current, "messages", text="Hallo Frau Hahn, ich helfe Ihnen.")
    await expect(first.messages("ich helfe Ihnen")).to_have_count(1)
    # A second device (nothing stored) resumes the same chat, with the agent's reply.
    other = await browser.new_context()
    try:
        second = await Widget(await other.new_page()).visit(stack, name, email)
        await second.open()
        await expect(second.messages("Mein Bildschirm flackert")).to_have_count(1)
        await expect(second.messages("ich helfe Ihnen")).to_have_count(1)
        await expect(second.state).to_contain_text(agent["name"])
        assert await second.conversation_id() == current
        await second.send("Danke, vom Handy aus")
        await expect(first.messages("Danke, vom Handy aus")).to_have_count(1)
        # Earlier conversations: collapsed, with date, title and ticket; read-only on open.
        toggle = second.host.get_by_role("button", name=re.compile(r"Frühere Chats \(1\)"))
        await expect(toggle).to_have_attribute("aria-expanded", "false")
        await toggle.press("Enter")
        item = second.host.locator(".earlier-item")
        await expect(item).to_contain_text("Der Drucker im 2. OG druckt nicht")
        await expect(item).to_contain_text(printer)
        await expect(item).to_contain_text(re.compile(r"\d\d\.\d\d\.\d{4}"))
        await item.click()
        archive = second.host.locator(".archive")
        await expect(archive.locator("li.msg", has_text="Drucker im 2. OG")).to_have_count(1)
        await expect(second.box).to_be_hidden()  # read-only
        await assert_accessible(second.page)
        await second.host.get_by_role("button", name="Zurück zum aktuellen Chat").click()
        await expect(second.box).to_be_focused()
    finally:
        await other.close()


async def test_the_reply_to_a_waiting_ticket_goes_from_the_widget_to_the_ticket(
    stack: Stack, people: tuple[Session, Session], agent: dict[str, str]
) -> None:
    employee, _ = people
    name, email = "Hanna Vogt", "hanna.vogt@brandt.example"
    staff = await AgentApi.log_in(stack, agent)
    widget = await Widget(employee.page).visit(stack, name, email)
    await widget.open()
    await widget.send("Mein Laptop startet nicht mehr")
    conversation_id = await widget.conversation_id()
    number = (await stack.hand_off(conversation_id))["ticket_number"]
    await staff.chat(conversation_id, "claim")
    await staff.chat(conversation_id, "close", resolution="", resolve_tickets=[])
    # The agent asks on the ticket and waits for the employee (on hold).
    await staff.call("PATCH", f"/api/agent/tickets/{number}", json={"status": "on_hold"})
    await staff.call(
        "POST", f"/api/agent/tickets/{number}/reply", json={"text": "Welches Modell ist es?"}
    )
    await expect(widget.messages("Welches Modell ist es?")).to_have_count(1)
    notice = widget.host.locator(".awaiting")
    await expect(notice).to_have_text(
        f"{number} wartet auf Ihre Antwort – Ihre nächste Nachricht geht an dieses Ticket."
    )
    await employee.page.reload()  # the notice comes from the conversation as well
    await widget.open()
    await expect(notice).to_be_visible()
    await widget.send("Ein ThinkPad T14, gekauft 2023")
    await expect(notice).to_be_hidden()
    ticket = await staff.ticket(number)
    assert ticket["status"] != "on_hold"
    assert any("ThinkPad T14" in (entry.get("text") or "") for entry in ticket["activity"])
    assert employee.errors == []


async def test_the_queue_shows_priority_and_links_an_employees_other_chats(
    stack: Stack, people: tuple[Session, Session], agent: dict[str, str]
) -> None:
    _, staff = people
    api = await EmployeeApi.sign_in(stack, "Paul Ott", "paul.ott@brandt.example")
    chats = []
    for question in ("Das VPN trennt sich ständig", "Outlook startet nicht mehr"):
        chats.append(await api.start("de"))
        await api.send(chats[-1], question)
        await stack.hand_off(chats[-1])
    await Console(staff.page).login(stack, agent["username"], agent["password"])
    row = staff.page.locator("#queue > li").filter(has_text="Outlook startet nicht mehr")
    await expect(row.locator(".prio")).to_have_text(
        re.compile(r"^P[1-4] (critical|high|medium|low)$")
    )
    await expect(row.locator(".related")).to_contain_text("Other open chats of Paul Ott")
    await row.locator(".related").get_by_role("button", name="Waiting in the queue").click()
    await expect(staff.page).to_have_url(re.compile(f"#c={chats[0]}$"))
    await expect(staff.page.locator("#chat-title")).to_contain_text("Paul Ott")
    await assert_accessible(staff.page)


async def test_the_employee_rates_a_chat_the_agent_closed_once(
    stack: Stack, people: tuple[Session, Session], agent: dict[str, str]
) -> None:
    widget, _console, conversation_id = await _live_chat(stack, people, agent, "Greta Lind", "en")
    page = widget.page
    staff = await AgentApi.log_in(stack, agent)
    await staff.chat(conversation_id, "close", resolution="Printer driver reinstalled.")
    rating = widget.host.get_by_role("group", name="How satisfied are you with the help")
    await expect(rating).to_be_visible()
    await expect(rating.get_by_role("radio", name="1 very dissatisfied")).to_be_focused()
    await assert_accessible(page)
    # Sending without a choice says what is missing; then the mouse-free way: arrows.
    await widget.host.get_by_role("button", name="Send rating").click()
    await expect(widget.host.get_by_role("alert")).to_contain_text("choose a rating from 1 to 5")
    await rating.get_by_role("radio", name="5 very satisfied").check()
    async with page.expect_response(re.compile(r"/rating$")) as rated:
        await widget.host.get_by_role("button", name="Send rating").click()
    response = await rated.value
    assert response.status == 200
    body = await response.json()
    assert (body["score"], body["comment"], body["handled_by"]) == (5, "", "agent")
    await expect(widget.host.get_by_text("Thank you for your rating!")).to_be_visible()
    # After a reload (the widget starts afresh) nothing is asked again.
    await page.reload()
    await widget.open()
    await expect(widget.log).to_be_visible()
    await expect(rating).to_have_count(0)


async def test_with_nobody_online_the_header_promises_no_place_until_an_agent_comes(
    stack: Stack, people: tuple[Session, Session], agent: dict[str, str]
) -> None:
    """The bot says nobody is in the chat; the header says the same, not "Position 1". The
    first agent's console coming online turns it into a place and an estimate, live."""
    employee, staff = people
    widget = await Widget(employee.page).visit(stack, "Lea Hahn", "lea.hahn@brandt.example", "de")
    await widget.open()
    await ask_for_person(stack, widget, "Ich möchte mit einem Menschen sprechen")
    await expect(widget.state).to_have_text(
        "Wartet auf eine Person – Gerade ist niemand vom Service Desk online"
    )
    await Console(staff.page).login(stack, agent["username"], agent["password"])
    await expect(widget.state).to_have_text(
        re.compile(r"^Wartet auf eine Person – Position \d+ \(ca\. \d+ Min\.\)$")
    )
    assert employee.errors == [] and staff.errors == []
