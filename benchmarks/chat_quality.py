"""What the bot does with real first messages, through the whole chat path.

Starts the real system (helpdesk with the real model, Rasa, action server) on
free ports. Every message is the first message of a new chat
(`POST /api/chat/sessions`, then `POST .../messages`), as a new employee. Two
sets: the held-out first messages of kb/eval/heldout.yml (German and English,
with the expected article or null) and the 1,000 English off-topic queries of
CLINC150's `oos_test` split. First, the floor of the related rule (below it
even the candidates are unrelated, and the bot answers as off-topic), calibrated
on kb/eval/questions.yml and CLINC150's `oos_val` split, never on the sets above.

An outcome is read from the reply: an article answered (`kb_article`),
candidate articles offered (`/choose_article` buttons), a refusal as off-topic
(the text of `utter_out_of_scope`), queued or a ticket (the state, or an
`INC-` number in a reply that is not an article), or something else (nothing
found, small talk).
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import tempfile
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import numpy as np
import yaml

from kb_index import KbIndex, build_index
from kb_index.calibration import calibrate_floor
from kb_index.embedder import load_embedder
from kb_index.evaluation import Question, load_questions, search_all
from scripts import stack as system

from .common import KB_QUESTIONS, ROOT, SHARED_BENCHMARKS, kb_documents, pct, table

HELDOUT = ROOT / "kb" / "eval" / "heldout.yml"
# The development set of first messages: what the chat rule is tuned on (the held-out set never is).
DEV = ROOT / "kb" / "eval" / "chat_dev.yml"
CLINC = SHARED_BENCHMARKS / "clinc150_oos" / "oos.json"
PARALLEL = 4
# BENCH_CHAT_QUALITY_LIMIT=N: the first N of each set (a quick look, not a figure).
LIMIT = int(os.environ.get("BENCH_CHAT_QUALITY_LIMIT", "0")) or None
# BENCH_CHAT_QUALITY_SETS: which sets, of heldout, dev and clinc (default: heldout,clinc).
SETS = os.environ.get("BENCH_CHAT_QUALITY_SETS", "heldout,clinc").split(",")
# Each set's file and the number of its first employee (every message comes from a new one).
SET_SOURCES = {"heldout": (HELDOUT, 0), "dev": (DEV, 50_000), "clinc": (CLINC, 100_000)}
# BENCH_CHAT_QUALITY_OUT=FILE: one JSON line per message, for reading the misses.
OUT = os.environ.get("BENCH_CHAT_QUALITY_OUT")
TICKET = re.compile(r"\bINC-\d+")


@dataclass
class Outcome:
    text: str
    lang: str
    expected: str | None
    answered: str | None = None
    candidates: list[str] = field(default_factory=list)
    off_topic: bool = False
    handed_off: bool = False  # queued, or a ticket was opened
    replies: list[str] = field(default_factory=list)

    @property
    def kind(self) -> str:
        if self.handed_off:
            return "queued_or_ticket"
        if self.answered:
            return "answered"
        if self.candidates:
            return "candidates"
        return "off_topic" if self.off_topic else "other"


def floor_table() -> str:
    """Calibrate the related rule's floor; the table shows the floors around the chosen one."""
    embedder = load_embedder()
    questions = load_questions(KB_QUESTIONS)
    queries = json.loads(CLINC.read_text(encoding="utf-8"))["oos_val"]
    questions += [Question(text, "en", None) for text, _label in queries]
    with tempfile.TemporaryDirectory() as tmp:
        build_index(kb_documents(), Path(tmp), embedder=embedder)
        found = search_all(KbIndex.load(Path(tmp), embedder), questions, k=3)
    in_scope = [r for q, r in zip(questions, found, strict=True) if q.slug]
    off_topic = [r for q, r in zip(questions, found, strict=True) if not q.slug]
    calibration = calibrate_floor(in_scope, off_topic)
    chosen = int(np.argmin(np.abs(calibration.floors - calibration.rule.floor)))
    rows = [
        [
            f"{calibration.floors[i]:.2f}" + (" (chosen)" if i == chosen else ""),
            pct(calibration.refused_in_scope[i]),
            pct(calibration.shown_off_topic[i]),
            f"{calibration.cost[i]:.3f}",
        ]
        for i in range(max(chosen - 6, 0), min(chosen + 7, len(calibration.floors)), 2)
    ]
    header = ["floor", f"in scope refused (of {len(in_scope)})"]
    header += [f"off-topic shown candidates (of {len(off_topic)})", "cost"]
    return table(header, rows)


def off_topic_prefixes(domain: Path = ROOT / "domain.yml") -> tuple[str, ...]:
    """The opening words of every variant of utter_out_of_scope."""
    responses = yaml.safe_load(domain.read_text(encoding="utf-8"))["responses"]
    return tuple(v["text"][:40] for v in responses["utter_out_of_scope"])


def read_reply(outcome: Outcome, body: dict, prefixes: tuple[str, ...]) -> Outcome:
    """Fill in what the bot did from the chat API's answer."""
    outcome.handed_off = body.get("state") != "bot"
    for message in body.get("messages") or []:
        text = message.get("text") or ""
        outcome.replies.append(text)
        article = message.get("kb_article") or {}
        outcome.answered = outcome.answered or article.get("slug")
        outcome.off_topic = outcome.off_topic or text.startswith(prefixes)
        # A ticket number in the bot's own words; an article may quote a sample one
        # (support-hours shows INC-000123).
        outcome.handed_off = outcome.handed_off or (not article and bool(TICKET.search(text)))
        for button in message.get("buttons") or []:
            payload = str(button.get("payload") or "")
            if payload.startswith("/choose_article"):
                outcome.candidates.append(
                    json.loads(payload[len("/choose_article") :])["article_slug"]
                )
    return outcome


async def first_message(
    http: httpx.AsyncClient,
    n: int,
    lang: str,
    text: str,
    expected: str | None,
    prefixes: tuple[str, ...],
) -> Outcome:
    """Send text as the first message of a new chat of a new employee."""
    token = (
        await http.post("/api/dev/token", json={"email": f"q{n}@brandt.example", "name": f"Q {n}"})
    ).json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    session = await http.post("/api/chat/sessions", json={"locale": lang}, headers=headers)
    cid = session.json()["conversation_id"]
    response = await http.post(
        f"/api/chat/sessions/{cid}/messages", json={"text": text}, headers=headers
    )
    response.raise_for_status()
    return read_reply(Outcome(text, lang, expected), response.json(), prefixes)


async def run_set(
    base_url: str, items: Sequence[tuple[str, str, str | None]], offset: int
) -> list[Outcome]:
    """All items (lang, text, expected slug), PARALLEL chats at a time, in order."""
    prefixes = off_topic_prefixes()
    gate = asyncio.Semaphore(PARALLEL)
    async with httpx.AsyncClient(base_url=base_url, timeout=120) as http:

        async def one(i: int, item: tuple[str, str, str | None]) -> Outcome:
            async with gate:
                return await first_message(http, offset + i, *item, prefixes)

        return list(await asyncio.gather(*(one(i, item) for i, item in enumerate(items))))


def heldout_items(path: Path) -> list[tuple[str, str, str | None]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))["questions"]
    by_lang = {lang: [q for q in data if q["lang"] == lang] for lang in ("de", "en")}
    return [(q["lang"], q["q"], q["slug"]) for qs in by_lang.values() for q in qs[:LIMIT]]


def clinc_items() -> list[tuple[str, str, str | None]]:
    queries = json.loads(CLINC.read_text(encoding="utf-8"))["oos_test"]
    return [("en", text, None) for text, _label in queries[:LIMIT]]


def _share(count: int, of: list[Outcome]) -> str:
    """count as a share of `of`; a dash where `of` is empty (a BENCH_CHAT_QUALITY_LIMIT run
    may take no out-of-scope message)."""
    return pct(count / len(of)) if of else "–"


def heldout_table(outcomes: Sequence[Outcome]) -> str:
    rows = []
    for lang in ("de", "en"):
        inside = [o for o in outcomes if o.lang == lang and o.expected]
        outside = [o for o in outcomes if o.lang == lang and not o.expected]
        right = sum(o.answered == o.expected for o in inside)
        wrong = sum(bool(o.answered) and o.answered != o.expected for o in inside)
        reached = sum(o.answered == o.expected or o.expected in o.candidates for o in inside)
        rejected = sum(not o.answered and not o.handed_off for o in outside)
        refused = sum(o.kind == "off_topic" for o in outside)
        rows.append(
            [
                lang,
                len(inside),
                _share(right, inside),
                _share(wrong, inside),
                _share(reached, inside),
                len(outside),
                _share(rejected, outside),
                _share(refused, outside),
            ]
        )
    header = ["language", "in scope", "answered right", "answered wrong", "reached"]
    header += ["out of scope", "rejected", "refused as off-topic"]
    return table(header, rows)


def clinc_table(outcomes: Sequence[Outcome]) -> str:
    kinds = Counter(o.kind for o in outcomes)
    total = len(outcomes)
    names = ("off_topic", "candidates", "answered", "queued_or_ticket", "other")
    labels = ("refused as off-topic", "got candidates", "answered", "queued or ticket", "other")
    return table(
        ["CLINC150 oos_test", "queries", *labels],
        [["first message", total, *(pct(kinds[n] / total) for n in names)]],
    )


def write_details(outcomes: Sequence[Outcome]) -> None:
    if not OUT:
        return
    with open(OUT, "w", encoding="utf-8") as out:
        for o in outcomes:
            row = {"kind": o.kind, **{k: v for k, v in vars(o).items() if k != "replies"}}
            out.write(json.dumps(row, ensure_ascii=False) + "\n")


def main() -> None:
    print(floor_table())
    print()
    unknown = set(SETS) - set(SET_SOURCES)
    if unknown:
        raise SystemExit(f"BENCH_CHAT_QUALITY_SETS: unknown sets {sorted(unknown)}")
    items = {  # read before starting anything
        name: clinc_items() if name == "clinc" else heldout_items(SET_SOURCES[name][0])
        for name in SETS
    }
    with tempfile.TemporaryDirectory() as tmp:
        config = system.StackConfig.ephemeral(
            Path(tmp), HELPDESK_LOG_LEVEL="WARNING", HELPDESK_SERVICE_HOURS="mon-sun 00:00-23:59"
        )
        procs = system.run_all(config, system.train_bot(), sink=lambda line: None)
        try:
            outcomes = {
                name: asyncio.run(run_set(config.helpdesk_url, found, SET_SOURCES[name][1]))
                for name, found in items.items()
            }
        finally:
            system.stop(procs)
    write_details([o for found in outcomes.values() for o in found])
    for name, found in outcomes.items():
        if name == "clinc":
            print(clinc_table(found))
        else:
            print(f"{SET_SOURCES[name][0].relative_to(ROOT)}:")
            print(heldout_table(found))
        print()


if __name__ == "__main__":
    main()
