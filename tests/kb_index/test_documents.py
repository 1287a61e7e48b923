"""Reading JSONL collections: every malformed line is named by its number."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kb_index import Document, DocumentError, read_jsonl
from kb_index.documents import passages, plain_text


def write(tmp_path: Path, *lines: str) -> Path:
    path = tmp_path / "docs.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_reads_ids_texts_titles_and_languages(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        json.dumps({"id": "a", "text": "Alpha text", "title": "Alpha", "lang": "en"}),
        "",
        json.dumps({"id": 7, "text": "Zahl"}),
    )
    assert read_jsonl(path) == [
        Document(id="a", text="Alpha text", title="Alpha", lang="en"),
        Document(id="7", text="Zahl", lang="und"),
    ]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{not json", r"docs.jsonl:2: not valid JSON"),
        ('["a", "b"]', r'docs.jsonl:2: needs an object with a string "id"'),
        ('{"text": "no id"}', r'docs.jsonl:2: needs an object with a string "id"'),
        ('{"id": "b"}', r'docs.jsonl:2: "text" must be a non-empty string'),
        ('{"id": "b", "text": "   "}', r'docs.jsonl:2: "text" must be a non-empty string'),
        ('{"id": "b", "text": "t", "title": 5}', r'docs.jsonl:2: "title" must be a string'),
        ('{"id": "b", "text": "t", "lang": ["de"]}', r'docs.jsonl:2: "lang" must be a string'),
        ('{"id": "a", "text": "again"}', r"docs.jsonl:2: duplicate id 'a'"),
    ],
)
def test_bad_lines_are_named(tmp_path: Path, line: str, message: str) -> None:
    path = write(tmp_path, json.dumps({"id": "a", "text": "first"}), line)
    with pytest.raises(DocumentError, match=message):
        read_jsonl(path)


def test_same_id_in_two_languages_is_two_documents(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        json.dumps({"id": "a", "text": "Hallo", "lang": "de"}),
        json.dumps({"id": "a", "text": "Hello", "lang": "en"}),
    )
    assert [(d.id, d.lang) for d in read_jsonl(path)] == [("a", "de"), ("a", "en")]


def test_passages_are_title_questions_and_title_prefixed_chunks() -> None:
    body = "## Steps\n" + "\n".join(f"{n}. step number {n} " + "word " * 20 for n in range(1, 6))
    doc = Document(id="x", title="Title", text=body, questions=("how?",))
    cut = passages(doc)
    assert [p.kind for p in cut[:2]] == ["title", "question"]
    bodies = [p for p in cut if p.kind == "body"]
    assert len(bodies) > 1 and all(p.text.startswith("Title: ") for p in bodies)
    assert all(len(p.text.split()) <= 61 for p in bodies)


def test_markdown_syntax_is_stripped_for_embedding() -> None:
    text = "## Schritte\n1. **Start** > [Software Center](https://x.example) öffnen\n- `H:`"
    assert plain_text(text).split() == "Schritte Start Software Center öffnen H:".split()


def test_content_hash_changes_with_any_field() -> None:
    doc = Document(id="a", text="t", title="T", lang="de", questions=("q",), tags=("x",))
    variants = [
        Document(id="b", text="t", title="T", lang="de", questions=("q",), tags=("x",)),
        Document(id="a", text="u", title="T", lang="de", questions=("q",), tags=("x",)),
        Document(id="a", text="t", title="U", lang="de", questions=("q",), tags=("x",)),
        Document(id="a", text="t", title="T", lang="en", questions=("q",), tags=("x",)),
        Document(id="a", text="t", title="T", lang="de", questions=("r",), tags=("x",)),
        Document(id="a", text="t", title="T", lang="de", questions=("q",), tags=("y",)),
    ]
    assert len({doc.content_hash(), *(v.content_hash() for v in variants)}) == 7
