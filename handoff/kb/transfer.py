"""Bringing a whole knowledge base in and out: the source format as a zip, and CSV."""

from __future__ import annotations

import csv
import io
import tempfile
import zipfile
from pathlib import Path

from pydantic import ValidationError

from handoff.spreadsheet import csv_cell, from_csv_cell

from . import source
from .schemas import ArticleCreate

CSV_COLUMNS = ["slug", "category", "tags", "status", "lang", "title", "body", "questions"]
MAX_UPLOAD = 20 * 1024 * 1024
# What a zip may unpack to: a knowledge base is text, a few files per article. The sizes
# are the entries' declared ones, which zipfile never reads beyond.
MAX_ENTRIES = 10_000
MAX_UNPACKED = 200 * 1024 * 1024
MAX_RATIO = 100  # unpacked / packed, for an entry over RATIO_FLOOR
RATIO_FLOOR = 1024 * 1024


class TransferError(ValueError):
    """An upload that cannot be read as a knowledge base."""


def to_zip(articles: list[tuple[ArticleCreate, str]]) -> bytes:
    """The source format (kb/articles/<slug>/...) as a zip file."""
    with tempfile.TemporaryDirectory() as tmp:
        for article, status in articles:
            source.write_article(Path(tmp), article, status)
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in sorted(Path(tmp).rglob("*")):
                if path.is_file():
                    archive.write(path, path.relative_to(tmp).as_posix())
    return buffer.getvalue()


def from_zip(data: bytes) -> list[tuple[ArticleCreate, str]]:
    """Read a zip in the source format (article directories at the top or one level down)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise TransferError("not a zip file") from exc
    with tempfile.TemporaryDirectory() as tmp, archive:
        _check_members(archive.infolist(), Path(tmp).resolve())
        archive.extractall(tmp)
        roots = {p.parent.parent for p in Path(tmp).rglob("article.yml")}
        if len(roots) != 1:
            raise TransferError("the zip must hold article directories with article.yml")
        try:
            return source.read_all(roots.pop())
        except source.SourceError as exc:
            raise TransferError(str(exc)) from exc


def _check_members(members: list[zipfile.ZipInfo], root: Path) -> None:
    """Refuse paths outside root, too many entries, too much unpacked, a zip bomb's ratio."""
    if len(members) > MAX_ENTRIES:
        raise TransferError(f"the zip holds more than {MAX_ENTRIES} entries")
    if sum(m.file_size for m in members) > MAX_UNPACKED:
        raise TransferError(f"the zip unpacks to more than {MAX_UNPACKED // 2**20} MiB")
    for member in members:
        if not (root / member.filename).resolve().is_relative_to(root):
            raise TransferError(f"unsafe path in zip: {member.filename}")
        if member.file_size > RATIO_FLOOR and member.file_size > MAX_RATIO * max(
            member.compress_size, 1
        ):
            raise TransferError(
                f"{member.filename} unpacks to more than {MAX_RATIO} times its packed size"
            )


def to_csv(articles: list[tuple[ArticleCreate, str]]) -> str:
    """One row per article and language; tags separated by ';', questions by newlines."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS)
    writer.writeheader()
    for article, status in articles:
        for lang, text in sorted(article.translations.items()):
            row = {
                "slug": article.slug,
                "category": article.category,
                "tags": ";".join(article.tags),
                "status": status,
                "lang": lang,
                "title": text.title,
                "body": text.body,
                "questions": "\n".join(text.questions),
            }
            writer.writerow({name: csv_cell(value) for name, value in row.items()})
    return buffer.getvalue()


def from_csv(data: bytes) -> list[tuple[ArticleCreate, str]]:
    """Read the CSV of to_csv (the header names the columns; extra columns are ignored).

    A cell starting with ' loses that character (to_csv adds it before formula characters).
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise TransferError("the CSV must be UTF-8") from exc
    reader = csv.DictReader(io.StringIO(text))
    missing = set(CSV_COLUMNS) - set(reader.fieldnames or [])
    if missing:
        raise TransferError(f"missing CSV columns: {', '.join(sorted(missing))}")
    grouped: dict[str, dict[str, object]] = {}
    for line, cells in enumerate(reader, start=2):
        row = {name: from_csv_cell(cells.get(name) or "") for name in CSV_COLUMNS}
        slug = (row["slug"] or "").strip()
        if row["lang"] not in ("de", "en"):
            raise TransferError(f"line {line}: lang must be de or en")
        entry = grouped.setdefault(
            slug,
            {
                "slug": slug,
                "category": row["category"].strip(),
                "tags": [t for t in row["tags"].split(";") if t],
                "status": row["status"].strip() or "draft",
                "translations": {},
            },
        )
        entry["translations"][row["lang"]] = {  # type: ignore[index]
            "title": row["title"],
            "body": row["body"],
            "questions": [q for q in row["questions"].splitlines() if q.strip()],
        }
    out = []
    for slug, entry in grouped.items():
        status = str(entry.pop("status"))
        if status not in ("draft", "published"):
            raise TransferError(f"{slug}: status must be draft or published")
        try:
            out.append((ArticleCreate.model_validate(entry), status))
        except ValidationError as exc:
            raise TransferError(
                f"{slug}: {exc.errors()[0]['msg']} ({'.'.join(map(str, exc.errors()[0]['loc']))})"
            ) from exc
    return out
