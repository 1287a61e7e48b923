"""Insights at scale: summary, trends and spikes over generated conversations on PostgreSQL.

`python -m benchmarks insights` (BENCH_INSIGHTS_CONVERSATIONS, default 1,000,000, spread over
90 days). The data is written by SQL (generate_series) into a database of its own, which is
dropped afterwards; the insights job runs once (as the service does every 10 minutes: the
rollup of the closed days, the rows of the open ones), then the service functions the
endpoints call are timed in-process: the summary as it is, and again with new chats
arriving between requests (each summary first brings the open days' rows up to date).
"""

from __future__ import annotations

import asyncio
import os
import statistics
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import timedelta
from functools import partial
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from benchmarks.common import table
from handoff import migrate
from handoff.database import create_engine, create_sessionmaker, utcnow
from handoff.insights import job, summary, trends
from handoff.insights.facts import Period

POSTGRES = os.environ.get(
    "HELPDESK_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
)
CONVERSATIONS = int(os.environ.get("BENCH_INSIGHTS_CONVERSATIONS", "1000000"))
RUNS = int(os.environ.get("BENCH_INSIGHTS_RUNS", "5"))
ARTICLES = 40

FILL = [
    f"""INSERT INTO kb_articles (slug, status, latest_version, published_version, deleted,
        created_at, updated_at)
      SELECT 'article-' || a, 'published', 1, 1, false, now(), now()
      FROM generate_series(1, {ARTICLES}) a""",
    """INSERT INTO kb_article_versions (article_id, number, category, tags, translations,
        author, note, created_at)
      SELECT id, 1, (ARRAY['network','account','email','hardware','software'])[id % 5 + 1],
        '[]', json_build_object('en', json_build_object('title', slug)), 'bench', '', now()
      FROM kb_articles""",
    """INSERT INTO conversations (id, employee_id, employee_name, employee_email, locale,
        state, last_seq, created_at, updated_at, handoff_reason, queued_at, claimed_at,
        close_reason, notified_unattended)
      SELECT md5(i::text), 'emp' || (i % 40000), '', '',
        CASE WHEN i % 3 = 0 THEN 'en' ELSE 'de' END,
        'closed', 2, t, t,
        CASE WHEN i % 5 = 0 THEN 'requested' END,
        CASE WHEN i % 5 = 0 THEN t + interval '1 minute' END,
        CASE WHEN i % 5 = 0 THEN t + interval '1 minute' + (i % 600) * interval '1 second' END,
        CASE WHEN i % 5 = 0 THEN 'resolved' END, false
      FROM (SELECT i, now() - (i::bigint * 7776000 / :n) * interval '1 second' AS t
            FROM generate_series(1, :n) i) s""",
    """INSERT INTO bot_turns (conversation_id, message_seq, text, locale, entities, kb_hits,
        kb_confident, outcome, created_at)
      SELECT id, 1, '', locale, '[]',
        json_build_array(json_build_object(
          'slug', 'article-' || (abs(hashtext(id)) % :articles + 1), 'score', 0.7)),
        handoff_reason IS NULL, CASE WHEN handoff_reason IS NULL THEN 'answered' ELSE 'handoff' END,
        created_at
      FROM conversations""",
    """INSERT INTO tickets (requester_id, requester_name, requester_email, subject, description,
        since, category, impact, urgency, priority, status, level, conversation_id, transcript,
        resolution, first_response_due, resolution_due, first_responded_at, resolved_at,
        created_at, updated_at)
      SELECT employee_id, '', '', 'bench', '', '', 'network', 'low', 'medium', 3, 'resolved',
        1, id, '[]', 'done', queued_at + interval '4 hours', queued_at + interval '1 day',
        claimed_at, queued_at + interval '3 hours', queued_at, queued_at
      FROM conversations WHERE handoff_reason IS NOT NULL""",
    """INSERT INTO ratings (conversation_id, employee_id, score, comment, handled_by,
        created_at, updated_at)
      SELECT id, employee_id, abs(hashtext(id)) % 5 + 1, '',
        CASE WHEN claimed_at IS NULL THEN 'bot' ELSE 'agent' END, created_at, created_at
      FROM conversations WHERE abs(hashtext(id)) % 4 = 0""",
    "ANALYZE",
]


async def _admin(sql: str, url: str = POSTGRES) -> None:
    """Run a statement outside a transaction (CREATE DATABASE, VACUUM)."""
    import asyncpg

    conn = await asyncpg.connect(url.replace("+asyncpg", ""), timeout=5)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


async def _fill(db: AsyncSession) -> float:
    started = time.perf_counter()
    for sql in FILL:
        await db.execute(text(sql), {"n": CONVERSATIONS, "articles": ARTICLES})
        await db.commit()
    return time.perf_counter() - started


NEW_CHATS = 20  # per summary request in the "while chats arrive" row
ARRIVE = """
INSERT INTO conversations (id, employee_id, employee_name, employee_email, locale, state,
    last_seq, created_at, updated_at, notified_unattended)
  SELECT md5('new' || CAST(:run AS text) || '-' || i),
    'emp' || ((i * 7919 + CAST(:run AS integer)) % 40000), '', '', 'de', 'bot', 2, now(), now(),
    false
  FROM generate_series(1, :n) i;
INSERT INTO bot_turns (conversation_id, message_seq, text, locale, entities, kb_hits,
    kb_confident, outcome, created_at)
  SELECT md5('new' || CAST(:run AS text) || '-' || i), 1, '', 'de', '[]',
    json_build_array(json_build_object('slug', 'article-' || (i % :articles + 1), 'score', 0.7)),
    true, 'answered', now()
  FROM generate_series(1, :n) i
"""


async def _arrive(db: AsyncSession, run: int) -> None:
    """NEW_CHATS new chats of employees who have chatted before (their earlier chats change)."""
    for sql in ARRIVE.split(";"):
        await db.execute(text(sql), {"run": str(run), "n": NEW_CHATS, "articles": ARTICLES})
    await db.commit()


async def _time(
    call: Callable[[], Awaitable[Any]], before: Callable[[int], Awaitable[None]] | None = None
) -> list[float]:
    times = []
    for run in range(RUNS):
        if before is not None:
            await before(run)
        started = time.perf_counter()
        await call()
        times.append(1000 * (time.perf_counter() - started))
    return times


async def _measure(url: str) -> list[list[object]]:
    engine = create_engine(url)
    open_db = create_sessionmaker(engine)

    def request(call: Callable[[AsyncSession], Awaitable[Any]]) -> Callable[[], Awaitable[Any]]:
        """A request as the service serves it: a session of its own."""

        async def served() -> Any:
            async with open_db() as db:
                return await call(db)

        return served

    async def arrive(run: int) -> None:
        async with open_db() as db:
            await _arrive(db, run)

    try:
        async with open_db() as db:
            fill = await _fill(db)
            print(f"(generated {CONVERSATIONS:,} conversations in {fill:.0f} s)", flush=True)
        started = time.perf_counter()
        async with open_db() as db:
            done = await job.run(db=db, now=utcnow())
        took = time.perf_counter() - started
        print(
            f"(insights job: rolled up {done['days']} days, {done['hours']} article-hours, "
            f"the open days from {done['recent_since']} on, in {took:.0f} s)"
        )
        # What autovacuum does by itself after the fill and the job's writes, done now so
        # that it does not run in the middle of the timings.
        await _admin("VACUUM ANALYZE", url)
        today = utcnow().date()
        period = Period(today - timedelta(days=89), today)
        rows = []
        arriving = f"summary, 90 days, {NEW_CHATS} new chats before each"
        for name, call, before in (
            ("summary, 90 days", request(partial(_summary, period=period)), None),
            (arriving, request(partial(_summary, period=period)), arrive),
            ("trends, 90 days", request(partial(_trends, period=period)), None),
            ("spikes, last hour", request(_spikes), None),
        ):
            await call()  # warm: the first request of a fresh connection reads from disk
            times = await _time(call, before)
            p95 = sorted(times)[max(0, int(0.95 * len(times) + 0.999) - 1)]
            rows.append([name, RUNS, statistics.median(times), p95])
        return rows
    finally:
        await engine.dispose()


async def _summary(db: AsyncSession, period: Period) -> Any:
    return await summary.summary(db=db, period=period)


async def _trends(db: AsyncSession, period: Period) -> Any:
    return await trends.trends(db=db, period=period)


async def _spikes(db: AsyncSession) -> Any:
    return await trends.current_spikes(db=db, now=utcnow())


def main() -> None:
    name = f"bench_insights_{uuid.uuid4().hex[:8]}"
    try:
        asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # not reachable here
        print(f"(PostgreSQL not reachable, skipped: {type(exc).__name__})")
        return
    url = POSTGRES.rsplit("/", 1)[0] + f"/{name}"
    try:
        migrate.upgrade(url)
        rows = asyncio.run(_measure(url))
    finally:
        asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    print(table(["request", "runs", "p50 ms", "p95 ms"], rows))


if __name__ == "__main__":
    main()
