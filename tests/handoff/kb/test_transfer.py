"""Import and export files that could hurt: formula cells, zip bombs (findings 9 and 12)."""

from __future__ import annotations

import csv
import io
import threading
import time
import zipfile

import pytest

from handoff.kb import transfer
from handoff.kb.schemas import ArticleCreate

from ..conftest import Helpdesk
from ..factories import staff

RISKY = ArticleCreate.model_validate(
    {
        "slug": "formel-test",
        "category": "software",
        "tags": ["@team", "excel"],
        "translations": {
            "de": {
                "title": '=HYPERLINK("http://evil.example","Klick")',
                "body": "- erster Punkt\n- zweiter Punkt\n\n## Schritte\n1. +49 anrufen",
                "questions": ["-geht nicht", "'zitiert"],
            },
            "en": {"title": "'quoted already", "body": "+1 works", "questions": []},
        },
    }
)


def test_formula_cells_are_escaped_and_read_back_unchanged() -> None:
    table = transfer.to_csv([(RISKY, "draft")])
    rows = list(csv.DictReader(io.StringIO(table)))
    for row in rows:
        for name, value in row.items():
            assert not value.startswith(("=", "+", "-", "@")), (name, value)
    de = next(r for r in rows if r["lang"] == "de")
    assert de["title"].startswith("'=HYPERLINK") and de["tags"] == "'@team;excel"
    assert transfer.from_csv(table.encode()) == [(RISKY, "draft")]


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_a_zip_bomb_is_refused_before_unpacking() -> None:
    bomb = _zip({"kb/a/article.yml": b"\0" * (30 * 1024 * 1024)})
    assert len(bomb) < 100_000
    started = time.monotonic()
    with pytest.raises(transfer.TransferError, match="times its packed size"):
        transfer.from_zip(bomb)
    assert time.monotonic() - started < 1


def test_entries_and_unpacked_size_are_capped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(transfer, "MAX_ENTRIES", 3)
    with pytest.raises(transfer.TransferError, match="more than 3 entries"):
        transfer.from_zip(_zip({f"kb/{n}/article.yml": b"x" for n in range(4)}))
    monkeypatch.setattr(transfer, "MAX_ENTRIES", 100)
    monkeypatch.setattr(transfer, "MAX_UNPACKED", 1000)
    with pytest.raises(transfer.TransferError, match="unpacks to more than"):
        transfer.from_zip(_zip({"kb/a/article.yml": b"y" * 600, "kb/b/article.yml": b"z" * 600}))
    with pytest.raises(transfer.TransferError, match="unsafe path"):
        transfer.from_zip(_zip({"../outside/article.yml": b"x"}))


async def test_an_import_is_unpacked_off_the_event_loop(
    sqlite_helpdesk: Helpdesk, monkeypatch: pytest.MonkeyPatch
) -> None:
    editor = (await staff(sqlite_helpdesk, "editor"))["headers"]
    seen: list[str] = []
    real = transfer.from_zip

    def watched(data: bytes) -> list[tuple[ArticleCreate, str]]:
        seen.append(threading.current_thread().name)
        return real(data)

    monkeypatch.setattr(transfer, "from_zip", watched)
    bomb = _zip({"kb/a/article.yml": b"\0" * (30 * 1024 * 1024)})
    refused = await sqlite_helpdesk.client.post(
        "/api/kb/import", files={"file": ("kb.zip", bomb)}, headers=editor
    )
    assert refused.status_code == 422 and "packed size" in refused.json()["detail"]
    assert seen and seen[0] != threading.main_thread().name
