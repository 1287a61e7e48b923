"""Priority from impact x urgency, and SLA due times per priority."""

from __future__ import annotations

from datetime import datetime, timedelta

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

# Minutes until first response and until resolution, per priority (wall-clock);
# HELPDESK_SLA_MINUTES replaces them.
DEFAULT_SLA: dict[int, tuple[int, int]] = {
    1: (15, 4 * 60),
    2: (60, 8 * 60),
    3: (4 * 60, 3 * 24 * 60),
    4: (8 * 60, 5 * 24 * 60),
}


_sla: dict[int, tuple[int, int]] = dict(DEFAULT_SLA)


def check_sla(table: dict[int, tuple[int, int]]) -> dict[int, tuple[int, int]]:
    """Return the table if it has priorities 1-4, each (first response, resolution) in minutes."""
    if sorted(table) != [1, 2, 3, 4]:
        raise ValueError("the SLA table needs exactly the priorities 1, 2, 3 and 4")
    for priority, (first, resolve) in table.items():
        if not 0 < first <= resolve:
            raise ValueError(
                f"priority {priority}: minutes to first response must be positive and at most "
                "the minutes to resolution"
            )
    return table


def configure_sla(table: dict[int, tuple[int, int]]) -> None:
    """Use this table for every ticket from now on (the service does it at start)."""
    global _sla
    _sla = dict(check_sla(table))


def priority_of(impact: str, urgency: str) -> int:
    """Return the priority for an impact and urgency (each low, medium or high)."""
    try:
        return MATRIX[impact][urgency]
    except KeyError as exc:
        raise ValueError(f"impact and urgency must be one of {', '.join(LEVELS)}") from exc


def label(priority: int, lang: str = "en") -> str:
    return LABELS.get(lang, LABELS["en"])[priority]


def due_times(
    priority: int, created: datetime, sla: dict[int, tuple[int, int]] | None = None
) -> tuple[datetime, datetime]:
    """Return (first response due, resolution due) for a ticket created at created."""
    first, resolve = (sla or _sla)[priority]
    return created + timedelta(minutes=first), created + timedelta(minutes=resolve)
