"""Learning from use: questions an article demonstrably answered, offered as its examples.

A question answered an article when the employee said "did this help? - yes" to it, or when
an agent resolved the chat after sending the article's link (/kb/<slug>): then the
question the bot could not answer in that chat is the suggestion. Editors accept one (it
becomes an example question of the article in the chat's language) or reject it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from handoff.conversations.models import BotTurn, Conversation, Feedback, Message
from handoff.kb import service as kb_service
from handoff.kb.models import Article, ArticleVersion

from . import gaps
from .models import SuggestionDecision
from .schemas import Suggestion, SuggestionAccepted, SuggestionChoice

RECENT = 5000
ARTICLE_LINK = re.compile(r"/kb/([a-z0-9]+(?:-[a-z0-9]+)*)")


@dataclass
class _Found:
    text: str
    slug: str
    lang: str
    sources: set[str] = field(default_factory=set)
    conversations: set[str] = field(default_factory=set)


async def _helped(db: AsyncSession) -> Iterable[tuple[str, str, str, str, str]]:
    """(question, slug, language, conversation, source) from "did this help? - yes"."""
    rows = await db.execute(
        select(Feedback.query, Feedback.slug, Conversation.locale, Feedback.conversation_id)
        .join(Conversation, Conversation.id == Feedback.conversation_id)
        .where(Feedback.helpful.is_(True), Feedback.slug.is_not(None), Feedback.query.is_not(None))
        .order_by(Feedback.id.desc())
        .limit(RECENT)
    )
    return [(str(q), str(s), str(lang), str(cid), "helped") for q, s, lang, cid in rows]


async def _resolved_by_agents(db: AsyncSession) -> list[tuple[str, str, str, str, str]]:
    """(question, slug, language, conversation, source) from chats an agent resolved with a link."""
    rows = await db.execute(
        select(Conversation.id, Conversation.locale, Message.text)
        .join(Message, Message.conversation_id == Conversation.id)
        .where(
            Conversation.close_reason == "resolved",
            Message.sender == "agent",
            ~Message.internal,
            Message.text.contains("/kb/"),
        )
        .order_by(Message.id.desc())
        .limit(RECENT)
    )
    sent: dict[str, tuple[str, set[str]]] = {}
    for cid, locale, text in rows:
        sent.setdefault(str(cid), (str(locale), set()))[1].update(ARTICLE_LINK.findall(text))
    if not sent:
        return []
    turns = await db.execute(
        select(BotTurn.conversation_id, BotTurn.kb_query, BotTurn.text)
        .where(BotTurn.conversation_id.in_(sent), BotTurn.kb_confident.is_not(True))
        .where(BotTurn.kb_query.is_not(None))
        .order_by(BotTurn.id)
    )
    question = {str(cid): str(query or text) for cid, query, text in turns}  # the last one
    return [
        (question[cid], slug, locale, cid, "agent")
        for cid, (locale, slugs) in sent.items()
        if cid in question
        for slug in sorted(slugs)
    ]


async def _known_questions(db: AsyncSession) -> dict[str, dict[str, set[str]]]:
    """Per live article and language, the example questions it has (hashed) in its newest text."""
    rows = await db.execute(
        select(Article.slug, ArticleVersion.translations)
        .join(
            ArticleVersion,
            (ArticleVersion.article_id == Article.id)
            & (ArticleVersion.number == Article.latest_version),
        )
        .where(~Article.deleted)
    )
    return {
        str(slug): {
            lang: {gaps.text_hash(q) for q in (text.get("questions") or [])}
            for lang, text in translations.items()
        }
        for slug, translations in rows
    }


async def suggestions(*, db: AsyncSession) -> list[Suggestion]:
    """The open suggestions, the most often confirmed first."""
    known = await _known_questions(db)
    rows = await db.execute(select(SuggestionDecision.text_hash, SuggestionDecision.slug))
    decided = {(str(key), str(slug)) for key, slug in rows}
    found: dict[tuple[str, str, str], _Found] = {}
    for text, slug, lang, cid, source in [*await _helped(db), *await _resolved_by_agents(db)]:
        key = gaps.text_hash(text)
        if text.startswith("/") or (key, slug) in decided or lang not in known.get(slug, {}):
            continue  # a button's payload, dealt with, or no text in that language to add it to
        if key in known[slug][lang]:
            continue
        item = found.setdefault((key, slug, lang), _Found(text.strip(), slug, lang))
        item.sources.add(source)
        item.conversations.add(cid)
    return sorted(
        (
            Suggestion(
                text=f.text,
                slug=f.slug,
                lang=f.lang,
                sources=sorted(f.sources),
                count=len(f.conversations),
                conversations=sorted(f.conversations),
            )
            for f in found.values()
        ),
        key=lambda s: (-s.count, s.slug, s.text),
    )


async def accept(*, db: AsyncSession, choice: SuggestionChoice, by: str) -> SuggestionAccepted:
    """Add the question to the article's examples in its language; publish that when the
    published text was the newest (a pending draft stays a draft, with the question added).

    Raise kb_service.ArticleNotFound or kb_service.NoTranslation.
    """
    article = await kb_service.get_article(db=db, slug=choice.slug)
    was_current = article.published_version == article.latest_version
    version = await kb_service.add_questions(
        db=db, article=article, lang=choice.lang, questions=[choice.text], author=by
    )
    if was_current:
        kb_service.publish_version(article=article, number=version.number)
    await _decide(db, choice, "accepted", by)
    await gaps.resolve(db=db, texts=[choice.text], slug=choice.slug, action="attached", by=by)
    await db.commit()
    return SuggestionAccepted(slug=choice.slug, version=version.number, published=was_current)


async def reject(*, db: AsyncSession, choice: SuggestionChoice, by: str) -> None:
    """Do not offer this question for this article again."""
    await _decide(db, choice, "rejected", by)
    await db.commit()


async def _decide(db: AsyncSession, choice: SuggestionChoice, decision: str, by: str) -> None:
    key = gaps.text_hash(choice.text)
    row = await db.get(SuggestionDecision, (key, choice.slug))
    if row is None:
        row = SuggestionDecision(text_hash=key, slug=choice.slug)
        db.add(row)
    row.lang, row.decision, row.by = choice.lang, decision, by
