"""A fake helpdesk (httpx.MockTransport) and builders for real rasa_sdk objects."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.actions import clients
from bot.actions.settings import Settings

CONVERSATION = "conv-123"


class FakeHelpdesk:
    """Answers (method, path) from a table and records every request."""

    def __init__(self) -> None:
        self.routes: dict[tuple[str, str], Any] = {}
        self.requests: list[httpx.Request] = []
        self.settings = Settings(service_token="test-token")

    def on(self, method: str, path: str, status: int = 200, body: Any = None) -> None:
        self.routes[(method, path)] = httpx.Response(status, json=body)

    def answer(self, method: str, path: str, reply: Any) -> None:
        """reply(request) -> (status, body): for one path asked with different queries."""
        self.routes[(method, path)] = reply

    def fail(self, method: str, path: str, error: Exception) -> None:
        self.routes[(method, path)] = error

    def down(self) -> None:
        """Every call fails as if nothing listened on the port."""
        self.routes = {"*": httpx.ConnectError("connection refused")}

    def handler(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        route = self.routes.get("*") or self.routes.get((request.method, request.url.path))
        if route is None:
            raise AssertionError(f"unexpected call {request.method} {request.url}")
        if isinstance(route, Exception):
            raise route
        if callable(route):  # answers by the request (its query, say)
            status, body = route(request)
            return httpx.Response(status, json=body)
        return route

    def install(self, monkeypatch: Any) -> None:
        def make_client() -> clients.HelpdeskClient:
            transport = httpx.MockTransport(self.handler)
            return clients.HelpdeskClient(self.settings, transport=transport)

        monkeypatch.setattr(clients, "make_client", make_client)

    def last(self) -> httpx.Request:
        assert self.requests, "the helpdesk was not called"
        return self.requests[-1]

    def last_json(self) -> Any:
        return json.loads(self.last().content)

    def paths(self) -> list[str]:
        return [f"{r.method} {r.url.path}" for r in self.requests]


def tracker(
    text: str = "",
    intent: str | None = None,
    entities: list[dict[str, Any]] | None = None,
    slots: dict[str, Any] | None = None,
    metadata: dict[str, Any] | None = None,
    events: list[dict[str, Any]] | None = None,
    active_loop: str | None = None,
) -> Tracker:
    latest = {
        "text": text,
        "intent": {"name": intent, "confidence": 0.9} if intent else {},
        "entities": entities or [],
        "metadata": metadata or {},
    }
    return Tracker(
        CONVERSATION,
        dict(slots or {}),
        latest,
        events or [],
        False,
        None,
        {"name": active_loop} if active_loop else {},
        "action_listen",
    )


def run(action: Action, track: Tracker, domain: dict[str, Any] | None = None):
    """Run an action; returns (messages, events)."""
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, track, domain or {}))
    return dispatcher.messages, events


def responses(messages: list[dict[str, Any]]) -> list[str]:
    return [m.get("response") for m in messages]


def slot_events(events: list[dict[str, Any]]) -> dict[str, Any]:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


def article(slug: str = "vpn-connect", lang: str = "de") -> dict[str, Any]:
    return {
        "slug": slug,
        "title": "VPN im Homeoffice verbinden" if lang == "de" else "Connect the VPN",
        "lang": lang,
        "check_first": "- Internet geht",
        "steps": "1. GlobalProtect öffnen\n\n2. Verbinden\n",
        "still_not_working": "Rufen Sie 4357 an.",
        "url": f"https://it.brandt.example/kb/{slug}",
    }
