"""Measuring search quality on labelled questions (slug, or None = must not answer)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

from .index import KbIndex
from .query import ConfidenceRule, SearchResult


@dataclass(frozen=True)
class Question:
    text: str
    lang: str | None
    slug: str | None  # None: out of scope, must not be answered confidently

    @property
    def split(self) -> str:
        """A stable half of the set: "dev" for calibration, "test" for reporting."""
        digest = hashlib.sha256(self.text.encode()).digest()[0]
        return "dev" if digest % 2 == 0 else "test"


def load_questions(path: Path) -> list[Question]:
    """Read kb/eval/questions.yml."""
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    return [Question(str(q["q"]), q.get("lang"), q.get("slug")) for q in data["questions"]]


@dataclass(frozen=True)
class Report:
    questions: int
    in_scope: int
    out_of_scope: int
    p_at_1: float
    mrr: float
    recall_at_5: float
    answered_correct: float  # share of in-scope questions answered confidently and right
    answered_wrong: float  # share of in-scope questions answered confidently and wrong
    oos_rejected: float  # share of out-of-scope questions not answered confidently
    failures: tuple[tuple[str, str | None, str | None], ...]  # (question, expected, answered)

    @property
    def accuracy(self) -> float:
        """Share of all questions handled right: right answer, or no answer when none fits."""
        total = self.in_scope + self.out_of_scope
        good = self.answered_correct * self.in_scope + self.oos_rejected * self.out_of_scope
        return good / total if total else 0.0


def score(
    questions: Sequence[Question],
    results: Sequence[SearchResult],
    *,
    rule: ConfidenceRule | None = None,
) -> Report:
    """Compare results with the expected slugs (deciding `confident` anew with rule, if given)."""
    ranks, correct, wrong, rejected, failures = [], 0, 0, 0, []
    pairs = list(zip(questions, results, strict=True))
    if rule is not None:
        pairs = [(q, SearchResult(r.hits, rule(r.hits), r.lang)) for q, r in pairs]
    in_scope = [(q, r) for q, r in pairs if q.slug]
    out_scope = [(q, r) for q, r in pairs if not q.slug]
    for q, r in in_scope:
        slugs = [h.slug for h in r.hits]
        ranks.append(slugs.index(q.slug) + 1 if q.slug in slugs else 0)
        answered = slugs[0] if r.confident and slugs else None
        if answered == q.slug:
            correct += 1
        else:
            wrong += answered is not None
            failures.append((q.text, q.slug, answered if answered else None))
    for q, r in out_scope:
        if r.confident and r.hits:
            failures.append((q.text, None, r.hits[0].slug))
        else:
            rejected += 1
    n = max(len(in_scope), 1)
    return Report(
        questions=len(questions),
        in_scope=len(in_scope),
        out_of_scope=len(out_scope),
        p_at_1=sum(1 for r in ranks if r == 1) / n,
        mrr=sum(1 / r for r in ranks if r) / n,
        recall_at_5=sum(1 for r in ranks if 0 < r <= 5) / n,
        answered_correct=correct / n,
        answered_wrong=wrong / n,
        oos_rejected=rejected / max(len(out_scope), 1),
        failures=tuple(failures),
    )


def evaluate(index: KbIndex, questions: Sequence[Question], *, k: int = 5) -> Report:
    """Search every question (in its language) and score the results."""
    return score(questions, search_all(index, questions, k=k))


def search_all(index: KbIndex, questions: Sequence[Question], *, k: int = 5) -> list[SearchResult]:
    """Search every question in its language; results in the order of questions."""
    by_lang: dict[str | None, list[int]] = {}
    for i, q in enumerate(questions):
        by_lang.setdefault(q.lang, []).append(i)
    ordered: dict[int, SearchResult] = {}
    for lang, indices in by_lang.items():
        found = index.search_many([questions[i].text for i in indices], k=k, lang=lang)
        ordered.update(zip(indices, found, strict=True))
    return [ordered[i] for i in range(len(questions))]
