"""Live transport through the real WebSocket endpoints (Starlette's test client)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from handoff.auth.employees import issue_token
from handoff.main import create_app

from ..conftest import make_settings
from ..fakes import FakeEmbedder, FakeRasa


class Live:
    def __init__(self, client: TestClient, rasa: FakeRasa) -> None:
        self.client = client
        self.rasa = rasa
        settings = client.app.state.settings  # type: ignore[attr-defined]
        self.token = issue_token(
            secret=settings.employee_token_secret.get_secret_value(),
            issuer=settings.employee_token_issuer,
            email="anna.berger@brandt.example",
            name="Anna Berger",
        )
        self.employee = {"Authorization": f"Bearer {self.token}"}
        self.service = {"Authorization": f"Bearer {settings.service_token.get_secret_value()}"}

    def chat(self) -> str:
        return str(
            self.client.post(
                "/api/chat/sessions", json={"locale": "de"}, headers=self.employee
            ).json()["conversation_id"]
        )

    def say(self, cid: str, text: str) -> dict[str, Any]:
        return dict(
            self.client.post(
                f"/api/chat/sessions/{cid}/messages", json={"text": text}, headers=self.employee
            ).json()
        )

    def queue(self, cid: str) -> None:
        self.client.post(
            f"/api/internal/conversations/{cid}/handoff",
            json={"reason": "requested"},
            headers=self.service,
        )

    def agent(self, name: str = "Anna Schmidt") -> dict[str, str]:
        from handoff.users import service as user_service

        async def create() -> None:
            async with self.client.app.state.open_db() as db:  # type: ignore[attr-defined]
                await user_service.create_user(
                    db=db,
                    username=name.split()[0].lower(),
                    password="long enough pw",
                    role="agent",
                    display_name=name,
                )
                await db.commit()

        self.client.portal.call(create)  # type: ignore[union-attr]
        token = self.client.post(
            "/api/auth/login",
            json={"username": name.split()[0].lower(), "password": "long enough pw"},
        ).json()["token"]
        self.client.cookies.clear()
        return {"Authorization": f"Bearer {token}", "token": token}


@pytest.fixture
def live(tmp_path: Path) -> Iterator[Live]:
    rasa = FakeRasa()
    app = create_app(
        make_settings(tmp_path), embedder=FakeEmbedder(), bot_transport=rasa.transport()
    )
    with TestClient(app) as client:
        yield Live(client, rasa)


def _next(ws: Any, kind: str, limit: int = 20) -> dict[str, Any]:
    for _ in range(limit):
        event = json.loads(ws.receive_text())
        if event["type"] == kind:
            return dict(event)
    raise AssertionError(f"no {kind} event")


def test_the_widget_socket_needs_the_employees_token(live: Live) -> None:
    cid = live.chat()
    with (
        pytest.raises(WebSocketDisconnect) as closed,
        live.client.websocket_connect(f"/ws/chat/{cid}") as ws,
    ):
        ws.receive_text()
    assert closed.value.code == 4401
    other = issue_token(
        secret=live.client.app.state.settings.employee_token_secret.get_secret_value(),  # type: ignore[attr-defined]
        issuer="intranet",
        email="ben@brandt.example",
        name="Ben",
    )
    with (
        pytest.raises(WebSocketDisconnect) as closed,
        live.client.websocket_connect(f"/ws/chat/{cid}?token={other}") as ws,
    ):
        ws.receive_text()
    assert closed.value.code == 4404


def test_reconnecting_gets_what_was_missed_and_no_duplicates(live: Live) -> None:
    cid = live.chat()
    live.say(cid, "eins")  # seq 1 user, 2 bot
    with live.client.websocket_connect(f"/ws/chat/{cid}?token={live.token}&after=0") as ws:
        seen = [_next(ws, "message")["message"]["seq"] for _ in range(2)]
        live.say(cid, "zwei")  # seq 3, 4 arrive live
        seen += [_next(ws, "message")["message"]["seq"] for _ in range(2)]
    assert seen == [1, 2, 3, 4]
    live.say(cid, "drei")  # seq 5, 6 while disconnected
    with live.client.websocket_connect(f"/ws/chat/{cid}?token={live.token}&after=4") as ws:
        again = [_next(ws, "message")["message"] for _ in range(2)]
        live.say(cid, "vier")
        again += [_next(ws, "message")["message"] for _ in range(2)]
        ws.send_text(json.dumps({"type": "ping"}))
        assert _next(ws, "pong")["type"] == "pong"
    assert [m["seq"] for m in again] == [5, 6, 7, 8]
    assert [m["text"] for m in again if m["sender"] == "user"] == ["drei", "vier"]


def test_agent_and_employee_talk_live_and_notes_stay_private(live: Live) -> None:
    agent = live.agent()
    cid = live.chat()
    with live.client.websocket_connect(f"/ws/agent?token={agent['token']}") as console:
        assert _next(console, "presence")["agents_online"] == 1
        live.say(cid, "Ich brauche Hilfe")
        live.queue(cid)
        waiting = _next(console, "chat_waiting")
        assert waiting["conversation_id"] == cid and waiting["employee"] == "Anna Berger"
        headers = {"Authorization": agent["Authorization"]}
        assert (
            live.client.post(f"/api/agent/conversations/{cid}/claim", headers=headers).status_code
            == 200
        )
        console.send_text(json.dumps({"type": "watch", "conversation_id": cid, "after": 0}))
        with live.client.websocket_connect(f"/ws/chat/{cid}?token={live.token}&after=2") as ws:
            live.client.post(
                f"/api/agent/conversations/{cid}/notes",
                json={"text": "nur intern"},
                headers=headers,
            )
            live.client.post(
                f"/api/agent/conversations/{cid}/messages",
                json={"text": "Hallo, hier ist Anna"},
                headers=headers,
            )
            employee_sees = [_next(ws, "message")["message"] for _ in range(2)]
            ws.send_text(json.dumps({"type": "typing"}))
            live.say(cid, "Super, danke")
            console_sees: list[dict[str, Any]] = []
            while not any(
                e["type"] == "message" and e["message"]["text"] == "Super, danke"
                for e in console_sees
            ):
                assert len(console_sees) < 30
                event = json.loads(console.receive_text())
                if event["type"] in ("message", "typing"):
                    console_sees.append(event)
    employee_texts = [m["text"] for m in employee_sees]
    assert "nur intern" not in employee_texts
    assert employee_texts[-1] == "Hallo, hier ist Anna"
    texts = [e["message"]["text"] for e in console_sees if e["type"] == "message"]
    assert "nur intern" in texts and texts[-1] == "Super, danke"
    assert any(e["type"] == "typing" and e["who"] == "employee" for e in console_sees)
    seqs = [e["message"]["seq"] for e in console_sees if e["type"] == "message"]
    assert seqs == sorted(set(seqs))


def test_the_agent_socket_refuses_employees(live: Live) -> None:
    with (
        pytest.raises(WebSocketDisconnect) as closed,
        live.client.websocket_connect(f"/ws/agent?token={live.token}") as ws,
    ):
        ws.receive_text()
    assert closed.value.code == 4401


async def test_out_of_order_events_are_delivered_in_order_exactly_once(
    sqlite_helpdesk: Any,
) -> None:
    """Two writers' events may arrive swapped; the socket still sends 1, 2, 3 once each."""
    from types import SimpleNamespace

    from handoff.conversations import store
    from handoff.conversations.sockets import Replay

    cid = await sqlite_helpdesk.start_chat(sqlite_helpdesk.as_employee())
    events = []
    async with sqlite_helpdesk.app.state.open_db() as db:
        conversation = await store.get(db=db, conversation_id=cid)
        for text in ("eins", "zwei", "drei"):
            message = await store.add_message(
                db=db, conversation=conversation, sender="user", text=text
            )
            events.append(
                {
                    "type": "message",
                    "conversation_id": cid,
                    "message": store.message_json(message),
                }
            )
        await db.commit()
    sent: list[dict[str, Any]] = []

    async def send_text(text: str) -> None:
        sent.append(json.loads(text))

    socket = SimpleNamespace(send_text=send_text)
    open_db = sqlite_helpdesk.app.state.open_db
    replay = Replay(socket, open_db, internal=False)  # type: ignore[arg-type]
    replay.sent[cid] = 0
    for index in (1, 0, 2, 2, 1):
        await replay.forward(events[index])
    assert [e["message"]["text"] for e in sent] == ["eins", "zwei", "drei"]


def test_closing_with_a_resolution_tells_the_widget_the_ticket_is_resolved(live: Live) -> None:
    cid = live.chat()
    live.say(cid, "Mein Monitor bleibt schwarz")
    live.queue(cid)
    agent = live.agent()
    headers = {"Authorization": agent["Authorization"]}
    live.client.post(f"/api/agent/conversations/{cid}/claim", headers=headers)
    with live.client.websocket_connect(f"/ws/chat/{cid}?token={live.token}") as ws:
        message = _next(ws, "message")
        assert message["message"]["seq"] >= 1 and "locale" not in message  # a replay
        live.client.post(
            f"/api/agent/conversations/{cid}/close",
            json={"resolution": "Treiber aktualisiert"},
            headers=headers,
        )
        ticket = _next(ws, "ticket")
    assert ticket["ticket"]["status"] == "resolved"


def test_live_messages_say_the_chats_language(live: Live) -> None:
    cid = live.chat()
    with live.client.websocket_connect(f"/ws/chat/{cid}?token={live.token}") as ws:
        live.say(cid, "how do I share my calendar with a colleague?")
        event = _next(ws, "message")
    assert event["message"]["sender"] == "user" and event["locale"] == "en"
