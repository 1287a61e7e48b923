"""Searching an index: dense + lexical scores per document, one hit per article."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from . import store
from .embedder import Embedder
from .language import LANGUAGES, detect_language, translate

MAX_QUERY_CHARS = 500
MAX_K = 50


class QueryError(ValueError):
    """A query that cannot be searched (empty, too long, unknown language, bad k)."""


@dataclass(frozen=True)
class Scoring:
    """How dense and lexical evidence combine; chosen by benchmarks/kb_quality.py."""

    lexical_weight: float = 0.25  # weight of the saturated BM25 score
    lexical_saturation: float = 10.0  # BM25 score that counts as half of the weight
    candidates: int = 100  # passages taken from FAISS per query vector


@dataclass(frozen=True)
class ConfidenceRule:
    """Answer directly when the best score is high and clearly ahead of the next one."""

    threshold: float = 0.55
    margin: float = 0.0

    def __call__(self, hits: Sequence[SearchHit]) -> bool:
        if not hits or hits[0].score < self.threshold:
            return False
        return len(hits) < 2 or hits[0].score - hits[1].score >= self.margin


@dataclass(frozen=True)
class SearchHit:
    slug: str
    title: str
    lang: str
    score: float
    dense: float = 0.0
    lexical: float = 0.0

    def to_json(self, *, detail: bool = False) -> dict[str, object]:
        data: dict[str, object] = {
            "slug": self.slug,
            "title": self.title,
            "lang": self.lang,
            "score": round(self.score, 4),
        }
        if detail:
            data.update(dense=round(self.dense, 4), lexical=round(self.lexical, 4))
        return data


@dataclass(frozen=True)
class SearchResult:
    hits: list[SearchHit]
    confident: bool
    lang: str | None = None  # the query language used (given or detected)
    translations: dict[str, str] = field(default_factory=dict)

    def to_json(self, *, detail: bool = False) -> dict[str, object]:
        data: dict[str, object] = {
            "hits": [h.to_json(detail=detail) for h in self.hits],
            "confident": self.confident,
        }
        if detail:
            data.update(lang=self.lang, translations=self.translations)
        return data


_CONTROL = re.compile(r"\s+")


def clean_query(query: str) -> str:
    """Replace control characters, collapse whitespace; refuse empty or over-long queries."""
    if not isinstance(query, str):
        raise QueryError("the query must be text")
    text = "".join(" " if unicodedata.category(ch).startswith("C") else ch for ch in query)
    text = _CONTROL.sub(" ", text).strip()
    if not text:
        raise QueryError("the query is empty")
    if len(text) > MAX_QUERY_CHARS:
        raise QueryError(f"the query is longer than {MAX_QUERY_CHARS} characters")
    return text


class KbIndex:
    """A loaded index: search it with a query, get one hit per document id."""

    def __init__(
        self,
        stored: store.StoredIndex,
        embedder: Embedder,
        *,
        scoring: Scoring | None = None,
        rule: ConfidenceRule | None = None,
        path: Path | None = None,
    ) -> None:
        self._stored = stored
        self._embedder = embedder
        self.scoring = scoring or Scoring()
        self.rule = rule or ConfidenceRule()
        self.path = path
        self._langs = np.asarray([d.lang for d in stored.documents])
        self._known = sorted({lg for lg in self._langs if lg in LANGUAGES})
        if stored.meta.get("kind") == "hnsw":
            hnsw = stored.faiss_index.hnsw  # type: ignore[attr-defined]
            hnsw.efSearch = max(128, self.scoring.candidates)

    @classmethod
    def load(cls, path: Path, embedder: Embedder, **kwargs: object) -> KbIndex:
        """Load an index directory; raise store.IndexLoadError subclasses on problems."""
        stored = store.read(path, model_id=embedder.model_id, dimension=embedder.dimension)
        return cls(stored, embedder, path=Path(path), **kwargs)  # type: ignore[arg-type]

    @property
    def meta(self) -> dict[str, object]:
        return self._stored.meta

    @property
    def hashes(self) -> list[str]:
        return self._stored.hashes

    def with_rule(self, rule: ConfidenceRule) -> KbIndex:
        return KbIndex(
            self._stored, self._embedder, scoring=self.scoring, rule=rule, path=self.path
        )

    def with_scoring(self, scoring: Scoring) -> KbIndex:
        return KbIndex(
            self._stored, self._embedder, scoring=scoring, rule=self.rule, path=self.path
        )

    def search(self, query: str, *, k: int = 5, lang: str | None = None) -> SearchResult:
        """Return the best k documents for query, best first, with the confident decision."""
        return self.search_many([query], k=k, lang=lang)[0]

    def search_many(
        self, queries: Sequence[str], *, k: int = 5, lang: str | None = None
    ) -> list[SearchResult]:
        """Search several queries with one batched encoding."""
        if not 1 <= k <= MAX_K:
            raise QueryError(f"k must be between 1 and {MAX_K}")
        if lang is not None and lang not in LANGUAGES:
            raise QueryError(f"unsupported language {lang!r}: use one of {', '.join(LANGUAGES)}")
        cleaned = [clean_query(q) for q in queries]
        plans = [self._plan(q, lang or detect_language(q)) for q in cleaned]
        texts = [t for _, variants in plans for t in variants.values()]
        vectors = self._embedder.encode(texts) if texts else np.zeros((0, 1), np.float32)
        results, cursor = [], 0
        for qlang, variants in plans:
            qvecs = {}
            for target in variants:
                qvecs[target] = vectors[cursor]
                cursor += 1
            results.append(self._rank(qlang, variants, qvecs, k))
        return results

    def _plan(self, query: str, qlang: str | None) -> tuple[str | None, dict[str, str]]:
        """Return the query text to use per document language ("*" = as written)."""
        variants = {"*": query}
        if qlang in LANGUAGES:
            for other in self._known:
                if other != qlang:
                    translated = translate(query, source=qlang, target=other)
                    if translated.lower() != query.lower():
                        variants[other] = translated
        return qlang, variants

    def _rank(
        self,
        qlang: str | None,
        variants: dict[str, str],
        qvecs: dict[str, np.ndarray],
        k: int,
    ) -> SearchResult:
        stored, scoring = self._stored, self.scoring
        n_docs = len(stored.documents)
        if n_docs == 0:
            return SearchResult([], False, qlang)
        lexical = stored.lexical.scores(variants)
        candidates: set[int] = set()
        for vec in qvecs.values():
            _, ids = stored.faiss_index.search(vec[None, :].astype(np.float32), scoring.candidates)
            found = ids[0][ids[0] >= 0]
            candidates.update(int(d) for d in np.searchsorted(stored.offsets, found, "right") - 1)
        top_lexical = np.argsort(-lexical)[: scoring.candidates]
        candidates.update(int(i) for i in top_lexical if lexical[i] > 0)
        scored = []
        for doc in candidates:
            start, end = stored.offsets[doc], stored.offsets[doc + 1]
            block = np.asarray(stored.vectors[start:end])
            dense = float((block @ qvecs["*"]).max())
            translated = qvecs.get(str(self._langs[doc]))
            if translated is not None:
                dense = max(dense, float((block @ translated).max()))
            lex = float(lexical[doc])
            score = dense + scoring.lexical_weight * lex / (lex + scoring.lexical_saturation)
            scored.append((score, dense, lex, int(doc)))
        hits = self._merge(scored, qlang, k)
        translations = {t: v for t, v in variants.items() if t != "*"}
        return SearchResult(hits, self.rule(hits), qlang, translations)

    def _merge(
        self, scored: list[tuple[float, float, float, int]], qlang: str | None, k: int
    ) -> list[SearchHit]:
        """One hit per id: best score of its languages, shown in the query's language."""
        docs = self._stored.documents
        best: dict[str, tuple[float, float, float, int]] = {}
        shown: dict[str, int] = {}
        for entry in sorted(scored, reverse=True):
            doc = docs[entry[3]]
            best.setdefault(doc.id, entry)
            if doc.id not in shown or doc.lang == qlang:
                if doc.id not in shown or docs[shown[doc.id]].lang != qlang:
                    shown[doc.id] = entry[3]
        ranked = sorted(best.values(), reverse=True)[:k]
        hits = []
        for score, dense, lex, index in ranked:
            doc = docs[shown[docs[index].id]]
            hits.append(SearchHit(doc.id, doc.display_title, doc.lang, score, dense, lex))
        return hits
