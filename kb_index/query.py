"""What a search takes and gives: query checks, scoring settings, the confident rule, hits."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field

from .language import LANGUAGES

MAX_QUERY_CHARS = 500
MAX_K = 50


class QueryError(ValueError):
    """A query that cannot be searched (empty, too long, unknown language, bad k)."""


@dataclass(frozen=True)
class Scoring:
    """How dense and lexical evidence combine; chosen by benchmarks/kb_quality.py.

    score = dense_weight * best passage cosine + lexical_weight * bm25 / (bm25 + saturation)
    """

    dense_weight: float = 1.0  # 0: lexical only (the query is not embedded)
    lexical_weight: float = 0.6  # 0: dense only
    lexical_saturation: float = 20.0  # the BM25 score that earns half of lexical_weight
    translate: bool = True  # also match other-language documents through the glossary
    other_language_weight: float = 0.5  # share of an article's other language in its score
    candidates: int = 100  # passages taken from FAISS, and documents from BM25, per query


@dataclass(frozen=True)
class ConfidenceRule:
    """Answer directly when the best score is high and clearly ahead of the next article.

    Calibrated on the dev half of kb/eval/questions.yml (docs/search.md says how).
    """

    threshold: float = 0.64
    margin: float = 0.0

    def __call__(self, hits: Sequence[SearchHit]) -> bool:
        if not hits or hits[0].score < self.threshold:
            return False
        return len(hits) < 2 or hits[0].score - hits[1].score >= self.margin


@dataclass(frozen=True)
class RelatedRule:
    """Whether an unconfident search found anything plausibly related to the question.

    Below the floor even the best candidate is unrelated: the question is treated
    as off-topic (no candidates, no failure counted). Calibrated on
    kb/eval/questions.yml and CLINC150's oos_val split (docs/search.md says how).
    """

    floor: float = 0.51

    def __call__(self, hits: Sequence[SearchHit]) -> bool:
        return bool(hits) and hits[0].score >= self.floor


@dataclass(frozen=True)
class MeaningRule:
    """Whether the best article matches by meaning alone, not only by a word it shares.

    The dense score is that of the language version shown; the threshold is the one the
    dense-only search calibrates to (benchmarks/kb_quality.py, docs/search.md). The
    combined score lets a shared word carry a search to an answer or close to one ("wie
    viel Urlaub habe ich noch" scores 0.63 for the out-of-office article on "Urlaub",
    dense 0.43, one point below the confident threshold); where another
    reading says the message is not about IT (the bot's NLU), only an answer that stands
    on meaning is given.
    """

    threshold: float = 0.47

    def __call__(self, hits: Sequence[SearchHit]) -> bool:
        return bool(hits) and hits[0].dense >= self.threshold


@dataclass(frozen=True)
class SearchHit:
    slug: str
    title: str
    lang: str
    score: float
    dense: float = 0.0
    lexical: float = 0.0  # raw BM25

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


_SPACES = re.compile(r"\s+")


def clean_query(query: object) -> str:
    """Return the query with control characters removed and spaces collapsed.

    Raise QueryError for anything that is not text, empty after cleaning, or too long.
    Markup is not interpreted: "<b>VPN</b>" is searched as the characters it is.
    """
    if not isinstance(query, str):
        raise QueryError("the query must be text")
    text = "".join(_clean_char(ch) for ch in query)
    text = _SPACES.sub(" ", text).strip()
    if not text:
        raise QueryError("the query is empty")
    if len(text) > MAX_QUERY_CHARS:
        raise QueryError(
            f"the query is {len(text)} characters long; the limit is {MAX_QUERY_CHARS}"
        )
    return text


def _clean_char(ch: str) -> str:
    category = unicodedata.category(ch)
    if category == "Cf":  # soft hyphens, zero-width spaces: invisible, so dropped
        return ""
    return " " if category.startswith("C") else ch


def check_options(k: int, lang: str | None) -> None:
    """Raise QueryError for a k or language that search does not support."""
    if isinstance(k, bool) or not isinstance(k, int) or not 1 <= k <= MAX_K:
        raise QueryError(f"k must be a whole number from 1 to {MAX_K}, not {k!r}")
    if lang is not None and lang not in LANGUAGES:
        raise QueryError(f"unsupported language {lang!r}: use one of {', '.join(LANGUAGES)}")
