"""BM25 over word tokens: exact matching for error codes, product names and terms."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from functools import cache, lru_cache
from pathlib import Path

import numpy as np
import snowballstemmer
from scipy import sparse

from .language import fold

# Words and codes: "0x80070005", "error 809", "aadsts50076", "e-mail", "ctrl+alt+del".
_TOKEN = re.compile(r"[a-z0-9]+(?:[.\-][a-z0-9]+)*")

_STOPWORDS = frozenset(
    """a an and are as at be but by can could do does for from has have how i if in into is
    it its me my no not of on or so that the their then there these they this to was we
    were what when where which who why will with would you your please
    aber als am an auch auf aus bei bin bis bitte da das dass dem den der des die doch du
    ein eine einem einen einer es fuer habe hab hat ich ihr im in ins ist ja kann man mein
    meine mich mir mit nach nicht noch nur oder sich sie sind so um und uns von vom was
    wie wir wird wo zu zum zur""".split()
)

_STEMMERS = {"de": "german", "en": "english"}


@cache
def _stemmer(lang: str) -> snowballstemmer.stemmer | None:
    name = _STEMMERS.get(lang)
    return snowballstemmer.stemmer(name) if name else None


def tokenize(text: str, lang: str) -> list[str]:
    """Return folded, stop-word-free, stemmed tokens; codes and numbers stay whole."""
    raw = [t for t in _TOKEN.findall(fold(text)) if t not in _STOPWORDS]
    tokens: list[str] = []
    for token in raw:
        parts = token.split("-") if "-" in token else []
        tokens.append(token)
        tokens.extend(p for p in parts if len(p) > 2 and p not in _STOPWORDS)
    if lang not in _STEMMERS:
        return tokens
    return [_stem(t, lang) for t in tokens]


@lru_cache(maxsize=200_000)
def _stem(token: str, lang: str) -> str:
    stemmer = _stemmer(lang)
    if stemmer is None or any(c.isdigit() for c in token):
        return token
    return str(stemmer.stemWord(token))


class Bm25:
    """Okapi BM25 (k1=1.2, b=0.75) over one set of texts, as a sparse matrix."""

    def __init__(self, vocabulary: dict[str, int], weights: sparse.csc_matrix) -> None:
        self.vocabulary = vocabulary
        self.weights = weights  # documents x terms, BM25 term weights

    @classmethod
    def fit(cls, texts: Sequence[Sequence[str]], *, k1: float = 1.2, b: float = 0.75) -> Bm25:
        """Fit on already tokenized texts."""
        vocabulary: dict[str, int] = {}
        rows: list[int] = []
        cols: list[int] = []
        counts: list[int] = []
        lengths = np.zeros(len(texts), dtype=np.float32)
        for row, tokens in enumerate(texts):
            lengths[row] = len(tokens)
            tf: dict[int, int] = {}
            for token in tokens:
                col = vocabulary.setdefault(token, len(vocabulary))
                tf[col] = tf.get(col, 0) + 1
            rows.extend([row] * len(tf))
            cols.extend(tf.keys())
            counts.extend(tf.values())
        n = max(len(texts), 1)
        shape = (len(texts), max(len(vocabulary), 1))
        tf_matrix = sparse.csr_matrix(
            (np.asarray(counts, dtype=np.float32), (rows, cols)), shape=shape
        )
        df = np.bincount(np.asarray(cols, dtype=np.int64), minlength=shape[1]).astype(np.float32)
        idf = np.log(1.0 + (n - df + 0.5) / (df + 0.5)).astype(np.float32)
        avg = float(lengths.mean()) if len(texts) else 1.0
        norm = k1 * (1 - b + b * lengths / max(avg, 1e-6))
        coo = tf_matrix.tocoo()
        values = coo.data * (k1 + 1) / (coo.data + norm[coo.row]) * idf[coo.col]
        weights = sparse.csc_matrix((values.astype(np.float32), (coo.row, coo.col)), shape=shape)
        return cls(vocabulary, weights)

    def scores(self, tokens: Sequence[str]) -> np.ndarray:
        """Return the BM25 score of every text for the query tokens."""
        cols = [self.vocabulary[t] for t in tokens if t in self.vocabulary]
        if not cols:
            return np.zeros(self.weights.shape[0], dtype=np.float32)
        return np.asarray(self.weights[:, cols].sum(axis=1), dtype=np.float32).ravel()


class LexicalIndex:
    """One BM25 per document language, so each language keeps its own stemming."""

    def __init__(self, groups: dict[str, tuple[np.ndarray, Bm25]], size: int) -> None:
        self.groups = groups  # lang -> (document rows, BM25 over those rows)
        self.size = size

    @classmethod
    def fit(cls, texts: Sequence[str], langs: Sequence[str]) -> LexicalIndex:
        """Fit on raw texts with their languages."""
        groups: dict[str, tuple[np.ndarray, Bm25]] = {}
        for lang in sorted(set(langs)):
            rows = np.asarray([i for i, lg in enumerate(langs) if lg == lang], dtype=np.int64)
            groups[lang] = (rows, Bm25.fit([tokenize(texts[i], lang) for i in rows]))
        return cls(groups, len(texts))

    def scores(self, query_for: dict[str, str]) -> np.ndarray:
        """Score every document; query_for maps a document language to the query text for it."""
        out = np.zeros(self.size, dtype=np.float32)
        for lang, (rows, bm25) in self.groups.items():
            query = query_for.get(lang, query_for.get("*", ""))
            if query and len(rows):
                out[rows] = bm25.scores(tokenize(query, lang))
        return out

    def save(self, path: Path) -> None:
        arrays: dict[str, np.ndarray] = {}
        meta: dict[str, object] = {"size": self.size, "groups": {}}
        for n, (lang, (rows, bm25)) in enumerate(self.groups.items()):
            csc = bm25.weights
            arrays.update(
                {
                    f"rows{n}": rows,
                    f"data{n}": csc.data,
                    f"indices{n}": csc.indices,
                    f"indptr{n}": csc.indptr,
                }
            )
            meta["groups"][lang] = {"n": n, "shape": list(csc.shape), "vocabulary": bm25.vocabulary}  # type: ignore[index]
        arrays["meta"] = np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)
        with path.open("wb") as handle:
            np.savez(handle, **arrays)  # type: ignore[arg-type]

    @classmethod
    def load(cls, path: Path) -> LexicalIndex:
        with np.load(path) as data:
            meta = json.loads(bytes(data["meta"]).decode())
            groups = {}
            for lang, info in meta["groups"].items():
                n = info["n"]
                weights = sparse.csc_matrix(
                    (data[f"data{n}"], data[f"indices{n}"], data[f"indptr{n}"]),
                    shape=tuple(info["shape"]),
                )
                groups[lang] = (data[f"rows{n}"], Bm25(info["vocabulary"], weights))
        return cls(groups, int(meta["size"]))
