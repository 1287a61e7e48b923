"""Declaring, finding, linking and resolving known problems (no HTTP, no live events)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from handoff.database import utcnow
from handoff.kb.models import Article

from .models import Problem, ProblemNotice, ProblemTicket

LANGS = ("de", "en")


class ProblemNotFound(LookupError):
    pass


class UnknownArticle(LookupError):
    """No article with that slug."""


class ProblemClosed(ValueError):
    """The problem is resolved already."""


async def create(
    *, db: AsyncSession, title: str, notice: dict[str, str], articles: list[str], actor: str
) -> Problem:
    """Declare an open known problem about existing articles (UnknownArticle otherwise)."""
    known = set(
        await db.scalars(
            select(Article.slug).where(Article.slug.in_(articles), Article.deleted.is_(False))
        )
    )
    for slug in articles:
        if slug not in known:
            raise UnknownArticle(slug)
    problem = Problem(
        title=title, notice=notice, articles=list(dict.fromkeys(articles)), created_by=actor
    )
    db.add(problem)
    await db.flush()
    return problem


async def get(*, db: AsyncSession, problem_id: int) -> Problem:
    """Return one problem (ProblemNotFound otherwise)."""
    problem = await db.get(Problem, problem_id)
    if problem is None:
        raise ProblemNotFound(problem_id)
    return problem


async def list_problems(*, db: AsyncSession, state: str | None = None) -> list[Problem]:
    """Return problems, newest first, optionally only open or only resolved ones."""
    query = select(Problem).order_by(Problem.id.desc())
    if state is not None:
        query = query.where(Problem.state == state)
    return list((await db.scalars(query)).all())


async def open_for_article(*, db: AsyncSession, slug: str) -> Problem | None:
    """The oldest open problem that concerns the article, if any."""
    for problem in reversed(await list_problems(db=db, state="open")):
        if slug in problem.articles:
            return problem
    return None


async def record_shown(
    *, db: AsyncSession, problem: Problem, conversation_id: str, employee_id: str, lang: str
) -> bool:
    """Remember that the conversation was shown the notice; False if it was already."""
    seen = await db.scalar(
        select(ProblemNotice.id).where(
            ProblemNotice.problem_id == problem.id,
            ProblemNotice.conversation_id == conversation_id,
        )
    )
    if seen is not None:
        return False
    db.add(
        ProblemNotice(
            problem_id=problem.id,
            conversation_id=conversation_id,
            employee_id=employee_id,
            lang=lang,
        )
    )
    await db.flush()
    return True


async def notices(*, db: AsyncSession, problem: Problem) -> list[ProblemNotice]:
    """Every conversation that was shown the problem's notice."""
    rows = await db.scalars(select(ProblemNotice).where(ProblemNotice.problem_id == problem.id))
    return list(rows.all())


async def link_ticket(*, db: AsyncSession, problem: Problem, ticket_id: int, actor: str) -> None:
    """Link a ticket to the problem (once)."""
    found = await db.scalar(
        select(ProblemTicket.id).where(
            ProblemTicket.problem_id == problem.id, ProblemTicket.ticket_id == ticket_id
        )
    )
    if found is None:
        db.add(ProblemTicket(problem_id=problem.id, ticket_id=ticket_id, linked_by=actor))
        await db.flush()


async def linked_tickets(*, db: AsyncSession, problem: Problem) -> list[int]:
    """The ids of the tickets linked to the problem."""
    rows = await db.scalars(
        select(ProblemTicket.ticket_id).where(ProblemTicket.problem_id == problem.id)
    )
    return sorted(rows.all())


def mark_resolved(problem: Problem, *, note: dict[str, str], actor: str) -> None:
    """Close the problem with its resolution note (ProblemClosed if it is already)."""
    if problem.state != "open":
        raise ProblemClosed(problem.id)
    problem.state, problem.note = "resolved", note
    problem.resolved_by, problem.resolved_at = actor, utcnow()
