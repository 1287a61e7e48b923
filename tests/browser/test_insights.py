"""The Insights page and learning from use, in a real browser against the whole system.

The lead sees the same figures as the API's summary for hand-made data (written into the
running service's database), every chart with its table, and the spike card, from which a
known problem is declared with the spike's open tickets linked. The editor accepts a
question the bot answered (the employee said it helped) as an example question of the
article and dismisses a question that is no gap.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from playwright.async_api import Browser, Page, expect
from sqlalchemy import select

from handoff.conversations.models import BotTurn
from handoff.database import create_engine, create_sessionmaker, utcnow
from handoff.problems.models import ProblemTicket
from handoff.tickets.models import format_number
from tests.handoff.insights import data
from tests.handoff.insights.data import at

from .axe import assert_accessible
from .live import Stack
from .pages import Session, Widget

pytestmark = pytest.mark.browser

PASSWORD = "insights browser password"
WEEK = {"since": "2026-03-02", "until": "2026-03-08"}


@pytest.fixture
async def person(browser: Browser) -> AsyncIterator[Session]:
    context = await browser.new_context(viewport={"width": 1440, "height": 1000})
    try:
        yield Session(await context.new_page())
    finally:
        await context.close()


def _database_url(stack: Stack) -> str:
    return stack.env.get("HELPDESK_DATABASE_URL") or (
        f"sqlite+aiosqlite:///{stack.env['HELPDESK_DATA_DIR']}/helpdesk.db"
    )


async def _hand_made(stack: Stack, tag: str) -> dict[str, Any]:
    """A week in March (three chats) and a burst of six reports now, two with tickets."""
    engine = create_engine(_database_url(stack))
    try:
        async with create_sessionmaker(engine)() as db:
            slug = f"t-burst-{tag}"
            await data.article(db, slug, "network")
            answered = await data.chat(db, f"anna-{tag}", at(2))
            await data.turn(db, answered, "answered", "vpn-connect")
            await data.rate(db, answered, 5, "bot")
            handed = await data.chat(
                db, f"ben-{tag}", at(3), "en", handoff_reason="requested",
                queued_at=at(3, 9, 1), claimed_at=at(3, 9, 2), state="closed",
                close_reason="resolved",
            )  # fmt: skip
            await data.ticket(db, f"ben-{tag}", at(3, 9, 1), handed, category="network")
            await data.chat(db, f"carla-{tag}", at(4))
            now, burst, tickets = utcnow(), [], []
            for i in range(6):
                c = await data.chat(db, f"e{i}-{tag}", now - timedelta(minutes=30 - i * 5))
                await data.turn(db, c, "candidates", slug)
                burst.append(c.id)
                if i < 2:
                    tickets.append(await data.ticket(db, f"e{i}-{tag}", now, c))
            await db.commit()
            return {"slug": slug, "burst": burst, "tickets": [t.id for t in tickets]}
    finally:
        await engine.dispose()


async def _unanswered(stack: Stack, text: str) -> None:
    """A question the search found nothing confident for, as the bot records it."""
    engine = create_engine(_database_url(stack))
    try:
        async with create_sessionmaker(engine)() as db:
            chat = await data.chat(db, f"noise-{secrets.token_hex(3)}", utcnow())
            db.add(
                BotTurn(
                    conversation_id=chat.id, message_seq=1, text=text, kb_query=text,
                    kb_confident=False, outcome="candidates", intent="it_question",
                )
            )  # fmt: skip
            await db.commit()
    finally:
        await engine.dispose()


async def _linked(stack: Stack) -> set[int]:
    engine = create_engine(_database_url(stack))
    try:
        async with create_sessionmaker(engine)() as db:
            return set(await db.scalars(select(ProblemTicket.ticket_id)))
    finally:
        await engine.dispose()


async def _staff(stack: Stack, role: str, name: str) -> dict[str, str]:
    username = f"{role}-{secrets.token_hex(3)}"
    await stack.create_staff(username, role, name, PASSWORD)
    return {"username": username, "password": PASSWORD}


async def _log_in(page: Page, stack: Stack, account: dict[str, str], path: str) -> None:
    await page.goto(f"{stack.base_url}{path}")
    await expect(page).to_have_url(re.compile(r"/console/login\?next="))
    await page.get_by_label("Username").fill(account["username"])
    await page.get_by_label("Password").fill(account["password"])
    await page.get_by_role("button", name="Log in").click()
    await expect(page).to_have_url(f"{stack.base_url}{path}")
    await page.wait_for_load_state()


async def _api(stack: Stack, account: dict[str, str], path: str) -> Any:
    async with httpx.AsyncClient(base_url=stack.base_url, timeout=30) as client:
        login = await client.post("/api/auth/login", json=account)
        headers = {"Authorization": f"Bearer {login.json()['token']}"}
        response = await client.get(path, headers=headers)
        response.raise_for_status()
        return response.json()


async def test_the_lead_sees_the_api_figures_and_declares_a_problem_from_a_spike(
    stack: Stack, person: Session
) -> None:
    made = await _hand_made(stack, secrets.token_hex(3))
    lead = await _staff(stack, "lead", "Lea Lead")
    expected = await _api(stack, lead, "/api/insights/summary?since=2026-03-02&until=2026-03-08")
    assert expected["conversations"] >= 3  # (other tests may add March chats; none do today)

    page = person.page
    await _log_in(page, stack, lead, "/console/insights?since=2026-03-02&until=2026-03-08")
    await expect(page.locator("#status")).to_contain_text(
        f"{expected['conversations']} conversations from 2026-03-02 to 2026-03-08"
    )
    headline = page.locator("#headline")
    for label, value in (
        ("conversations", expected["conversations"]),
        ("self-solved by the bot", expected["self_solved"]),
        ("handed to a person", expected["handed_to_agent"]),
        ("tickets opened", expected["tickets_opened"]),
        ("CSAT average", expected["csat"]["average"]),
    ):
        shown = int(value) if isinstance(value, float) and value.is_integer() else value  # as JS
        card = headline.get_by_role("button", name=re.compile(rf"^{shown}\s*{re.escape(label)}"))
        await expect(card).to_be_visible()

    # Each chart is an image that points to its table, which has the same numbers.
    languages = page.get_by_role("region", name="Per language")
    await expect(
        languages.get_by_role("img", name="Per language: chart of the table below")
    ).to_be_visible()
    table = languages.get_by_role("table", name="Per language")
    for lang, row in expected["by_language"].items():
        cells = table.get_by_role("row", name=re.compile(rf"^{lang}\b"))
        await expect(cells.get_by_role("cell").first).to_have_text(str(row["conversations"]))

    # The drill-down lists what a figure counts.
    await headline.get_by_role("button", name=re.compile(r"^\d+\s*handed to a person")).click()
    drill = page.locator("#drill")
    await expect(drill).to_be_focused()
    await expect(drill.get_by_role("heading")).to_have_text(
        f'Counted in "handed to a person": {expected["handed_to_agent"]}'
    )

    # The spike card: the burst, its open tickets, and a known problem declared from it.
    message = f"possible major incident: 6 reports of {made['slug']} in 25 minutes"
    spike = page.locator("#spikes li.spike", has_text=message)
    await expect(spike).to_be_visible()
    numbers = [format_number(n) for n in made["tickets"]]
    await expect(spike).to_contain_text(f"Open tickets: {', '.join(numbers)}")
    await spike.get_by_text("The 6 conversations").click()  # each opens in the console
    chats = spike.get_by_role("link", name=re.compile(r"^chat \S+$"))
    await expect(chats).to_have_count(6)
    hrefs = {await chats.nth(i).get_attribute("href") for i in range(6)}
    assert hrefs == {f"/console#c={quote(cid)}" for cid in made["burst"]}
    await assert_accessible(page)
    await spike.get_by_text("Declare a known problem from this").click()
    form = spike.get_by_role("form", name=re.compile("Declare a known problem"))
    await form.get_by_label("Title").fill("VPN down in Stuttgart")
    await form.get_by_label("Notice for employees (German)").fill("VPN in Stuttgart gestört.")
    await form.get_by_label("Notice for employees (English)").fill("VPN in Stuttgart is down.")
    await form.get_by_role("button", name="Declare known problem").click()
    await expect(spike.get_by_role("status")).to_have_text(
        "Known problem declared; 2 tickets linked."
    )
    problems = await _api(stack, lead, "/api/problems?state=open")
    declared = next(p for p in problems if p["title"] == "VPN down in Stuttgart")
    assert declared["articles"] == [made["slug"]]
    assert set(made["tickets"]) <= await _linked(stack)
    assert person.dialogs == [] and person.errors == []


async def test_the_editor_accepts_a_question_that_helped_and_dismisses_noise(
    stack: Stack, browser: Browser, person: Session
) -> None:
    question = "Ich habe mein Passwort vergessen"
    employee = await browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        widget = await Widget(await employee.new_page()).visit(
            stack, "Paula Brandt", "paula.brandt@brandt.example"
        )
        await widget.open()
        await widget.send(question)
        helped = widget.log.get_by_role("button", name="Ja, hat geholfen")
        await expect(helped).to_be_visible(timeout=60_000)
        await helped.click()
        await expect(widget.log.locator(".buttons.used")).to_have_count(1)
    finally:
        await employee.close()

    page = person.page
    editor = await _staff(stack, "editor", "Emil Editor")
    await _log_in(page, stack, editor, "/editor/gaps")
    item = page.locator("#suggestions li", has_text="password-reset").filter(
        has_text="said it helped"
    )
    await expect(item.first).to_be_visible()
    asked = await item.first.locator(".question").text_content() or ""
    assert question.lower() in asked.lower()  # the question the search was asked
    await assert_accessible(page)
    await item.first.get_by_role("button", name=f"Accept: {asked} for password-reset").click()
    await expect(
        page.locator("#suggestions li", has_text="password-reset").filter(has_text=asked)
    ).to_have_count(0)
    await page.goto(f"{stack.base_url}/editor/articles/password-reset")
    questions = page.get_by_label("Example questions, one per line (de)")
    await expect(questions).to_have_value(re.compile(re.escape(asked)))
    await expect(page.locator("#article-state")).to_contain_text("published")

    # A question that is no IT question leaves the gaps for good.
    noise = f"Was gibt es heute in der Kantine? {secrets.token_hex(2)}"
    await _unanswered(stack, noise)
    await page.goto(f"{stack.base_url}/editor/gaps")
    group = page.locator("li.group", has=page.get_by_text(noise, exact=True))
    await expect(group).to_contain_text("no confident answer")
    await group.get_by_role("button", name="Dismiss: not IT").click()
    await expect(page.locator("#gaps-status")).not_to_have_text("Loading…")
    await expect(page.get_by_text(noise, exact=True)).to_have_count(0)
    gaps = await _api(stack, editor, "/api/kb/gaps")
    assert noise not in {q["text"] for g in gaps["groups"] for q in g["questions"]}
    assert person.dialogs == [] and person.errors == []
