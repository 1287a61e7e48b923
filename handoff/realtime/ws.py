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
from collections.abc import Coroutine
from typing import Any

from fastapi import APIRouter, WebSocket, WebSocketDisconnect

from handoff.auth.dependencies import employee_for_websocket
from handoff.conversations import service as conversation_service
from handoff.users import service as user_service
from handoff.users.dependencies import SESSION_COOKIE
from handoff.users.models import User

from .broker import encode

log = logging.getLogger(__name__)
router = APIRouter()
HEARTBEAT_SECONDS = 20
MAX_FRAME = 16_384


class Replay:
    """Sends stored messages after `seq`, then live ones: in order, each exactly once."""

    def __init__(self, websocket: WebSocket, *, internal: bool) -> None:
        self.websocket = websocket
        self.internal = internal  # agents also get internal notes
        self.sent: dict[str, int] = {}

    async def catch_up(self, conversation_id: str, after: int) -> None:
        """Send what is stored after `after` (or after what was sent, if later)."""
        self.sent[conversation_id] = max(after, self.sent.get(conversation_id, 0))
        async with self.websocket.app.state.sessions() as session:
            messages = await conversation_service.transcript(
                session=session,
                conversation_id=conversation_id,
                after=self.sent[conversation_id],
                include_internal=self.internal,
            )
        for message in messages:
            await self._send_message(conversation_id, conversation_service.message_json(message))

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
        await self._send_message(cid, event["message"])

    async def _send_message(self, cid: str, message: dict[str, Any]) -> None:
        if message["seq"] <= self.sent.get(cid, 0):
            return
        self.sent[cid] = message["seq"]
        await self.websocket.send_text(
            encode({"type": "message", "conversation_id": cid, "message": message})
        )


async def _receive(websocket: WebSocket) -> dict[str, Any] | None:
    raw = await websocket.receive_text()
    if len(raw) > MAX_FRAME:
        await websocket.send_text(encode({"type": "error", "detail": "frame too large"}))
        return None
    try:
        frame = json.loads(raw)
    except ValueError:
        await websocket.send_text(encode({"type": "error", "detail": "frames are JSON"}))
        return None
    return frame if isinstance(frame, dict) else None


@router.websocket("/ws/chat/{conversation_id}")
async def chat_socket(
    websocket: WebSocket, conversation_id: str, token: str = "", after: int = 0
) -> None:
    """The employee's live channel for one conversation (token: the employee token)."""
    employee = employee_for_websocket(websocket, token)
    if employee is None:
        await websocket.close(code=4401, reason="employee token required")
        return
    async with websocket.app.state.sessions() as session:
        try:
            await conversation_service.get_for_employee(
                session=session, conversation_id=conversation_id, employee=employee
            )
        except conversation_service.ConversationNotFound:
            await websocket.close(code=4404, reason="conversation not found")
            return
    await websocket.accept()
    broker = websocket.app.state.broker
    replay = Replay(websocket, internal=False)
    channels = (f"conversation:{conversation_id}", f"employee:{employee.id}")
    async with broker.subscribe(*channels) as events:
        await replay.catch_up(conversation_id, after)
        pump = asyncio.create_task(_pump(events, replay))
        try:
            while True:
                frame = await _receive(websocket)
                if frame and frame.get("type") == "typing":
                    await broker.publish(
                        f"agent-conversation:{conversation_id}",
                        {"type": "typing", "conversation_id": conversation_id, "who": "employee"},
                    )
                elif frame and frame.get("type") == "ping":
                    await websocket.send_text(encode({"type": "pong"}))
        except WebSocketDisconnect:
            pass
        finally:
            pump.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await pump


async def _pump(events: Any, replay: Replay) -> None:
    try:
        async for event in events:
            await replay.forward(event)
    except Exception as exc:  # the socket is gone; the receive loop ends the handler
        log.debug("websocket pump ended", extra={"error": str(exc)})


async def _agent_for(websocket: WebSocket, token: str) -> User | None:
    settings = websocket.app.state.settings
    cookie = websocket.cookies.get(SESSION_COOKIE)
    if cookie:
        origin = websocket.headers.get("origin", "")
        if origin and origin.rstrip("/") not in settings.allowed_origins:
            return None
    secret, kind = (cookie, "cookie") if cookie else (token, "bearer")
    if not secret:
        return None
    async with websocket.app.state.sessions() as session:
        found = await user_service.session_user(session=session, token=secret, kind=kind)
    if found is None or not found[0].can("agent"):
        return None
    return found[0]


@router.websocket("/ws/agent")
async def agent_socket(websocket: WebSocket, token: str = "") -> None:
    """An agent console: queue events always, chats it watches on request."""
    agent = await _agent_for(websocket, token)
    if agent is None:
        await websocket.close(code=4401, reason="agent login required")
        return
    await websocket.accept()
    app = websocket.app
    connection = uuid.uuid4().hex
    replay = Replay(websocket, internal=True)
    watchers: dict[str, asyncio.Task[None]] = {}
    async with app.state.broker.subscribe("agents") as events:
        async with app.state.sessions() as session:
            await user_service.heartbeat(session=session, connection_id=connection, user=agent)
        await app.state.queue.presence_changed()
        pump = asyncio.create_task(_pump(events, replay))
        beat = asyncio.create_task(_heartbeats(app, connection, agent))
        try:
            while True:
                frame = await _receive(websocket)
                if not frame:
                    continue
                await _agent_frame(websocket, frame, replay, watchers)
        except WebSocketDisconnect:
            pass
        finally:
            for task in [pump, beat, *watchers.values()]:
                task.cancel()
            # Shielded: a handler cancelled at disconnect or shutdown must not abandon a
            # database call half-way (the lifespan waits for these before closing the engine).
            await asyncio.shield(finish_later(app, _leave(app, connection)))


async def _leave(app: Any, connection: str) -> None:
    async with app.state.sessions() as session:
        await user_service.leave(session=session, connection_id=connection)
    await app.state.queue.presence_changed()


def finish_later(app: Any, work: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
    """Run clean-up work to its end as its own task; app.state.cleanups holds it until then."""
    task = asyncio.create_task(work)
    app.state.cleanups.add(task)
    task.add_done_callback(app.state.cleanups.discard)
    return task


async def _agent_frame(
    websocket: WebSocket,
    frame: dict[str, Any],
    replay: Replay,
    watchers: dict[str, asyncio.Task[None]],
) -> None:
    kind, cid = frame.get("type"), str(frame.get("conversation_id") or "")
    broker = websocket.app.state.broker
    if kind == "watch" and cid and cid not in watchers:
        ready = asyncio.Event()
        watchers[cid] = asyncio.create_task(_watch(websocket, broker, cid, replay, ready))
        await ready.wait()
        await replay.catch_up(cid, int(frame.get("after") or 0))
    elif kind == "unwatch" and cid in watchers:
        watchers.pop(cid).cancel()
    elif kind == "typing" and cid:
        await broker.publish(
            f"conversation:{cid}", {"type": "typing", "conversation_id": cid, "who": "agent"}
        )
    elif kind == "ping":
        await websocket.send_text(encode({"type": "pong"}))


async def _watch(
    websocket: WebSocket, broker: Any, cid: str, replay: Replay, ready: asyncio.Event
) -> None:
    async with broker.subscribe(f"agent-conversation:{cid}", f"conversation:{cid}") as events:
        ready.set()
        async for event in events:
            if event.get("type") == "typing" and event.get("who") == "agent":
                continue
            await replay.forward(event)


async def _heartbeats(app: Any, connection: str, agent: User) -> None:
    while True:
        await asyncio.sleep(HEARTBEAT_SECONDS)
        async with app.state.sessions() as session:
            await user_service.heartbeat(session=session, connection_id=connection, user=agent)
