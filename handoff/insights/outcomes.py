"""The outcome figures of a period, each with its denominator (definitions: docs/insights.md)."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from statistics import mean
from typing import Any

from handoff.database import utcnow

from .facts import DURABLE_DAYS, ConversationFacts, TicketFacts

REASONS = ("requested", "low_confidence", "negative_feedback", "form")


def handed(c: ConversationFacts) -> bool:
    """A person was asked for: the chat was queued, taken, or a topic was handed off."""
    return bool(c.queued_at or c.claimed_at or c.handoff_reason or c.topic_handed_off)


def self_solved(c: ConversationFacts) -> bool:
    """The bot answered, nobody was handed it, no ticket, and the answer lasted."""
    return bool(
        c.answered_slugs
        and not handed(c)
        and not c.tickets
        and not c.later_same_article
        and not c.later_ticket_same_category
    )


def pending(c: ConversationFacts, now: datetime | None = None) -> bool:
    """Self-solved so far, but its 7 days are not over yet."""
    return self_solved(c) and c.started + timedelta(days=DURABLE_DAYS) > (now or utcnow())


def reason(c: ConversationFacts) -> str | None:
    """Why a person or a ticket was needed: the handoff reason, or "form" for a ticket alone."""
    if handed(c):
        return c.handoff_reason or "requested"
    return "form" if c.tickets else None


def first_contact_resolution(c: ConversationFacts) -> bool:
    """Solved in this contact: self-solved, or an agent closed it resolved at level 1, no reopen."""
    if self_solved(c):
        return True
    return bool(
        c.claimed_at
        and c.close_reason == "resolved"
        and all(t.level == 1 and not t.reopened for t in c.tickets)
    )


def escalated(c: ConversationFacts) -> bool:
    return any(t.level >= 2 for t in c.tickets)


def reopened(c: ConversationFacts) -> bool:
    return any(t.reopened for t in c.tickets)


FIGURES: dict[str, Callable[[ConversationFacts], bool]] = {
    "conversations": lambda c: True,
    "self_solved": self_solved,
    "self_solved_pending": pending,
    "handed_to_agent": handed,
    "tickets_opened": lambda c: bool(c.tickets),
    "first_contact_resolution": first_contact_resolution,
    "escalated_to_level_2": escalated,
    "reopened": reopened,
    "rated": lambda c: c.rating is not None,
}


def counts(facts: Iterable[ConversationFacts]) -> dict[str, Any]:
    """The headline counts and CSAT of some conversations."""
    chosen = list(facts)
    return {
        "conversations": len(chosen),
        "self_solved": sum(map(self_solved, chosen)),
        "handed_to_agent": sum(map(handed, chosen)),
        "tickets_opened": sum(len(c.tickets) for c in chosen),
        "csat": csat(c.rating for c in chosen),
    }


def csat(ratings: Iterable[tuple[int, str] | None]) -> dict[str, Any]:
    scores = [r[0] for r in ratings if r is not None]
    return {"responses": len(scores), "average": round(mean(scores), 2) if scores else None}


# Waits are counted in fixed buckets (upper bounds, seconds) so that days add up; a
# percentile is the bound of the bucket it falls into. The last bucket takes everything longer.
WAIT_BUCKETS = (
    5, 10, 15, 20, 30, 45, 60, 90, 120, 180, 240, 300, 420, 600, 900, 1200, 1800, 2700, 3600,
    5400, 7200, 10800, 14400, 21600, 28800, 43200, 86400, 172800, 604800,
)  # fmt: skip


def bucket(seconds: float) -> int:
    """The bucket a wait falls into: the smallest bound at or above it."""
    return next((b for b in WAIT_BUCKETS if seconds <= b), WAIT_BUCKETS[-1])


def percentile(histogram: dict[int, int], share: float) -> float | None:
    """Nearest-rank percentile of bucketed waits: the bound of the bucket holding that rank."""
    total = sum(histogram.values())
    if not total:
        return None
    rank, seen = max(1, -(-int(share * 100) * total // 100)), 0
    for bound in sorted(histogram):
        seen += histogram[bound]
        if seen >= rank:
            return float(bound)
    return None  # not reached: the ranks end at total


def spread(histogram: dict[int, int]) -> dict[str, Any]:
    """How many waits, and their p50 and p90."""
    return {
        "of": sum(histogram.values()),
        "p50": percentile(histogram, 0.5),
        "p90": percentile(histogram, 0.9),
    }


def _seconds(start: datetime | None, end: datetime | None) -> float | None:
    if start is None or end is None or end < start:
        return None
    return (end - start).total_seconds()


def waits(facts: list[ConversationFacts]) -> dict[str, Any]:
    """Wait for an agent (queued to claimed) and to the first agent reply, p50/p90 seconds."""
    wait: Counter[int] = Counter()
    reply: Counter[int] = Counter()
    for c in facts:
        if (s := _seconds(c.queued_at, c.claimed_at)) is not None:
            wait[bucket(s)] += 1
        if (s := _seconds(c.queued_at, c.first_agent_reply)) is not None:
            reply[bucket(s)] += 1
    return {"wait_for_agent": spread(wait), "first_agent_response": spread(reply)}


def _met(done: datetime | None, due: datetime, now: datetime) -> str:
    if done is not None:
        return "met" if done <= due else "missed"
    return "missed" if due < now else "running"


def sla(tickets: list[TicketFacts], now: datetime | None = None) -> dict[str, Any]:
    """Per priority: tickets whose first response and resolution met, missed or still run."""
    now = now or utcnow()
    table: dict[str, dict[str, Any]] = {}
    for t in tickets:
        row = table.setdefault(
            str(t.priority),
            {"tickets": 0, "first_response": defaultdict(int), "resolution": defaultdict(int)},
        )
        row["tickets"] += 1
        row["first_response"][_met(t.first_responded_at, t.first_response_due, now)] += 1
        row["resolution"][_met(t.resolved_at, t.resolution_due, now)] += 1
    for row in table.values():
        for clock in ("first_response", "resolution"):
            row[clock] = {k: row[clock].get(k, 0) for k in ("met", "missed", "running")}
    return dict(sorted(table.items()))
