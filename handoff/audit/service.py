"""Recording and reading audit events."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from handoff.spreadsheet import csv_cell

from .models import AuditEvent

COLUMNS = ("id", "at", "actor", "action", "target", "detail")


async def record(
    *,
    db: AsyncSession,
    actor: str,
    action: str,
    target: str = "",
    detail: dict[str, Any] | None = None,
) -> None:
    """Add one event to the session (committed with the change it describes)."""
    db.add(AuditEvent(actor=actor[:120], action=action, target=target[:200], detail=detail or {}))


async def search(
    *,
    db: AsyncSession,
    action: str | None = None,
    actor: str | None = None,
    target: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 500,
) -> Sequence[AuditEvent]:
    """Events newest first, filtered (an action filter ending in "." matches its prefix)."""
    query = select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit)
    if action:
        column = AuditEvent.action
        query = query.where(column.startswith(action) if action.endswith(".") else column == action)
    if actor:
        query = query.where(AuditEvent.actor == actor)
    if target:
        query = query.where(AuditEvent.target == target)
    if since:
        query = query.where(AuditEvent.at >= _aware(since))
    if until:
        query = query.where(AuditEvent.at < _aware(until))
    return (await db.scalars(query)).all()


def _aware(moment: datetime) -> datetime:
    """Read a time without a zone as UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def event_json(event: AuditEvent) -> dict[str, Any]:
    return {
        "id": event.id,
        "at": event.at.isoformat(),
        "actor": event.actor,
        "action": event.action,
        "target": event.target,
        "detail": event.detail,
    }


def as_csv(events: Sequence[AuditEvent]) -> str:
    """The events as CSV, formula-like cells escaped."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for event in events:
        row = event_json(event)
        row["detail"] = json.dumps(row["detail"], ensure_ascii=False, sort_keys=True)
        writer.writerow([csv_cell(str(row[c])) for c in COLUMNS])
    return out.getvalue()
