"""What employees ask about over time, the articles that did not help, and recent spikes."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from handoff.conversations.models import BotTurn, Feedback
from handoff.kb.models import Article, ArticleVersion

from . import spikes
from .facts import Period, article_categories, best_slug

TOP = 20


def monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


async def _asked(
    db: AsyncSession, start: datetime, end: datetime
) -> dict[tuple[str, str], datetime]:
    """Each (conversation, article) asked about in [start, end), at its first turn."""
    rows = await db.execute(
        select(BotTurn.conversation_id, BotTurn.created_at, BotTurn.kb_hits).where(
            BotTurn.created_at >= start, BotTurn.created_at < end
        )
    )
    asked: dict[tuple[str, str], datetime] = {}
    for cid, at, hits in rows:
        slug = best_slug(hits)
        if slug and ((cid, slug) not in asked or at < asked[(cid, slug)]):
            asked[(cid, slug)] = at
    return asked


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
    asked = await _asked(db, period.start, period.end)
    categories = await article_categories(db=db)
    titles = await article_titles(db=db)
    weeks = []
    week = monday(period.since)
    while week <= period.until:
        weeks.append(week)
        week += timedelta(days=7)
    by_article: dict[str, Counter[date]] = defaultdict(Counter)
    by_category: dict[str, Counter[date]] = defaultdict(Counter)
    for (_, slug), at in asked.items():
        by_article[slug][monday(at.date())] += 1
        by_category[categories.get(slug, "general")][monday(at.date())] += 1
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


async def current_spikes(*, db: AsyncSession, now: datetime) -> list[dict[str, Any]]:
    """Possible major incidents now, with the conversations behind each."""
    asked = await _asked(db, now - spikes.WINDOW - spikes.HISTORY, now + timedelta(seconds=1))
    categories = await article_categories(db=db)
    reports = [
        spikes.Report(at, cid, (f"article:{slug}", f"category:{categories.get(slug, 'general')}"))
        for (cid, slug), at in asked.items()
    ]
    titles = await article_titles(db=db)
    found = []
    for spike in spikes.detect(reports, now=now):
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
            }
        )
    return found
