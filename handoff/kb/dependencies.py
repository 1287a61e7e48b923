"""Dependencies of the knowledge-base routes: search, rebuild jobs, drafts, load-or-404."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException
from starlette.requests import HTTPConnection

from handoff.deps import DbDep
from kb_index import Embedder

from . import service as kb_service
from .drafts import DraftIndex
from .jobs import RebuildJobs
from .models import Article
from .search import LiveSearch


def get_search(connection: HTTPConnection) -> LiveSearch:
    search: LiveSearch = connection.app.state.search
    return search


def get_rebuild_jobs(connection: HTTPConnection) -> RebuildJobs:
    jobs: RebuildJobs = connection.app.state.rebuild_jobs
    return jobs


def get_draft_index(connection: HTTPConnection) -> DraftIndex:
    drafts: DraftIndex = connection.app.state.draft_index
    return drafts


def get_embedder(connection: HTTPConnection) -> Embedder:
    return get_search(connection).embedder


async def article_or_404(slug: str, db: DbDep) -> Article:
    """The article named by the path's {slug} (not deleted), or 404."""
    try:
        return await kb_service.get_article(db=db, slug=slug)
    except kb_service.ArticleNotFound as exc:
        raise HTTPException(404, f"no article {slug!r}") from exc


SearchDep = Annotated[LiveSearch, Depends(get_search)]
RebuildJobsDep = Annotated[RebuildJobs, Depends(get_rebuild_jobs)]
DraftIndexDep = Annotated[DraftIndex, Depends(get_draft_index)]
EmbedderDep = Annotated[Embedder, Depends(get_embedder)]
ArticleDep = Annotated[Article, Depends(article_or_404)]
