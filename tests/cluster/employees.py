"""Employees chatting with a cluster the way a person would: send, wait, try again.

A request lost with a killed process is looked up in the transcript before the text is
sent again, so that each employee knows how often each text was stored.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

import httpx

from handoff.conversations import texts
from scripts.stack import StackConfig

UNREACHABLE = texts.text("bot_unavailable", "de")
QUESTIONS = [
    "Der Drucker druckt nicht",
    "Mein VPN bricht ständig ab",
    "Ich habe mein Passwort vergessen",
    "Outlook sendet keine E-Mails",
    "Mein Laptop ist sehr langsam",
    "Wie verbinde ich mich mit dem WLAN?",
]


def question(n: int, i: int) -> str:
    return f"{QUESTIONS[(n + i) % len(QUESTIONS)]} ({n}.{i})"


def is_answer(message: dict[str, Any]) -> bool:
    """A reply that answers: the bot's, or the system's (queue), not "unreachable"."""
    return message["sender"] in ("bot", "agent", "system") and message["text"] != UNREACHABLE


@dataclass
class Employee:
    headers: dict[str, str]
    conversation: str
    # How often the employee knows each text was stored (sent again after "unreachable").
    stored: dict[str, int] = field(default_factory=dict)
    unreachable: int = 0
    # Replies with nothing at all while the bot owns the chat: the employee left guessing.
    silent: list[str] = field(default_factory=list)


async def start(http: httpx.AsyncClient, n: int) -> Employee:
    token = (
        await http.post("/api/dev/token", json={"email": f"f{n}@brandt.example", "name": "F"})
    ).json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    session = await http.post("/api/chat/sessions", json={"locale": "de"}, headers=headers)
    return Employee(headers, session.json()["conversation_id"])


async def transcript(http: httpx.AsyncClient, who: Employee) -> list[dict[str, Any]]:
    for _ in range(60):
        try:
            response = await http.get(
                f"/api/chat/sessions/{who.conversation}/messages", headers=who.headers
            )
            if response.status_code == 200:
                return list(response.json()["messages"])
        except httpx.HTTPError:
            pass
        await asyncio.sleep(1)
    raise AssertionError("the transcript stayed unreachable")


async def say(http: httpx.AsyncClient, who: Employee, text: str) -> None:
    """Send until answered; after a lost request, look whether it was stored first."""
    for _attempt in range(20):
        try:
            response = await http.post(
                f"/api/chat/sessions/{who.conversation}/messages",
                json={"text": text},
                headers=who.headers,
            )
            reply = response.json() if response.status_code == 200 else None
        except httpx.HTTPError:
            reply = None
        if reply is None:  # the request was lost: was the message stored?
            stored = [m for m in await transcript(http, who) if m["text"] == text]
            if len(stored) == who.stored.get(text, 0):
                await asyncio.sleep(1)
                continue
            who.stored[text] = len(stored)
            if answered(await transcript(http, who), text):
                return
        else:
            who.stored[text] = who.stored.get(text, 0) + 1
            if any(is_answer(m) for m in reply["messages"]):
                return
            if not reply["messages"] and reply.get("state") == "bot":
                who.silent.append(text)
            who.unreachable += 1
        await asyncio.sleep(2)  # the employee tries again
    raise AssertionError(f"{text!r} was never answered")


def answered(transcript: list[dict[str, Any]], text: str) -> bool:
    for n, message in enumerate(transcript):
        if message["sender"] == "user" and message["text"] == text:
            rest = transcript[n + 1 :]
            upto = next((i for i, m in enumerate(rest) if m["sender"] == "user"), len(rest))
            if any(is_answer(m) for m in rest[:upto]):
                return True
    return False


async def tracker_keeps(
    http: httpx.AsyncClient,
    config: StackConfig,
    who: Employee,
    transcript: list[dict[str, Any]],
) -> None:
    """Rasa's tracker (through the Rasa tier) has every turn the bot answered."""
    by_bot = [
        m["text"]
        for n, m in enumerate(transcript)
        if m["sender"] == "user"
        and n + 1 < len(transcript)
        and transcript[n + 1]["sender"] == "bot"
    ]
    response = await http.get(
        f"{config.rasa_url}/conversations/{who.conversation}/tracker",
        params={"token": config.rasa_token},
    )
    assert response.status_code == 200
    in_tracker = [e["text"] for e in response.json()["events"] if e["event"] == "user"]
    missing = [text for text in dict.fromkeys(by_bot) if text not in in_tracker]
    assert not missing, missing
