"""Who may declare and resolve known problems: agents and leads (admins too)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException

from handoff.deps import DbDep
from handoff.users.dependencies import CurrentStaff
from handoff.users.models import User

from . import service
from .models import Problem


async def agent_or_lead(staff: CurrentStaff) -> User:
    """The logged-in agent, lead or admin (403 for other roles)."""
    if not (staff.user.can("agent") or staff.user.can("lead")):
        raise HTTPException(403, "this needs the agent or lead role")
    return staff.user


async def problem_or_404(problem_id: int, db: DbDep) -> Problem:
    try:
        return await service.get(db=db, problem_id=problem_id)
    except service.ProblemNotFound as exc:
        raise HTTPException(404, "unknown problem") from exc


AgentOrLead = Annotated[User, Depends(agent_or_lead)]
ProblemOr404 = Annotated[Problem, Depends(problem_or_404)]
