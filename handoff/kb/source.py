"""The repository's source format: kb/articles/<slug>/{article.yml,de.md,en.md}."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import yaml
from pydantic import ValidationError

from kb_index import Document

from .schemas import ArticleCreate

LANGS = ("de", "en")


class SourceError(ValueError):
    """An article directory is malformed."""


def _split_front_matter(text: str, path: Path) -> tuple[dict[str, object], str]:
    if not text.startswith("---"):
        raise SourceError(f"{path}: must start with a '---' front matter block")
    try:
        _, head, body = text.split("---", 2)
        meta = yaml.safe_load(head) or {}
    except (ValueError, yaml.YAMLError) as exc:
        raise SourceError(f"{path}: unreadable front matter ({exc})") from exc
    if not isinstance(meta, dict):
        raise SourceError(f"{path}: front matter must be a mapping")
    return meta, body.strip() + "\n"


def read_article(directory: Path) -> tuple[ArticleCreate, str]:
    """Read one article directory; return the article and its status."""
    meta_path = directory / "article.yml"
    if not meta_path.exists():
        raise SourceError(f"{directory}: missing article.yml")
    try:
        meta = yaml.safe_load(meta_path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise SourceError(f"{meta_path}: {exc}") from exc
    translations = {}
    for lang in LANGS:
        path = directory / f"{lang}.md"
        if path.exists():
            front, body = _split_front_matter(path.read_text(encoding="utf-8"), path)
            translations[lang] = {
                "title": front.get("title", ""),
                "questions": [str(q) for q in front.get("questions") or []],  # type: ignore[attr-defined]
                "body": body,
            }
    status = str(meta.get("status", "published"))
    if status not in ("draft", "published"):
        raise SourceError(f"{meta_path}: status must be draft or published")
    try:
        article = ArticleCreate(
            slug=directory.name,
            category=meta.get("category", ""),
            tags=[str(t) for t in meta.get("tags") or []],
            translations=translations,
        )
    except ValidationError as exc:
        raise SourceError(f"{directory}: {exc}") from exc
    return article, status


def read_all(root: Path) -> list[tuple[ArticleCreate, str]]:
    """Read every article directory under root, sorted by slug."""
    if not root.is_dir():
        raise SourceError(f"{root} is not a directory")
    return [read_article(d) for d in sorted(root.iterdir()) if d.is_dir()]


def search_documents(root: Path, langs: Sequence[str] = LANGS) -> list[Document]:
    """One kb_index Document per article and language of a source tree (all statuses)."""
    return [
        Document(
            id=article.slug,
            lang=lang,
            title=text.title,
            text=text.body,
            questions=tuple(text.questions),
            tags=tuple(article.tags),
        )
        for article, _status in read_all(root)
        for lang, text in sorted(article.translations.items())
        if lang in langs
    ]


def write_article(root: Path, article: ArticleCreate, status: str) -> None:
    """Write one article in the source format (the inverse of read_article)."""
    directory = root / article.slug
    directory.mkdir(parents=True, exist_ok=True)
    meta = {"category": article.category, "tags": article.tags, "status": status}
    (directory / "article.yml").write_text(
        yaml.safe_dump(meta, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
    for lang in LANGS:
        path = directory / f"{lang}.md"
        translation = article.translations.get(lang)  # type: ignore[call-overload]
        if translation is None:
            path.unlink(missing_ok=True)
            continue
        front = yaml.safe_dump(
            {"title": translation.title, "questions": translation.questions},
            allow_unicode=True,
            sort_keys=False,
            width=1000,
        )
        path.write_text(f"---\n{front}---\n{translation.body.strip()}\n", encoding="utf-8")
