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
from handoff.kb.models import Article, ArticleVersion
from handoff.tickets.models import Ticket, TicketActivity
from handoff.tickets.service import propose_summary

from . import recent
from .facts import article_categories
from .trends import article_titles

OUTCOMES = {"solved": 52, "came_back": 8, "handoff": 18, "form": 8, "abandoned": 14}
REASONS = {"requested": 5, "low_confidence": 3, "negative_feedback": 2}
SLA_HOURS = {1: (0.5, 4), 2: (1, 8), 3: (4, 24), 4: (8, 72)}
SPIKE_REPORTS = 16


FIRST_NAMES = (
    "Anna Ben Carla David Elif Felix Greta Hannes Ida Jonas Katrin Lukas Mara Nils Olga Paul "
    "Rita Samir Tanja Uwe Vera Wolfgang Yasmin Zoe Emma Leon Mia Noah Lena Tim".split()
)
LAST_NAMES = (
    "Berger Keller Vogt Schmidt Wolf Meyer Weber Fischer Wagner Becker Schulz Hoffmann Koch "
    "Richter Klein Neumann Schwarz Braun Zimmermann Krüger Hartmann Lange Werner Krause "
    "Lehmann Köhler Öztürk Nowak Kaya Rossi".split()
)
AGENTS = ("Anna Schmidt", "Ben Wolf", "Chris Meyer")
GREETINGS = {
    "de": "Hallo, hier ist {agent} vom IT Service Desk. Ich sehe mir das gleich an.",
    "en": "Hi, this is {agent} from the IT Service Desk. Let me look into this.",
}


@dataclass
class Catalog:
    slugs: list[str]
    weights: list[float]
    titles: dict[str, dict[str, str]]
    categories: dict[str, str]
    # What employees ask, per article and language: the article's example questions.
    questions: dict[str, dict[str, list[str]]]


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
    asked = await _example_questions(db=db)
    questions = {
        s: {lang: asked.get(s, {}).get(lang) or [per_slug[s][lang]] for lang in titles}
        for s in slugs
    }
    return Catalog(slugs, weights, per_slug, categories, questions)


async def _example_questions(*, db: AsyncSession) -> dict[str, dict[str, list[str]]]:
    """Each article's example questions per language (its current version)."""
    number = func.coalesce(Article.published_version, Article.latest_version)
    rows = await db.execute(
        select(Article.slug, ArticleVersion.translations).join(
            ArticleVersion,
            (ArticleVersion.article_id == Article.id) & (ArticleVersion.number == number),
        )
    )
    return {
        slug: {
            lang: [str(q) for q in (text or {}).get("questions") or [] if str(q).strip()]
            for lang, text in (translations or {}).items()
        }
        for slug, translations in rows
    }


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
    await recent.forget(db=db)  # its times are in the past: the open days are classified anew
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
    question = rng.choice(found.questions[slug][c.locale])
    confident = outcome in ("solved", "came_back") or (outcome == "handoff" and rng.random() < 0.3)
    _turn(db, c, question, found.titles[slug][c.locale], slug, confident)
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
    subject = propose_summary(question)
    if outcome == "handoff":
        await _handoff(db, rng, c, found.categories[slug], subject)
    elif outcome == "form":
        await _ticket(db, rng, c, found.categories[slug], subject, level=1)
    if rng.random() < 0.3 and outcome != "abandoned":
        _rating(db, rng, c)


async def _new_conversation(
    db: AsyncSession, rng: random.Random, started: datetime
) -> Conversation:
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    email = f"{first}.{last}@brandt.example".lower()
    c = Conversation(
        id=uuid.uuid4().hex,
        employee_id=email,
        employee_name=f"{first} {last}",
        employee_email=email,
        locale="de" if rng.random() < 0.65 else "en",
        created_at=started,
        updated_at=started,
        state="closed",
        closed_at=started + timedelta(minutes=rng.randint(2, 20)),
    )
    db.add(c)
    await db.flush()  # no ORM relationships: the row must exist before its turns and messages
    return c


def _turn(
    db: AsyncSession, c: Conversation, text: str, title: str, slug: str, confident: bool
) -> None:
    outcome = "answered" if confident else "candidates"
    c.last_seq = 2
    db.add(Message(conversation_id=c.id, seq=1, sender="user", text=text, created_at=c.created_at))
    hits = [{"slug": slug, "title": title, "lang": c.locale, "score": 0.74 if confident else 0.52}]
    db.add(
        BotTurn(
            conversation_id=c.id, message_seq=1, text=text, locale=c.locale, kb_query=text,
            kb_hits=hits, kb_confident=outcome == "answered", outcome=outcome,
            created_at=c.created_at,
        )
    )  # fmt: skip
    db.add(Message(conversation_id=c.id, seq=2, sender="bot", text=title, created_at=c.created_at))


async def _handoff(
    db: AsyncSession, rng: random.Random, c: Conversation, category: str, subject: str
) -> None:
    c.handoff_reason = rng.choices(list(REASONS), list(REASONS.values()))[0]
    c.queued_at = c.created_at + timedelta(minutes=1)
    c.claimed_at = c.queued_at + timedelta(seconds=int(rng.lognormvariate(5.0, 0.8)))
    c.agent_id, c.agent_name = 1, rng.choice(AGENTS)
    reply = c.claimed_at + timedelta(seconds=rng.randint(10, 120))
    c.last_seq = 3
    db.add(
        Message(
            conversation_id=c.id,
            seq=3,
            sender="agent",
            author=c.agent_name,
            text=GREETINGS[c.locale].format(agent=c.agent_name),
            created_at=reply,
        )
    )
    escalated = rng.random() < 0.15
    c.closed_at = reply + timedelta(minutes=rng.randint(3, 30))
    c.close_reason = "escalated" if escalated else "resolved"
    await _ticket(db, rng, c, category, subject, level=2 if escalated else 1, responded=reply)


async def _ticket(
    db: AsyncSession,
    rng: random.Random,
    c: Conversation,
    category: str,
    subject: str,
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
        requester_id=c.employee_id, requester_name=c.employee_name,
        subject=subject,
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
