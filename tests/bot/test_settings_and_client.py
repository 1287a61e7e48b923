"""Settings refuse the placeholder token outside dev; the client maps errors."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from bot.actions import clients
from bot.actions.settings import PLACEHOLDER_TOKEN, Settings, SettingsError

ROOT = Path(__file__).resolve().parents[2]


def test_dev_defaults() -> None:
    settings = Settings.from_env({})
    assert settings.helpdesk_url == "http://127.0.0.1:8000"
    assert settings.service_token == PLACEHOLDER_TOKEN
    assert settings.env == "dev"
    assert settings.timeout_seconds == 10.0


@pytest.mark.parametrize("env", ["prod", "production", "staging", "PROD"])
def test_placeholder_token_is_refused_outside_dev(env: str) -> None:
    with pytest.raises(SettingsError, match="HELPDESK_SERVICE_TOKEN"):
        Settings.from_env({"HELPDESK_ENV": env})
    with pytest.raises(SettingsError):
        Settings.from_env({"HELPDESK_ENV": env, "HELPDESK_SERVICE_TOKEN": PLACEHOLDER_TOKEN})


def test_real_token_is_accepted_outside_dev() -> None:
    settings = Settings.from_env(
        {
            "HELPDESK_ENV": "prod",
            "HELPDESK_SERVICE_TOKEN": "s3cret",
            "HELPDESK_URL": "https://helpdesk.brandt.example/",
        }
    )
    assert settings.service_token == "s3cret"
    assert settings.helpdesk_url == "https://helpdesk.brandt.example"


def test_url_must_be_http() -> None:
    with pytest.raises(SettingsError, match="HELPDESK_URL"):
        Settings.from_env({"HELPDESK_URL": "helpdesk:8000"})


def test_action_server_refuses_to_start_with_the_placeholder_in_prod() -> None:
    env = {**os.environ, "HELPDESK_ENV": "prod", "PYTHONPATH": str(ROOT)}
    env.pop("HELPDESK_SERVICE_TOKEN", None)
    result = subprocess.run(
        [sys.executable, "-c", "import bot.actions"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "HELPDESK_SERVICE_TOKEN is the development placeholder" in result.stderr


def _client(handler) -> clients.HelpdeskClient:
    settings = Settings(service_token="t0ken", helpdesk_url="http://helpdesk.test")
    return clients.HelpdeskClient(settings, transport=httpx.MockTransport(handler))


def _call(handler, coro_factory):
    async def go():
        async with _client(handler) as api:
            return await coro_factory(api)

    return asyncio.run(go())


def test_client_sends_token_and_quotes_path_segments() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"consecutive_failures": 0})

    _call(handler, lambda api: api.feedback(conversation_id="a/b c", helpful=True, slug=None))
    request = seen[0]
    assert request.headers["Authorization"] == "Bearer t0ken"
    assert request.url.raw_path.decode() == "/api/internal/conversations/a%2Fb%20c/feedback"


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (404, clients.NotFound),
        (403, clients.Forbidden),
        (401, clients.Unavailable),
        (422, clients.Unavailable),
        (500, clients.Unavailable),
        (503, clients.Unavailable),
    ],
)
def test_client_maps_status_codes(status: int, error: type) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, json={"detail": "nope"})

    with pytest.raises(error) as caught:
        _call(handler, lambda api: api.ticket(number="INC-000001", conversation_id="c"))
    assert caught.value.status == status


@pytest.mark.parametrize(
    "failure",
    [httpx.ConnectError("refused"), httpx.ReadTimeout("slow"), httpx.RemoteProtocolError("x")],
)
def test_client_network_failures_are_unavailable(failure: Exception) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise failure

    with pytest.raises(clients.Unavailable):
        _call(handler, lambda api: api.open_tickets(conversation_id="c"))


def test_client_rejects_non_json() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, text="<html>proxy error</html>")

    with pytest.raises(clients.Unavailable):
        _call(handler, lambda api: api.kb_answer(query="x", lang="de", conversation_id="c"))
