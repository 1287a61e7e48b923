"""Search quality on our knowledge base: dense, lexical and combined, side by side.

Each method gets its own confident rule, calibrated on the dev half of
kb/eval/questions.yml (kb_index.calibration says how); every figure below is on
the test half. Also: the grid that chose the combined method's weights, the
worth of each choice, and cross-language search (an index of one language only,
asked in the other).
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np

from kb_index import KbIndex, Scoring, build_index
from kb_index.calibration import Calibration, calibrate
from kb_index.embedder import load_embedder
from kb_index.evaluation import Question, Report, load_questions, score, search_all
from kb_index.query import ConfidenceRule, MeaningRule, SearchResult

from .common import KB_QUESTIONS, CachedEmbedder, kb_documents, pct, table

DEFAULT = Scoring()
METHODS = {
    "dense": replace(DEFAULT, lexical_weight=0.0),
    "lexical (BM25)": replace(DEFAULT, dense_weight=0.0),
    "combined": DEFAULT,
}
OTHER_LANGUAGE_WEIGHTS = (0.0, 0.3, 0.5)
LEXICAL_WEIGHTS = (0.2, 0.4, 0.6, 0.8, 1.0)
SATURATIONS = (5.0, 10.0, 20.0)
REPORT_COLUMNS = ("P@1", "MRR", "R@5", "answered right", "answered wrong", "out-of-scope rejected")


class Bench:
    """The knowledge base indexed once per language set, searched under many settings."""

    def __init__(self, directory: Path) -> None:
        self.embedder = CachedEmbedder(load_embedder())
        self.questions = load_questions(KB_QUESTIONS)
        self.dev = [q for q in self.questions if q.split == "dev"]
        self.test = [q for q in self.questions if q.split == "test"]
        self.indexes: dict[str, KbIndex] = {}
        for name, langs in (("both", ("de", "en")), ("en", ("en",)), ("de", ("de",))):
            build_index(kb_documents(langs=langs), directory / name, embedder=self.embedder)
            self.indexes[name] = KbIndex.load(directory / name, self.embedder)

    def results(
        self, scoring: Scoring, questions: Sequence[Question], index: str = "both"
    ) -> list[SearchResult]:
        return search_all(self.indexes[index].with_scoring(scoring), questions)

    def calibrated(self, scoring: Scoring) -> tuple[Calibration, Report]:
        """Calibrate on dev; return the calibration and the dev report (for its MRR)."""
        found = self.results(scoring, self.dev)
        calibration = calibrate(self.dev, found)
        return calibration, score(self.dev, found, rule=calibration.rule)

    def test_report(
        self, scoring: Scoring, rule: ConfidenceRule, lang: str | None = None
    ) -> Report:
        questions = [q for q in self.test if lang is None or q.lang == lang]
        return score(questions, self.results(scoring, questions), rule=rule)


def _row(label: str, report: Report) -> list[object]:
    return [
        label,
        report.p_at_1,
        report.mrr,
        report.recall_at_5,
        pct(report.answered_correct),
        pct(report.answered_wrong),
        pct(report.oos_rejected) if report.out_of_scope else "-",
    ]


def methods_table(bench: Bench) -> str:
    rows, rules = [], []
    for name, scoring in METHODS.items():
        calibration, _ = bench.calibrated(scoring)
        rules.append(f"{name}: {_rule(calibration.rule)}")
        for lang in ("de", "en", None):
            report = bench.test_report(scoring, calibration.rule, lang)
            rows.append(_row(f"{name}, {lang or 'all'} ({report.questions} q.)", report))
    header = ("method, test questions", *REPORT_COLUMNS)
    return table(header, rows) + "\n\nRules calibrated on dev: " + "; ".join(rules)


def weights_grid(bench: Bench) -> tuple[str, Scoring]:
    """Try the combined method's weights; pick the best dev objective (ties: higher dev MRR)."""
    rows, best = [], None
    for mix in OTHER_LANGUAGE_WEIGHTS:
        for weight in LEXICAL_WEIGHTS:
            for saturation in SATURATIONS:
                scoring = replace(
                    DEFAULT,
                    lexical_weight=weight,
                    lexical_saturation=saturation,
                    other_language_weight=mix,
                )
                calibration, dev = bench.calibrated(scoring)
                key = (calibration.objective, dev.mrr)
                if best is None or key > best[0]:
                    best = (key, scoring, calibration)
                rule = _rule(calibration.rule)
                rows.append([mix, weight, saturation, int(calibration.objective), dev.mrr, rule])
    assert best is not None
    _, chosen, calibration = best
    header = ("other-language weight", "lexical weight", "saturation", "dev objective")
    text = table((*header, "dev MRR", "rule"), rows)
    text += f"\n\nChosen: {_scoring(chosen)}, {_rule(calibration.rule)}"
    text += f"\nLibrary defaults: {_scoring(DEFAULT)}, {_rule(ConfidenceRule())}"
    if chosen != DEFAULT or calibration.rule != ConfidenceRule():
        text += "\nNOTE: the defaults in kb_index/query.py differ from the calibrated point."
    return text + "\n\n" + rule_grid(calibration), chosen


def _scoring(scoring: Scoring) -> str:
    return (
        f"other-language weight {scoring.other_language_weight}, lexical weight "
        f"{scoring.lexical_weight}, saturation {scoring.lexical_saturation}"
    )


def rule_grid(calibration: Calibration) -> str:
    """The dev objective around the chosen rule (rows: threshold, columns: margin)."""
    rule = calibration.rule
    thresholds = [round(rule.threshold + d, 2) for d in (-0.1, -0.05, -0.02, 0, 0.02, 0.05, 0.1)]
    margins = [0.0, 0.01, 0.02, 0.03, 0.05, 0.08, 0.1]
    rows = [[t, *(int(calibration.objective_at(t, m)) for m in margins)] for t in thresholds]
    header = ("threshold \\ margin", *(str(m) for m in margins))
    return "Dev objective (right - 3 x wrong - out-of-scope answered) near the chosen rule:\n" + (
        table(header, rows)
    )


def ablations_table(bench: Bench) -> str:
    """What each kept choice is worth on test, each variant with its own calibrated rule."""
    variants = {
        "combined (all choices)": (DEFAULT, None),
        "without margin in the rule": (DEFAULT, 0.0),
        "without glossary translation": (replace(DEFAULT, translate=False), None),
        "best language version only": (replace(DEFAULT, other_language_weight=0.0), None),
        "dense only": (METHODS["dense"], None),
    }
    rows, note = [], ""
    for label, (scoring, margin) in variants.items():
        found = bench.results(scoring, bench.dev)
        if margin is None:
            rule = calibrate(bench.dev, found).rule
        else:
            rule = calibrate(bench.dev, found, margins=np.array([margin])).rule
        rows.append(_row(f"{label} [{_rule(rule)}]", bench.test_report(scoring, rule)))
        if label == "dense only" and rule.threshold != MeaningRule().threshold:
            note = f"\nNOTE: MeaningRule's threshold ({MeaningRule().threshold:.2f}) is not the "
            note += f"dense-only one ({rule.threshold:.2f}): kb_index/query.py"
    return table(("variant (test half)", *REPORT_COLUMNS), rows) + note


def cross_lingual_table(bench: Bench) -> str:
    """Index one language only, ask the test questions of the other (rule from the full index)."""
    rows = []
    variants = {**METHODS, "combined without translation": replace(DEFAULT, translate=False)}
    for name, scoring in variants.items():
        calibration, _ = bench.calibrated(scoring)
        for asked, indexed in (("de", "en"), ("en", "de")):
            questions = [q for q in bench.test if q.lang == asked]
            found = bench.results(scoring, questions, index=indexed)
            report = score(questions, found, rule=calibration.rule)
            rows.append(_row(f"{name}: {asked} questions, {indexed}-only index", report))
    return table(("method, test questions", *REPORT_COLUMNS), rows)


def _rule(rule: ConfidenceRule) -> str:
    return f"threshold {rule.threshold:.2f}, margin {rule.margin:.2f}"


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="kb-quality-") as tmp:
        bench = Bench(Path(tmp))
        n_dev, n_test = len(bench.dev), len(bench.test)
        total = len(bench.questions)
        print(f"## Our knowledge base: {total} questions ({n_dev} dev, {n_test} test)\n")
        print(methods_table(bench), "\n")
        print("### Choosing the combined method's weights (dev half)\n")
        grid, _ = weights_grid(bench)
        print(grid, "\n")
        print("### What each choice is worth (test half)\n")
        print(ablations_table(bench), "\n")
        print("### Cross-language: an article only in the other language (test half)\n")
        print(cross_lingual_table(bench), "\n")


if __name__ == "__main__":
    main()
