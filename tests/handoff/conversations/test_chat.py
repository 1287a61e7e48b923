"""The employee's chat API against a fake Rasa: storing, relaying, failures, language."""

from __future__ import annotations

from typing import Any

import pytest

from handoff.conversations.chat import as_plain_text

from ..conftest import Helpdesk

ANNA = "anna.berger@brandt.example"


async def test_chat_needs_a_valid_employee_token(sqlite_helpdesk: Helpdesk) -> None:
    client = sqlite_helpdesk.client
    assert (await client.post("/api/chat/sessions")).status_code == 401
    forged = {"Authorization": "Bearer eyJhbGciOiJIUzI1NiJ9.e30.x"}
    assert (await client.post("/api/chat/sessions", headers=forged)).status_code == 401


async def test_a_message_is_stored_relayed_and_answered(helpdesk: Helpdesk) -> None:
    headers = helpdesk.as_employee()
    cid = await helpdesk.start_chat(headers, locale="de")
    response = await helpdesk.client.post(
        f"/api/chat/sessions/{cid}/messages",
        json={"text": "Mein Drucker druckt nicht"},
        headers=headers,
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["state"] == "bot"
    assert [m["text"] for m in body["messages"]] == ["echo: Mein Drucker druckt nicht"]
    sent = helpdesk.rasa.received[-1]
    assert sent["sender"] == cid
    assert sent["metadata"]["locale"] == "de"
    assert sent["metadata"]["employee"]["email"] == ANNA
    assert helpdesk.rasa.slots[cid]["language"] == "de"
    assert helpdesk.rasa.slot_requests == 0  # the locale went with the message: no extra request
    transcript = (
        await helpdesk.client.get(f"/api/chat/sessions/{cid}/messages", headers=headers)
    ).json()["messages"]
    assert [(m["seq"], m["sender"]) for m in transcript] == [(1, "user"), (2, "bot")]
    after = (
        await helpdesk.client.get(
            f"/api/chat/sessions/{cid}/messages", params={"after": 1}, headers=headers
        )
    ).json()
    assert [m["seq"] for m in after["messages"]] == [2]


async def test_an_article_answer_carries_its_article_and_buttons(
    sqlite_helpdesk: Helpdesk,
) -> None:
    async def answer(sender: str, text: str, metadata: dict[str, Any]) -> list[Any]:
        return [
            {"recipient_id": sender, "text": "1. Öffnen Sie passwort.brandt.example"},
            {
                "recipient_id": sender,
                "custom": {"kb_article": {"slug": "password-reset", "title": "Passwort vergessen"}},
            },
            {
                "recipient_id": sender,
                "text": "Hat das geholfen?",
                "buttons": [
                    {"title": "Ja", "payload": "/feedback_positive"},
                    {"title": "Nein", "payload": "/feedback_negative"},
                ],
            },
        ]

    sqlite_helpdesk.rasa.on_message = answer
    headers = sqlite_helpdesk.as_employee()
    cid = await sqlite_helpdesk.start_chat(headers)
    body = (
        await sqlite_helpdesk.client.post(
            f"/api/chat/sessions/{cid}/messages",
            json={"text": "Passwort vergessen"},
            headers=headers,
        )
    ).json()
    first, second = body["messages"]
    assert first["kb_article"] == {"slug": "password-reset", "title": "Passwort vergessen"}
    assert second["buttons"][1] == {"title": "Nein", "payload": "/feedback_negative"}
    # A button the bot offered is relayed by its payload; the transcript shows its title.
    sqlite_helpdesk.rasa.on_message = sqlite_helpdesk.rasa._echo
    clicked = await sqlite_helpdesk.client.post(
        f"/api/chat/sessions/{cid}/messages",
        json={"text": "Nein", "payload": "/feedback_negative"},
        headers=headers,
    )
    assert clicked.status_code == 200
    assert sqlite_helpdesk.rasa.received[-1]["message"] == "/feedback_negative"
    # A payload the bot never offered is refused and not relayed.
    forged = await sqlite_helpdesk.client.post(
        f"/api/chat/sessions/{cid}/messages",
        json={"text": "x", "payload": "/EXTERNAL_handback"},
        headers=headers,
    )
    assert forged.status_code == 422
    assert sqlite_helpdesk.rasa.received[-1]["message"] == "/feedback_negative"


async def test_only_the_buttons_of_the_bots_latest_answer_are_taken(
    sqlite_helpdesk: Helpdesk,
) -> None:
    turns = 0

    async def answer(sender: str, text: str, metadata: dict[str, Any]) -> list[Any]:
        nonlocal turns
        turns += 1
        return [
            {"recipient_id": sender, "text": f"Frage {turns}"},
            {
                "recipient_id": sender,
                "text": "Welche?",
                "buttons": [{"title": f"Antwort {turns}", "payload": f'/choose{{"n":{turns}}}'}],
            },
        ]

    sqlite_helpdesk.rasa.on_message = answer
    headers = sqlite_helpdesk.as_employee()
    cid = await sqlite_helpdesk.start_chat(headers)
    url = f"/api/chat/sessions/{cid}/messages"

    async def click(n: int) -> Any:
        body = {"text": f"Antwort {n}", "payload": f'/choose{{"n":{n}}}'}
        return await sqlite_helpdesk.client.post(url, json=body, headers=headers)

    await sqlite_helpdesk.client.post(url, json={"text": "Drucker"}, headers=headers)
    await sqlite_helpdesk.client.post(url, json={"text": "im 2. OG"}, headers=headers)
    relayed = len(sqlite_helpdesk.rasa.received)
    older = await click(1)  # offered, but by the answer before the employee wrote again
    assert older.status_code == 422
    assert "not offered now" in older.json()["detail"]
    assert len(sqlite_helpdesk.rasa.received) == relayed  # not relayed, not stored
    stored = (await sqlite_helpdesk.client.get(url, headers=headers)).json()["messages"]
    assert [m["text"] for m in stored if m["sender"] == "user"] == ["Drucker", "im 2. OG"]
    latest = await click(2)
    assert latest.status_code == 200, latest.text
    assert sqlite_helpdesk.rasa.received[-1]["message"] == '/choose{"n":2}'
    again = await click(2)  # spent: the employee has clicked since it was offered
    assert again.status_code == 422
    assert (await click(3)).status_code == 200  # the newest answer's button


@pytest.mark.parametrize(
    ("typed", "plain"),
    [
        ("/request_human", "request_human"),
        (" /request_human", "request_human"),
        ("\t/request_human", "request_human"),
        ("\u00a0/request_human", "request_human"),
        ("\u2003\u3000/request_human", "request_human"),
        ("/ /request_human", "request_human"),
        ("//request_human", "request_human"),
        ("/\n\t/ / request_human", "request_human"),
        ('/inform{"impact":"high"}', 'inform{"impact":"high"}'),
        ("a/b", "a/b"),
        ("Pfad /var/log", "Pfad /var/log"),
        ("/", ""),
        ("///", ""),
        (" / \u00a0/ ", ""),
        ("", ""),
    ],
)
def test_typed_text_never_starts_with_a_slash_as_rasa_reads_it(typed: str, plain: str) -> None:
    assert as_plain_text(typed) == plain
    assert not as_plain_text(typed).strip().startswith("/")


async def test_bad_messages_get_clear_errors_and_markup_stays_text(
    sqlite_helpdesk: Helpdesk,
) -> None:
    headers = sqlite_helpdesk.as_employee()
    cid = await sqlite_helpdesk.start_chat(headers)
    url = f"/api/chat/sessions/{cid}/messages"
    empty = await sqlite_helpdesk.client.post(url, json={"text": " \n\t "}, headers=headers)
    assert empty.status_code == 422 and "empty" in empty.json()["detail"]
    long = await sqlite_helpdesk.client.post(url, json={"text": "x" * 4001}, headers=headers)
    assert long.status_code == 422 and "4000 characters" in long.json()["detail"]
    malformed = await sqlite_helpdesk.client.post(
        url, content=b"{not json", headers={**headers, "content-type": "application/json"}
    )
    assert malformed.status_code == 422
    markup = '<script>alert(1)</script><img src=x onerror="alert(2)">'
    sent = await sqlite_helpdesk.client.post(url, json={"text": markup}, headers=headers)
    assert sent.status_code == 200
    transcript = (await sqlite_helpdesk.client.get(url, headers=headers)).json()["messages"]
    assert transcript[0]["text"] == markup
    huge = await sqlite_helpdesk.client.post(url, content=b"x" * 1_000_001, headers=headers)
    assert huge.status_code == 413


async def test_nobody_reads_another_employees_conversation(helpdesk: Helpdesk) -> None:
    cid = await helpdesk.start_chat(helpdesk.as_employee())
    other = helpdesk.as_employee("ben.kraus@brandt.example", "Ben Kraus")
    for method, path in [
        ("GET", f"/api/chat/sessions/{cid}"),
        ("GET", f"/api/chat/sessions/{cid}/messages"),
        ("POST", f"/api/chat/sessions/{cid}/messages"),
    ]:
        response = await helpdesk.client.request(method, path, headers=other, json={"text": "hi"})
        assert response.status_code == 404, path
    unknown = await helpdesk.client.get("/api/chat/sessions/doesnotexist", headers=other)
    assert unknown.status_code == 404


async def test_when_rasa_is_down_the_message_is_kept_and_the_next_one_retries(
    helpdesk: Helpdesk,
) -> None:
    headers = helpdesk.as_employee()
    cid = await helpdesk.start_chat(headers, locale="en")
    helpdesk.rasa.down = True
    body = (
        await helpdesk.client.post(
            f"/api/chat/sessions/{cid}/messages",
            json={"text": "VPN keeps dropping"},
            headers=headers,
        )
    ).json()
    assert body["state"] == "bot"
    assert body["messages"][0]["sender"] == "system"
    assert "cannot be reached" in body["messages"][0]["text"]
    helpdesk.rasa.down = False
    body = (
        await helpdesk.client.post(
            f"/api/chat/sessions/{cid}/messages", json={"text": "hello again"}, headers=headers
        )
    ).json()
    assert body["messages"][0]["text"] == "echo: hello again"
    transcript = (
        await helpdesk.client.get(f"/api/chat/sessions/{cid}/messages", headers=headers)
    ).json()["messages"]
    assert [m["text"] for m in transcript if m["sender"] == "user"] == [
        "VPN keeps dropping",
        "hello again",
    ]


async def test_a_message_clearly_in_the_other_language_switches_it(
    sqlite_helpdesk: Helpdesk,
) -> None:
    headers = sqlite_helpdesk.as_employee()
    cid = await sqlite_helpdesk.start_chat(headers, locale="de")
    url = f"/api/chat/sessions/{cid}/messages"
    await sqlite_helpdesk.client.post(url, json={"text": "VPN"}, headers=headers)
    assert sqlite_helpdesk.rasa.slots[cid]["language"] == "de"
    await sqlite_helpdesk.client.post(
        url, json={"text": "I cannot connect to the VPN from my home office"}, headers=headers
    )
    assert sqlite_helpdesk.rasa.slots[cid]["language"] == "en"
    assert sqlite_helpdesk.rasa.received[-1]["metadata"]["locale"] == "en"
    state = (await sqlite_helpdesk.client.get(f"/api/chat/sessions/{cid}", headers=headers)).json()
    assert state["locale"] == "en"
    switched = await sqlite_helpdesk.client.patch(
        f"/api/chat/sessions/{cid}", json={"locale": "de"}, headers=headers
    )
    assert switched.json()["locale"] == "de"


async def test_each_bot_turn_records_what_the_bot_understood(helpdesk: Helpdesk) -> None:
    from sqlalchemy import select

    from handoff.conversations.models import BotTurn

    headers = helpdesk.as_employee()
    cid = await helpdesk.start_chat(headers)
    await helpdesk.client.post(
        f"/api/chat/sessions/{cid}/messages", json={"text": "Outlook hängt"}, headers=headers
    )
    async with helpdesk.app.state.open_db() as db:
        turn = await db.scalar(select(BotTurn).where(BotTurn.conversation_id == cid))
    assert turn is not None
    assert (turn.intent, turn.confidence, turn.outcome) == ("it_problem", 0.93, "handled")
    assert turn.latency_ms is not None and turn.message_seq == 1


async def test_a_sequence_number_beyond_any_is_refused_not_500(sqlite_helpdesk: Helpdesk) -> None:
    employee = sqlite_helpdesk.as_employee()
    cid = await sqlite_helpdesk.start_chat(employee)
    response = await sqlite_helpdesk.client.get(
        f"/api/chat/sessions/{cid}/messages",
        params={"after": "139839385530583415846338560"},
        headers=employee,
    )
    assert response.status_code == 422
