"""Knowledge gaps: what the bot could not answer, grouped, and turned into articles."""

from __future__ import annotations

from handoff.conversations.models import BotTurn

from ..conftest import Helpdesk
from ..factories import staff


async def _not_confident(
    helpdesk: Helpdesk, cid: str, asked: list[tuple[str, str | None]], outcome: str
) -> None:
    """Record bot turns whose search was not confident: (text, the NLU's intent) each."""
    async with helpdesk.app.state.open_db() as db:
        for seq, (text, intent) in enumerate(asked, start=1):
            db.add(
                BotTurn(
                    conversation_id=cid,
                    message_seq=seq,
                    text=text,
                    kb_query=text,
                    kb_confident=False,
                    intent=intent,
                    outcome=outcome,
                )
            )
        await db.commit()


async def test_knowledge_gaps_group_similar_questions_and_become_drafts(
    sqlite_helpdesk: Helpdesk,
) -> None:
    editor = (await staff(sqlite_helpdesk, "editor"))["headers"]
    cid = await sqlite_helpdesk.start_chat(sqlite_helpdesk.as_employee())
    asked = [
        "Beamer zeigt kein Bild",
        "Beamer zeigt kein Bild an",
        "Beamer kein Bild",
        "Kaffeemaschine kaputt",
    ]
    await _not_confident(sqlite_helpdesk, cid, [(text, None) for text in asked], "no_answer")
    groups = (await sqlite_helpdesk.client.get("/api/kb/gaps", headers=editor)).json()["groups"]
    top = groups[0]
    assert top["count"] == 3 and "no_answer" in top["kinds"]
    assert {q["text"] for q in top["questions"]} == set(asked[:3])
    assert top["questions"][0]["conversations"] == [cid]
    transcript = await sqlite_helpdesk.client.get(f"/api/kb/transcripts/{cid}", headers=editor)
    assert transcript.status_code == 200
    draft = await sqlite_helpdesk.client.post(
        "/api/kb/gaps/draft",
        json={
            "slug": "beamer-connect",
            "category": "hardware",
            "lang": "de",
            "title": "Beamer verbinden",
            "questions": [q["text"] for q in top["questions"]],
        },
        headers=editor,
    )
    assert draft.status_code == 201
    article = (
        await sqlite_helpdesk.client.get("/api/kb/articles/beamer-connect", headers=editor)
    ).json()
    assert article["status"] == "draft"
    assert set(article["translations"]["de"]["questions"]) == set(asked[:3])
    left = (await sqlite_helpdesk.client.get("/api/kb/gaps", headers=editor)).json()["groups"]
    assert [g["questions"][0]["text"] for g in left] == ["Kaffeemaschine kaputt"]


async def test_a_question_read_as_it_is_a_gap_even_when_nothing_close_was_found(
    sqlite_helpdesk: Helpdesk,
) -> None:
    """Nothing close in the index: the bot answers as to an off-topic message. The NLU's
    reading tells an IT question the knowledge base lacks from a question about something
    else; only the first is a gap for the editors."""
    editor = (await staff(sqlite_helpdesk, "editor"))["headers"]
    cid = await sqlite_helpdesk.start_chat(sqlite_helpdesk.as_employee())
    asked = [
        ("Wie verbinde ich den Beamer im Besprechungsraum?", "it_question"),
        ("Der Beamer im Besprechungsraum zeigt kein Bild", "it_problem"),
        ("Wann ist die Weihnachtsfeier?", "out_of_scope"),
        ("Wie viel Urlaub habe ich noch?", None),
    ]
    await _not_confident(sqlite_helpdesk, cid, asked, "off_topic")
    groups = (await sqlite_helpdesk.client.get("/api/kb/gaps", headers=editor)).json()["groups"]
    listed = {q["text"] for group in groups for q in group["questions"]}
    assert listed == {asked[0][0], asked[1][0]}
