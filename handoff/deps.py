"""Dependencies shared by the routers, declared once as Annotated aliases."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handoff.config import Settings
from handoff.kb import service as kb_service
from handoff.kb.drafts import DraftIndex
from handoff.kb.jobs import RebuildJobs
from handoff.kb.models import Article
from handoff.kb.search import LiveSearch
from kb_index import Embedder


def get_settings_dep(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_sessions(request: Request) -> async_sessionmaker[AsyncSession]:
    sessions: async_sessionmaker[AsyncSession] = request.app.state.sessions
    return sessions


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    async with request.app.state.sessions() as session:
        yield session


def get_search(request: Request) -> LiveSearch:
    search: LiveSearch = request.app.state.search
    return search


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
SessionDep = Annotated[AsyncSession, Depends(get_session)]
SessionsDep = Annotated[async_sessionmaker[AsyncSession], Depends(get_sessions)]
SearchDep = Annotated[LiveSearch, Depends(get_search)]


# --- knowledge base and insights (kb/*router*.py, insights/router.py) ---


def get_rebuild_jobs(request: Request) -> RebuildJobs:
    jobs: RebuildJobs = request.app.state.rebuild_jobs
    return jobs


def get_draft_index(request: Request) -> DraftIndex:
    drafts: DraftIndex = request.app.state.draft_index
    return drafts


def get_embedder(request: Request) -> Embedder:
    search: LiveSearch = request.app.state.search
    return search.embedder


async def article_or_404(slug: str, session: SessionDep) -> Article:
    """The article named by the path's {slug} (not deleted), or 404."""
    try:
        return await kb_service.get_article(session=session, slug=slug)
    except kb_service.ArticleNotFound as exc:
        raise HTTPException(404, f"no article {slug!r}") from exc


RebuildJobsDep = Annotated[RebuildJobs, Depends(get_rebuild_jobs)]
DraftIndexDep = Annotated[DraftIndex, Depends(get_draft_index)]
EmbedderDep = Annotated[Embedder, Depends(get_embedder)]
ArticleDep = Annotated[Article, Depends(article_or_404)]
