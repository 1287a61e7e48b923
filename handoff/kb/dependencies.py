"""Dependencies of the knowledge-base routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from .search import LiveSearch


def get_search(request: Request) -> LiveSearch:
    search: LiveSearch = request.app.state.search
    return search


SearchDep = Annotated[LiveSearch, Depends(get_search)]
