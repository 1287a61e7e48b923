"""Declaring and reading known problems (agents, leads, admins); resolving is a flow."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, HTTPException

from handoff.deps import DbDep

from . import service
from .dependencies import AgentOrLead, ProblemOr404
from .models import Problem
from .schemas import ProblemCreate, ProblemRead

router = APIRouter(prefix="/api/problems", tags=["problems"])


def problem_json(problem: Problem) -> dict[str, Any]:
    return {
        "id": problem.id,
        "title": problem.title,
        "notice": problem.notice,
        "articles": problem.articles,
        "state": problem.state,
        "note": problem.note,
        "created_by": problem.created_by,
        "created_at": problem.created_at,
        "resolved_at": problem.resolved_at,
    }


@router.post("", status_code=201)
async def declare(body: ProblemCreate, staff: AgentOrLead, db: DbDep) -> dict[str, int]:
    """Declare a known problem about some articles; employees who ask about them see the notice."""
    try:
        problem = await service.create(
            db=db,
            title=body.title.strip(),
            notice=body.notice.model_dump(),
            articles=body.articles,
            actor=staff.display_name,
        )
    except service.UnknownArticle as exc:
        raise HTTPException(422, f"unknown article {exc}") from exc
    await db.commit()
    return {"id": problem.id}


@router.get("", response_model=list[ProblemRead])
async def list_problems(
    staff: AgentOrLead, db: DbDep, state: Literal["open", "resolved"] | None = None
) -> list[dict[str, Any]]:
    """Known problems, newest first."""
    return [problem_json(p) for p in await service.list_problems(db=db, state=state)]


@router.get("/{problem_id}", response_model=ProblemRead)
async def read(staff: AgentOrLead, problem: ProblemOr404) -> dict[str, Any]:
    """One known problem."""
    return problem_json(problem)
