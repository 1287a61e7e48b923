"""Building an index: passages, embeddings (reused by content hash), FAISS, BM25."""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import faiss
import numpy as np

from . import store
from .documents import Document, DocumentError, lexical_text, passages
from .embedder import Embedder
from .lexical import LexicalIndex
from .progress import Progress

# Above this many passages the index is approximate (HNSW); below, exact (flat).
APPROXIMATE_FROM = 50_000
HNSW_NEIGHBOURS = 32
HNSW_EF_CONSTRUCTION = 80


@dataclass(frozen=True)
class BuildStats:
    documents: int
    passages: int
    embedded: int  # passages embedded anew (the rest were reused by content hash)
    kind: str
    seconds: float


def _faiss_index(vectors: np.ndarray, approximate: bool) -> faiss.Index:
    dimension = vectors.shape[1]
    index: faiss.Index
    if approximate:
        index = faiss.IndexHNSWFlat(dimension, HNSW_NEIGHBOURS, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
    else:
        index = faiss.IndexFlatIP(dimension)
    if len(vectors):
        index.add(np.ascontiguousarray(vectors, dtype=np.float32))
    return index


def _reusable(previous: Path | None, embedder: Embedder) -> dict[str, np.ndarray]:
    """Map content hash -> stored passage vectors of a previous index of the same model."""
    if previous is None:
        return {}
    try:
        old = store.read(previous, model_id=embedder.model_id, dimension=embedder.dimension)
    except store.IndexLoadError:
        return {}
    return {
        digest: np.asarray(old.vectors[old.offsets[i] : old.offsets[i + 1]])
        for i, digest in enumerate(old.hashes)
    }


def _assemble(
    texts: list[list[str]],
    todo: list[int],
    fresh: np.ndarray,
    reused: list[np.ndarray | None],
    embedder: Embedder,
) -> tuple[np.ndarray, np.ndarray]:
    """Put fresh and reused passage vectors in document order; return vectors and offsets."""
    counts = np.array([len(t) for t in texts], dtype=np.int64)
    offsets = np.zeros(len(texts) + 1, dtype=np.int64)
    np.cumsum(counts, out=offsets[1:])
    if len(todo) == len(texts):
        return np.ascontiguousarray(fresh, dtype=np.float32), offsets
    vectors = np.empty((int(offsets[-1]), embedder.dimension), dtype=np.float32)
    cursor = 0
    for i in todo:
        vectors[offsets[i] : offsets[i + 1]] = fresh[cursor : cursor + counts[i]]
        cursor += counts[i]
    for i, old in enumerate(reused):
        if old is not None:
            vectors[offsets[i] : offsets[i + 1]] = old
    return vectors, offsets


def build_index(
    documents: Iterable[Document],
    out_dir: Path,
    *,
    embedder: Embedder,
    previous: Path | None = None,
    approximate: bool | None = None,
    progress: Progress | None = None,
    extra_meta: dict[str, object] | None = None,
) -> BuildStats:
    """Build an index of documents into out_dir, reusing vectors of unchanged documents."""
    started = time.perf_counter()
    docs = list(documents)
    keys = [(d.id, d.lang) for d in docs]
    if len(set(keys)) != len(keys):
        raise DocumentError("two documents share the same id and language")
    report = progress or (lambda fraction, message: None)
    report(0.0, f"cutting {len(docs)} documents into passages")
    hashes = [d.content_hash() for d in docs]
    reuse = _reusable(previous, embedder)
    texts = [[p.text for p in passages(d)] for d in docs]
    todo = [i for i, digest in enumerate(hashes) if digest not in reuse]
    pending = [t for i in todo for t in texts[i]]
    report(0.05, f"embedding {len(pending)} passages ({len(docs) - len(todo)} documents reused)")

    def on_batch(done: int) -> None:
        report(0.05 + 0.85 * done / max(len(pending), 1), f"embedded {done}/{len(pending)}")

    fresh = embedder.encode(pending, progress=on_batch)
    vectors, offsets = _assemble(texts, todo, fresh, [reuse.get(h) for h in hashes], embedder)
    if approximate is None:
        approximate = len(vectors) >= APPROXIMATE_FROM
    kind = "hnsw" if approximate else "flat"
    report(0.92, f"building the {kind} FAISS index and BM25")
    faiss_index = _faiss_index(vectors, approximate)
    lexical = LexicalIndex.fit([lexical_text(d) for d in docs], [d.lang for d in docs])
    meta = {
        "model_id": embedder.model_id,
        "dimension": embedder.dimension,
        "kind": kind,
        "documents": len(docs),
        "passages": int(len(vectors)),
        "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
        **(extra_meta or {}),
    }
    stored = store.StoredIndex(meta, docs, hashes, vectors, offsets, faiss_index, lexical)
    store.write(out_dir, stored)
    report(1.0, "done")
    return BuildStats(
        len(docs), int(len(vectors)), len(pending), kind, time.perf_counter() - started
    )
