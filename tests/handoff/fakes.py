"""Fakes for the edges of the helpdesk service: the embedding model and the Rasa server."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Sequence
from typing import Any

import httpx
import numpy as np

from kb_index.language import fold


class FakeEmbedder:
    """Hashed bag of words: similar wording gives similar vectors; no model to load."""

    model_id = "fake/bag-of-words"
    dimension = 256

    def encode(
        self,
        texts: Sequence[str],
        *,
        batch_size: int = 64,
        progress: Callable[[int], None] | None = None,
    ) -> np.ndarray:
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in re.findall(r"\w+", fold(text)):
                digest = hashlib.md5(word[:6].encode()).digest()
                out[row, int.from_bytes(digest[:2], "little") % self.dimension] += 1.0
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        norms[norms == 0] = 1
        if progress:
            progress(len(texts))
        return out / norms


Handler = Callable[[str, str, dict[str, Any]], Any]


class FakeRasa:
    """Answers like Rasa's helpdesk channel and HTTP API; a script decides the replies.

    `on_message(sender, text, metadata)` returns a list of REST output items and
    may call the helpdesk's internal API through `internal` as the action server would;
    `understood` and `action` are what the channel reports the bot read and did, and `forms`
    the form it is filling after the turn (unless `reports_form` is off, as in a channel
    that does not say; then only a tracker request tells).
    """

    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []
        self.slots: dict[str, dict[str, Any]] = {}
        self.slot_requests = 0  # requests that set a slot by hand (no message to carry it)
        self.triggered: list[tuple[str, str]] = []
        self.forms: dict[str, str] = {}  # conversation id -> the form the bot is filling
        self.reports_form = True
        self.tracker_requests = 0
        self.down = False
        self.internal: httpx.AsyncClient | None = None
        self.on_message: Callable[..., Any] = self._echo
        self.understood: dict[str, Any] = {
            "intent": "it_problem",
            "confidence": 0.93,
            "entities": [],
        }
        self.action = "action_answer_from_kb"

    async def _echo(self, sender: str, text: str, metadata: dict[str, Any]) -> list[Any]:
        return [{"recipient_id": sender, "text": f"echo: {text}"}]

    async def handle(self, request: httpx.Request) -> httpx.Response:
        if self.down:
            raise httpx.ConnectError("fake Rasa is down")
        path = request.url.path
        if path == "/webhooks/helpdesk/webhook":
            body = json.loads(request.content)
            self.received.append(body)
            # As the bot's slot mapping (action_detect_language): the language of the metadata.
            if body["metadata"].get("locale"):
                self.slots.setdefault(body["sender"], {})["language"] = body["metadata"]["locale"]
            items = await self.on_message(body["sender"], body["message"], body["metadata"])
            answer = {"messages": items, "understood": self.understood, "action": self.action}
            if self.reports_form:
                answer["form"] = self.forms.get(body["sender"])
            return httpx.Response(200, json=answer)
        if path.endswith("/tracker/events"):
            sender = path.split("/")[2]
            self.slot_requests += 1
            for event in json.loads(request.content):
                self.slots.setdefault(sender, {})[event["name"]] = event["value"]
            return httpx.Response(200, json={})
        if path.endswith("/tracker"):  # only asked for the form being filled
            self.tracker_requests += 1
            form = self.forms.get(path.split("/")[2])
            return httpx.Response(200, json={"active_loop": {"name": form} if form else {}})
        if path.endswith("/trigger_intent"):
            sender = path.split("/")[2]
            name = json.loads(request.content)["name"]
            self.triggered.append((sender, name))
            return httpx.Response(
                200,
                json={
                    "messages": [
                        {"recipient_id": sender, "text": "Welcome back! How else can I help?"}
                    ]
                },
            )
        if path == "/status":
            return httpx.Response(200, json={"model_file": "fake.tar.gz"})
        return httpx.Response(404, json={})

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)
