"""The labelled sets the search is calibrated and measured on name real articles, once each."""

from __future__ import annotations

from pathlib import Path

import pytest

from kb_index.evaluation import load_questions

ROOT = Path(__file__).resolve().parents[2]
ARTICLES = {path.name for path in (ROOT / "kb" / "articles").iterdir() if path.is_dir()}
SETS = ["questions.yml", "heldout.yml", "chat_dev.yml"]


@pytest.mark.parametrize("name", SETS)
def test_every_question_names_an_article_or_none_in_a_known_language(name: str) -> None:
    questions = load_questions(ROOT / "kb" / "eval" / name)
    assert questions
    unknown = {q.slug for q in questions if q.slug is not None} - ARTICLES
    assert not unknown, f"{name} expects articles that do not exist: {sorted(unknown)}"
    assert {q.lang for q in questions} <= {"de", "en"}
    texts = [q.text.casefold().strip() for q in questions]
    repeated = sorted({t for t in texts if texts.count(t) > 1})
    assert not repeated, f"{name} asks the same more than once: {repeated}"


def test_the_sets_share_no_message() -> None:
    """A message in two sets would let tuning on one leak into the figures of another."""
    seen: dict[str, str] = {}
    for name in SETS:
        for question in load_questions(ROOT / "kb" / "eval" / name):
            text = question.text.casefold().strip()
            assert text not in seen or seen[text] == name, f"{text!r} in {seen[text]} and {name}"
            seen[text] = name


@pytest.mark.parametrize("name", ["heldout.yml", "chat_dev.yml"])
def test_no_chat_message_is_an_example_question_of_an_article(name: str) -> None:
    """Example questions are indexed: one that is also a chat message of an evaluation set
    would be found by itself, and the figures measured on that set would flatter the search.

    (questions.yml shares 23 short phrasings with the example questions of the first
    seed, such as "drucker hinzufügen"; docs/search.md says so.)
    """
    from handoff.kb.source import search_documents

    indexed = {
        " ".join(q.casefold().split())
        for document in search_documents(ROOT / "kb" / "articles")
        for q in document.questions
    }
    for question in load_questions(ROOT / "kb" / "eval" / name):
        text = " ".join(question.text.casefold().split())
        assert text not in indexed, f"{question.text!r} of {name} is an example question"
