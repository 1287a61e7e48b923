"""What the service accepts: a byte limit on request bodies, and only storable text.

A pure ASGI middleware: a declared `Content-Length` over the limit is refused before the
body is read; otherwise every chunk is counted as the app reads it, and the first byte
over the limit stops the read and turns the answer into 413. Some routes (an import of
the whole knowledge base) may take more than the default. Text that no database can store
is refused at the one place every write passes, the engine, so that it is a 422 everywhere.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartParser
from starlette.types import ASGIApp, Message, Receive, Scope, Send

DEFAULT_LIMIT = 1_000_000
# An uploaded file is held in memory up to this size, then written to a temporary file. Only
# UPLOADS_AT_ONCE uploads are read at a time (the rest wait unread), so this bounds memory at
# a few MB. An ordinary screenshot stays in memory: once spooled to disk, Starlette writes
# every chunk of ~64 KB through a worker thread, and those hand-offs cost the event loop
# about a fifth of an upload's CPU.
UPLOAD_SPOOL = 4 * 1024 * 1024


def spool_uploads() -> None:
    """Keep uploads in memory only up to UPLOAD_SPOOL bytes each (the multipart parser's
    setting is per class, so it holds for every form of the process)."""
    MultiPartParser.spool_max_size = UPLOAD_SPOOL


class BodyTooLarge(HTTPException):
    """The request body is larger than its route allows."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, too_large(limit))
        self.limit = limit


def too_large(limit: int) -> str:
    return f"request body larger than {limit} bytes"


class BodyLimit:
    """Refuse request bodies over `default` bytes (or the route's own limit) with 413."""

    def __init__(
        self, app: ASGIApp, *, default: int = DEFAULT_LIMIT, routes: Mapping[str, int] | None = None
    ) -> None:
        self.app = app
        self.default = default
        # "METHOD /path", where a "*" stands for one path segment (an id).
        self.routes = [
            (re.compile(re.escape(route).replace(r"\*", "[^/]+") + "$"), limit)
            for route, limit in (routes or {}).items()
        ]

    def limit_for(self, method: str, path: str) -> int:
        """The limit of the first route entry matching `METHOD /path`, else the default."""
        request = f"{method} {path}"
        return next((limit for route, limit in self.routes if route.match(request)), self.default)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope["method"], scope["path"])
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await _refuse(send, limit)
            return
        await _Counted(self.app, limit)(scope, receive, send)


class _Counted:
    """One request: counts the body bytes read; over the limit, the answer becomes 413."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app, self.limit = app, limit
        self.read = 0
        self.exceeded = False
        self.started = False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def counted_receive() -> Message:
            message = await receive()
            if message["type"] == "http.request":
                self.read += len(message.get("body", b""))
                if self.read > self.limit:
                    self.exceeded = True
                    raise BodyTooLarge(self.limit)
            return message

        async def guarded_send(message: Message) -> None:
            if self.exceeded:
                # Whatever the app made of the interrupted read, the client gets 413.
                if message["type"] == "http.response.start" and not self.started:
                    self.started = True
                    await _refuse(send, self.limit)
                return
            if message["type"] == "http.response.start":
                self.started = True
            await send(message)

        try:
            await self.app(scope, counted_receive, guarded_send)
        except BodyTooLarge:
            if not self.started:
                self.started = True
                await _refuse(send, self.limit)


def _content_length(scope: Scope) -> int | None:
    headers: list[tuple[bytes, bytes]] = scope.get("headers", [])
    for name, value in headers:
        if name == b"content-length":
            text = value.decode("latin-1").strip()
            return int(text) if text.isdigit() else None
    return None


async def _refuse(send: Send, limit: int) -> None:
    body = json.dumps({"detail": too_large(limit), "limit": limit}).encode()
    start: dict[str, Any] = {
        "type": "http.response.start",
        "status": 413,
        "headers": [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            (b"connection", b"close"),
        ],
    }
    await send(start)
    await send({"type": "http.response.body", "body": body})


# Text that no database stores: NUL (PostgreSQL refuses it) and lone UTF-16 surrogates
# (not encodable as UTF-8), as JSON's "\u0000" and "\ud800" escapes can produce them.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


class UnstorableText(ValueError):
    """A text value holds a NUL character or a lone surrogate."""


def clean_text(text: str) -> str:
    """Drop NUL characters and lone surrogates from text."""
    return _UNSTORABLE.sub("", text)


def check_parameters(parameters: Any) -> None:
    """Raise UnstorableText if a statement's parameters hold text no database stores."""
    values: Iterable[Any]
    if isinstance(parameters, Mapping):
        values = parameters.values()
    elif isinstance(parameters, list | tuple):
        values = parameters
    else:
        values = (parameters,)
    for value in values:
        if isinstance(value, str):
            if _UNSTORABLE.search(value):
                raise UnstorableText("text may not contain NUL characters or lone surrogates")
        elif isinstance(value, Mapping | list | tuple):
            check_parameters(value)


def guard_text(engine: AsyncEngine) -> None:
    """Refuse unstorable text before the driver sees it, the same on every database."""

    @event.listens_for(engine.sync_engine, "before_cursor_execute")
    def _check(_conn: Any, _cursor: Any, _sql: str, parameters: Any, *_: Any) -> None:
        check_parameters(parameters)
