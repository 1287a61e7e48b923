"""Spike detection: similar reports in the last hour clearly above their usual rate.

The rule (docs/insights.md): a *report* is a conversation whose search found an article as
its best hit; it counts for that article and for the article's category. For each of them,
`n` is the number of distinct conversations in the last `WINDOW` and `rate` the usual
number per hour: the higher of the hourly mean of the 14 days of whole hours before the
window's hour and the mean of the same clock hour over those days (so the morning peak is
not a surprise), at least `MIN_RATE`.
It is a possible major incident when `n >= MIN_REPORTS` and the Poisson probability of
seeing `n` or more at that rate is below `ALPHA`.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

WINDOW = timedelta(hours=1)
HISTORY = timedelta(days=14)
MIN_REPORTS = 5
MIN_RATE = 0.05  # per hour: an article nobody asked about for two weeks
ALPHA = 1e-4


@dataclass(frozen=True)
class Report:
    at: datetime
    conversation_id: str
    keys: tuple[str, ...]  # e.g. ("article:vpn-drops", "category:network")


@dataclass
class Spike:
    key: str
    reports: int
    minutes: int  # from the first to the last report in the window
    usual_per_hour: float
    probability: float
    conversations: list[str] = field(default_factory=list)


def poisson_tail(n: int, rate: float) -> float:
    """P(X >= n) for X ~ Poisson(rate)."""
    if n <= 0:
        return 1.0
    term = math.exp(-rate)
    below = term
    for k in range(1, n):
        term *= rate / k
        below += term
    return max(0.0, 1.0 - below)


def history_hours(now: datetime) -> tuple[datetime, datetime]:
    """The whole hours the usual rate is taken from: the 14 days before the window's hour."""
    end = (now - WINDOW).replace(minute=0, second=0, microsecond=0)
    return end - HISTORY, end


def usual_rate(total: int, same_hour: int) -> float:
    """Reports per hour usually: the higher of the all-day mean and the same clock hour's."""
    hours = HISTORY.total_seconds() / 3600
    return max(total / hours, same_hour / HISTORY.days, MIN_RATE)


def find(recent: dict[str, dict[str, datetime]], usual: dict[str, tuple[int, int]]) -> list[Spike]:
    """The keys whose last hour is clearly above their usual rate, biggest surprise first.

    recent: per key, the conversations of the last hour and when each first reported;
    usual: per key, the reports in the history hours and those in the current clock hour.
    """
    spikes = []
    for key, conversations in recent.items():
        n = len(conversations)
        if n < MIN_REPORTS:
            continue
        rate = usual_rate(*usual.get(key, (0, 0)))
        probability = poisson_tail(n, rate)
        if probability < ALPHA:
            times = sorted(conversations.values())
            minutes = max(1, math.ceil((times[-1] - times[0]).total_seconds() / 60))
            ordered = sorted(conversations, key=lambda c: conversations[c])
            spikes.append(Spike(key, n, minutes, round(rate, 3), probability, ordered))
    return sorted(spikes, key=lambda s: s.probability)


def detect(reports: list[Report], *, now: datetime) -> list[Spike]:
    """Apply the rule to single reports (a conversation counts once per key, when it began)."""
    start, (history_start, history_end) = now - WINDOW, history_hours(now)
    recent: dict[str, dict[str, datetime]] = defaultdict(dict)
    past: dict[str, dict[str, datetime]] = defaultdict(dict)
    for report in reports:
        if start < report.at <= now:
            target = recent
        elif history_start <= report.at < history_end:
            target = past
        else:
            continue
        for key in report.keys:
            seen = target[key].get(report.conversation_id)
            if seen is None or report.at < seen:
                target[key][report.conversation_id] = report.at
    usual = {
        key: (len(times), sum(1 for t in times.values() if t.hour == now.hour))
        for key, times in past.items()
    }
    return find(recent, usual)
