"""Spike detection on generated traffic: fires on the spike, stays quiet on ordinary days."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from handoff.insights import spikes
from handoff.insights.spikes import Report

START = datetime(2026, 3, 1, tzinfo=UTC)
KEYS = {
    "vpn": ("article:vpn-drops", "category:network"),
    "mail": ("article:mail", "category:email"),
}


def rate(kind: str, at: datetime) -> float:
    """Reports per hour: busy on weekday office hours, a trickle at night and weekends."""
    office = at.weekday() < 5 and 8 <= at.hour < 18
    base = {"vpn": 3.0, "mail": 1.5}[kind]
    return base if office else base / 15


def ordinary_traffic(days: int, seed: int = 7) -> list[Report]:
    rng, reports = random.Random(seed), []
    for hour in range(days * 24):
        begin = START + timedelta(hours=hour)
        for kind in KEYS:
            t = rng.expovariate(rate(kind, begin))
            while t < 1:
                at = begin + timedelta(hours=t)
                reports.append(Report(at, f"{kind}-{len(reports)}", KEYS[kind]))
                t += rng.expovariate(rate(kind, begin))
    return reports


def test_ordinary_days_are_quiet_at_every_hour() -> None:
    traffic = ordinary_traffic(days=21)
    checks = [START + timedelta(days=15, hours=h) for h in range(6 * 24)]
    fired = [(now, s.key) for now in checks for s in spikes.detect(traffic, now=now)]
    assert fired == []


def test_fourteen_vpn_reports_in_forty_minutes_fire_with_their_conversations() -> None:
    now = START + timedelta(days=16, hours=10, minutes=30)  # a Tuesday morning: busy anyway
    traffic = [r for r in ordinary_traffic(days=17) if r.at <= now]
    burst = [
        Report(
            now - timedelta(minutes=40) + timedelta(minutes=i * 40 / 13), f"burst-{i}", KEYS["vpn"]
        )
        for i in range(14)
    ]
    found = {s.key: s for s in spikes.detect(traffic + burst, now=now)}
    assert set(found) == {"article:vpn-drops", "category:network"}
    spike = found["article:vpn-drops"]
    assert {f"burst-{i}" for i in range(14)} <= set(spike.conversations)
    assert spike.reports >= 14 and spike.minutes <= 60 and spike.probability < spikes.ALPHA


def test_a_few_reports_of_something_new_are_not_an_incident() -> None:
    now = START + timedelta(days=15, hours=3)
    few = [Report(now - timedelta(minutes=i), f"new-{i}", ("article:new",)) for i in range(4)]
    assert spikes.detect(few, now=now) == []
    five = few + [Report(now - timedelta(minutes=5), "new-5", ("article:new",))]
    assert [s.key for s in spikes.detect(five, now=now)] == ["article:new"]


def test_poisson_tail_matches_known_values() -> None:
    assert spikes.poisson_tail(0, 2.0) == 1.0
    assert abs(spikes.poisson_tail(1, 2.0) - (1 - 0.1353352832)) < 1e-9
    assert abs(spikes.poisson_tail(3, 1.0) - 0.0803013970) < 1e-9
