"""Semantic search over a knowledge base: sentence embeddings in FAISS plus BM25.

Public API::

    build_index(documents, out_dir, embedder=..., progress=ProgressBar()) -> BuildStats
    KbIndex.load(out_dir, embedder).search(query, k=5, lang="de") -> SearchResult

`progress` is any `Progress` callable `(fraction, message) -> None`; `ProgressBar`
draws one on standard error.
"""

from .build import BuildStats, build_index
from .documents import Document, DocumentError, read_jsonl
from .embedder import DEFAULT_MODEL, Embedder, EmbedderError, SentenceTransformerEmbedder
from .index import KbIndex
from .language import detect_language, is_clearly
from .progress import Progress, ProgressBar
from .query import (
    ConfidenceRule,
    MeaningRule,
    QueryError,
    RelatedRule,
    Scoring,
    SearchHit,
    SearchResult,
)
from .store import IndexCorruptError, IndexLoadError, IndexMissingError, ModelMismatchError

__all__ = [
    "DEFAULT_MODEL",
    "BuildStats",
    "ConfidenceRule",
    "Document",
    "DocumentError",
    "Embedder",
    "EmbedderError",
    "IndexCorruptError",
    "IndexLoadError",
    "IndexMissingError",
    "KbIndex",
    "MeaningRule",
    "ModelMismatchError",
    "Progress",
    "ProgressBar",
    "QueryError",
    "RelatedRule",
    "Scoring",
    "SearchHit",
    "SearchResult",
    "SentenceTransformerEmbedder",
    "build_index",
    "detect_language",
    "is_clearly",
    "read_jsonl",
]
