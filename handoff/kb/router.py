"""Knowledge-base HTTP API: search (the same result as `python -m kb_index search`)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Query

from kb_index import QueryError

from .dependencies import SearchDep
from .schemas import SearchResponse
from .search import IndexUnavailable

router = APIRouter(prefix="/api/kb", tags=["knowledge base"])


@router.get("/search", response_model=SearchResponse)
async def search(
    search: SearchDep,
    q: Annotated[str, Query(description="the question, up to 500 characters")],
    k: Annotated[int, Query(ge=1, le=50)] = 5,
    lang: Annotated[Literal["de", "en"] | None, Query(description="default: detected")] = None,
) -> dict[str, object]:
    """Search the published articles; `confident` is the bot's answer-or-not decision."""
    try:
        result = await search.search(q, k=k, lang=lang)
    except QueryError as exc:
        raise HTTPException(status_code=422, detail=str(exc)) from exc
    except IndexUnavailable as exc:
        raise HTTPException(status_code=503, detail=f"search is unavailable: {exc}") from exc
    return result.to_json()
