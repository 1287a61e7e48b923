"""Building an index: passages, embeddings (reused by content hash), FAISS, BM25."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import faiss
import numpy as np

from . import store
from .documents import Document, DocumentError, lexical_text, passages
from .embedder import Embedder
from .lexical import LexicalIndex

# Above this many passages the index is approximate (HNSW); below, exact (flat).
APPROXIMATE_FROM = 50_000
HNSW_NEIGHBOURS = 32
HNSW_EF_CONSTRUCTION = 80

Progress = Callable[[float, str], None]


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
    parts, cursor, fresh_at = [], 0, {}
    for i in todo:
        fresh_at[i] = fresh[cursor : cursor + len(texts[i])]
        cursor += len(texts[i])
    for i, digest in enumerate(hashes):
        parts.append(fresh_at[i] if i in fresh_at else reuse[digest])
    vectors = (
        np.vstack(parts).astype(np.float32)
        if parts
        else np.zeros((0, embedder.dimension), dtype=np.float32)
    )
    offsets = np.zeros(len(docs) + 1, dtype=np.int64)
    offsets[1:] = np.cumsum([len(p) for p in parts]) if parts else []
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
