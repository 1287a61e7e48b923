"""The quality gate: a new index must not answer the evaluation questions worse."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kb_index import KbIndex, SearchResult
from kb_index.evaluation import Question, load_questions


@dataclass(frozen=True)
class Verdict:
    baseline: float | None  # share handled right by the live index (None: no live index)
    candidate: float
    passed: bool
    regressions: list[dict[str, Any]]  # questions right before and wrong now
    note: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "baseline": self.baseline,
            "candidate": self.candidate,
            "passed": self.passed,
            "regressions": self.regressions,
            "note": self.note,
        }


def _handled(question: Question, result: SearchResult) -> tuple[bool, str | None]:
    """Was the question handled right, and what (if anything) was answered?"""
    answered = result.hits[0].slug if result.confident and result.hits else None
    return answered == question.slug, answered


def _outcomes(index: KbIndex, questions: Sequence[Question]) -> list[tuple[bool, str | None]]:
    out: list[tuple[bool, str | None]] = [(False, None)] * len(questions)
    for lang in ("de", "en", None):
        chosen = [i for i, q in enumerate(questions) if q.lang == lang]
        if not chosen:
            continue
        results = index.search_many([questions[i].text for i in chosen], k=3, lang=lang)
        for i, result in zip(chosen, results, strict=True):
            out[i] = _handled(questions[i], result)
    return out


FIRST_BUILD = "no live index to compare with: let through on its own result"


def judge(
    *,
    candidate: KbIndex,
    baseline: KbIndex | None,
    questions_file: Path,
    margin: float,
    published: set[str] | None = None,
) -> Verdict:
    """Compare the candidate with the live index on the evaluation set (blocking).

    With `published` (the articles being built), a question whose article is no longer
    published (archived or withdrawn on purpose) is left out on both sides: that it is no
    longer answered is what the editor wanted, not a regression. Out-of-scope questions stay.
    """
    questions = [
        q
        for q in load_questions(questions_file)
        if published is None or q.slug is None or q.slug in published
    ]
    new = _outcomes(candidate, questions)
    share = sum(ok for ok, _ in new) / max(len(questions), 1)
    if baseline is None:
        return Verdict(None, round(share, 4), True, [], FIRST_BUILD)
    old = _outcomes(baseline, questions)
    before = sum(ok for ok, _ in old) / max(len(questions), 1)
    regressions = [
        {"question": q.text, "lang": q.lang, "expected": q.slug, "before": was[1], "now": now[1]}
        for q, was, now in zip(questions, old, new, strict=True)
        if was[0] and not now[0]
    ]
    return Verdict(round(before, 4), round(share, 4), share >= before - margin, regressions)
