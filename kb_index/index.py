"""Searching an index: dense + lexical scores per document, one hit per article."""

from __future__ import annotations

import copy
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import faiss
import numpy as np

from . import store
from .embedder import Embedder
from .language import LANGUAGES, detect_language, translate
from .query import (
    ConfidenceRule,
    Scoring,
    SearchHit,
    SearchResult,
    check_options,
    clean_query,
)

__all__ = ["KbIndex", "faiss_threads"]

# HNSW search breadth: recall@10 against exact search is measured in benchmarks/kb_speed.py.
HNSW_EF_SEARCH = 128

# Threads per FAISS search. One query's work is small: with more threads, the
# synchronisation costs more than it saves (most on a busy machine), and a service
# gets its parallelism from concurrent requests. (OpenMP settings are per thread.)
SEARCH_THREADS = 1

# A query plan: the query language and the text to match per document language
# ("*" = as written, for documents of its own or an unknown language).
Plan = tuple[str | None, dict[str, str]]


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
        self._known = sorted({str(lg) for lg in self._langs if lg in LANGUAGES})
        # Documents sharing an id (the language versions of one article) form a group.
        ids = np.asarray([d.id for d in stored.documents])
        self._group = np.unique(ids, return_inverse=True)[1].astype(np.int64)
        order = np.argsort(self._group, kind="stable")
        self._members = order
        self._member_offsets = np.searchsorted(
            self._group[order], np.arange(self._group.max(initial=-1) + 2)
        )
        if stored.meta.get("kind") == "hnsw":
            hnsw = stored.faiss_index.hnsw  # type: ignore[attr-defined]
            hnsw.efSearch = max(HNSW_EF_SEARCH, self.scoring.candidates)

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

    def __len__(self) -> int:
        return len(self._stored.documents)

    def with_rule(self, rule: ConfidenceRule) -> KbIndex:
        """Return this index with another confident rule (sharing the loaded data)."""
        other = copy.copy(self)
        other.rule = rule
        return other

    def with_scoring(self, scoring: Scoring) -> KbIndex:
        """Return this index with other scoring settings (sharing the loaded data)."""
        other = copy.copy(self)
        other.scoring = scoring
        return other

    def search(self, query: str, *, k: int = 5, lang: str | None = None) -> SearchResult:
        """Return the best k documents for query, best first, with the confident decision."""
        return self.search_many([query], k=k, lang=lang)[0]

    def search_many(
        self, queries: Sequence[str], *, k: int = 5, lang: str | None = None
    ) -> list[SearchResult]:
        """Search several queries with one batched encoding."""
        check_options(k, lang)
        plans = [self._plan(clean_query(q), lang) for q in queries]
        vectors = self._encode(plans)
        results, cursor = [], 0
        for qlang, variants in plans:
            qvecs = None
            if vectors is not None:
                qvecs = vectors[cursor : cursor + len(variants)]
                cursor += len(variants)
            results.append(self._rank(qlang, variants, qvecs, k))
        return results

    def _plan(self, query: str, lang: str | None) -> Plan:
        qlang = lang or detect_language(query)
        variants = {"*": query}
        if self.scoring.translate and qlang in LANGUAGES:
            for other in self._known:
                if other != qlang:
                    translated = translate(query, source=qlang, target=other)
                    if translated.lower() != query.lower():
                        variants[other] = translated
        return qlang, variants

    def _encode(self, plans: list[Plan]) -> np.ndarray | None:
        if self.scoring.dense_weight == 0:
            return None
        texts = [text for _, variants in plans for text in variants.values()]
        return self._embedder.encode(texts) if texts else None

    def _rank(
        self, qlang: str | None, variants: dict[str, str], qvecs: np.ndarray | None, k: int
    ) -> SearchResult:
        translations = {t: v for t, v in variants.items() if t != "*"}
        if not self._stored.documents:
            return SearchResult([], False, qlang, translations)
        scoring = self.scoring
        lexical = (
            self._stored.lexical.scores(variants)
            if scoring.lexical_weight > 0 or qvecs is None
            else None
        )
        docs = self._siblings(self._candidates(qvecs, lexical))
        dense = self._dense(docs, list(variants), qvecs)
        bm25 = lexical[docs] if lexical is not None else np.zeros(len(docs), np.float32)
        saturated = bm25 / (bm25 + scoring.lexical_saturation)
        scores = scoring.dense_weight * dense + scoring.lexical_weight * saturated
        ranked = self._articles(docs, scores, dense, bm25, qlang)
        return SearchResult(ranked[:k], self.rule(ranked[:2]), qlang, translations)

    def _candidates(self, qvecs: np.ndarray | None, lexical: np.ndarray | None) -> np.ndarray:
        """Return the documents worth scoring: FAISS's nearest passages and BM25's best."""
        stored, wanted = self._stored, self.scoring.candidates
        found: list[np.ndarray] = []
        if qvecs is not None:
            with faiss_threads(SEARCH_THREADS):
                _, ids = stored.faiss_index.search(np.ascontiguousarray(qvecs), wanted)
            passages = ids[ids >= 0]
            found.append(np.searchsorted(stored.offsets, passages, side="right") - 1)
        if lexical is not None:
            top = np.argpartition(-lexical, wanted)[:wanted] if len(lexical) > wanted else None
            best = np.arange(len(lexical)) if top is None else top
            found.append(best[lexical[best] > 0])
        merged = np.unique(np.concatenate(found)) if found else np.zeros(0, np.int64)
        return merged.astype(np.int64)

    def _dense(self, docs: np.ndarray, targets: list[str], qvecs: np.ndarray | None) -> np.ndarray:
        """Best passage cosine per document (the translated query for its language)."""
        if qvecs is None or not len(docs):
            return np.zeros(len(docs), np.float32)
        offsets = self._stored.offsets
        starts, ends = offsets[docs], offsets[docs + 1]
        rows = np.concatenate([np.arange(a, b) for a, b in zip(starts, ends, strict=True)])
        # einsum, not BLAS: a few hundred rows are faster on one core than shared threads.
        sims = np.einsum("pd,vd->pv", np.asarray(self._stored.vectors[rows]), qvecs)
        bounds = np.concatenate([[0], np.cumsum(ends - starts)[:-1]])
        per_doc = np.maximum.reduceat(sims, bounds, axis=0)
        best = per_doc[:, 0].copy()
        for column, target in enumerate(targets[1:], start=1):
            mine = self._langs[docs] == target
            best[mine] = np.maximum(best[mine], per_doc[mine, column])
        return best

    def _siblings(self, docs: np.ndarray) -> np.ndarray:
        """Add the other language versions of the candidate documents."""
        groups = np.unique(self._group[docs])
        starts, ends = self._member_offsets[groups], self._member_offsets[groups + 1]
        if np.all(ends - starts == 1):
            return self._members[starts]
        rows = np.concatenate([np.arange(a, b) for a, b in zip(starts, ends, strict=True)])
        return np.sort(self._members[rows])

    def _articles(
        self,
        docs: np.ndarray,
        scores: np.ndarray,
        dense: np.ndarray,
        bm25: np.ndarray,
        qlang: str | None,
    ) -> list[SearchHit]:
        """One hit per article, best first, shown in the query's language where it exists.

        An article in the query's language and another one scores
        (1 - w) * its own-language score + w * its other-language score
        (w = Scoring.other_language_weight): two texts of it are two views of the match.
        Otherwise it scores its best language version.
        """
        documents, weight = self._stored.documents, self.scoring.other_language_weight
        versions: dict[str, list[int]] = {}
        for pos in np.argsort(-scores, kind="stable"):
            versions.setdefault(documents[docs[pos]].id, []).append(int(pos))
        hits = []
        for doc_id, positions in versions.items():
            own = [p for p in positions if documents[docs[p]].lang == qlang]
            other = [p for p in positions if documents[docs[p]].lang != qlang]
            shown = own[0] if own else positions[0]
            score = float(scores[positions[0]])
            if own and other and weight:
                score = (1 - weight) * float(scores[own[0]]) + weight * float(scores[other[0]])
            doc = documents[docs[shown]]
            hits.append(
                SearchHit(
                    doc_id,
                    doc.display_title,
                    doc.lang,
                    score,
                    float(dense[shown]),
                    float(bm25[shown]),
                )
            )
        hits.sort(key=lambda hit: -hit.score)
        return hits


@contextmanager
def faiss_threads(n: int) -> Iterator[None]:
    """Run FAISS with n OpenMP threads in this thread, then restore the setting."""
    before = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(n)
    try:
        yield
    finally:
        faiss.omp_set_num_threads(before)
