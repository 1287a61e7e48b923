"""Is anybody there? Service hours with holidays, and agents online."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

# Public holidays in Baden-Württemberg (the company's calendar); extend via settings.
DEFAULT_HOLIDAYS = (
    "2026-01-01",
    "2026-01-06",
    "2026-04-03",
    "2026-04-06",
    "2026-05-01",
    "2026-05-14",
    "2026-05-25",
    "2026-06-04",
    "2026-10-03",
    "2026-11-01",
    "2026-12-25",
    "2026-12-26",
    "2027-01-01",
    "2027-01-06",
    "2027-03-26",
    "2027-03-29",
    "2027-05-01",
    "2027-05-06",
    "2027-05-17",
    "2027-05-27",
    "2027-10-03",
    "2027-11-01",
    "2027-12-25",
    "2027-12-26",
)


@dataclass(frozen=True)
class ServiceHours:
    """Opening hours of the service desk in its time zone, minus holidays."""

    timezone: str = "Europe/Berlin"
    weekdays: tuple[int, ...] = (0, 1, 2, 3, 4)  # Monday = 0
    opens: time = time(7, 0)
    closes: time = time(18, 0)
    holidays: frozenset[date] = field(
        default_factory=lambda: frozenset(date.fromisoformat(d) for d in DEFAULT_HOLIDAYS)
    )

    def is_open(self, moment: datetime) -> bool:
        """Tell whether the desk is staffed at moment (an aware datetime)."""
        local = moment.astimezone(ZoneInfo(self.timezone))
        return (
            local.weekday() in self.weekdays
            and local.date() not in self.holidays
            and self.opens <= local.time() < self.closes
        )

    @classmethod
    def parse(cls, spec: str, timezone: str, holidays: list[str]) -> ServiceHours:
        """Parse "mon-fri 07:00-18:00" (days: mon..sun, ranges or comma lists)."""
        names = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
        days_part, hours_part = spec.lower().split()
        days: list[int] = []
        for chunk in days_part.split(","):
            if "-" in chunk:
                first, last = (names.index(x) for x in chunk.split("-"))
                days.extend(range(first, last + 1))
            else:
                days.append(names.index(chunk))
        opens, closes = (time.fromisoformat(x) for x in hours_part.split("-"))
        return cls(
            timezone, tuple(days), opens, closes, frozenset(date.fromisoformat(d) for d in holidays)
        )
