"""Priority from impact x urgency, and SLA due times per priority."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from handoff.config import Settings, SlaTable
from handoff.servicehours import ServiceHours

LEVELS = ("low", "medium", "high")

# impact -> urgency -> priority (1 = critical ... 4 = low)
MATRIX: dict[str, dict[str, int]] = {
    "high": {"high": 1, "medium": 2, "low": 3},
    "medium": {"high": 2, "medium": 3, "low": 4},
    "low": {"high": 3, "medium": 4, "low": 4},
}

LABELS = {
    "de": {1: "kritisch", 2: "hoch", 3: "mittel", 4: "niedrig"},
    "en": {1: "critical", 2: "high", 3: "medium", 4: "low"},
}


def priority_of(impact: str, urgency: str) -> int:
    """Return the priority for an impact and urgency (each low, medium or high)."""
    try:
        return MATRIX[impact][urgency]
    except KeyError as exc:
        raise ValueError(f"impact and urgency must be one of {', '.join(LEVELS)}") from exc


def label(priority: int, lang: str = "en") -> str:
    return LABELS.get(lang, LABELS["en"])[priority]


@dataclass(frozen=True)
class Sla:
    """Minutes to first response and to resolution per priority, counted in service hours."""

    table: SlaTable
    hours: ServiceHours | None = None  # None: the wall clock

    @classmethod
    def of(cls, settings: Settings) -> Sla:
        return cls(settings.sla_minutes, settings.hours)

    def due_times(self, priority: int, created: datetime) -> tuple[datetime, datetime]:
        """Return (first response due, resolution due) for a ticket created at created."""
        first, resolve = self.table[priority]
        if self.hours is None:
            return created + timedelta(minutes=first), created + timedelta(minutes=resolve)
        return (
            self.hours.add_open_minutes(created, first),
            self.hours.add_open_minutes(created, resolve),
        )
