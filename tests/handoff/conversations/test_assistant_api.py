"""The action server's internal API, driven by a fake Rasa that calls it like actions do."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from pydantic import ValidationError

from handoff.config import Settings

from ..conftest import Helpdesk, make_settings, running_helpdesk
from ..factories import staff

PASSWORD_TITLE = "Passwort vergessen – selbst zurücksetzen"


async def test_internal_api_needs_the_service_token(sqlite_helpdesk: Helpdesk) -> None:
    employee = sqlite_helpdesk.as_employee()
    for headers in ({}, employee, {"Authorization": "Bearer wrong"}):
        response = await sqlite_helpdesk.client.get(
            "/api/internal/kb/answer", params={"q": "vpn", "conversation_id": "x"}, headers=headers
        )
        assert response.status_code == 401
        response = await sqlite_helpdesk.client.post(
            "/api/internal/tickets", json={}, headers=headers
        )
        assert response.status_code == 401


async def _answer_as_the_bot_asks(
    helpdesk: Helpdesk, question: str, **extra: str
) -> tuple[dict[str, Any], str]:
    """An employee asks; the (fake) bot's action asks the internal kb/answer with the question
    and `extra` parameters. Returns that answer and the conversation's id."""
    captured: dict[str, Any] = {}

    async def action(sender: str, text: str, metadata: dict[str, Any]) -> list[Any]:
        assert helpdesk.rasa.internal is not None
        params = {"q": text, "lang": "de", "conversation_id": sender, **extra}
        response = await helpdesk.rasa.internal.get("/api/internal/kb/answer", params=params)
        captured.update(response.json())
        return [{"recipient_id": sender, "text": "ok"}]

    helpdesk.rasa.on_message = action
    headers = helpdesk.as_employee()
    cid = await helpdesk.start_chat(headers)
    await helpdesk.client.post(
        f"/api/chat/sessions/{cid}/messages", json={"text": question}, headers=headers
    )
    return captured, cid


@pytest.mark.parametrize(
    ("off_topic", "answered"), [(None, True), ("false", True), ("true", False)]
)
async def test_a_message_read_as_off_topic_is_answered_only_by_meaning(
    helpdesk: Helpdesk, monkeypatch: pytest.MonkeyPatch, off_topic: str | None, answered: bool
) -> None:
    """No article matches by meaning here (the rule's threshold is out of reach): read as
    off-topic, the confident search is neither an answer nor related; otherwise it answers."""
    from handoff.conversations import assistant
    from kb_index import MeaningRule

    monkeypatch.setattr(assistant, "MEANING", MeaningRule(threshold=1.01))
    extra = {} if off_topic is None else {"off_topic": off_topic}
    captured, _ = await _answer_as_the_bot_asks(helpdesk, PASSWORD_TITLE, **extra)
    assert captured["confident"] is answered
    assert (captured["article"] is not None) is answered
    assert captured["related"] is answered
    assert (captured["topic"] is not None) is answered  # an off-topic message opens no topic
    assert captured["hits"][0]["slug"] == "password-reset"  # what was found stays on record


@pytest.mark.parametrize(("off_topic", "related"), [("false", True), ("true", False)])
async def test_candidates_for_a_message_read_as_off_topic_must_stand_on_meaning(
    helpdesk: Helpdesk, monkeypatch: pytest.MonkeyPatch, off_topic: str, related: bool
) -> None:
    """Not confident, and related by the combined score (every hit is, at this floor): read
    as off-topic, articles that no meaning carries are no candidates either."""
    from handoff.conversations import assistant
    from kb_index import MeaningRule, RelatedRule

    monkeypatch.setattr(assistant, "MEANING", MeaningRule(threshold=1.01))
    monkeypatch.setattr(assistant, "RELATED", RelatedRule(floor=-1.0))
    captured, _ = await _answer_as_the_bot_asks(
        helpdesk, "Kaffeemaschine im dritten Stock", off_topic=off_topic
    )
    assert captured["confident"] is False and captured["hits"]
    assert captured["related"] is related
    assert (captured["topic"] is not None) is related


async def test_kb_answer_returns_the_article_steps_and_records_the_turn(
    helpdesk: Helpdesk,
) -> None:
    captured, cid = await _answer_as_the_bot_asks(helpdesk, PASSWORD_TITLE)
    assert captured["confident"] is True
    article = captured["article"]
    assert article["slug"] == "password-reset" and article["lang"] == "de"
    assert article["steps"].lstrip().startswith("1.")
    assert article["url"].endswith("/kb/password-reset?lang=de")
    from sqlalchemy import select

    from handoff.conversations.models import BotTurn

    async with helpdesk.app.state.open_db() as db:
        turn = await db.scalar(select(BotTurn).where(BotTurn.conversation_id == cid))
    assert turn is not None
    assert turn.kb_query == PASSWORD_TITLE and turn.kb_confident is True
    assert turn.kb_hits[0]["slug"] == "password-reset" and turn.outcome == "answered"


async def _chat_with_action(
    helpdesk: Helpdesk, call: Any, text: str = "hi", email: str = "anna.berger@brandt.example"
) -> tuple[str, Any]:
    """Start a chat whose next message makes the fake bot run `call(sender)`."""
    result: dict[str, Any] = {}

    async def action(sender: str, message: str, metadata: dict[str, Any]) -> list[Any]:
        result["response"] = await call(sender)
        return [{"recipient_id": sender, "text": "done"}]

    helpdesk.rasa.on_message = action
    headers = helpdesk.as_employee(email, email.split("@")[0])
    cid = await helpdesk.start_chat(headers)
    await helpdesk.client.post(
        f"/api/chat/sessions/{cid}/messages", json={"text": text}, headers=headers
    )
    helpdesk.rasa.on_message = helpdesk.rasa._echo
    return cid, result["response"]


@pytest.mark.parametrize(
    ("impact", "urgency", "priority"),
    [("high", "high", 1), ("high", "low", 3), ("medium", "medium", 3), ("low", "low", 4)],
)
async def test_a_ticket_gets_priority_category_and_the_transcript(
    sqlite_helpdesk: Helpdesk, impact: str, urgency: str, priority: int
) -> None:
    internal = sqlite_helpdesk.rasa

    async def create(sender: str) -> Any:
        assert internal.internal is not None
        draft = {
            "conversation_id": sender,
            "description": "Drucker druckt nicht. Seit heute.",
            "since": "heute früh",
            "impact": impact,
            "urgency": urgency,
        }
        preview = await internal.internal.post("/api/internal/tickets/preview", json=draft)
        created = await internal.internal.post("/api/internal/tickets", json=draft)
        return preview.json(), created

    cid, (preview, created) = await _chat_with_action(
        sqlite_helpdesk, create, text="Der Drucker im 2. OG druckt nicht"
    )
    assert created.status_code == 201
    ticket = created.json()
    assert ticket["number"].startswith("INC-") and len(ticket["number"]) == 10
    assert ticket["priority"] == preview["priority"] == priority
    assert preview["summary"] == ticket["subject"] == "Drucker druckt nicht"
    assert ticket["category"] == "hardware"
    assert ticket["status"] == "new" and ticket["level"] == 1
    mine = await sqlite_helpdesk.client.get(
        f"/api/tickets/{ticket['number']}", headers=sqlite_helpdesk.as_employee()
    )
    assert mine.status_code == 200
    assert mine.json()["transcript"][0]["text"] == "Der Drucker im 2. OG druckt nicht"
    assert mine.json()["conversation_id"] == cid


async def test_sla_due_times_follow_the_configured_table(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    table = {"1": [5, 60], "2": [10, 120], "3": [30, 600], "4": [45, 900]}
    monkeypatch.setenv("HELPDESK_SLA_MINUTES", json.dumps(table))
    settings = make_settings(tmp_path)
    assert settings.sla_minutes[4] == (45, 900)
    async with running_helpdesk(settings) as helpdesk:
        internal = helpdesk.rasa

        async def create(sender: str) -> Any:
            assert internal.internal is not None
            draft = {"conversation_id": sender, "description": "Maus defekt"}
            draft |= {"impact": "low", "urgency": "low"}
            return await internal.internal.post("/api/internal/tickets", json=draft)

        _, created = await _chat_with_action(helpdesk, create, text="Meine Maus ist kaputt")
    ticket = created.json()
    assert ticket["priority"] == 4
    opened = datetime.fromisoformat(ticket["created_at"])
    due = {k: datetime.fromisoformat(v) - opened for k, v in ticket["sla"].items()}
    assert due["first_response_due"].total_seconds() == 45 * 60
    assert due["resolution_due"].total_seconds() == 900 * 60


@pytest.mark.parametrize(
    ("table", "problem"),
    [
        ({"1": [5, 60], "2": [10, 120], "3": [30, 600]}, "exactly the priorities 1, 2, 3 and 4"),
        ({"1": [90, 60], "2": [10, 120], "3": [30, 600], "4": [45, 900]}, "at most"),
    ],
)
def test_a_broken_sla_table_is_refused_with_the_reason(
    table: dict[str, list[int]], problem: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HELPDESK_SLA_MINUTES", json.dumps(table))
    with pytest.raises(ValidationError, match=problem):
        Settings(env="dev")


async def test_ticket_status_own_foreign_unknown_and_loose_numbers(helpdesk: Helpdesk) -> None:
    internal = helpdesk.rasa

    async def create(sender: str) -> Any:
        assert internal.internal is not None
        return (
            await internal.internal.post(
                "/api/internal/tickets",
                json={
                    "conversation_id": sender,
                    "description": "VPN bricht ab",
                    "impact": "low",
                    "urgency": "high",
                },
            )
        ).json()

    cid, ticket = await _chat_with_action(helpdesk, create)
    number = ticket["number"]
    assert internal.internal is not None
    digits = str(int(number.split("-")[1]))
    for loose in (number, number.lower(), f"INC{digits}", f"#{digits}", f"ticket {digits}"):
        response = await internal.internal.get(
            f"/api/internal/tickets/{quote(loose)}", params={"conversation_id": cid}
        )
        assert response.status_code == 200, loose
        assert response.json()["number"] == number
    other_cid, _ = await _chat_with_action(
        helpdesk, lambda sender: _noop(), email="ben.kraus@brandt.example"
    )
    foreign = await internal.internal.get(
        f"/api/internal/tickets/{number}", params={"conversation_id": other_cid}
    )
    assert foreign.status_code == 403
    assert "subject" not in foreign.json()
    unknown = await internal.internal.get(
        "/api/internal/tickets/INC-999999", params={"conversation_id": cid}
    )
    assert unknown.status_code == 404
    listed = await internal.internal.get(
        "/api/internal/tickets", params={"conversation_id": cid, "open": 1}
    )
    assert [t["number"] for t in listed.json()["tickets"]] == [number]
    employee_view = await helpdesk.client.get(
        f"/api/tickets/{number}", headers=helpdesk.as_employee("ben.kraus@brandt.example", "Ben")
    )
    assert employee_view.status_code == 404  # as for an unknown number: existence does not leak
    mine = await helpdesk.client.get("/api/tickets", headers=helpdesk.as_employee())
    assert [t["number"] for t in mine.json()["tickets"]] == [number]


async def _noop() -> None:
    return None


async def test_handoff_queues_opens_a_ticket_and_silences_the_bot(helpdesk: Helpdesk) -> None:
    internal = helpdesk.rasa

    async def handoff(sender: str) -> Any:
        assert internal.internal is not None
        return (
            await internal.internal.post(
                f"/api/internal/conversations/{sender}/handoff", json={"reason": "requested"}
            )
        ).json()

    cid, result = await _chat_with_action(helpdesk, handoff, text="Ich möchte einen Menschen")
    assert result["state"] == "queued"
    assert result["outcome"] == "no_agents"
    assert result["queue_position"] == 1
    assert result["ticket_number"].startswith("INC-")
    relayed = len(helpdesk.rasa.received)
    headers = helpdesk.as_employee()
    body = (
        await helpdesk.client.post(
            f"/api/chat/sessions/{cid}/messages",
            json={"text": "Hallo? Ist jemand da?"},
            headers=headers,
        )
    ).json()
    assert body["state"] == "queued" and body["messages"] == []
    assert body["queue_position"] == 1
    assert len(helpdesk.rasa.received) == relayed
    again = await internal.internal.post(
        f"/api/internal/conversations/{cid}/handoff", json={"reason": "requested"}
    )
    assert again.json()["outcome"] == "already_queued"
    assert again.json()["ticket_number"] == result["ticket_number"]
    ticket = (
        await helpdesk.client.get(f"/api/tickets/{result['ticket_number']}", headers=headers)
    ).json()
    assert [m["text"] for m in ticket["transcript"] if m["sender"] == "user"] == [
        "Ich möchte einen Menschen",
        "Hallo? Ist jemand da?",
    ]


async def test_failures_are_what_the_employee_rejected_on_the_topic(
    sqlite_helpdesk: Helpdesk,
) -> None:
    internal = sqlite_helpdesk.rasa

    async def answer(sender: str) -> Any:
        assert internal.internal is not None
        return (
            await internal.internal.get(
                "/api/internal/kb/answer",
                params={"q": "VPN verbindet nicht", "lang": "de", "conversation_id": sender},
            )
        ).json()

    cid, answered = await _chat_with_action(sqlite_helpdesk, answer, text="VPN verbindet nicht")
    # A search, confident or not, is no failure: only a rejection is.
    assert answered["consecutive_failures"] == 0 and answered["topic"] == 1
    assert internal.internal is not None
    url = f"/api/internal/conversations/{cid}/feedback"
    counts = []
    for body in (
        {"helpful": False, "slug": "vpn-connect"},
        {"helpful": False},
        {"helpful": True, "slug": "vpn-connect"},
    ):
        counts.append((await internal.internal.post(url, json=body)).json()["consecutive_failures"])
    assert counts == [1, 2, 0]
    from sqlalchemy import select

    from handoff.conversations.models import Feedback

    async with sqlite_helpdesk.app.state.open_db() as db:
        queries = list(await db.scalars(select(Feedback.query)))
    assert queries == ["VPN verbindet nicht"] * 3


async def test_internal_calls_for_unknown_things_are_404(sqlite_helpdesk: Helpdesk) -> None:
    client, headers = sqlite_helpdesk.client, sqlite_helpdesk.service
    assert (
        await client.post("/api/internal/conversations/nope/handoff", json={}, headers=headers)
    ).status_code == 404
    assert (
        await client.get("/api/internal/kb/articles/no-such-article", headers=headers)
    ).status_code == 404
    article = await client.get(
        "/api/internal/kb/articles/vpn-connect", params={"lang": "en"}, headers=headers
    )
    assert article.status_code == 200 and article.json()["lang"] == "en"


@pytest.mark.parametrize(
    ("description", "summary"),
    [
        ("Der Drucker im 2. OG druckt nicht. Seit heute.", "Der Drucker im 2. OG druckt nicht"),
        ("outlook crashes! every time", "Outlook crashes! every time"),
        ("VPN bricht ab. Fehler 809", "VPN bricht ab"),
        ("x" * 120, "X" + "x" * 78 + "…"),
        # A lead-in of greeting or changing the subject is no subject.
        (
            "Ok anderes Thema: wie richte ich den Drucker im 3. Stock ein?",
            "Wie richte ich den Drucker im 3. Stock ein",
        ),
        ("Hallo Team, mein Drucker druckt nicht", "Mein Drucker druckt nicht"),
        ("Okay, one more question - my VPN drops", "My VPN drops"),
        ("sorry, back to English: my VPN keeps dropping", "My VPN keeps dropping"),
        (
            "Ich möchte eine Störung melden: der Beamer im Raum 3.12 zeigt kein Bild",
            "Der Beamer im Raum 3.12 zeigt kein Bild",
        ),
        ("I’d like to report a problem - Teams won't start", "Teams won't start"),
        ("Outlook: keine Mails seit heute", "Outlook: keine Mails seit heute"),
        ("Hallo!", "Hallo"),
    ],
)
def test_the_proposed_summary_is_the_first_sentence(description: str, summary: str) -> None:
    from handoff.tickets.service import propose_summary

    assert propose_summary(description) == summary


async def test_a_deleted_article_leaves_the_answers_at_once(sqlite_helpdesk: Helpdesk) -> None:
    editor = (await staff(sqlite_helpdesk, "editor"))["headers"]
    internal = sqlite_helpdesk.rasa
    question = {"q": "Drucker druckt nicht", "lang": "de"}

    async def answer(sender: str) -> Any:
        assert internal.internal is not None
        params = {**question, "conversation_id": sender}
        return (await internal.internal.get("/api/internal/kb/answer", params=params)).json()

    _, before = await _chat_with_action(sqlite_helpdesk, answer, text=question["q"])
    gone = before["hits"][0]["slug"]
    deleted = await sqlite_helpdesk.client.delete(f"/api/kb/articles/{gone}", headers=editor)
    assert deleted.status_code == 204
    # No rebuild yet: the live index still holds the article, the answer no longer offers it.
    _, after = await _chat_with_action(sqlite_helpdesk, answer, text=question["q"])
    assert gone not in [h["slug"] for h in after["hits"]]
    assert after["article"] is None or after["article"]["slug"] != gone


async def test_no_connection_is_held_while_a_question_waits_for_the_search(
    helpdesk: Helpdesk, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Under load, questions queue for the search's threads: they must not hold the
    database's connections meanwhile (30 at once emptied SQLite's pool: 500s)."""
    from ..fakes import FakeEmbedder

    pool = helpdesk.app.state.engine.sync_engine.pool
    held: list[int] = []
    encode = FakeEmbedder.encode

    def counting(self: FakeEmbedder, texts: Any, **kwargs: Any) -> Any:
        held.append(pool.checkedout())
        return encode(self, texts, **kwargs)

    monkeypatch.setattr(FakeEmbedder, "encode", counting)
    assert helpdesk.rasa.internal is not None
    cid = await helpdesk.start_chat(helpdesk.as_employee())
    answer = await helpdesk.rasa.internal.get(
        "/api/internal/kb/answer", params={"q": "VPN bricht ab", "conversation_id": cid}
    )
    assert answer.status_code == 200
    handed = await helpdesk.rasa.internal.post(
        f"/api/internal/conversations/{cid}/handoff", json={"reason": "requested"}
    )
    assert handed.status_code == 200  # its ticket's category comes from a search too
    assert len(held) >= 2 and held == [0] * len(held)
