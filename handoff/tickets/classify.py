"""Deriving a ticket's category from its description, through the knowledge base."""

from __future__ import annotations

import logging

from sqlalchemy.ext.asyncio import AsyncSession

from handoff.kb import service as kb_service
from handoff.kb.search import IndexUnavailable, LiveSearch
from kb_index import QueryError

log = logging.getLogger(__name__)
# A hit this close is about the same subject, even if not close enough to answer with.
CATEGORY_MIN_SCORE = 0.45


async def derive_category(*, session: AsyncSession, search: LiveSearch, text: str) -> str:
    """Return the category of the article nearest to text, or "general"."""
    try:
        result = await search.search(text[:500], k=1)
    except (IndexUnavailable, QueryError) as exc:
        log.info("no category from search", extra={"error": str(exc)})
        return "general"
    if not result.hits or result.hits[0].score < CATEGORY_MIN_SCORE:
        return "general"
    return await kb_service.category_of(session=session, slug=result.hits[0].slug) or "general"
