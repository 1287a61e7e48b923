"""What editors do with knowledge gaps: list them, turn them into articles, read transcripts."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from handoff.conversations import store as conversation_service
from handoff.kb import service as kb_service
from handoff.kb.schemas import ArticleCreate, Translation
from kb_index import Embedder

from . import gaps
from .schemas import (
    DraftCreated,
    GapAttach,
    GapDismiss,
    GapDraft,
    GapList,
    GapsDismissed,
    QuestionsAttached,
    TranscriptRead,
)

# The house structure of an article (kb/README.md), for the editor to fill in.
DRAFT_BODY = {
    "de": "Kurz: worum es geht.\n\n## Zuerst prüfen\n- …\n\n## Schritte\n1. …\n\n"
    "## Klappt es nicht?\nTicket im IT-Portal oder Anruf bei 4357.",
    "en": "In short: what this is about.\n\n## Check first\n- …\n\n## Steps\n1. …\n\n"
    "## Still not working?\nOpen a ticket in the IT-Portal or call 4357.",
}


async def list_gaps(*, db: AsyncSession, embedder: Embedder) -> GapList:
    """Return the open knowledge gaps, grouped by meaning, largest first."""
    return GapList(groups=await gaps.gap_groups(db=db, embedder=embedder))


async def draft_from_gap(*, db: AsyncSession, gap: GapDraft, author: str) -> DraftCreated:
    """Create a draft article whose example questions are the gap's; hide them from the gaps.

    Raise kb_service.ArticleExists if the slug is taken, ValueError for invalid content.
    """
    article = ArticleCreate(
        slug=gap.slug,
        category=gap.category,
        translations={
            gap.lang: Translation(
                title=gap.title, body=DRAFT_BODY[gap.lang], questions=gap.questions
            )
        },
    )
    await kb_service.create_article(
        db=db, article=article, author=author, note="from knowledge gaps"
    )
    await gaps.resolve(db=db, texts=gap.questions, slug=gap.slug, action="draft", by=author)
    await db.commit()
    return DraftCreated(slug=gap.slug, status="draft")


async def attach_to_article(*, db: AsyncSession, gap: GapAttach, author: str) -> QuestionsAttached:
    """Add the gap's questions to an article (a new draft version); hide them from the gaps.

    Raise kb_service.ArticleNotFound or kb_service.NoTranslation.
    """
    article = await kb_service.get_article(db=db, slug=gap.slug)
    await kb_service.add_questions(
        db=db, article=article, lang=gap.lang, questions=gap.questions, author=author
    )
    await gaps.resolve(db=db, texts=gap.questions, slug=gap.slug, action="attached", by=author)
    await db.commit()
    return QuestionsAttached(slug=gap.slug, version=article.latest_version)


async def dismiss_gaps(*, db: AsyncSession, gap: GapDismiss, by: str) -> GapsDismissed:
    """Remove questions that are no knowledge gap from the list (kept as dismissed)."""
    await gaps.resolve(db=db, texts=gap.questions, slug="", action=gap.reason, by=by)
    await db.commit()
    return GapsDismissed(dismissed=len(set(gap.questions)))


async def transcript(*, db: AsyncSession, conversation_id: str) -> TranscriptRead:
    """Return a conversation behind a gap; raise ConversationNotFound if there is none."""
    conversation = await conversation_service.get(db=db, conversation_id=conversation_id)
    messages = await conversation_service.transcript(db=db, conversation_id=conversation.id)
    return TranscriptRead(
        conversation_id=conversation.id,
        locale=conversation.locale,
        messages=[conversation_service.message_json(m) for m in messages],
    )
