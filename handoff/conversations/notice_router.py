"""Known problems that reach conversations: resolving one, linking a ticket, the widget banner."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, HTTPException, Request

from handoff.auth.dependencies import CurrentEmployee
from handoff.deps import DbDep
from handoff.problems import service as problem_service
from handoff.problems.dependencies import AgentOrLead, ProblemOr404
from handoff.problems.schemas import ProblemBanner, ProblemResolve, TicketLink
from handoff.tickets import service as ticket_service

from .notices import NoticeFlow

router = APIRouter(tags=["problems"])


def _notices(request: Request) -> NoticeFlow:
    flow: NoticeFlow = request.app.state.notices
    return flow


@router.post("/api/problems/{problem_id}/resolve")
async def resolve(
    problem_id: int, body: ProblemResolve, staff: AgentOrLead, request: Request
) -> dict[str, Any]:
    """Resolve the problem: every conversation shown its notice gets the note; tickets resolve."""
    try:
        done = await _notices(request).resolve(
            problem_id=problem_id, note=body.note.model_dump(), actor=staff
        )
    except problem_service.ProblemNotFound as exc:
        raise HTTPException(404, "unknown problem") from exc
    except problem_service.ProblemClosed as exc:
        raise HTTPException(409, "the problem is resolved already") from exc
    return {
        "id": problem_id,
        "state": "resolved",
        "told": done.conversations,
        "tickets": done.tickets,
    }


@router.post("/api/problems/{problem_id}/tickets", status_code=204)
async def link_ticket(
    body: TicketLink, problem: ProblemOr404, staff: AgentOrLead, db: DbDep
) -> None:
    """Link an existing ticket to an open problem (it is resolved with the problem)."""
    if problem.state != "open":
        raise HTTPException(409, "the problem is resolved already")
    try:
        ticket = await ticket_service.get(db=db, number=body.number)
    except ticket_service.TicketNotFound as exc:
        raise HTTPException(404, "unknown ticket") from exc
    await problem_service.link_ticket(
        db=db, problem=problem, ticket_id=ticket.id, actor=staff.display_name
    )
    await db.commit()


@router.get("/api/chat/problems", response_model=list[ProblemBanner])
async def banner(
    employee: CurrentEmployee, db: DbDep, locale: Literal["de", "en"] = "de"
) -> list[dict[str, Any]]:
    """The open known problems' notices in the employee's language (for the widget's banner)."""
    problems = await problem_service.list_problems(db=db, state="open")
    return [
        {"id": p.id, "title": p.title, "notice": p.notice.get(locale, ""), "since": p.created_at}
        for p in problems
    ]
