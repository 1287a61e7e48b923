"""Shared pieces of the benchmarks: the knowledge base as documents, a caching embedder, tables."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from kb_index import Document
from kb_index.embedder import Embedder

ROOT = Path(__file__).resolve().parent.parent
KB_ARTICLES = ROOT / "kb" / "articles"
KB_QUESTIONS = ROOT / "kb" / "eval" / "questions.yml"
SHARED_BENCHMARKS = Path(os.environ.get("SHARED_BENCHMARKS", ROOT.parent / "shared" / "benchmarks"))


def kb_documents(
    root: Path = KB_ARTICLES, *, langs: Sequence[str] = ("de", "en")
) -> list[Document]:
    """Return one Document per article and language (as the helpdesk indexes them)."""
    from handoff.kb.source import search_documents

    return search_documents(root, langs)


class CachedEmbedder:
    """Wraps an embedder and remembers every text's vector, so configurations compare fast.

    The vectors are exactly the model's: only repeated work is skipped.
    """

    def __init__(self, inner: Embedder) -> None:
        self.inner = inner
        self._cache: dict[str, np.ndarray] = {}
        self.encoded = 0  # texts actually sent to the model

    @property
    def model_id(self) -> str:
        return self.inner.model_id

    @property
    def dimension(self) -> int:
        return self.inner.dimension

    def encode(
        self,
        texts: Sequence[str],
        *,
        batch_size: int = 64,
        progress: Callable[[int], None] | None = None,
    ) -> np.ndarray:
        missing = list(dict.fromkeys(t for t in texts if _key(t) not in self._cache))
        if missing:
            vectors = self.inner.encode(missing, batch_size=batch_size)
            self._cache.update(zip(map(_key, missing), vectors, strict=True))
            self.encoded += len(missing)
        if progress:
            progress(len(texts))
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return np.vstack([self._cache[_key(t)] for t in texts]).astype(np.float32)


def _key(text: str) -> str:
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def pct(value: float) -> str:
    return f"{100 * value:.1f}%"


def table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """Return a Markdown table (pastes into docs/search.md as it is)."""
    cells = [[str(c) for c in header], *[[_fmt(c) for c in row] for row in rows]]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
    lines = [
        "| " + " | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) + " |" for r in cells
    ]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)


def _fmt(cell: object) -> str:
    return f"{cell:.3f}" if isinstance(cell, float) else str(cell)
