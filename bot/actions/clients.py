"""Client of the helpdesk's internal API (docs/internal-api.md).

One `HelpdeskClient` per action run (`async with clients.make_client() as api`).
Every failure becomes one of three exceptions, so that the actions only have
to decide what to tell the employee: `NotFound` (404), `Forbidden` (403) and
`Unavailable` (no connection, timeout, any other error status, bad JSON).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

import httpx

from bot.actions.settings import Settings, get_settings


class HelpdeskError(Exception):
    """The helpdesk could not give the answer asked for."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class NotFound(HelpdeskError):
    """404: unknown conversation, ticket or article."""


class Forbidden(HelpdeskError):
    """403: the ticket belongs to another employee."""


class Unavailable(HelpdeskError):
    """The service is down, too slow, or answered with an error."""


def _segment(value: str) -> str:
    return quote(str(value), safe="")


def _detail(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:200]
    if isinstance(body, dict) and "detail" in body:
        return str(body["detail"])[:200]
    return str(body)[:200]


class HelpdeskClient:
    """Async HTTP client with the service token and the contract's timeout."""

    def __init__(
        self, settings: Settings, transport: httpx.AsyncBaseTransport | None = None
    ) -> None:
        self._http = httpx.AsyncClient(
            base_url=settings.helpdesk_url,
            headers={
                "Authorization": f"Bearer {settings.service_token}",
                "Accept": "application/json",
            },
            timeout=settings.timeout_seconds,
            transport=transport,
        )

    async def __aenter__(self) -> HelpdeskClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self._http.aclose()

    async def _call(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        body: Mapping[str, Any] | None = None,
    ) -> Any:
        try:
            response = await self._http.request(method, path, params=params, json=body)
        except httpx.HTTPError as exc:  # refused, timed out, broken connection
            raise Unavailable(f"{method} {path}: {exc.__class__.__name__}: {exc}") from exc
        status = response.status_code
        if status == 404:
            raise NotFound(f"{method} {path}: {_detail(response)}", status)
        if status == 403:
            raise Forbidden(f"{method} {path}: {_detail(response)}", status)
        if status >= 400:
            raise Unavailable(f"{method} {path}: {status} {_detail(response)}", status)
        try:
            return response.json()
        except ValueError as exc:
            raise Unavailable(f"{method} {path}: the answer is not JSON", status) from exc

    async def kb_answer(
        self, *, query: str, lang: str, conversation_id: str, off_topic: bool = False
    ) -> dict[str, Any]:
        """Search the knowledge base; `article` is set only when confident.

        off_topic: the NLU read the message as not about IT (the helpdesk then answers only
        by meaning, not on a shared word)."""
        params: dict[str, str] = {"q": query, "lang": lang, "conversation_id": conversation_id}
        if off_topic:
            params["off_topic"] = "true"
        return await self._call("GET", "/api/internal/kb/answer", params=params)

    async def kb_article(self, *, slug: str, lang: str, conversation_id: str) -> dict[str, Any]:
        """Fetch one article in the given language."""
        params = {"lang": lang, "conversation_id": conversation_id}
        path = f"/api/internal/kb/articles/{_segment(slug)}"
        return await self._call("GET", path, params=params)

    async def feedback(
        self, *, conversation_id: str, helpful: bool, slug: str | None
    ) -> dict[str, Any]:
        """Record whether the last answer helped; returns consecutive_failures."""
        path = f"/api/internal/conversations/{_segment(conversation_id)}/feedback"
        return await self._call("POST", path, body={"helpful": helpful, "slug": slug})

    async def ticket_preview(self, draft: Mapping[str, Any]) -> dict[str, Any]:
        """Propose summary, category and priority for a draft."""
        return await self._call("POST", "/api/internal/tickets/preview", body=draft)

    async def create_ticket(self, draft: Mapping[str, Any]) -> dict[str, Any]:
        """Create the ticket (with the conversation's transcript)."""
        return await self._call("POST", "/api/internal/tickets", body=draft)

    async def ticket(self, *, number: str, conversation_id: str) -> dict[str, Any]:
        """One of the employee's tickets (403 for someone else's)."""
        path = f"/api/internal/tickets/{_segment(number)}"
        return await self._call("GET", path, params={"conversation_id": conversation_id})

    async def open_tickets(self, *, conversation_id: str) -> list[dict[str, Any]]:
        """The employee's open tickets."""
        return await self.tickets(conversation_id=conversation_id, open_only=True)

    async def tickets(self, *, conversation_id: str, open_only: bool) -> list[dict[str, Any]]:
        """The employee's tickets (only the open ones, or all), newest first."""
        params = {"conversation_id": conversation_id, "open": int(open_only)}
        answer = await self._call("GET", "/api/internal/tickets", params=params)
        return list(answer.get("tickets") or [])

    async def handoff(self, *, conversation_id: str, reason: str) -> dict[str, Any]:
        """Queue the conversation for an agent (or keep it on a ticket)."""
        path = f"/api/internal/conversations/{_segment(conversation_id)}/handoff"
        return await self._call("POST", path, body={"reason": reason})


def make_client() -> HelpdeskClient:
    """A client for one action run (tests replace this factory)."""
    return HelpdeskClient(get_settings())
