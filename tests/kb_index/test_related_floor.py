"""The related rule's floor: candidates for related questions, off-topic below it."""

from __future__ import annotations

import numpy as np

from kb_index.calibration import calibrate_floor
from kb_index.query import MeaningRule, RelatedRule, SearchHit, SearchResult


def _result(score: float | None, *, confident: bool = False) -> SearchResult:
    hits = [] if score is None else [SearchHit("a", "A", "de", score)]
    return SearchResult(hits, confident)


def test_related_rule_wants_the_best_score_at_the_floor() -> None:
    rule = RelatedRule(floor=0.5)
    assert rule([SearchHit("a", "A", "de", 0.5)])
    assert not rule([SearchHit("a", "A", "de", 0.49)])
    assert not rule([])


def test_the_floor_refuses_off_topic_and_keeps_in_scope() -> None:
    in_scope = [_result(s) for s in (0.55, 0.6, 0.7)] + [_result(0.3, confident=True)]
    off_topic = [_result(s) for s in (0.2, 0.3, 0.4, None)] + [_result(0.9, confident=True)]
    calibration = calibrate_floor(in_scope, off_topic, floors=np.round(np.arange(0, 1, 0.05), 2))
    # Any floor in (0.40, 0.55] separates them; ties go to the lowest.
    assert calibration.rule.floor == 0.45
    i = int(np.flatnonzero(calibration.floors == 0.45)[0])
    assert calibration.refused_in_scope[i] == 0.0
    assert calibration.shown_off_topic[i] == 0.0  # the confident one is answered, not shown


def test_refusing_in_scope_questions_costs_more_than_showing_candidates() -> None:
    in_scope = [_result(0.5)]
    off_topic = [_result(s) for s in (0.6, 0.6, 0.6)]
    calibration = calibrate_floor(in_scope, off_topic, floors=np.array([0.0, 0.55, 0.7]))
    assert calibration.rule.floor == 0.0  # refusing 1 of 1 (cost 10) > showing 3 of 3 (cost 1)


def test_the_meaning_rule_wants_the_best_articles_dense_score() -> None:
    rule = MeaningRule(threshold=0.48)
    # A high combined score carried by a shared word is not enough.
    assert not rule([SearchHit("out-of-office", "A", "de", 0.64, dense=0.43, lexical=5.9)])
    assert rule([SearchHit("out-of-office", "A", "de", 0.79, dense=0.69, lexical=5.9)])
    assert not rule([])
