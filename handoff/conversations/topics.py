"""Topics: the problems and questions of one conversation, told apart by what search finds.

A new question starts a new topic unless it is about the subject of the open one (its best
article is among the open topic's articles, or the other way round): then it is the employee
rephrasing. Words sent with a file ("Hier die Fehlermeldung") describe the file, and so the
open topic's problem, unless search is sure they are about something else. Failures count
what the employee rejected (an answer, or the candidates) for this topic; an unconfident
search alone is no failure.

A request for a person is about a topic too (for_handoff): the one its own words name
("Outlook geht immer noch nicht"), else the one the employee is on, never one they called
solved.
"""

from __future__ import annotations

import re

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from handoff.database import utcnow

from .models import Conversation, Topic

SAME_SUBJECT_HITS = 3
# Sentences of a message, searched one by one when a request for a person names a problem.
_SENTENCE = re.compile(r"(?<=[^\d\s][.!?])\s+")
REQUEST_SENTENCES = 3


def same_subject(old: list[str], new: list[str], *, sure: bool = False) -> bool:
    """Tell whether two searches found the same subject (their best articles overlap).

    `sure`: the new search is confident of its answer. Then its answer names the subject, and
    it is the same only if that article is among the old ones ("Der Drucker druckt nicht"
    after "Maus defekt" is another problem, though the mouse article is its third hit).
    """
    if not old or not new:
        return False
    if new[0] in old[:SAME_SUBJECT_HITS]:
        return True
    return not sure and old[0] in new[:SAME_SUBJECT_HITS]


async def current(*, db: AsyncSession, conversation: Conversation) -> Topic | None:
    """The topic the employee is on, if any."""
    if conversation.topic_id is None:
        return None
    return await db.get(Topic, conversation.topic_id)


async def for_question(
    *,
    db: AsyncSession,
    conversation: Conversation,
    query: str,
    slugs: list[str],
    seq: int,
    about_file: bool = False,
    sure: bool = False,
) -> Topic:
    """The topic a new question belongs to: the open one when it is a rephrasing, else new.

    `sure`: search is confident of an answer to the question (same_subject).

    `about_file`: the words came with the employee's file and search is not sure of an
    article: they stay with the open topic, whose articles stay what it was about.
    """
    topic = await current(db=db, conversation=conversation)
    if topic is not None and topic.state == "open":
        if same_subject(topic.slugs, slugs, sure=sure):
            topic.slugs, topic.updated_at = slugs, utcnow()
            return topic
        if about_file:
            topic.updated_at = utcnow()
            return topic
    number = await db.scalar(
        select(func.coalesce(func.max(Topic.number), 0)).where(
            Topic.conversation_id == conversation.id
        )
    )
    topic = Topic(
        conversation_id=conversation.id,
        number=int(number or 0) + 1,
        first_seq=seq,
        query=query,
        slugs=slugs,
    )
    db.add(topic)
    await db.flush()
    conversation.topic_id = topic.id
    return topic


def judge(topic: Topic, *, helpful: bool) -> int:
    """Record the employee's verdict on the topic; return the failures that still count."""
    topic.updated_at = utcnow()
    if helpful:
        topic.state = "solved"
        return 0
    topic.failures += 1
    return topic.failures


async def of_conversation(*, db: AsyncSession, conversation_id: str) -> list[Topic]:
    return list(
        await db.scalars(
            select(Topic).where(Topic.conversation_id == conversation_id).order_by(Topic.number)
        )
    )


def sentences(text: str) -> list[str]:
    """The message's sentences ("Kann ich jemanden sprechen? Outlook geht nicht"), at most 3."""
    parts = [p.strip() for p in _SENTENCE.split(" ".join(text.split())) if p.strip()]
    return parts[:REQUEST_SENTENCES]


def named(all_topics: list[Topic], found: list[tuple[str, list[str]]]) -> tuple[Topic | None, str]:
    """The topic a request's words are about, and the sentence that names it.

    `found`: each sentence searched, with what search found for it. Stricter than
    same_subject: a sentence's best article must be among the topic's, so the request's own
    words ("Kann ich mit einem Mitarbeiter sprechen?", whose best article is about new
    employees) do not name a topic by a lesser hit. The topic where it ranks highest wins; on
    a tie, the newest.
    """
    best, best_rank, naming = None, SAME_SUBJECT_HITS, ""
    for topic in reversed(all_topics):
        for sentence, slugs in found:
            if slugs and slugs[0] in topic.slugs[:SAME_SUBJECT_HITS]:
                rank = topic.slugs.index(slugs[0])
                if rank < best_rank:
                    best, best_rank, naming = topic, rank, sentence
    return best, naming


def for_handoff(
    all_topics: list[Topic], current: Topic | None, named_topic: Topic | None
) -> Topic | None:
    """The topic a request for a person is about.

    The one the request names comes first, reopened if the employee had called it solved
    (they are asking for help with it after all). Else the one the employee is on, unless
    they called it solved: then the newest topic still open, or none (a neutral subject).
    """
    chosen = named_topic or current
    if named_topic is None and current is not None and current.state == "solved":
        chosen = next((t for t in reversed(all_topics) if t.state == "open"), None)
    if chosen is not None and chosen.state == "solved":
        chosen.state, chosen.updated_at = "open", utcnow()
    return chosen
