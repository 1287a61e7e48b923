"""Learning from use: suggested example questions (accept, reject) and dismissed gaps."""

from __future__ import annotations

from sqlalchemy import select

from handoff.conversations.models import BotTurn, Feedback, Message
from handoff.kb.models import Article, ArticleVersion

from ..conftest import Helpdesk
from ..factories import staff
from . import data
from .data import at


async def _used(helpdesk: Helpdesk) -> dict[str, str]:
    """Anna said the VPN article helped; an agent resolved Ben's chat with the mail article."""
    async with helpdesk.app.state.open_db() as db:
        await data.article(db, "t-vpn", "network")
        await data.article(db, "t-mail", "email")
        anna = await data.chat(db, "anna", at(2))
        await data.turn(db, anna, "answered", "t-vpn")
        db.add(Feedback(conversation_id=anna.id, slug="t-vpn", helpful=True, query="VPN bricht ab"))
        db.add(Feedback(conversation_id=anna.id, slug="t-vpn", helpful=False, query="VPN langsam"))
        ben = await data.chat(
            db, "ben", at(3), "en", close_reason="resolved", state="closed", claimed_at=at(3, 9, 2)
        )
        db.add(
            BotTurn(
                conversation_id=ben.id, message_seq=1, text="outlook wont open",
                kb_query="outlook wont open", kb_confident=False, outcome="candidates",
            )
        )  # fmt: skip
        db.add(
            Message(
                conversation_id=ben.id, seq=5, sender="agent",
                text="Try this: Mail setup: http://desk.example/kb/t-mail?lang=en",
            )
        )  # fmt: skip
        await db.commit()
    return {"anna": anna.id, "ben": ben.id}


async def test_answered_questions_are_offered_and_accepted_into_the_article(
    helpdesk: Helpdesk,
) -> None:
    ids = await _used(helpdesk)
    editor = (await staff(helpdesk, "editor"))["headers"]
    client = helpdesk.client
    listed = (await client.get("/api/kb/suggestions", headers=editor)).json()["suggestions"]
    assert {(s["text"], s["slug"], s["lang"], tuple(s["sources"])) for s in listed} == {
        ("VPN bricht ab", "t-vpn", "de", ("helped",)),
        ("outlook wont open", "t-mail", "en", ("agent",)),
    }
    assert next(s for s in listed if s["slug"] == "t-mail")["conversations"] == [ids["ben"]]

    choice = {"slug": "t-vpn", "lang": "de", "text": "VPN bricht ab"}
    accepted = await client.post("/api/kb/suggestions/accept", json=choice, headers=editor)
    assert accepted.status_code == 200, accepted.text
    assert accepted.json() == {"slug": "t-vpn", "version": 2, "published": True}
    async with helpdesk.app.state.open_db() as db:
        article = await db.scalar(select(Article).where(Article.slug == "t-vpn"))
        assert article is not None and article.published_version == 2
        version = await db.scalar(
            select(ArticleVersion).where(
                ArticleVersion.article_id == article.id, ArticleVersion.number == 2
            )
        )
        assert version is not None
        assert version.translations["de"]["questions"] == ["VPN bricht ab"]
        assert not version.translations["en"].get("questions")  # only in the chat's language

    rejected = await client.post(
        "/api/kb/suggestions/reject",
        json={"slug": "t-mail", "lang": "en", "text": "outlook wont open"},
        headers=editor,
    )
    assert rejected.status_code == 204
    assert (await client.get("/api/kb/suggestions", headers=editor)).json()["suggestions"] == []

    missing = {"slug": "t-nothing", "lang": "de", "text": "x"}
    assert (
        await client.post("/api/kb/suggestions/accept", json=missing, headers=editor)
    ).status_code == 404
    agent = (await staff(helpdesk, "agent"))["headers"]
    assert (await client.get("/api/kb/suggestions", headers=agent)).status_code == 403
    bad = {"slug": "t-vpn", "lang": "fr", "text": "x"}
    assert (
        await client.post("/api/kb/suggestions/accept", json=bad, headers=editor)
    ).status_code == 422


async def test_an_accepted_question_goes_into_a_pending_draft_without_publishing_it(
    helpdesk: Helpdesk,
) -> None:
    await _used(helpdesk)
    editor = (await staff(helpdesk, "editor"))["headers"]
    async with helpdesk.app.state.open_db() as db:
        article = await db.scalar(select(Article).where(Article.slug == "t-vpn"))
        assert article is not None
        db.add(
            ArticleVersion(
                article_id=article.id, number=2, category="network",
                translations={"de": {"title": "Entwurf", "body": "neu"}},
            )
        )  # fmt: skip
        article.latest_version = 2
        await db.commit()
    choice = {"slug": "t-vpn", "lang": "de", "text": "VPN bricht ab"}
    accepted = await helpdesk.client.post("/api/kb/suggestions/accept", json=choice, headers=editor)
    assert accepted.json() == {"slug": "t-vpn", "version": 3, "published": False}


async def test_dismissed_questions_and_requests_for_a_person_are_no_gaps(
    sqlite_helpdesk: Helpdesk,
) -> None:
    editor = (await staff(sqlite_helpdesk, "editor"))["headers"]
    cid = await sqlite_helpdesk.start_chat(sqlite_helpdesk.as_employee())
    async with sqlite_helpdesk.app.state.open_db() as db:
        for seq, (text, intent) in enumerate(
            [
                ("Kantine Speiseplan heute", "it_question"),
                ("Drucker druckt nur leere Seiten", "it_problem"),
                ("Ich möchte mit einem Menschen sprechen", "request_human"),
            ],
            start=1,
        ):
            db.add(
                BotTurn(
                    conversation_id=cid, message_seq=seq, text=text, kb_query=text,
                    kb_confident=False, outcome="handoff", intent=intent,
                )
            )  # fmt: skip
        await db.commit()

    async def gap_texts() -> set[str]:
        groups = (await sqlite_helpdesk.client.get("/api/kb/gaps", headers=editor)).json()["groups"]
        return {q["text"] for g in groups for q in g["questions"]}

    assert await gap_texts() == {"Kantine Speiseplan heute", "Drucker druckt nur leere Seiten"}
    dismissed = await sqlite_helpdesk.client.post(
        "/api/kb/gaps/dismiss",
        json={"questions": ["Kantine Speiseplan heute"], "reason": "not_it"},
        headers=editor,
    )
    assert dismissed.status_code == 200 and dismissed.json() == {"dismissed": 1}
    assert await gap_texts() == {"Drucker druckt nur leere Seiten"}
    wrong = await sqlite_helpdesk.client.post(
        "/api/kb/gaps/dismiss", json={"questions": ["x"], "reason": "boring"}, headers=editor
    )
    assert wrong.status_code == 422
