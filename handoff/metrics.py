"""Prometheus metrics of one service process: `GET /metrics` (docs/operations.md).

Request counts and latency per route come from prometheus-fastapi-instrumentator.
Besides: the bot's round-trip time (timed at the HTTP transport to Rasa), search
time, and gauges read from the database when scraped (conversations per state,
employee messages per bot status, queue length, rebuild jobs per state), so
every process reports the same totals. Each app has its own registry, so that
several apps in one process (tests) do not collide.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
from fastapi import FastAPI, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Gauge, Histogram
from prometheus_client.exposition import generate_latest
from prometheus_fastapi_instrumentator import Instrumentator
from sqlalchemy import func, select

from handoff.conversations.models import Conversation, Message
from handoff.conversations.rasa import WEBHOOK_PATH
from handoff.kb.models import IndexBuild

# The database gauges are read at most this often, however often scrapers come.
REFRESH_SECONDS = 5.0


@dataclass
class Metrics:
    """The custom metrics of one app, on the app's own registry."""

    registry: CollectorRegistry = field(default_factory=CollectorRegistry)
    refreshed_at: float = 0.0

    def __post_init__(self) -> None:
        reg = self.registry
        self.conversations = Gauge(
            "helpdesk_conversations", "Conversations per ownership state", ["state"], registry=reg
        )
        self.messages = Gauge(
            "helpdesk_employee_messages",
            "Employee messages per bot status (pending, answered, failed)",
            ["status"],
            registry=reg,
        )
        self.queue_length = Gauge(
            "helpdesk_queue_length", "Conversations waiting for an agent", registry=reg
        )
        self.rebuild_jobs = Gauge(
            "helpdesk_index_rebuild_jobs", "Index rebuild jobs per state", ["state"], registry=reg
        )
        self.bot_seconds = Histogram(
            "helpdesk_bot_round_trip_seconds",
            "Time until Rasa answered: message (REST channel) or api (HTTP API)",
            ["call"],
            buckets=(0.05, 0.1, 0.25, 0.5, 1, 1.5, 2, 3, 5, 10, 30),
            registry=reg,
        )
        self.search_seconds = Histogram(
            "helpdesk_search_seconds",
            "Knowledge-base search time (query embedding included)",
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5),
            registry=reg,
        )


class TimedTransport(httpx.AsyncBaseTransport):
    """An httpx transport that observes how long each request to Rasa took."""

    def __init__(self, inner: httpx.AsyncBaseTransport, histogram: Histogram) -> None:
        self._inner = inner
        self._histogram = histogram

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Forward the request and record its duration under message or api."""
        call = "message" if request.url.path.endswith(WEBHOOK_PATH) else "api"
        started = time.perf_counter()
        try:
            return await self._inner.handle_async_request(request)
        finally:
            self._histogram.labels(call=call).observe(time.perf_counter() - started)

    async def aclose(self) -> None:
        """Close the wrapped transport."""
        await self._inner.aclose()


async def refresh(*, app: FastAPI, metrics: Metrics) -> None:
    """Read the database gauges, unless they were read less than REFRESH_SECONDS ago."""
    if time.monotonic() - metrics.refreshed_at < REFRESH_SECONDS:
        return
    async with app.state.open_db() as db:
        states = await db.execute(
            select(Conversation.state, func.count()).group_by(Conversation.state)
        )
        statuses = await db.execute(
            select(Message.bot_status, func.count())
            .where(Message.bot_status.is_not(None))
            .group_by(Message.bot_status)
        )
        jobs = await db.execute(select(IndexBuild.state, func.count()).group_by(IndexBuild.state))
    per_state = dict(states.all())
    _set(metrics.conversations, per_state)
    _set(metrics.messages, dict(statuses.all()))
    _set(metrics.rebuild_jobs, dict(jobs.all()))
    metrics.queue_length.set(per_state.get("queued", 0))
    metrics.refreshed_at = time.monotonic()


def _set(gauge: Gauge, counts: dict[Any, int]) -> None:
    gauge.clear()
    for label, count in counts.items():
        gauge.labels(str(label)).set(count)


def _time_search(metrics: Metrics) -> Callable[[FastAPI], Awaitable[None]]:
    async def wrap(app: FastAPI) -> None:
        # The live search is made in the lifespan; time every call on the instance.
        search = app.state.search
        inner = search.search

        async def timed(*args: Any, **kwargs: Any) -> Any:
            with metrics.search_seconds.time():
                return await inner(*args, **kwargs)

        search.search = timed

    return wrap


def install(app: FastAPI) -> Metrics:
    """Instrument the app and serve GET /metrics; call once, from create_app."""
    metrics = Metrics()
    app.state.metrics = metrics
    Instrumentator(
        registry=metrics.registry,
        excluded_handlers=["/metrics", "/health/live"],
        should_group_status_codes=True,
    ).instrument(app)
    inner = app.state.bot_transport or httpx.AsyncHTTPTransport()
    app.state.bot_transport = TimedTransport(inner, metrics.bot_seconds)
    app.state.on_startup.append(_time_search(metrics))

    @app.get("/metrics", include_in_schema=False)
    async def scrape() -> Response:
        await refresh(app=app, metrics=metrics)
        return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)

    return metrics
