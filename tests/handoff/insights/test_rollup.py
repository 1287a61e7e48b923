"""The rollup path gives the same figures as the live path (SQLite and PostgreSQL).

The summary of the hand-made week (test_outcomes.py) is computed three ways: per
conversation in Python (the reference that the drill-down and the CSV use), classified live
in SQL, and read from the rollup; all three must agree, also after a rolled-up day changed.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select

from handoff.database import utcnow
from handoff.insights import facts, rollup, summary, trends
from handoff.insights.models import DailyOutcome, HourlyArticle, RolledDay
from handoff.tickets.models import Ticket

from ..conftest import Helpdesk
from . import data
from .data import at
from .test_outcomes import march

PERIOD = facts.Period(date(2026, 3, 2), date(2026, 3, 8))


async def _three_ways(helpdesk: Helpdesk) -> tuple[dict[str, Any], dict[str, Any]]:
    """The reference summary and the service's summary (rollup where it has the days)."""
    async with helpdesk.app.state.open_db() as db:
        reference = summary.summarize(await facts.load(db=db, period=PERIOD), PERIOD)
        served = await summary.summary(db=db, period=PERIOD)
    return reference, served


async def test_rolled_up_days_give_the_live_figures(helpdesk: Helpdesk) -> None:
    ids = await march(helpdesk)
    reference, live = await _three_ways(helpdesk)
    assert live == reference
    assert (live["conversations"], live["self_solved"], live["tickets_opened"]) == (6, 1, 3)

    async with helpdesk.app.state.open_db() as db:
        done = await rollup.roll_up(db=db, now=utcnow())
        assert done["days"] >= 9  # 1 to 9 March at least: every closed day since the first
        rolled = set(await db.scalars(select(RolledDay.day)))
        assert {PERIOD.since + timedelta(days=n) for n in range(7)} <= rolled
        assert await db.scalar(select(DailyOutcome.conversations).limit(1)) is not None
        usable = await rollup.usable_days(
            db=db, since=PERIOD.since, until=PERIOD.until, now=utcnow()
        )
        assert len(usable) == 7  # the summary reads every day of the week from the rollup
    reference, from_rollup = await _three_ways(helpdesk)
    assert from_rollup == reference == live

    # A ticket of a rolled-up day is escalated later: the day is stale and counted live again.
    async with helpdesk.app.state.open_db() as db:
        ticket = await db.scalar(select(Ticket).where(Ticket.conversation_id == ids["c2b"]))
        assert ticket is not None
        ticket.level, ticket.updated_at = 2, utcnow()
        await db.commit()
    reference, changed = await _three_ways(helpdesk)
    assert changed == reference
    assert changed["escalated_to_level_2"] == live["escalated_to_level_2"] + 1
    assert changed["first_contact_resolution"] == live["first_contact_resolution"] - 1
    async with helpdesk.app.state.open_db() as db:
        assert (await rollup.roll_up(db=db, now=utcnow()))["days"] == 1  # only 5 March again
    assert (await _three_ways(helpdesk))[1] == reference


async def test_trends_from_the_hourly_table_equal_the_live_trends(helpdesk: Helpdesk) -> None:
    async with helpdesk.app.state.open_db() as db:
        await data.article(db, "t-vpn", "network")
        await data.article(db, "t-mail", "email")
        for day, hour, slug in [
            (2, 9, "t-vpn"),
            (2, 10, "t-vpn"),
            (3, 9, "t-mail"),
            (9, 23, "t-vpn"),
        ]:
            c = await data.chat(db, f"e{day}{hour}", at(day, hour, 59))
            await data.turn(db, c, "answered", slug)
        await db.commit()
    period = facts.Period(date(2026, 3, 2), date(2026, 3, 15))
    async with helpdesk.app.state.open_db() as db:
        live = await trends.trends(db=db, period=period)
        assert (await rollup.roll_up(db=db, now=utcnow()))["hours"] == 4
        assert await db.scalar(select(HourlyArticle.count).limit(1)) == 1
        assert await trends.trends(db=db, period=period) == live
    assert {a["key"]: a["by_week"] for a in live["articles"]} == {"t-vpn": [2, 1], "t-mail": [1, 0]}


async def _random_month(helpdesk: Helpdesk, seed: int) -> None:
    """Varied generated chats: several turns and tickets, unknown articles, come-backs."""
    rng = random.Random(seed)
    reasons = [None, "requested", "low_confidence", "negative_feedback"]
    slugs = ["r-vpn", "r-mail", "r-print", "r-gone"]  # r-gone is no article
    async with helpdesk.app.state.open_db() as db:
        for slug, category in zip(slugs[:3], ("network", "email", "hardware"), strict=True):
            await data.article(db, slug, category)
        for _ in range(90):
            employee = f"p{rng.randrange(12)}"
            started = at(1 + rng.randrange(20), rng.randrange(24), rng.randrange(60))
            handed = rng.random() < 0.3
            queued = started + timedelta(seconds=rng.randrange(1, 90)) if handed else None
            c = await data.chat(
                db, employee, started, rng.choice(["de", "en"]),
                handoff_reason=rng.choice(reasons) if handed else None,
                queued_at=queued,
                claimed_at=queued + timedelta(seconds=rng.randrange(5, 4000))
                if queued and rng.random() < 0.8 else None,
                close_reason=rng.choice([None, "resolved", "escalated"]),
            )  # fmt: skip
            for _turn in range(rng.randrange(3)):
                outcome = rng.choice(["answered", "answered", "candidates", "no_answer"])
                await data.turn(db, c, outcome, rng.choice(slugs))
            if c.claimed_at and rng.random() < 0.7:
                await data.agent_reply(db, c, c.claimed_at + timedelta(seconds=rng.randrange(300)))
            for _ticket in range(rng.choice([0, 0, 1, 2])):
                created = started + timedelta(minutes=rng.randrange(1, 30))
                done = created + timedelta(hours=rng.randrange(1, 60))
                t = await data.ticket(
                    db, employee, created, c, priority=rng.randrange(1, 5),
                    level=rng.choice([1, 1, 2, 3]), category=rng.choice(["network", "email"]),
                    first_responded_at=done if rng.random() < 0.6 else None,
                    resolved_at=done if rng.random() < 0.5 else None,
                )  # fmt: skip
                if rng.random() < 0.2:
                    await data.reopen(db, t, done)
            if rng.random() < 0.15:  # a ticket by phone a few days later
                await data.ticket(
                    db, employee, started + timedelta(days=rng.randrange(1, 9)),
                    category=rng.choice(["network", "email", "hardware"]),
                )  # fmt: skip
            if rng.random() < 0.3:
                await data.rate(db, c, rng.randrange(1, 6), "agent" if c.claimed_at else "bot")
        await db.commit()


async def test_sql_and_rollup_agree_with_the_per_conversation_definitions(
    helpdesk: Helpdesk,
) -> None:
    await _random_month(helpdesk, seed=11)
    period = facts.Period(date(2026, 3, 4), date(2026, 3, 17))
    async with helpdesk.app.state.open_db() as db:
        reference = summary.summarize(await facts.load(db=db, period=period), period)
        live = await summary.summary(db=db, period=period)
        await rollup.roll_up(db=db, now=utcnow())
        rolled = await summary.summary(db=db, period=period)
    assert reference["conversations"] > 40 and reference["self_solved"] > 0
    assert reference["first_contact_resolution"] > 0 and reference["reopened"] > 0
    assert live == reference
    assert rolled == reference


async def test_spikes_from_the_hourly_table_equal_the_live_spikes(helpdesk: Helpdesk) -> None:
    now = utcnow()
    rng = random.Random(5)
    async with helpdesk.app.state.open_db() as db:
        await data.article(db, "s-vpn", "network")
        await data.article(db, "s-mail", "email")
        for n in range(150):  # two weeks of ordinary traffic, both articles
            started = now - timedelta(hours=rng.uniform(1.5, 15 * 24))
            c = await data.chat(db, f"h{n}", started)
            await data.turn(db, c, "answered", rng.choice(["s-vpn", "s-mail"]))
        for n in range(8):  # and a burst of VPN reports now
            c = await data.chat(db, f"b{n}", now - timedelta(minutes=40 - 5 * n))
            await data.turn(db, c, "candidates", "s-vpn")
        await db.commit()
    async with helpdesk.app.state.open_db() as db:
        live = await trends.current_spikes(db=db, now=now)
        assert (await rollup.roll_up(db=db, now=now))["hours"] > 100
        rolled = await trends.current_spikes(db=db, now=now)
    assert {(s["kind"], s["key"]) for s in live} == {("article", "s-vpn"), ("category", "network")}
    assert rolled == live
