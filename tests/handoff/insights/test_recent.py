"""The open days read from their per-conversation rows give the live figures, after any change
(SQLite and PostgreSQL).

The summary of generated chats over the last 12 days (4 rolled up, 8 open) is computed three
ways: per conversation in Python (the reference of the drill-down and the CSV), classified
live in SQL, and from the rollup plus the open days' rows; then the data changes as it does
in use (an employee comes back, a ticket is escalated or reopened, a rating, a handoff, an
erasure) and the three must agree again, the rows brought up to date by the summary itself.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select

from handoff.conversations.models import BotTurn, Conversation, Message, Rating, Topic
from handoff.database import utcnow
from handoff.insights import facts, job, recent, rollup, summary
from handoff.insights.models import RecentConversation, RecentState, RecentTicket
from handoff.tickets.models import Ticket

from ..conftest import Helpdesk
from . import data

SLUGS = ["o-vpn", "o-mail", "o-print"]


async def _chats(helpdesk: Helpdesk, now: datetime, seed: int) -> dict[str, Any]:
    """Generated chats over the 12 days before now; a few named ones for the changes."""
    rng = random.Random(seed)
    named: dict[str, Any] = {}
    async with helpdesk.app.state.open_db() as db:
        for slug, category in zip(SLUGS, ("network", "email", "hardware"), strict=True):
            await data.article(db, slug, category)
        for _ in range(80):
            started = now - timedelta(minutes=rng.randrange(60, 12 * 24 * 60))
            handed = rng.random() < 0.3
            queued = started + timedelta(seconds=rng.randrange(1, 90)) if handed else None
            c = await data.chat(
                db, f"o{rng.randrange(10)}", started, rng.choice(["de", "en"]),
                handoff_reason=rng.choice(["requested", "low_confidence"]) if handed else None,
                queued_at=queued,
                claimed_at=queued + timedelta(seconds=rng.randrange(5, 4000))
                if queued and rng.random() < 0.8 else None,
                close_reason=rng.choice([None, "resolved"]),
            )  # fmt: skip
            await data.turn(
                db, c, rng.choice(["answered", "answered", "candidates"]), rng.choice(SLUGS)
            )
            if c.claimed_at and rng.random() < 0.7:
                await data.agent_reply(db, c, c.claimed_at + timedelta(seconds=rng.randrange(300)))
            if handed or rng.random() < 0.1:
                created = started + timedelta(minutes=rng.randrange(1, 30))
                done = created + timedelta(hours=rng.randrange(1, 60))
                await data.ticket(
                    db, c.employee_id, created, c, priority=rng.randrange(1, 5),
                    category=rng.choice(["network", "email"]),
                    first_responded_at=done if rng.random() < 0.6 and done < now else None,
                    resolved_at=done if rng.random() < 0.5 and done < now else None,
                )  # fmt: skip
            if rng.random() < 0.3:
                await data.rate(db, c, rng.randrange(1, 6), "agent" if c.claimed_at else "bot")
        # Named: a self-service two days ago, an open ticket yesterday, a chat without rating.
        named["solved"] = await data.chat(db, "q-back", now - timedelta(days=2))
        await data.turn(db, named["solved"], "answered", "o-vpn")
        named["ticketed"] = await data.chat(db, "q-ticket", now - timedelta(days=1), "en")
        await data.turn(db, named["ticketed"], "candidates", "o-mail")
        named["ticket"] = await data.ticket(
            db, "q-ticket", now - timedelta(days=1), named["ticketed"], category="email",
            resolved_at=now - timedelta(hours=3),
        )  # fmt: skip
        named["unrated"] = await data.chat(db, "q-rate", now - timedelta(days=3))
        await data.turn(db, named["unrated"], "answered", "o-print")
        await db.commit()
    return named


async def _agree(helpdesk: Helpdesk, period: facts.Period, now: datetime) -> dict[str, Any]:
    """The three ways agree, all as of `now`."""
    async with helpdesk.app.state.open_db() as db:
        found = await facts.load(db=db, period=period)
        live = await summary.summary(db=db, period=period, now=now, kept=False)
        served = await summary.summary(db=db, period=period, now=now)
    assert live == summary.summarize(found, period, now)
    assert served == live
    return served


async def test_open_days_from_their_rows_follow_every_change(helpdesk: Helpdesk) -> None:
    now = utcnow()
    named = await _chats(helpdesk, now, seed=3)
    period = facts.Period((now - timedelta(days=12)).date(), now.date())
    async with helpdesk.app.state.open_db() as db:
        await job.run(db=db, now=now)  # rolls up the 4 closed days, classifies the 8 open ones
        state = await db.get(RecentState, 1)
        assert state is not None and state.since == (now - timedelta(days=7)).date()
        rows = await db.scalar(select(func.count()).select_from(RecentConversation))
        opened = await db.scalar(
            select(func.count())
            .select_from(Conversation)
            .where(Conversation.created_at >= rollup.midnight(state.since))
        )
        assert rows == opened and rows is not None and rows > 40
        assert await db.scalar(select(func.count()).select_from(RecentTicket))
    before = await _agree(helpdesk, period, now)
    assert before["self_solved"] > 0 and before["tickets_opened"] > 0

    # The employee of the self-service two days ago comes back about the same article now:
    # that chat no longer counts as solved (a later visit changes an earlier day's figure).
    async with helpdesk.app.state.open_db() as db:
        back = await data.chat(db, "q-back", now - timedelta(minutes=1))
        back.updated_at = utcnow()  # as a message sets it
        await data.turn(db, back, "candidates", "o-vpn")
        await db.commit()
    after = await _agree(helpdesk, period, now)
    assert after["self_solved"] == before["self_solved"] - 1
    assert after["conversations"] == before["conversations"] + 1

    # Yesterday's ticket is reopened and escalated; a chat is rated; a topic is handed off.
    async with helpdesk.app.state.open_db() as db:
        ticket = await db.get(Ticket, named["ticket"].id)
        assert ticket is not None
        await data.reopen(db, ticket, now - timedelta(minutes=2))
        ticket.level, ticket.resolved_at, ticket.updated_at = 2, None, utcnow()
        unrated = await db.get(Conversation, named["unrated"].id)
        assert unrated is not None
        await data.rate(db, unrated, 2, "bot")
        rating = await db.scalar(select(Rating).where(Rating.conversation_id == unrated.id))
        assert rating is not None
        rating.updated_at = utcnow()
        db.add(
            Topic(
                conversation_id=named["solved"].id,
                number=1,
                first_seq=1,
                state="handed_off",
                updated_at=utcnow(),
            )
        )
        await db.commit()
    changed = await _agree(helpdesk, period, now)
    assert changed["escalated_to_level_2"] == after["escalated_to_level_2"] + 1
    assert changed["reopened"] == after["reopened"] + 1
    assert changed["csat_by_handler"]["bot"]["responses"] == (
        after["csat_by_handler"]["bot"]["responses"] + 1
    )
    assert changed["handed_to_agent"] == after["handed_to_agent"] + 1

    # An erased chat leaves the figures (its row goes although nothing of it is left).
    async with helpdesk.app.state.open_db() as db:
        cid = named["ticketed"].id
        await db.execute(delete(Ticket).where(Ticket.conversation_id == cid))
        for model in (BotTurn, Message, Rating, Topic):
            await db.execute(delete(model).where(model.conversation_id == cid))
        await db.execute(delete(Conversation).where(Conversation.id == cid))
        await db.commit()
    erased = await _agree(helpdesk, period, now)
    assert erased["conversations"] == changed["conversations"] - 1
    async with helpdesk.app.state.open_db() as db:
        assert await db.get(RecentConversation, cid) is None
        assert not await db.scalar(
            select(func.count())
            .select_from(RecentTicket)
            .where(RecentTicket.conversation_id == cid)
        )


async def _bot_score(db: Any, conversation_id: str) -> int | None:
    return await db.scalar(
        select(RecentConversation.bot_score).where(
            RecentConversation.conversation_id == conversation_id
        )
    )


async def test_a_refresh_reclassifies_only_what_changed(helpdesk: Helpdesk) -> None:
    now = utcnow()
    named = await _chats(helpdesk, now, seed=8)
    async with helpdesk.app.state.open_db() as db:
        await recent.refresh(db=db, now=now)
        untouched = await db.get(RecentConversation, named["unrated"].id)
        assert untouched is not None
        untouched.bot_score = 99  # a marker: a row that is classified again loses it
        await db.commit()
        await recent.refresh(db=db, now=now + recent.LAG)  # nothing changed since
        assert await _bot_score(db, named["unrated"].id) == 99
        chat = await db.get(Conversation, named["unrated"].id)
        assert chat is not None
        chat.updated_at = utcnow() + recent.LAG
        await db.commit()
        await recent.refresh(db=db, now=now + recent.LAG)
        assert await _bot_score(db, named["unrated"].id) == 0


async def test_the_job_hands_days_that_close_to_the_rollup(helpdesk: Helpdesk) -> None:
    now = utcnow()
    await _chats(helpdesk, now, seed=5)
    period = facts.Period((now - timedelta(days=12)).date(), (now + timedelta(days=2)).date())
    async with helpdesk.app.state.open_db() as db:
        await job.run(db=db, now=now)
    first = await _agree(helpdesk, period, now)
    later = now + timedelta(days=2)  # two more days have closed
    async with helpdesk.app.state.open_db() as db:
        done = await job.run(db=db, now=later)
        assert done["recent_since"] == (later - timedelta(days=7)).date().isoformat()
        oldest = await db.scalar(select(func.min(RecentConversation.day)))
        assert oldest is not None and oldest >= date.fromisoformat(done["recent_since"])
    second = await _agree(helpdesk, period, later)
    assert second["conversations"] == first["conversations"]
