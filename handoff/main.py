"""The helpdesk service: app factory and lifespan."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import httpx
from fastapi import FastAPI
from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from handoff import apidocs, bootstrap, metrics, safeguards
from handoff import logging as logs
from handoff.attachments import storage
from handoff.attachments.service import Limits
from handoff.auth.dev import router as dev_router
from handoff.config import Settings, get_settings
from handoff.conversations.agent import AgentFlow
from handoff.conversations.agent_router import router as agent_router
from handoff.conversations.assistant import AssistantFlow
from handoff.conversations.assistant_router import router as assistant_router
from handoff.conversations.attachment_router import router as attachment_router
from handoff.conversations.chat import ChatFlow
from handoff.conversations.events import Events
from handoff.conversations.notice_router import router as notice_router
from handoff.conversations.notices import NoticeFlow
from handoff.conversations.queue import QueueFlow
from handoff.conversations.rasa import ActionServerProbe, RasaClient
from handoff.conversations.rating_router import router as rating_router
from handoff.conversations.router import router as chat_router
from handoff.conversations.sockets import Live
from handoff.conversations.sockets import router as sockets_router
from handoff.conversations.ticket_updates import TicketUpdates
from handoff.conversations.uploads import UploadFlow
from handoff.database import create_engine, create_sessionmaker
from handoff.insights import job as insights_job
from handoff.insights.outcomes_router import router as insights_outcomes_router
from handoff.insights.router import router as insights_router
from handoff.insights.trends_router import router as insights_trends_router
from handoff.kb import transfer
from handoff.kb.drafts import DraftIndex
from handoff.kb.editor_router import router as kb_editor_router
from handoff.kb.index_router import router as kb_index_router
from handoff.kb.jobs import RebuildJobs
from handoff.kb.rebuild import Rebuilder
from handoff.kb.router import router as kb_router
from handoff.kb.search import LiveSearch
from handoff.limits import DEFAULT_LIMIT, BodyLimit, guard_text, spool_uploads
from handoff.privacy.router import router as privacy_router
from handoff.problems.router import router as problems_router
from handoff.realtime.broker import Broker, LocalBroker
from handoff.tickets.agent_router import router as tickets_agent_router
from handoff.tickets.priority import Sla
from handoff.tickets.router import router as tickets_router
from handoff.users.audit_router import router as audit_router
from handoff.users.dependencies import CurrentStaff
from handoff.users.ratelimit import LoginLimiter
from handoff.users.router import admin as users_admin_router
from handoff.users.router import router as auth_router
from handoff.web.router import router as web_router
from kb_index import Embedder
from kb_index.embedder import load_embedder

log = logging.getLogger("handoff")
# Routes that take more than the default body limit (multipart framing on top of the file).
MULTIPART_OVERHEAD = 64 * 1024


def large_bodies(settings: Settings) -> dict[str, int]:
    """The routes that take more than DEFAULT_LIMIT: imports and attachments."""
    attachment = settings.attachment_max_bytes + MULTIPART_OVERHEAD
    return {
        "POST /api/kb/import": transfer.MAX_UPLOAD + MULTIPART_OVERHEAD,
        "POST /api/chat/sessions/*/attachments": attachment,
        "POST /api/agent/conversations/*/attachments": attachment,
    }


HealthCheck = Callable[[FastAPI], Awaitable[tuple[bool, Any]]]


async def _check_search(app: FastAPI) -> tuple[bool, Any]:
    search: LiveSearch = app.state.search
    if search.index is None:
        return False, search.last_error or "no index loaded"
    return True, {"build": search.build_id, "documents": search.index.meta.get("documents")}


async def _check_bot(app: FastAPI) -> tuple[bool, Any]:
    bot: RasaClient | None = app.state.bot
    if bot is None:
        return True, "not configured"
    return (True, "ok") if await bot.ready() else (False, "Rasa is not reachable")


def _broker(settings: Settings) -> Broker:
    if settings.redis_url:
        from handoff.realtime.redis_broker import RedisBroker

        return RedisBroker(settings.redis_url)
    return LocalBroker()


def _rasa(settings: Settings, transport: httpx.AsyncBaseTransport | None) -> RasaClient | None:
    if not settings.rasa_url:
        return None
    return RasaClient(
        settings.rasa_url,
        settings.rasa_token.get_secret_value(),
        settings.rasa_timeout_seconds,
        transport=transport,
    )


def _flows(app: FastAPI, settings: Settings, search: LiveSearch) -> None:
    """The conversation flows, each built once and handed to the routes by dependencies."""
    open_db = app.state.open_db
    events = app.state.events = Events(app.state.broker)
    chat = app.state.chat = ChatFlow(
        open_db=open_db,
        bot=app.state.bot,
        events=events,
        max_chars=settings.max_message_chars,
        reopen_minutes=settings.reopen_minutes,
        actions=app.state.actions,
    )
    queue = app.state.queue = QueueFlow(
        open_db=open_db,
        events=events,
        hours=settings.hours,
        timeout_minutes=settings.queue_timeout_minutes,
    )
    sla = Sla.of(settings)
    app.state.agent_flow = AgentFlow(chat=chat, queue=queue, sla=sla)
    app.state.notices = NoticeFlow(open_db=open_db, events=events)
    app.state.assistant = AssistantFlow(
        open_db=open_db,
        search=search,
        queue=queue,
        public_url=settings.public_url,
        sla=sla,
        notices=app.state.notices,
    )
    app.state.ticket_listener = TicketUpdates(open_db=open_db, events=events)
    app.state.uploads = UploadFlow(
        open_db=open_db,
        storage=storage.from_settings(settings),
        limits=Limits(settings.attachment_max_bytes, settings.attachment_conversation_max_bytes),
        events=events,
        public_url=settings.public_url,
        chat=chat,
    )
    app.state.live = Live(
        open_db=open_db, broker=app.state.broker, events=events, queue=queue, settings=settings
    )


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    settings: Settings = app.state.settings
    logs.configure(fmt=settings.log_format, level=settings.log_level)
    engine = create_engine(settings.database_url)
    guard_text(engine)
    safeguards.short_waits(engine, settings)
    open_db = create_sessionmaker(engine)
    embedder: Embedder = app.state.embedder or await asyncio.to_thread(
        load_embedder, settings.embedding_model
    )
    app.state.engine, app.state.open_db = engine, open_db
    search = LiveSearch(embedder=embedder, open_db=open_db)
    rebuilder = Rebuilder(open_db=open_db, settings=settings, embedder=embedder, search=search)
    if settings.auto_prepare:
        await bootstrap.prepare(settings=settings, open_db=open_db, rebuilder=rebuilder)
    # A rebuild whose process died (killed mid-run) is failed now, not minutes later.
    await rebuilder.reap_orphans()
    await search.refresh()
    if search.index is None and settings.auto_prepare:
        log.warning("live index unusable; rebuilding", extra={"error": search.last_error})
        await rebuilder.rebuild(requested_by="startup", quality_gate=False, force=True)
    app.state.search = search
    app.state.broker = _broker(settings)
    app.state.login_limiter = LoginLimiter(
        attempts=settings.login_attempts,
        window_seconds=settings.login_window_seconds,
        redis_url=settings.redis_url,
    )
    await app.state.broker.start()
    app.state.bot = _rasa(settings, app.state.bot_transport)
    app.state.actions = (
        ActionServerProbe(settings.actions_url, transport=app.state.bot_transport)
        if settings.rasa_url and settings.actions_url
        else None
    )
    _flows(app, settings, search)
    app.state.rebuild_jobs = RebuildJobs(rebuilder=rebuilder)
    app.state.draft_index = DraftIndex(
        open_db=open_db, search=search, path=settings.index_dir / "draft"
    )
    watcher = asyncio.create_task(app.state.queue.watch_unattended())
    retention = asyncio.create_task(
        safeguards.retention(open_db, app.state.uploads.storage, settings.retention_days)
    )
    insights_rollup = asyncio.create_task(insights_job.every(open_db))
    for startup in app.state.on_startup:
        await startup(app)
    log.info("helpdesk service ready", extra={"url": settings.public_url, "env": settings.env})
    try:
        yield
    finally:
        watcher.cancel()
        retention.cancel()
        insights_rollup.cancel()
        # Wait until they have let go of their database sessions before the engine goes away.
        for task in (watcher, retention, insights_rollup):
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if app.state.live.cleanups:
            await asyncio.wait(app.state.live.cleanups, timeout=10)
        for shutdown in reversed(app.state.on_shutdown):
            await shutdown(app)
        if app.state.bot is not None:
            await app.state.bot.aclose()
        if app.state.actions is not None:
            await app.state.actions.aclose()
        await app.state.broker.close()
        app.state.uploads.close()
        search.close()
        await engine.dispose()


def create_app(
    settings: Settings | None = None,
    *,
    embedder: Embedder | None = None,
    bot_transport: httpx.AsyncBaseTransport | None = None,
) -> FastAPI:
    """Build the ASGI app; tests pass their own settings, a fake embedder, a fake Rasa."""
    settings = settings or get_settings()
    public_docs = settings.env != "production"
    app = FastAPI(
        title="IT self-service helpdesk",
        version="0.1.0",
        description="Conversations, tickets, live handoff and the knowledge base.",
        lifespan=lifespan,
        # /docs with local assets (apidocs); in production the schema is for staff only.
        docs_url=None,
        redoc_url=None,
        openapi_url="/openapi.json" if public_docs else None,
    )
    if public_docs:
        apidocs.install(app)
    app.openapi = lambda: safeguards.openapi(app)  # type: ignore[method-assign]
    if not public_docs:

        @app.get("/openapi.json", include_in_schema=False)
        async def staff_openapi(staff: CurrentStaff) -> dict[str, Any]:
            return app.openapi()

    app.state.settings = settings
    app.state.embedder = embedder
    app.state.bot_transport = bot_transport
    app.state.health_checks = {
        "database": safeguards.check_database,
        "search": _check_search,
        "bot": _check_bot,
        "actions": safeguards.check_actions,
        "redis": safeguards.check_redis,
    }
    app.state.on_startup, app.state.on_shutdown = [], []
    app.include_router(kb_router)
    app.include_router(kb_editor_router)
    app.include_router(kb_index_router)
    app.include_router(insights_router)
    app.include_router(chat_router)
    app.include_router(rating_router)
    app.include_router(insights_outcomes_router)
    app.include_router(insights_trends_router)
    app.include_router(problems_router)
    app.include_router(notice_router)
    app.include_router(tickets_router)
    app.include_router(assistant_router)
    app.include_router(attachment_router)
    app.include_router(auth_router)
    app.include_router(users_admin_router)
    app.include_router(audit_router)
    app.include_router(privacy_router)
    app.include_router(agent_router)
    app.include_router(tickets_agent_router)
    app.include_router(sockets_router)
    app.include_router(web_router)
    if settings.widget_origins:
        from fastapi.middleware.cors import CORSMiddleware

        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.widget_origins,
            allow_methods=["GET", "POST", "PATCH"],
            allow_headers=["Authorization", "Content-Type"],
        )
    if settings.dev_mode:
        app.include_router(dev_router)
    safeguards.install_error_handlers(app)
    _install_middleware(app)
    app.add_middleware(BodyLimit, default=DEFAULT_LIMIT, routes=large_bodies(settings))
    spool_uploads()

    @app.get("/health/live", tags=["operations"])
    async def live() -> dict[str, str]:
        """The process is up (for process supervisors); readiness is /health."""
        return {"status": "ok"}

    @app.get("/health", tags=["operations"])
    async def health() -> JSONResponse:
        """Ready to serve chats and searches: 200 {"status": "ok"}, else 503 with the reasons."""
        checks = {name: await check(app) for name, check in app.state.health_checks.items()}
        ok = all(passed for passed, _ in checks.values())
        body = {
            "status": "ok" if ok else "unavailable",
            "checks": {name: detail for name, (_, detail) in checks.items()},
        }
        return JSONResponse(body, status_code=200 if ok else 503)

    metrics.install(app)
    return app


def _install_middleware(app: FastAPI) -> None:
    app.add_middleware(RequestContext)


class RequestContext:
    """Every request gets an id (x-request-id, kept if the caller sent one) and a log line;
    an unhandled error becomes a 500 with that id instead of a dropped connection.

    A plain ASGI middleware: the body passes through untouched (a screenshot's 30 chunks
    are not each raced against a disconnect, as Starlette's BaseHTTPMiddleware does).
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        request_id = headers.get(b"x-request-id", b"").decode("latin-1") or uuid.uuid4().hex[:16]
        started = time.perf_counter()
        status = 500
        responded = False

        async def send_with_id(message: Message) -> None:
            nonlocal status, responded
            if message["type"] == "http.response.start":
                status, responded = message["status"], True
                message = {
                    **message,
                    "headers": [
                        *message.get("headers", []),
                        (b"x-request-id", request_id.encode("latin-1")),
                    ],
                }
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            log.exception(
                "unhandled error", extra={"request_id": request_id, "path": scope["path"]}
            )
            if responded:
                raise
            response = JSONResponse(
                {"detail": "internal error", "request_id": request_id}, status_code=500
            )
            await response(scope, receive, send_with_id)
        log.info(
            "request",
            extra={
                "request_id": request_id,
                "method": scope["method"],
                "path": scope["path"],
                "status": status,
                "ms": round((time.perf_counter() - started) * 1000, 1),
            },
        )
