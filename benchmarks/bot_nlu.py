"""The bot's NLU: intent accuracy and F1 per language, by cross-validation.

Runs `rasa test nlu --cross-validation` in .venv-bot on bot/data/nlu with the
shipped config.yml (BENCH_NLU_FOLDS folds, default 3), keeps every prediction,
and splits them by the language of the example (kb_index.language: German or
English marker words; examples with neither, such as "ok" or "INC-000042", are
counted as "either"). The FallbackClassifier is not applied by `rasa test nlu`,
so these are DIET's own predictions.

Rasa draws the folds with numpy's global random state and no seed of its own;
BENCH_NLU_SEED (default 1; "none" for Rasa's own unseeded draw) seeds it
before Rasa starts, so that two configurations or two runs on the same data
meet the same folds (DIET itself is seeded in config.yml).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from kb_index.language import detect_language

from .common import table

ROOT = Path(__file__).resolve().parent.parent
FOLDS = int(os.environ.get("BENCH_NLU_FOLDS", "3"))
SEED = os.environ.get("BENCH_NLU_SEED", "1")
# BENCH_NLU_CONFIG, BENCH_NLU_DATA: another pipeline or other examples to cross-validate (a
# changed copy of config.yml; an earlier state of bot/data/nlu, taken out of git).
CONFIG = os.environ.get("BENCH_NLU_CONFIG", "config.yml")
DATA = os.environ.get("BENCH_NLU_DATA", "bot/data/nlu")
# Rasa's command line, after numpy's global random state is seeded (Rasa's folds draw from it).
SEEDED_RASA = (
    "import sys, numpy; numpy.random.seed(int(sys.argv.pop(1))); "
    "from rasa.__main__ import main; sys.argv[0] = 'rasa'; main()"
)


def f1_scores(pairs: Sequence[tuple[str, str]]) -> tuple[float, float, dict[str, float]]:
    """Macro and support-weighted F1 over the intents that occur as targets, and F1 per intent."""
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    for target, predicted in pairs:
        if target == predicted:
            tp[target] += 1
        else:
            fn[target] += 1
            fp[predicted] += 1
    per_intent: dict[str, float] = {}
    support = Counter(target for target, _ in pairs)
    for intent in support:
        denominator = 2 * tp[intent] + fp[intent] + fn[intent]
        per_intent[intent] = 2 * tp[intent] / denominator if denominator else 0.0
    if not per_intent:
        return 0.0, 0.0, {}
    macro = sum(per_intent.values()) / len(per_intent)
    weighted = sum(per_intent[i] * support[i] for i in per_intent) / sum(support.values())
    return macro, weighted, per_intent


def _action(intent: str) -> str:
    return "it_problem|it_question" if intent in ("it_problem", "it_question") else intent


def run_cross_validation(out: Path) -> float:
    rasa = ROOT / ".venv-bot" / "bin" / "rasa"
    if not rasa.exists():
        raise SystemExit("bot_nlu needs .venv-bot: run `make install` first")
    python = ROOT / ".venv-bot" / "bin" / "python"
    start = [str(rasa)] if SEED == "none" else [str(python), "-c", SEEDED_RASA, str(int(SEED))]
    command = [
        *start,
        "test",
        "nlu",
        "--nlu",
        DATA,
        "--config",
        CONFIG,
        "--cross-validation",
        "--folds",
        str(FOLDS),
        "--successes",
        "--no-plot",
        "--out",
        str(out),
    ]
    env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "2"}
    started = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        sys.stderr.write(done.stdout[-3000:] + done.stderr[-3000:])
        raise SystemExit(f"rasa test nlu failed with exit code {done.returncode}")
    return time.perf_counter() - started


def load_predictions(out: Path) -> list[tuple[str, str, str]]:
    """(text, target intent, predicted intent) for every example of every fold."""
    rows = []
    for name in ("intent_successes.json", "intent_errors.json"):
        path = out / name
        if path.exists():
            for item in json.loads(path.read_text(encoding="utf-8")):
                rows.append((item["text"], item["intent"], item["intent_prediction"]["name"]))
    return rows


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="bot-nlu-") as tmp:
        out = Path(tmp)
        took = run_cross_validation(out)
        rows = load_predictions(out)
    by_lang: dict[str, list[tuple[str, str]]] = {"de": [], "en": [], "either": []}
    for text, target, predicted in rows:
        by_lang[detect_language(text) or "either"].append((target, predicted))
    everything = [(t, p) for _, t, p in rows]

    summary, merged = [], []
    per_intent: dict[str, dict[str, float]] = {}
    for lang, pairs in [*by_lang.items(), ("all", everything)]:
        if not pairs:
            continue
        macro, weighted, intents = f1_scores(pairs)
        accuracy = sum(t == p for t, p in pairs) / len(pairs)
        summary.append([lang, len(pairs), accuracy, macro, weighted])
        per_intent[lang] = intents
        same = [(_action(t), _action(p)) for t, p in pairs]
        macro, weighted, _ = f1_scores(same)
        accuracy = sum(t == p for t, p in same) / len(same)
        merged.append([lang, len(same), accuracy, macro, weighted])
    print(
        f"## Intent classification, {FOLDS}-fold cross-validation, fold seed {SEED} "
        f"({len(rows)} examples of {DATA}, {CONFIG}; rasa test nlu took {took:.0f} s)\n"
    )
    header = ("language", "examples", "accuracy", "macro F1", "weighted F1")
    print(table(header, summary))
    print(
        "\nThe same with it_problem and it_question as one intent (both run the same "
        "knowledge-base search, so mistaking one for the other changes nothing):\n"
    )
    print(table(header, merged))
    intents = sorted(per_intent["all"])
    support = Counter(t for t, _ in everything)
    print("\nF1 per intent and language (examples in brackets):\n")
    rows_out = []
    for intent in intents:
        row: list[object] = [intent]
        for lang in ("de", "en", "all"):
            n = sum(t == intent for t, _ in (everything if lang == "all" else by_lang[lang]))
            score = per_intent.get(lang, {}).get(intent)
            row.append("-" if score is None else f"{score:.3f} ({n})")
        rows_out.append(row)
    print(table(("intent", "de", "en", "all"), rows_out))
    print(f"\n{sum(support.values())} examples, {len(intents)} intents")


if __name__ == "__main__":
    main()
