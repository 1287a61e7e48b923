"""Safe operation: readiness checks, short database waits, clear errors, retention."""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse
from sqlalchemy import event, insert
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from handoff.attachments.storage import Storage
from handoff.audit.models import AuditEvent
from handoff.config import Settings
from handoff.conversations.rasa import ActionServerProbe
from handoff.database import utcnow
from handoff.limits import UnstorableText
from handoff.privacy import service as privacy_service

log = logging.getLogger("handoff")
RETENTION_EVERY_SECONDS = 24 * 3600


async def check_database(app: FastAPI) -> tuple[bool, Any]:
    """Ready means writable: a row is written and rolled back (a locked or full disk fails)."""
    try:
        async with app.state.open_db() as db:
            await db.execute(
                insert(AuditEvent).values(
                    at=utcnow(), actor="health", action="health", target="", detail={}
                )
            )
            await db.rollback()
    except Exception as exc:  # any driver error means "not ready"
        return False, f"not writable: {type(exc).__name__}"
    return True, "ok"


async def check_actions(app: FastAPI) -> tuple[bool, Any]:
    actions: ActionServerProbe | None = app.state.actions
    if actions is None:
        return True, "not configured"
    return (True, "ok") if await actions.ready() else (False, "action server is not reachable")


async def check_redis(app: FastAPI) -> tuple[bool, Any]:
    """Redis carries live events only: without it chats go on, so it never fails readiness."""
    ping = getattr(app.state.broker, "ping", None)
    if ping is None:
        return True, "not configured"
    return True, "ok" if await ping() else "degraded"


async def retention(open_db: async_sessionmaker[AsyncSession], storage: Storage, days: int) -> None:
    """At start and once a day: delete conversations not updated for HELPDESK_RETENTION_DAYS
    and anonymise the tickets done for as long (0: never)."""
    while days > 0:
        try:
            async with open_db() as db:
                changed = await privacy_service.expire(db=db, storage=storage, days=days)
                await db.commit()
            if changed.get("conversations deleted") or changed.get("tickets anonymised"):
                log.info("retention applied", extra={"changed": changed, "days": days})
        except Exception:
            log.exception("retention job failed; trying again tomorrow")
        await asyncio.sleep(RETENTION_EVERY_SECONDS)


def openapi(app: FastAPI) -> dict[str, Any]:
    """The schema, saying that a 422's detail is field errors or one sentence (both occur)."""
    if app.openapi_schema is None:
        schema = get_openapi(
            title=app.title, version=app.version, description=app.description, routes=app.routes
        )
        errors = schema.get("components", {}).get("schemas", {}).get("HTTPValidationError")
        if errors is not None:
            listed = errors["properties"]["detail"]
            errors["properties"]["detail"] = {
                "title": "Detail",
                "anyOf": [{k: v for k, v in listed.items() if k != "title"}, {"type": "string"}],
            }
        app.openapi_schema = schema
    return app.openapi_schema


def short_waits(engine: AsyncEngine, settings: Settings) -> None:
    """A request waits HELPDESK_DB_BUSY_SECONDS for a locked database, then gets 503."""
    millis = int(settings.db_busy_seconds * 1000)

    @event.listens_for(engine.sync_engine, "connect")
    def _busy_timeout(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        if settings.is_sqlite:
            cursor.execute(f"PRAGMA busy_timeout={millis}")
        else:
            cursor.execute(f"SET lock_timeout = {millis}")
        cursor.close()


async def _database_busy(request: Request, exc: Exception) -> JSONResponse:
    log.warning("database busy or unavailable", extra={"error": str(exc)[:200]})
    return JSONResponse(
        {
            "detail": "the database is busy or unavailable: nothing was saved, send it again",
            "kept": False,
        },
        status_code=503,
        headers={"Retry-After": "5"},
    )


async def _unstorable(request: Request, exc: Exception) -> JSONResponse:
    return JSONResponse({"detail": str(exc)}, status_code=422)


async def _invalid(request: Request, exc: Exception) -> Response:
    """422 as FastAPI words it, in ASCII JSON: the echoed input may hold lone surrogates."""
    assert isinstance(exc, RequestValidationError)
    body = json.dumps({"detail": jsonable_encoder(exc.errors())}, ensure_ascii=True)
    return Response(body, status_code=422, media_type="application/json")


def install_error_handlers(app: FastAPI) -> None:
    """Clear 4xx/503 answers instead of 500s for unstorable text, bad input, a busy database."""
    app.add_exception_handler(UnstorableText, _unstorable)
    app.add_exception_handler(RequestValidationError, _invalid)
    app.add_exception_handler(OperationalError, _database_busy)
    app.add_exception_handler(PoolTimeout, _database_busy)  # every connection busy too long
