"""Calibrating the confident rule: the threshold and margin that cost the least on labelled data.

A confident answer to the right article gains 1; a confident answer to the wrong
article costs 3 (the employee follows wrong steps, then has to come back: worse
than being offered the top candidates); a confident answer to an out-of-scope
question costs 1 (it is wrong, but the employee sees at once that it is off-topic).
Not answering costs nothing: the bot then offers the top candidates or a person.

The floor of the related rule (calibrate_floor) is chosen the same way: an IT
question refused as off-topic costs 10 (the employee is told "only IT" about an
IT problem), an off-topic question shown IT candidates costs 1.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .evaluation import Question
from .query import ConfidenceRule, RelatedRule, SearchResult

THRESHOLDS = np.round(np.arange(0.0, 1.501, 0.01), 2)
MARGINS = np.round(np.arange(0.0, 0.201, 0.01), 2)
FLOORS = np.round(np.arange(0.0, 1.001, 0.01), 2)


@dataclass(frozen=True)
class Costs:
    correct: float = 1.0  # gain of a confident right answer
    wrong: float = 3.0  # cost of a confident wrong answer to an in-scope question
    out_of_scope: float = 1.0  # cost of a confident answer to an out-of-scope question


@dataclass(frozen=True)
class Calibration:
    rule: ConfidenceRule
    objective: float
    grid: np.ndarray  # objective per (threshold, margin)
    thresholds: np.ndarray
    margins: np.ndarray

    def objective_at(self, threshold: float, margin: float) -> float:
        i = int(np.argmin(np.abs(self.thresholds - threshold)))
        j = int(np.argmin(np.abs(self.margins - margin)))
        return float(self.grid[i, j])


def calibrate(
    questions: Sequence[Question],
    results: Sequence[SearchResult],
    *,
    costs: Costs | None = None,
    thresholds: np.ndarray = THRESHOLDS,
    margins: np.ndarray = MARGINS,
) -> Calibration:
    """Return the rule with the best objective on these results (k >= 2 per result).

    Ties go to the smallest margin, then to the middle of the lowest run of tied
    thresholds, so that the rule does not sit on the edge of a plateau.
    """
    costs = costs or Costs()
    top1 = np.array([r.hits[0].score if r.hits else -np.inf for r in results])
    top2 = np.array([r.hits[1].score if len(r.hits) > 1 else -np.inf for r in results])
    in_scope = np.array([q.slug is not None for q in questions])
    right = np.array(
        [bool(r.hits) and r.hits[0].slug == q.slug for q, r in zip(questions, results, strict=True)]
    )
    gain = np.where(right, costs.correct, np.where(in_scope, -costs.wrong, -costs.out_of_scope))
    above = top1[None, :] >= thresholds[:, None]  # thresholds x questions
    lead = np.full(len(results), np.inf)
    np.subtract(top1, top2, out=lead, where=np.isfinite(top2))
    ahead = lead[None, :] >= margins[:, None]  # margins x questions
    grid = np.einsum("tq,mq,q->tm", above.astype(float), ahead.astype(float), gain)
    best = grid.max()
    column = int(np.flatnonzero(np.isclose(grid, best).any(axis=0))[0])
    tied = np.flatnonzero(np.isclose(grid[:, column], best))
    run = tied[: np.argmax(np.diff(np.append(tied, tied[-1] + 2)) > 1) + 1]
    row = int(run[len(run) // 2])
    rule = ConfidenceRule(threshold=float(thresholds[row]), margin=float(margins[column]))
    return Calibration(rule, float(best), grid, thresholds, margins)


@dataclass(frozen=True)
class FloorCalibration:
    rule: RelatedRule
    floors: np.ndarray
    refused_in_scope: np.ndarray  # share of in-scope questions refused, per floor
    shown_off_topic: np.ndarray  # share of off-topic questions shown candidates, per floor
    cost: np.ndarray


def calibrate_floor(
    in_scope: Sequence[SearchResult],
    off_topic: Sequence[SearchResult],
    *,
    refused_cost: float = 10.0,
    floors: np.ndarray = FLOORS,
) -> FloorCalibration:
    """Return the floor with the lowest cost per share of each set (ties: the lowest floor).

    Confident results are answered whatever the floor, so only the others count.
    """

    def below(results: Sequence[SearchResult]) -> np.ndarray:
        top = np.array([r.hits[0].score if r.hits else -np.inf for r in results if not r.confident])
        return (top[None, :] < floors[:, None]).sum(axis=1) / max(len(results), 1)

    refused = below(in_scope)
    shown = (len(off_topic) - np.sum([r.confident for r in off_topic])) / max(
        len(off_topic), 1
    ) - below(off_topic)
    cost = refused_cost * refused + shown
    best = int(np.flatnonzero(np.isclose(cost, cost.min()))[0])
    return FloorCalibration(RelatedRule(float(floors[best])), floors, refused, shown, cost)
