"""Fixtures for kb_index: a counting fake embedder, a small bilingual collection, its index."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import pytest

from kb_index import Document, KbIndex, build_index
from kb_index.embedder import HashingEmbedder


class FakeEmbedder(HashingEmbedder):
    """Hashed bag of words (no model load) that records every text it embeds."""

    def __init__(self, dimension: int = 128, model_id: str = "fake-model") -> None:
        super().__init__(dimension)
        self._model_id = model_id
        self.seen: list[str] = []

    @property
    def model_id(self) -> str:
        return self._model_id

    def encode(
        self,
        texts: Sequence[str],
        *,
        batch_size: int = 64,
        progress: Callable[[int], None] | None = None,
    ) -> np.ndarray:
        self.seen.extend(texts)
        return super().encode(texts, batch_size=batch_size, progress=progress)


def article(slug: str, lang: str, title: str, body: str, *questions: str) -> Document:
    return Document(id=slug, lang=lang, title=title, text=body, questions=tuple(questions))


DOCUMENTS = [
    article(
        "vpn-connect",
        "de",
        "VPN im Homeoffice verbinden",
        "## Schritte\n1. GlobalProtect öffnen\n2. Portal vpn.brandt.example eingeben",
        "vpn geht nicht",
    ),
    article(
        "vpn-connect",
        "en",
        "Connect to the VPN from home",
        "## Steps\n1. Open GlobalProtect\n2. Enter the portal vpn.brandt.example",
        "vpn not working",
    ),
    article(
        "printer-jam",
        "de",
        "Papierstau am Drucker beheben",
        "Klappe öffnen, Papier vorsichtig herausziehen, Drucker neu starten.",
        "drucker hat papierstau",
    ),
    article(
        "printer-jam",
        "en",
        "Clear a paper jam in the printer",
        "Open the cover, pull the paper out gently, restart the printer.",
        "printer paper jam",
    ),
    article(
        "password-reset",
        "de",
        "Passwort vergessen: selbst zurücksetzen",
        "Öffnen Sie passwort.brandt.example und bestätigen Sie mit MFA.",
        "passwort vergessen",
    ),
    article(
        "password-reset",
        "en",
        "Forgot your password: reset it yourself",
        "Open passwort.brandt.example and confirm with MFA.",
        "forgot my password",
    ),
    # Only in German: an English question must still find it.
    article(
        "bitlocker-recovery",
        "de",
        "BitLocker-Wiederherstellungsschlüssel eingeben",
        "Den Wiederherstellungsschlüssel finden Sie im IT-Portal unter Meine Geräte.",
        "bitlocker schlüssel",
    ),
    # Only in English: a German question must still find it.
    article(
        "teams-audio",
        "en",
        "No sound in a Teams meeting",
        "Check the microphone and speaker in the Teams device settings.",
        "teams no sound",
    ),
]


@pytest.fixture
def embedder() -> FakeEmbedder:
    return FakeEmbedder()


@pytest.fixture
def documents() -> list[Document]:
    return list(DOCUMENTS)


@pytest.fixture
def index_dir(tmp_path: Path, documents: list[Document], embedder: FakeEmbedder) -> Path:
    out = tmp_path / "index"
    build_index(documents, out, embedder=embedder)
    return out


@pytest.fixture
def index(index_dir: Path, embedder: FakeEmbedder) -> KbIndex:
    return KbIndex.load(index_dir, embedder)
