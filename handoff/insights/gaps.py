"""Knowledge gaps: what the bot could not answer, grouped by meaning and counted."""

from __future__ import annotations

import asyncio
import hashlib
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from handoff.conversations.models import BotTurn, Feedback
from kb_index import Embedder

from .models import GapResolution
from .schemas import GapGroup, GapQuestion

SIMILAR = 0.72  # cosine similarity at which two questions count as the same need
RECENT = 5000
NO_GAP_INTENTS = ("request_human",)  # asking for a person is not a question for an article
IT_INTENTS = ("it_problem", "it_question")  # the NLU's readings of a question about IT


def text_hash(text: str) -> str:
    """Return the hash that identifies a question, whatever its case and spacing."""
    return hashlib.sha256(" ".join(text.lower().split()).encode()).hexdigest()


@dataclass
class Item:
    text: str
    kinds: set[str] = field(default_factory=set)
    conversations: set[str] = field(default_factory=set)
    count: int = 0
    last_seen: datetime | None = None


async def collect(*, db: AsyncSession) -> list[Item]:
    """IT questions not answered confidently, and answers that "didn't help"."""
    items: dict[str, Item] = {}

    def add(text: str | None, kind: str, conversation: str, at: datetime) -> None:
        if not text or text.startswith("/"):
            return
        item = items.setdefault(text_hash(text), Item(text=text.strip()))
        item.kinds.add(kind)
        item.conversations.add(conversation)
        item.count += 1
        item.last_seen = max(filter(None, [item.last_seen, at]))

    turns = await db.scalars(select(BotTurn).order_by(BotTurn.id.desc()).limit(RECENT))
    for turn in turns:
        # Off-topic questions and requests for a person are no gap in the knowledge base;
        # a handed-off problem is here already by its unanswered question or "didn't help".
        # A question the search found nothing close to is off-topic only if the NLU did not
        # read it as IT too: "Wie verbinde ich den Beamer im Besprechungsraum?" is a gap.
        off_topic = turn.outcome == "off_topic" and turn.intent not in IT_INTENTS
        if turn.kb_confident is False and not off_topic and turn.intent not in NO_GAP_INTENTS:
            add(turn.kb_query or turn.text, "no_answer", turn.conversation_id, turn.created_at)
    feedback = await db.scalars(
        select(Feedback)
        .where(Feedback.helpful.is_(False))
        .order_by(Feedback.id.desc())
        .limit(RECENT)
    )
    for entry in feedback:
        add(entry.query, "didnt_help", entry.conversation_id, entry.created_at)
    handled = set(await db.scalars(select(GapResolution.text_hash)))
    return [item for key, item in items.items() if key not in handled]


def cluster(*, items: list[Item], vectors: np.ndarray) -> list[list[int]]:
    """Greedy grouping: most frequent first, joining the nearest group above SIMILAR."""
    order = sorted(range(len(items)), key=lambda i: -items[i].count)
    groups: list[list[int]] = []
    centroids: list[np.ndarray] = []
    for i in order:
        if centroids:
            sims = np.asarray(centroids) @ vectors[i]
            best = int(np.argmax(sims))
            if sims[best] >= SIMILAR:
                groups[best].append(i)
                centroid = vectors[groups[best]].mean(axis=0)
                centroids[best] = centroid / (np.linalg.norm(centroid) or 1.0)
                continue
        groups.append([i])
        centroids.append(vectors[i])
    return groups


def _group(chosen: list[Item]) -> GapGroup:
    seen = [it.last_seen for it in chosen if it.last_seen]
    return GapGroup(
        id=text_hash(chosen[0].text)[:12],
        count=sum(it.count for it in chosen),
        kinds=sorted({k for it in chosen for k in it.kinds}),
        last_seen=max(seen).isoformat() if seen else None,
        questions=[
            GapQuestion(text=it.text, count=it.count, conversations=sorted(it.conversations))
            for it in chosen
        ],
    )


async def gap_groups(*, db: AsyncSession, embedder: Embedder) -> list[GapGroup]:
    """Groups of similar unanswered questions, largest first."""
    items = await collect(db=db)
    if not items:
        return []
    vectors = await asyncio.to_thread(embedder.encode, [item.text for item in items])
    groups = [
        _group(sorted((items[i] for i in members), key=lambda it: -it.count))
        for members in cluster(items=items, vectors=vectors)
    ]
    return sorted(groups, key=lambda g: -g.count)


async def resolve(*, db: AsyncSession, texts: list[str], slug: str, action: str, by: str) -> None:
    """Hide questions from the gaps: an article covers them (draft, attached), or an editor
    dismissed them as no IT question (not_it) or as a request for a person (person)."""
    for text in texts:
        key = text_hash(text)
        if await db.get(GapResolution, key) is None:
            db.add(GapResolution(text_hash=key, slug=slug, action=action, by=by))
