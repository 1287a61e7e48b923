"""Health, settings and dev mode (search and the knowledge base: tests/handoff/kb/)."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from handoff.config import Settings

from .conftest import Helpdesk, make_settings, running_helpdesk

SEED_ARTICLES = 42  # the catalog's 41, and how to send a screenshot


async def test_health_reports_every_part(helpdesk: Helpdesk) -> None:
    response = await helpdesk.client.get("/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["search"]["documents"] == SEED_ARTICLES * 2
    assert body["checks"]["bot"] == "ok"


async def test_health_is_unavailable_while_the_bot_is_down(sqlite_helpdesk: Helpdesk) -> None:
    sqlite_helpdesk.rasa.down = True
    response = await sqlite_helpdesk.client.get("/health")
    assert response.status_code == 503
    assert response.json()["checks"]["bot"] == "Rasa is not reachable"


def test_placeholder_secrets_are_refused_outside_dev_mode(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="HELPDESK_SECRET_KEY"):
        Settings(env="production", data_dir=tmp_path)
    assert Settings(env="dev", data_dir=tmp_path).dev_mode


async def test_dev_token_endpoint_exists_only_in_dev_mode(tmp_path: Path) -> None:
    async with running_helpdesk(make_settings(tmp_path)) as helpdesk:
        response = await helpdesk.client.post(
            "/api/dev/token", json={"email": "a@brandt.example", "name": "A"}
        )
        assert response.status_code == 404
    async with running_helpdesk(make_settings(tmp_path / "dev", env="dev")) as helpdesk:
        response = await helpdesk.client.post(
            "/api/dev/token", json={"email": "a@brandt.example", "name": "A"}
        )
        assert response.status_code == 200
        token = response.json()["token"]
        chat = await helpdesk.client.post(
            "/api/chat/sessions", headers={"Authorization": f"Bearer {token}"}
        )
        assert chat.status_code == 201


async def test_every_answer_carries_a_request_id_and_an_error_becomes_a_500_with_it(
    sqlite_helpdesk: Helpdesk,
) -> None:
    sent = await sqlite_helpdesk.client.get("/health/live", headers={"x-request-id": "abc123"})
    assert sent.headers["x-request-id"] == "abc123"
    made = await sqlite_helpdesk.client.get("/health/live")
    assert len(made.headers["x-request-id"]) == 16

    @sqlite_helpdesk.app.get("/boom-for-test")
    async def boom() -> None:
        raise RuntimeError("a bug")

    failed = await sqlite_helpdesk.client.get("/boom-for-test")
    assert failed.status_code == 500
    body = failed.json()
    assert (
        body["detail"] == "internal error" and body["request_id"] == failed.headers["x-request-id"]
    )
