"""What employees ask about over time, the articles that did not help, and recent spikes."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from handoff.conversations.models import BotTurn, Feedback
from handoff.kb.models import Article, ArticleVersion
from handoff.tickets.models import OPEN_STATUSES, Ticket, format_number

from . import asks, portable, rollup, spikes
from .facts import Period, article_categories
from .models import HourlyArticle

TOP = 20


def monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


async def asked_per_day(*, db: AsyncSession, period: Period) -> Counter[tuple[date, str]]:
    """Per day and article: the conversations that first asked about it then.

    Hours the rollup has are read from the hourly table, the rest from the bot turns.
    """
    counts: Counter[tuple[date, str]] = Counter()
    rolled_until = await rollup.hours_rolled_until(db=db)
    if rolled_until is not None and rolled_until > period.start:
        rows = await db.execute(
            select(HourlyArticle.day, HourlyArticle.article, func.sum(HourlyArticle.count))
            .where(
                HourlyArticle.day >= period.since,
                HourlyArticle.day <= period.until,
                HourlyArticle.hour < rolled_until,
            )
            .group_by(HourlyArticle.day, HourlyArticle.article)
        )
        for day, slug, n in rows:
            counts[(day, slug)] += int(n)
    live_from = max(period.start, rolled_until or period.start)
    if live_from < period.end:
        live = await asks.first_asks_by_hour(db=db, start=live_from, end=period.end)
        for (hour, slug), n in live.items():
            counts[(hour.date(), slug)] += n
    return counts


async def article_titles(*, db: AsyncSession, lang: str = "en") -> dict[str, str]:
    """Each article's title in lang (else the other language, else its slug)."""
    number = func.coalesce(Article.published_version, Article.latest_version)
    rows = await db.execute(
        select(Article.slug, ArticleVersion.translations).join(
            ArticleVersion,
            (ArticleVersion.article_id == Article.id) & (ArticleVersion.number == number),
        )
    )
    titles = {}
    for slug, translations in rows:
        text: dict[str, Any] = translations.get(lang) or next(iter(translations.values()), {})
        titles[slug] = str(text.get("title") or slug)
    return titles


def _weekly(
    counts: dict[str, Counter[date]], weeks: list[date], names: dict[str, str]
) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for key, by_week in counts.items():
        this, last = by_week.get(weeks[-1], 0), by_week.get(weeks[-2], 0) if len(weeks) > 1 else 0
        rows.append(
            {
                "key": key,
                "title": names.get(key, key),
                "total": sum(by_week.values()),
                "by_week": [by_week.get(w, 0) for w in weeks],
                "this_week": this,
                "last_week": last,
                "change": this - last,
            }
        )
    return sorted(rows, key=lambda r: (-r["total"], r["key"]))[:TOP]


async def trends(*, db: AsyncSession, period: Period) -> dict[str, Any]:
    """Questions per article and category per week, with the last week's change."""
    await portable.plan_each_time(db)
    categories = await article_categories(db=db)
    titles = await article_titles(db=db)
    weeks = []
    week = monday(period.since)
    while week <= period.until:
        weeks.append(week)
        week += timedelta(days=7)
    by_article: dict[str, Counter[date]] = defaultdict(Counter)
    by_category: dict[str, Counter[date]] = defaultdict(Counter)
    for (day, slug), n in (await asked_per_day(db=db, period=period)).items():
        by_article[slug][monday(day)] += n
        by_category[categories.get(slug, "general")][monday(day)] += n
    return {
        "weeks": [w.isoformat() for w in weeks],
        "unit": "conversations that asked about it (best search hit), counted once each",
        "articles": _weekly(by_article, weeks, titles),
        "categories": _weekly(by_category, weeks, {}),
        "not_helpful": await not_helpful(db=db, period=period, titles=titles),
    }


async def not_helpful(
    *, db: AsyncSession, period: Period, titles: dict[str, str]
) -> list[dict[str, Any]]:
    """Articles by how often employees said they did not help (with the helpful count)."""
    rows = await db.execute(
        select(Feedback.slug, Feedback.helpful, func.count())
        .where(
            Feedback.created_at >= period.start,
            Feedback.created_at < period.end,
            Feedback.slug.is_not(None),
        )
        .group_by(Feedback.slug, Feedback.helpful)
    )
    votes: dict[str, dict[bool, int]] = defaultdict(lambda: {True: 0, False: 0})
    for slug, helpful, count in rows:
        votes[str(slug)][bool(helpful)] += int(count)
    result: list[dict[str, Any]] = [
        {
            "slug": slug,
            "title": titles.get(slug, slug),
            "not_helpful": v[False],
            "helpful": v[True],
            "share_not_helpful": round(v[False] / (v[False] + v[True]), 3),
        }
        for slug, v in votes.items()
        if v[False]
    ]
    return sorted(result, key=lambda r: (-r["not_helpful"], r["slug"]))[:TOP]


async def _recent(db: AsyncSession, now: datetime) -> list[tuple[str, str, datetime]]:
    """Each (conversation, article) asked about in the spike window, at its first turn there."""
    slug = portable.best_slug(BotTurn.kb_hits)
    rows = await db.execute(
        select(BotTurn.conversation_id, slug, func.min(BotTurn.created_at))
        .where(BotTurn.created_at > now - spikes.WINDOW, BotTurn.created_at <= now)
        .where(slug.is_not(None))
        .group_by(BotTurn.conversation_id, slug)
    )
    return [(str(cid), str(s), portable.aware(at)) for cid, s, at in rows]


async def _history(db: AsyncSession, now: datetime) -> dict[str, tuple[int, int]]:
    """Per article: reports in the history hours, and those in the current clock hour."""
    start, end = spikes.history_hours(now)
    usual: dict[str, tuple[int, int]] = {}
    rolled_until = await rollup.hours_rolled_until(db=db)
    if rolled_until is not None and rolled_until > start:
        same = case((HourlyArticle.clock_hour == now.hour, HourlyArticle.count), else_=0)
        rows = await db.execute(
            select(HourlyArticle.article, func.sum(HourlyArticle.count), func.sum(same))
            .where(HourlyArticle.hour >= start, HourlyArticle.hour < min(end, rolled_until))
            .group_by(HourlyArticle.article)
        )
        usual = {str(slug): (int(n), int(s)) for slug, n, s in rows}
    live_from = max(start, rolled_until or start)
    if live_from < end:
        live = await asks.first_asks_by_hour(db=db, start=live_from, end=end)
        for (hour, slug), n in live.items():
            total, same_hour = usual.get(slug, (0, 0))
            usual[slug] = (total + n, same_hour + (n if hour.hour == now.hour else 0))
    return usual


async def current_spikes(*, db: AsyncSession, now: datetime) -> list[dict[str, Any]]:
    """Possible major incidents now, with the conversations behind each."""
    await portable.plan_each_time(db)
    categories = await article_categories(db=db)
    recent: dict[str, dict[str, datetime]] = defaultdict(dict)
    articles: dict[str, set[str]] = defaultdict(set)
    for cid, slug, at in await _recent(db, now):
        for key in (f"article:{slug}", f"category:{categories.get(slug, 'general')}"):
            articles[key].add(slug)
            if cid not in recent[key] or at < recent[key][cid]:
                recent[key][cid] = at
    usual: dict[str, tuple[int, int]] = {}
    for slug, (total, same_hour) in (await _history(db, now)).items():
        for key in (f"article:{slug}", f"category:{categories.get(slug, 'general')}"):
            before = usual.get(key, (0, 0))
            usual[key] = (before[0] + total, before[1] + same_hour)
    titles = await article_titles(db=db)
    found = []
    detected = spikes.find(recent, usual)
    tickets = await _open_tickets(db, {c for spike in detected for c in spike.conversations})
    for spike in detected:
        kind, name = spike.key.split(":", 1)
        label = titles.get(name, name) if kind == "article" else name
        found.append(
            {
                "kind": kind,
                "key": name,
                "label": label,
                "reports": spike.reports,
                "minutes": spike.minutes,
                "usual_per_hour": spike.usual_per_hour,
                "probability": spike.probability,
                "message": f"possible major incident: {spike.reports} reports of {label} "
                f"in {spike.minutes} minutes",
                "conversations": spike.conversations,
                "articles": sorted(articles[spike.key]),
                "tickets": [t for c in spike.conversations for t in tickets.get(c, [])],
            }
        )
    return found


async def _open_tickets(db: AsyncSession, conversations: set[str]) -> dict[str, list[str]]:
    """The open tickets of these conversations (to link them to a known problem)."""
    if not conversations:
        return {}
    rows = await db.execute(
        select(Ticket.conversation_id, Ticket.id)
        .where(Ticket.conversation_id.in_(conversations), Ticket.status.in_(OPEN_STATUSES))
        .order_by(Ticket.id)
    )
    found: dict[str, list[str]] = defaultdict(list)
    for cid, ticket_id in rows:
        found[str(cid)].append(format_number(ticket_id))
    return found
