"""Rasa answers nothing when its action server is down: the employee is told, /health too."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager
from sqlalchemy import select

from handoff.auth.employees import issue_token
from handoff.conversations.models import Message
from handoff.main import create_app

from ..conftest import make_settings
from ..fakes import FakeEmbedder, FakeRasa


class RasaWithoutActions(FakeRasa):
    """Rasa up, its action server not: a message gets nothing, or the fallback."""

    def __init__(self, fallback: bool) -> None:
        super().__init__()
        self.actions_down = True
        self.fallback = fallback
        self.on_message = self._nothing

    async def _nothing(self, sender: str, text: str, metadata: dict[str, Any]) -> list[Any]:
        if not self.actions_down:
            return [{"recipient_id": sender, "text": f"echo: {text}"}]
        # Where the failed action would have answered, Rasa's fallback may speak instead.
        said = "Das habe ich leider nicht verstanden."
        return [{"recipient_id": sender, "text": said}] if self.fallback else []

    async def handle(self, request: httpx.Request) -> httpx.Response:
        if request.url.port == 5055 and self.actions_down:
            raise httpx.ConnectError("action server down")
        return await super().handle(request)


@pytest.mark.parametrize("fallback", [False, True], ids=["nothing", "fallback"])
async def test_a_bot_with_its_action_server_down_is_reported(
    tmp_path: Path, fallback: bool
) -> None:
    rasa = RasaWithoutActions(fallback)
    app = create_app(
        make_settings(tmp_path), embedder=FakeEmbedder(), bot_transport=rasa.transport()
    )
    async with LifespanManager(app, startup_timeout=120):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://helpdesk.test") as c:
            health = await c.get("/health")
            assert health.status_code == 503
            assert health.json()["checks"]["actions"] == "action server is not reachable"
            settings = app.state.settings
            token = issue_token(
                secret=settings.employee_token_secret.get_secret_value(),
                issuer=settings.employee_token_issuer,
                email="anna@brandt.example",
                name="Anna",
            )
            headers = {"Authorization": f"Bearer {token}"}
            cid = (await c.post("/api/chat/sessions", json={}, headers=headers)).json()[
                "conversation_id"
            ]
            reply = await c.post(
                f"/api/chat/sessions/{cid}/messages",
                json={"text": "VPN geht nicht"},
                headers=headers,
            )
            messages = reply.json()["messages"]
            assert [m["sender"] for m in messages] == ["system"]
            async with app.state.open_db() as db:
                status = await db.scalar(
                    select(Message.bot_status).where(
                        Message.conversation_id == cid, Message.sender == "user"
                    )
                )
            assert status == "failed"  # kept for a retry
            rasa.actions_down = False
            assert (await c.get("/health")).json()["checks"]["actions"] == "ok"
            again = await c.post(
                f"/api/chat/sessions/{cid}/messages", json={"text": "Noch da?"}, headers=headers
            )
            assert [m["text"] for m in again.json()["messages"]] == ["echo: Noch da?"]
