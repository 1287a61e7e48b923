"""Client of the Rasa server: the helpdesk channel for messages, the HTTP API for the rest."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx

# The channel of bot/channels.py (credentials.yml).
WEBHOOK_PATH = "/webhooks/helpdesk/webhook"


class BotUnavailable(RuntimeError):
    """Rasa could not be reached or answered with an error."""


@dataclass
class BotMessage:
    text: str
    payload: dict[str, Any] = field(default_factory=dict)


@dataclass
class ParseInfo:
    """What the bot understood of a message, and the action that answered it."""

    intent: str | None = None
    confidence: float | None = None
    entities: list[Any] = field(default_factory=list)
    action: str | None = None
    # The form the bot is filling after the turn ("": none); None when the channel did not say.
    form: str | None = None


@dataclass
class BotReply:
    messages: list[BotMessage] = field(default_factory=list)
    info: ParseInfo = field(default_factory=ParseInfo)


def to_info(body: dict[str, Any]) -> ParseInfo:
    """The helpdesk channel's `understood`, `action` and `form` (bot/channels.py)."""
    found = body.get("understood")
    understood: dict[str, Any] = found if isinstance(found, dict) else {}
    confidence = understood.get("confidence")
    action = body.get("action")
    return ParseInfo(
        intent=str(understood["intent"]) if understood.get("intent") else None,
        confidence=float(confidence) if isinstance(confidence, int | float) else None,
        entities=[
            {"entity": e.get("entity"), "value": e.get("value")}
            for e in understood.get("entities") or []
            if isinstance(e, dict)
        ],
        action=str(action) if action else None,
        form=str(body["form"] or "") if "form" in body else None,
    )


def to_messages(items: list[dict[str, Any]]) -> list[BotMessage]:
    """Turn Rasa's REST output into messages; custom JSON joins the text before it."""
    messages: list[BotMessage] = []
    for item in items:
        custom = item.get("custom") if isinstance(item.get("custom"), dict) else None
        if item.get("text"):
            payload: dict[str, Any] = {}
            buttons = [
                {"title": str(b.get("title", "")), "payload": str(b.get("payload", ""))}
                for b in item.get("buttons") or []
                if isinstance(b, dict)
            ]
            if buttons:
                payload["buttons"] = buttons
            if item.get("image"):
                payload["image"] = str(item["image"])
            messages.append(BotMessage(str(item["text"]), payload))
        elif custom is not None:
            text = str(custom.pop("text", "") or "")
            if messages and not text and not set(custom) & set(messages[-1].payload):
                messages[-1].payload.update(custom)
            elif text or custom:
                messages.append(BotMessage(text, dict(custom)))
    return messages


class RasaClient:
    """Talks to one Rasa server; every failure becomes BotUnavailable."""

    def __init__(
        self,
        base_url: str,
        token: str,
        timeout: float = 30.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._token = token
        self._http = httpx.AsyncClient(
            base_url=base_url.rstrip("/"), timeout=timeout, transport=transport
        )

    async def aclose(self) -> None:
        await self._http.aclose()

    async def _request(self, method: str, path: str, **kwargs: Any) -> Any:
        try:
            response = await self._http.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            raise BotUnavailable(f"Rasa is unreachable: {type(exc).__name__}") from exc
        if response.status_code >= 400:
            raise BotUnavailable(f"Rasa answered {response.status_code} on {path}")
        try:
            return response.json()
        except ValueError as exc:
            raise BotUnavailable(f"Rasa sent no JSON on {path}") from exc

    async def send(self, conversation_id: str, text: str, metadata: dict[str, Any]) -> BotReply:
        """Send one employee message; return the bot's replies and what it understood."""
        body = await self._request(
            "POST",
            WEBHOOK_PATH,
            json={"sender": conversation_id, "message": text, "metadata": metadata},
        )
        if not isinstance(body, dict):
            raise BotUnavailable(f"Rasa's helpdesk channel sent no answer object on {WEBHOOK_PATH}")
        items = body.get("messages")
        return BotReply(to_messages(items if isinstance(items, list) else []), to_info(body))

    async def set_slot(self, conversation_id: str, name: str, value: Any) -> None:
        await self._request(
            "POST",
            f"/conversations/{conversation_id}/tracker/events",
            params={"token": self._token},
            json=[{"event": "slot", "name": name, "value": value}],
        )

    async def trigger_intent(
        self, conversation_id: str, intent: str, entities: dict[str, Any] | None = None
    ) -> list[BotMessage]:
        """Make the bot act as if the employee had expressed intent (e.g. after hand-back)."""
        body = await self._request(
            "POST",
            f"/conversations/{conversation_id}/trigger_intent",
            params={"token": self._token},
            json={"name": intent, "entities": entities or {}},
        )
        return to_messages(body.get("messages") or [] if isinstance(body, dict) else [])

    async def active_loop(self, conversation_id: str) -> str | None:
        """The form the bot is filling in the conversation, if any (one tracker request)."""
        body = await self._request(
            "GET",
            f"/conversations/{conversation_id}/tracker",
            params={"token": self._token, "include_events": "NONE"},
        )
        loop = body.get("active_loop") if isinstance(body, dict) else None
        return str(loop["name"]) if isinstance(loop, dict) and loop.get("name") else None

    async def ready(self) -> bool:
        """Tell whether the server is up with a model loaded."""
        try:
            body = await self._request("GET", "/status", params={"token": self._token})
        except BotUnavailable:
            return False
        return bool(body.get("model_file") or body.get("model_id"))


class ActionServerProbe:
    """Tells whether Rasa's action server answers at all (any HTTP answer counts).

    Rasa answers a message with nothing when its action server is unreachable, so an
    empty answer is checked against this before it is taken as the bot's reply.
    """

    def __init__(
        self, url: str, timeout: float = 3.0, transport: httpx.AsyncBaseTransport | None = None
    ) -> None:
        self.url = url
        self._http = httpx.AsyncClient(timeout=timeout, transport=transport)

    async def aclose(self) -> None:
        await self._http.aclose()

    async def ready(self) -> bool:
        try:
            await self._http.get(self.url)
        except httpx.HTTPError:
            return False
        return True
