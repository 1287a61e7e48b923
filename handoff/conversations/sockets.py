"""WebSockets: /ws/chat/{id} for the widget, /ws/agent for the console.

A client that (re)connects says which sequence number it has; it first gets
what it missed from the database, then live events, never a message twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import uuid
from collections.abc import AsyncIterator, Coroutine
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import APIRouter, Depends, WebSocket, WebSocketDisconnect
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.requests import HTTPConnection

from handoff.auth.dependencies import employee_for_websocket
from handoff.config import Settings
from handoff.realtime import channels
from handoff.realtime.broker import Broker, encode
from handoff.users import service as user_service
from handoff.users.dependencies import SESSION_COOKIE
from handoff.users.models import User

from . import store
from .events import Events
from .queue import QueueFlow

log = logging.getLogger(__name__)
router = APIRouter()
HEARTBEAT_SECONDS = 20
MAX_FRAME = 16_384


@dataclass
class Live:
    """What the sockets need of the app; built once in the lifespan."""

    open_db: async_sessionmaker[AsyncSession]
    broker: Broker
    events: Events
    queue: QueueFlow
    settings: Settings
    # Clean-up tasks of closed sockets; the lifespan waits for them before the engine goes.
    cleanups: set[asyncio.Task[None]] = field(default_factory=set)

    def finish_later(self, work: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
        """Run clean-up work to its end as its own task, held until it is done."""
        task = asyncio.create_task(work)
        self.cleanups.add(task)
        task.add_done_callback(self.cleanups.discard)
        return task


def get_live(connection: HTTPConnection) -> Live:
    live: Live = connection.app.state.live
    return live


LiveDep = Annotated[Live, Depends(get_live)]


class Replay:
    """Sends stored messages after `seq`, then live ones: in order, each exactly once."""

    def __init__(
        self, websocket: WebSocket, open_db: async_sessionmaker[AsyncSession], *, internal: bool
    ) -> None:
        self.websocket = websocket
        self.open_db = open_db
        self.internal = internal  # agents also get internal notes
        self.sent: dict[str, int] = {}

    async def catch_up(self, conversation_id: str, after: int) -> None:
        """Send what is stored after `after` (or after what was sent, if later)."""
        self.sent[conversation_id] = max(after, self.sent.get(conversation_id, 0))
        async with self.open_db() as db:
            messages = await store.transcript(
                db=db,
                conversation_id=conversation_id,
                after=self.sent[conversation_id],
                include_internal=self.internal,
            )
        for message in messages:
            await self._send_message(conversation_id, store.message_json(message))

    async def forward(self, event: dict[str, Any]) -> None:
        if event.get("type") != "message":
            await self.websocket.send_text(encode(event))
            return
        cid, seq = event["conversation_id"], event["message"]["seq"]
        last = self.sent.get(cid, 0)
        if seq <= last:
            return  # sent already (replayed, or a second channel)
        if seq > last + 1:
            # Events of two writers may arrive out of order; what is missing is stored
            # already (sequence numbers are taken in commit order), so fill the gap first.
            await self.catch_up(cid, last)
            if seq <= self.sent.get(cid, 0):
                return
        await self._send_message(cid, event["message"], event.get("locale"))

    async def _send_message(
        self, cid: str, message: dict[str, Any], locale: str | None = None
    ) -> None:
        if message["seq"] <= self.sent.get(cid, 0):
            return
        self.sent[cid] = message["seq"]
        event: dict[str, Any] = {"type": "message", "conversation_id": cid, "message": message}
        if locale:
            event["locale"] = locale
        await self.websocket.send_text(encode(event))


async def _receive(websocket: WebSocket) -> dict[str, Any] | None:
    """The next JSON object frame; anything else gets an error frame and None."""
    message = await websocket.receive()
    if message["type"] == "websocket.disconnect":
        raise WebSocketDisconnect(message.get("code", 1000))
    raw = message.get("text")
    if raw is None:
        await _error(websocket, "frames are JSON text, not binary")
        return None
    if len(raw) > MAX_FRAME:
        await _error(websocket, f"frame larger than {MAX_FRAME} characters")
        return None
    try:
        frame = json.loads(raw)
    except ValueError:
        await _error(websocket, "frames are JSON")
        return None
    if not isinstance(frame, dict):
        await _error(websocket, "a frame is a JSON object")
        return None
    return frame


async def _error(websocket: WebSocket, detail: str) -> None:
    await websocket.send_text(encode({"type": "error", "detail": detail}))


async def _refuse(websocket: WebSocket, code: int, reason: str) -> None:
    """Accept, then close with the code: a refused handshake would show browsers only 1006."""
    await websocket.accept()
    await websocket.close(code=code, reason=reason)


def _sequence(value: Any) -> int | None:
    """A client's last sequence number (a non-negative integer), or None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int) or (isinstance(value, str) and value.isdigit()):
        number = int(value)
        return number if 0 <= number < 2**62 else None
    return None


async def _pump(events: AsyncIterator[dict[str, Any]], replay: Replay) -> None:
    try:
        async for event in events:
            await replay.forward(event)
    except Exception as exc:  # the socket is gone; the receive loop ends the handler
        log.debug("websocket pump ended", extra={"error": str(exc)})


async def _stop(*tasks: asyncio.Task[None]) -> None:
    for task in tasks:
        task.cancel()
    for task in tasks:
        with contextlib.suppress(asyncio.CancelledError):
            await task


@router.websocket("/ws/chat/{conversation_id}")
async def chat_socket(
    websocket: WebSocket, conversation_id: str, live: LiveDep, token: str = "", after: str = "0"
) -> None:
    """The employee's live channel for one conversation (token: the employee token)."""
    employee = employee_for_websocket(token, live.settings)
    if employee is None:
        await _refuse(websocket, 4401, "employee token required")
        return
    start = _sequence(after)
    if start is None:
        await _refuse(websocket, 4400, "after is a sequence number (a non-negative integer)")
        return
    async with live.open_db() as db:
        try:
            await store.get_for_employee(db=db, conversation_id=conversation_id, employee=employee)
        except store.ConversationNotFound:
            await _refuse(websocket, 4404, "conversation not found")
            return
    await websocket.accept()
    replay = Replay(websocket, live.open_db, internal=False)
    heard = (channels.conversation(conversation_id), channels.employee(employee.id))
    async with live.broker.subscribe(*heard) as events:
        await replay.catch_up(conversation_id, start)
        pump = asyncio.create_task(_pump(events, replay))
        try:
            while True:
                frame = await _receive(websocket)
                if frame and frame.get("type") == "typing":
                    await live.events.typing(conversation_id, who="employee")
                elif frame and frame.get("type") == "ping":
                    await websocket.send_text(encode({"type": "pong"}))
        except WebSocketDisconnect:
            pass
        finally:
            await _stop(pump)


async def _agent_for(websocket: WebSocket, live: Live, token: str) -> User | None:
    cookie = websocket.cookies.get(SESSION_COOKIE)
    if cookie:
        origin = websocket.headers.get("origin", "")
        if origin and origin.rstrip("/") not in live.settings.allowed_origins:
            return None
    secret, kind = (cookie, "cookie") if cookie else (token, "bearer")
    if not secret:
        return None
    async with live.open_db() as db:
        found = await user_service.session_user(db=db, token=secret, kind=kind)
    if found is None or not found[0].can("agent"):
        return None
    return found[0]


@router.websocket("/ws/agent")
async def agent_socket(websocket: WebSocket, live: LiveDep, token: str = "") -> None:
    """An agent console: queue events always, chats it watches on request."""
    agent = await _agent_for(websocket, live, token)
    if agent is None:
        await _refuse(websocket, 4401, "agent login required")
        return
    await websocket.accept()
    connection = uuid.uuid4().hex
    replay = Replay(websocket, live.open_db, internal=True)
    watchers: dict[str, asyncio.Task[None]] = {}
    async with live.broker.subscribe(channels.AGENTS) as events:
        async with live.open_db() as db:
            await user_service.heartbeat(db=db, connection_id=connection, user=agent)
        await live.queue.presence_changed()
        pump = asyncio.create_task(_pump(events, replay))
        beat = asyncio.create_task(_heartbeats(live, connection, agent))
        try:
            while True:
                frame = await _receive(websocket)
                if frame:
                    await _agent_frame(websocket, live, frame, replay, watchers)
        except WebSocketDisconnect:
            pass
        finally:
            for task in [pump, beat, *watchers.values()]:
                task.cancel()
            # Shielded: a handler cancelled at disconnect or shutdown must not abandon a
            # database call half-way (the lifespan waits for these before closing the engine).
            await asyncio.shield(live.finish_later(_leave(live, connection)))


async def _leave(live: Live, connection: str) -> None:
    async with live.open_db() as db:
        await user_service.leave(db=db, connection_id=connection)
    await live.queue.presence_changed()


async def _agent_frame(
    websocket: WebSocket,
    live: Live,
    frame: dict[str, Any],
    replay: Replay,
    watchers: dict[str, asyncio.Task[None]],
) -> None:
    kind, cid = frame.get("type"), str(frame.get("conversation_id") or "")
    if kind == "watch" and cid and cid not in watchers:
        after = _sequence(frame.get("after") or 0)
        if after is None:
            await _error(websocket, "after is a sequence number (a non-negative integer)")
            return
        ready = asyncio.Event()
        watchers[cid] = asyncio.create_task(_watch(live.broker, cid, replay, ready))
        await ready.wait()
        await replay.catch_up(cid, after)
    elif kind == "unwatch" and cid in watchers:
        watchers.pop(cid).cancel()
    elif kind == "typing" and cid:
        await live.events.typing(cid, who="agent")
    elif kind == "ping":
        await websocket.send_text(encode({"type": "pong"}))


async def _watch(broker: Broker, cid: str, replay: Replay, ready: asyncio.Event) -> None:
    heard = (channels.agent_conversation(cid), channels.conversation(cid))
    async with broker.subscribe(*heard) as events:
        ready.set()
        async for event in events:
            if event.get("type") == "typing" and event.get("who") == "agent":
                continue
            await replay.forward(event)


async def _heartbeats(live: Live, connection: str, agent: User) -> None:
    while True:
        await asyncio.sleep(HEARTBEAT_SECONDS)
        async with live.open_db() as db:
            await user_service.heartbeat(db=db, connection_id=connection, user=agent)
