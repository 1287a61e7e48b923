"""`python -m handoff demo-data --days 90`: realistic generated activity for a first look.

Both languages, every outcome (self-solved, came back, handed to an agent for each reason,
escalated, form tickets, abandoned), ratings, feedback, and one incident spike in the last
hour, over the published articles. It fills a fresh database only.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from handoff.config import get_settings
from handoff.conversations.models import BotTurn, Conversation, Feedback, Message, Rating
from handoff.database import create_engine, create_sessionmaker, utcnow
from handoff.tickets.models import Ticket, TicketActivity

from .facts import article_categories
from .trends import article_titles

OUTCOMES = {"solved": 52, "came_back": 8, "handoff": 18, "form": 8, "abandoned": 14}
REASONS = {"requested": 5, "low_confidence": 3, "negative_feedback": 2}
SLA_HOURS = {1: (0.5, 4), 2: (1, 8), 3: (4, 24), 4: (8, 72)}
SPIKE_REPORTS = 16


@dataclass
class Catalog:
    slugs: list[str]
    weights: list[float]
    titles: dict[str, dict[str, str]]
    categories: dict[str, str]


def register(sub: Any) -> None:
    """Add the `demo-data` command to the CLI's subparsers."""
    demo = sub.add_parser("demo-data", help="fill a fresh database with generated activity")
    demo.add_argument("--days", type=int, default=90)
    demo.add_argument("--seed", type=int, default=42)
    demo.set_defaults(func=_cli)


def _cli(args: argparse.Namespace) -> int:
    if not 1 <= args.days <= 400:
        raise ValueError("--days must be between 1 and 400")
    made = asyncio.run(_run(args.days, args.seed))
    print(f"the database now has {made} conversations ({args.days} days)")
    return 0


async def _run(days: int, seed: int) -> int:
    engine = create_engine(get_settings().database_url)
    try:
        async with create_sessionmaker(engine)() as db:
            return await generate(db=db, days=days, rng=random.Random(seed), now=utcnow())
    finally:
        await engine.dispose()


async def catalog(*, db: AsyncSession) -> Catalog:
    """The published articles, a few of them asked about far more often (as in real life)."""
    categories = await article_categories(db=db)
    titles = {lang: await article_titles(db=db, lang=lang) for lang in ("de", "en")}
    slugs = sorted(categories)
    if not slugs:
        raise ValueError("no articles: run `python -m handoff prepare` first")
    weights = [1.0 / (rank + 1) for rank in range(len(slugs))]
    random.Random(len(slugs)).shuffle(weights)
    per_slug = {s: {lang: titles[lang].get(s, s) for lang in titles} for s in slugs}
    return Catalog(slugs, weights, per_slug, categories)


async def generate(*, db: AsyncSession, days: int, rng: random.Random, now: datetime) -> int:
    """Write `days` of activity ending now; refuse a database that has conversations."""
    if await db.scalar(select(func.count()).select_from(Conversation)):
        raise ValueError("the database has conversations already: demo data needs a fresh one")
    found = await catalog(db=db)
    for back in range(days, 0, -1):
        day = (now - timedelta(days=back)).replace(hour=0, minute=0, second=0, microsecond=0)
        for started in _arrivals(rng, day):
            outcome = rng.choices(list(OUTCOMES), list(OUTCOMES.values()))[0]
            await _conversation(db, rng, found, started, outcome)
        await db.commit()
    await _spike(db, rng, found, now)
    await db.commit()
    return int(await db.scalar(select(func.count()).select_from(Conversation)) or 0)


def _arrivals(rng: random.Random, day: datetime) -> list[datetime]:
    weekday = day.weekday() < 5
    count = rng.randint(30, 50) if weekday else rng.randint(3, 8)
    times = []
    for _ in range(count):
        hour = rng.choice(range(7, 18)) if weekday and rng.random() < 0.9 else rng.randrange(24)
        times.append(day + timedelta(hours=hour, minutes=rng.randrange(60)))
    return sorted(times)


async def _spike(db: AsyncSession, rng: random.Random, found: Catalog, now: datetime) -> None:
    """The incident: one article asked about again and again in the last 50 minutes."""
    slug = min(found.slugs, key=lambda s: found.weights[found.slugs.index(s)])
    for i in range(SPIKE_REPORTS):
        started = now - timedelta(minutes=50) + timedelta(minutes=i * 48 / SPIKE_REPORTS)
        await _conversation(db, rng, found, started, "abandoned", slug=slug)


async def _conversation(
    db: AsyncSession,
    rng: random.Random,
    found: Catalog,
    started: datetime,
    outcome: str,
    slug: str | None = None,
) -> None:
    slug = slug or rng.choices(found.slugs, found.weights)[0]
    c = await _new_conversation(db, rng, started)
    question = found.titles[slug][c.locale]
    confident = outcome in ("solved", "came_back") or (outcome == "handoff" and rng.random() < 0.3)
    _turn(db, c, question, slug, "answered" if confident else "candidates")
    if outcome == "came_back":
        again = started + timedelta(days=rng.randint(1, 6))
        if again < utcnow():
            await _conversation(db, rng, found, again, "handoff", slug=slug)
    elif outcome == "solved" and rng.random() < 0.4:
        db.add(
            Feedback(
                conversation_id=c.id, slug=slug, helpful=True, query=question, created_at=started
            )
        )
    if outcome == "handoff":
        await _handoff(db, rng, c, found.categories[slug])
    elif outcome == "form":
        await _ticket(db, rng, c, found.categories[slug], level=1)
    if rng.random() < 0.3 and outcome != "abandoned":
        _rating(db, rng, c)


async def _new_conversation(
    db: AsyncSession, rng: random.Random, started: datetime
) -> Conversation:
    employee = f"emp{rng.randrange(1, 900):04d}"
    c = Conversation(
        id=uuid.uuid4().hex,
        employee_id=employee,
        employee_name=employee.title(),
        employee_email=f"{employee}@brandt.example",
        locale="de" if rng.random() < 0.65 else "en",
        created_at=started,
        updated_at=started,
        state="closed",
        closed_at=started + timedelta(minutes=rng.randint(2, 20)),
    )
    db.add(c)
    await db.flush()  # no ORM relationships: the row must exist before its turns and messages
    return c


def _turn(db: AsyncSession, c: Conversation, text: str, slug: str, outcome: str) -> None:
    c.last_seq = 2
    db.add(Message(conversation_id=c.id, seq=1, sender="user", text=text, created_at=c.created_at))
    hits = [
        {
            "slug": slug,
            "title": text,
            "lang": c.locale,
            "score": 0.74 if outcome == "answered" else 0.52,
        }
    ]
    db.add(
        BotTurn(
            conversation_id=c.id, message_seq=1, text=text, locale=c.locale, kb_query=text,
            kb_hits=hits, kb_confident=outcome == "answered", outcome=outcome,
            created_at=c.created_at,
        )
    )  # fmt: skip
    db.add(Message(conversation_id=c.id, seq=2, sender="bot", text=text, created_at=c.created_at))


async def _handoff(db: AsyncSession, rng: random.Random, c: Conversation, category: str) -> None:
    c.handoff_reason = rng.choices(list(REASONS), list(REASONS.values()))[0]
    c.queued_at = c.created_at + timedelta(minutes=1)
    c.claimed_at = c.queued_at + timedelta(seconds=int(rng.lognormvariate(5.0, 0.8)))
    c.agent_id, c.agent_name = 1, rng.choice(["Anna Schmidt", "Ben Wolf", "Chris Meyer"])
    reply = c.claimed_at + timedelta(seconds=rng.randint(10, 120))
    c.last_seq = 3
    db.add(
        Message(
            conversation_id=c.id,
            seq=3,
            sender="agent",
            author=c.agent_name,
            text="Hallo!",
            created_at=reply,
        )
    )
    escalated = rng.random() < 0.15
    c.closed_at = reply + timedelta(minutes=rng.randint(3, 30))
    c.close_reason = "escalated" if escalated else "resolved"
    await _ticket(db, rng, c, category, level=2 if escalated else 1, responded=reply)


async def _ticket(
    db: AsyncSession,
    rng: random.Random,
    c: Conversation,
    category: str,
    *,
    level: int,
    responded: datetime | None = None,
) -> None:
    priority = rng.choices([1, 2, 3, 4], [1, 6, 40, 53])[0]
    first, resolve = SLA_HOURS[priority]
    created = c.queued_at or c.created_at + timedelta(minutes=2)
    late = rng.random() < 0.12
    responded = responded or created + timedelta(
        hours=first * (1.5 if late else rng.uniform(0.1, 0.9))
    )
    resolved = created + timedelta(hours=resolve * (1.3 if late else rng.uniform(0.1, 0.9)))
    done = resolved < utcnow() and level == 1
    t = Ticket(
        requester_id=c.employee_id, requester_name=c.employee_name, subject=f"{category}: help",
        category=category, priority=priority, level=level, conversation_id=c.id,
        status="resolved" if done else "in_progress", created_at=created, updated_at=created,
        first_response_due=created + timedelta(hours=first),
        resolution_due=created + timedelta(hours=resolve),
        first_responded_at=responded, resolved_at=resolved if done else None,
    )  # fmt: skip
    db.add(t)
    await db.flush()
    c.ticket_id = t.id
    if done and rng.random() < 0.05:
        detail = {"old": "resolved", "new": "in_progress"}
        db.add(
            TicketActivity(
                ticket_id=t.id,
                actor="requester",
                kind="status",
                detail=detail,
                created_at=resolved + timedelta(days=1),
            )
        )


def _rating(db: AsyncSession, rng: random.Random, c: Conversation) -> None:
    agent = c.claimed_at is not None
    score = rng.choices([1, 2, 3, 4, 5], [1, 1, 3, 8, 10] if agent else [1, 2, 4, 8, 6])[0]
    db.add(
        Rating(
            conversation_id=c.id, employee_id=c.employee_id, score=score,
            handled_by="agent" if agent else "bot", agent_name=c.agent_name if agent else None,
            created_at=c.closed_at or c.created_at, updated_at=c.closed_at or c.created_at,
        )
    )  # fmt: skip
