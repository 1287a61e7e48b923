"""What gets indexed: documents, the passages they are cut into, and their hashes."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

# Bump when passage cutting changes: stored vectors of old hashes are then re-embedded.
PASSAGE_VERSION = 2
MAX_PASSAGE_WORDS = 60


class DocumentError(ValueError):
    """A document collection is malformed."""


@dataclass(frozen=True)
class Document:
    """One text to find: an article in one language, or one entry of a collection."""

    id: str
    text: str
    title: str = ""
    lang: str = "und"
    questions: tuple[str, ...] = field(default_factory=tuple)
    tags: tuple[str, ...] = field(default_factory=tuple)

    @property
    def display_title(self) -> str:
        return self.title or _first_words(self.text, 12)

    def content_hash(self) -> str:
        """Return a hash of everything that shapes this document's passages."""
        payload = json.dumps([PASSAGE_VERSION, asdict(self)], ensure_ascii=False, sort_keys=True)
        return hashlib.sha256(payload.encode()).hexdigest()[:32]

    def to_json(self) -> dict[str, object]:
        return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(self).items()}

    @classmethod
    def from_json(cls, data: dict[str, object]) -> Document:
        return cls(
            id=str(data["id"]),
            text=str(data.get("text", "")),
            title=str(data.get("title") or ""),
            lang=str(data.get("lang") or "und"),
            questions=tuple(str(q) for q in data.get("questions") or ()),  # type: ignore[attr-defined]
            tags=tuple(str(t) for t in data.get("tags") or ()),  # type: ignore[attr-defined]
        )


def read_jsonl(path: Path) -> list[Document]:
    """Read {"id", "text", "title"?, "lang"?} lines; raise DocumentError naming the bad line."""
    documents: list[Document] = []
    seen: set[tuple[str, str]] = set()
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                data = json.loads(line)
            except json.JSONDecodeError as exc:
                raise DocumentError(f"{path}:{number}: not valid JSON ({exc.msg})") from exc
            if not isinstance(data, dict) or not isinstance(data.get("id"), str | int):
                raise DocumentError(f'{path}:{number}: needs an object with a string "id"')
            if not isinstance(data.get("text"), str) or not data["text"].strip():
                raise DocumentError(f'{path}:{number}: "text" must be a non-empty string')
            for key in ("title", "lang"):
                if key in data and data[key] is not None and not isinstance(data[key], str):
                    raise DocumentError(f'{path}:{number}: "{key}" must be a string')
            doc = Document.from_json(data)
            if (doc.id, doc.lang) in seen:
                raise DocumentError(f"{path}:{number}: duplicate id {doc.id!r} ({doc.lang})")
            seen.add((doc.id, doc.lang))
            documents.append(doc)
    return documents


@dataclass(frozen=True)
class Passage:
    kind: str  # "title", "question", "body"
    text: str


_LINK = re.compile(r"\[([^\]]+)\]\([^)]+\)")
_MARKUP = re.compile(r"(^|\s)(#{1,6}|[-*+]|\d+\.)\s+|[*_`>]+")


def plain_text(markdown: str) -> str:
    """Strip the Markdown syntax that would only add noise to embeddings."""
    return _MARKUP.sub(r"\1", _LINK.sub(r"\1", markdown)).strip()


def _first_words(text: str, n: int) -> str:
    words = plain_text(text).split()
    return " ".join(words[:n]) + (" …" if len(words) > n else "")


def _chunks(text: str) -> Iterator[str]:
    """Cut a body into passages of at most MAX_PASSAGE_WORDS, on line boundaries."""
    current: list[str] = []
    for raw in text.splitlines():
        line = plain_text(raw)
        if not line:
            continue
        if raw.lstrip().startswith("#") and current:
            yield " ".join(current)
            current = []
        words = line.split()
        while len(words) > MAX_PASSAGE_WORDS:
            if current:
                yield " ".join(current)
                current = []
            yield " ".join(words[:MAX_PASSAGE_WORDS])
            words = words[MAX_PASSAGE_WORDS:]
        if len(current) + len(words) > MAX_PASSAGE_WORDS and current:
            yield " ".join(current)
            current = []
        current.extend(words)
    if current:
        yield " ".join(current)


def passages(doc: Document) -> list[Passage]:
    """Return the passages embedded for a document: title, questions, body chunks."""
    out: list[Passage] = []
    if doc.title:
        out.append(Passage("title", doc.title))
    out.extend(Passage("question", q) for q in doc.questions if q.strip())
    prefix = f"{doc.title}: " if doc.title else ""
    out.extend(Passage("body", prefix + chunk) for chunk in _chunks(doc.text))
    return out or [Passage("body", doc.id)]


def lexical_text(doc: Document) -> str:
    """Return the text BM25 sees: title and questions weigh double."""
    head = " ".join([doc.title, *doc.questions, " ".join(doc.tags)])
    return f"{head} {head} {plain_text(doc.text)}"
