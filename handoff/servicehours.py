"""Is anybody there? Service hours with holidays, and time that counts only while open."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
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


MIDNIGHT = time(0, 0)


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
        before_close = local.time() < self.closes or self.closes == MIDNIGHT
        return self._works_on(local.date()) and self.opens <= local.time() and before_close

    def _works_on(self, day: date) -> bool:
        return day.weekday() in self.weekdays and day not in self.holidays

    def next_opening(self, moment: datetime) -> datetime | None:
        """Return moment if the desk is open then, else when it next opens (None: never)."""
        if self.is_open(moment):
            return moment
        zone = ZoneInfo(self.timezone)
        local = moment.astimezone(zone)
        for offset in range(0, 400):
            day = local.date() + timedelta(days=offset)
            start = datetime.combine(day, self.opens, tzinfo=zone)
            if self._works_on(day) and start > local:
                return start.astimezone(UTC)
        return None

    def add_open_minutes(self, start: datetime, minutes: float) -> datetime:
        """Return the moment `minutes` of opening hours after start (SLA clocks)."""
        zone = ZoneInfo(self.timezone)
        moment, left = start, timedelta(minutes=minutes)
        while True:
            opened = self.next_opening(moment)
            if opened is None:  # no opening hours at all: count the clock
                return moment + left
            local = opened.astimezone(zone)
            closing = self._closing(local.date(), zone)
            if left <= closing - local:
                return (local + left).astimezone(UTC)
            left -= closing - local
            moment = closing.astimezone(UTC)

    def _closing(self, day: date, zone: ZoneInfo) -> datetime:
        if self.closes == MIDNIGHT:  # open until the end of the day ("24:00")
            return datetime.combine(day + timedelta(days=1), MIDNIGHT, tzinfo=zone)
        return datetime.combine(day, self.closes, tzinfo=zone)

    @classmethod
    def parse(cls, spec: str, timezone: str, holidays: list[str]) -> ServiceHours:
        """Parse "mon-fri 07:00-18:00" (days: mon..sun, ranges or comma lists; "24:00" ends
        the day)."""
        names = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
        days_part, hours_part = spec.lower().split()
        days: list[int] = []
        for chunk in days_part.split(","):
            if "-" in chunk:
                first, last = (names.index(x) for x in chunk.split("-"))
                days.extend(range(first, last + 1))
            else:
                days.append(names.index(chunk))
        opens, closes = (
            MIDNIGHT if x == "24:00" else time.fromisoformat(x) for x in hours_part.split("-")
        )
        return cls(
            timezone, tuple(days), opens, closes, frozenset(date.fromisoformat(d) for d in holidays)
        )
