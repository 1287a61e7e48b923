"""Calibrating the confident rule on labelled results."""

from __future__ import annotations

import numpy as np

from kb_index import ConfidenceRule, SearchHit, SearchResult
from kb_index.calibration import Costs, calibrate
from kb_index.evaluation import Question, score


def result(*scored: tuple[str, float]) -> SearchResult:
    hits = [SearchHit(slug, slug, "en", value) for slug, value in scored]
    return SearchResult(hits, False)


QUESTIONS = [
    Question("right and sure", "en", "a"),
    Question("right and sure too", "en", "b"),
    Question("right but close call", "en", "a"),
    Question("wrong", "en", "c"),
    Question("out of scope", "en", None),
]
RESULTS = [
    result(("a", 0.9), ("b", 0.5)),
    result(("b", 0.8), ("a", 0.4)),
    result(("a", 0.75), ("c", 0.74)),
    result(("b", 0.7), ("c", 0.69)),
    result(("a", 0.6), ("b", 0.3)),
]


def test_calibration_finds_the_cheapest_rule() -> None:
    calibration = calibrate(QUESTIONS, RESULTS)
    # Answer the three right ones (>= 0.75); the wrong one (0.70) would cost 3.
    assert calibration.objective == 3
    found = score(QUESTIONS, RESULTS, rule=calibration.rule)
    assert found.answered_correct == 0.75 and found.answered_wrong == 0.0
    assert found.oos_rejected == 1.0


def test_ties_go_to_no_margin_and_the_middle_of_the_plateau() -> None:
    calibration = calibrate(QUESTIONS, RESULTS)
    # Thresholds 0.71 .. 0.75 all give 3 with margin 0: the middle is taken.
    assert calibration.rule == ConfidenceRule(threshold=0.73, margin=0.0)


def test_free_mistakes_answer_everything() -> None:
    lenient = calibrate(QUESTIONS, RESULTS, costs=Costs(wrong=0.0, out_of_scope=0.0))
    assert lenient.rule.threshold <= 0.6 and lenient.objective == 3.0


def test_objective_grid_is_exposed() -> None:
    calibration = calibrate(QUESTIONS, RESULTS, margins=np.array([0.0, 0.05]))
    assert calibration.grid.shape == (len(calibration.thresholds), 2)
    # Margin 0.05 keeps the sure ones and the out-of-scope one: 1 + 1 - 1.
    assert calibration.objective_at(0.0, 0.05) == 1


def test_a_single_hit_needs_no_margin() -> None:
    calibration = calibrate([Question("q", "en", "a")], [result(("a", 0.9))])
    assert calibration.objective == 1
    assert ConfidenceRule(calibration.rule.threshold, 0.5)([SearchHit("a", "a", "en", 0.9)])
