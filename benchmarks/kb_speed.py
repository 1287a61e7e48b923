"""Speed: encoding ceiling, build throughput, search latency, exact vs approximate, memory.

Synthetic collections of short IT-support texts (one passage each) of 1k, 100k
and 1M documents (`BENCH_SIZES=1000,100000` limits them). For each size: a full
build (exact, flat), an incremental rebuild with 1% of the documents changed,
the approximate (HNSW) build from the same vectors, search latency through
KbIndex (query vectors precomputed, so the figures are the index's own; the
encoding of one query is reported once), recall@10 of approximate against
exact, and bare FAISS flat / HNSW / IVF for comparison (up to 200k).
"""

from __future__ import annotations

import multiprocessing
import os
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import faiss
import numpy as np
import psutil

from kb_index import KbIndex, Scoring, build_index
from kb_index.embedder import load_embedder
from kb_index.index import faiss_threads

from .common import CachedEmbedder, table
from .synthetic import edited, synthetic_documents, synthetic_queries

SIZES = tuple(int(s) for s in os.environ.get("BENCH_SIZES", "1000,100000,1000000").split(","))
QUERIES = 200
# The bare FAISS comparison (flat / HNSW / IVF) stops here: at 1M it would build a
# second HNSW and train IVF for another hour, and 100k already decides the choice.
BARE_FAISS_UP_TO = 200_000
DENSE = Scoring(lexical_weight=0.0)  # recall of the approximate index is a dense matter


class PeakMemory:
    """Samples a process's resident memory (this one by default) in a thread; .peak in bytes."""

    def __init__(self, interval: float = 0.2, pid: int | None = None) -> None:
        self._process = psutil.Process(pid)
        self._interval = interval
        self._stop = threading.Event()
        self.peak = self._process.memory_info().rss
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            self.peak = max(self.peak, self._process.memory_info().rss)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self._process.memory_info().rss)


@contextmanager
def timed() -> Iterator[Callable[[], float]]:
    started = time.perf_counter()
    elapsed: list[float] = []
    yield lambda: elapsed[0] if elapsed else time.perf_counter() - started
    elapsed.append(time.perf_counter() - started)


def gib(n: float) -> str:
    return f"{n / 2**30:.2f} GiB"


def encoding_ceiling(embedder: CachedEmbedder) -> tuple[float, float]:
    """Sentences per second of the bare model on these texts, and one query's latency (ms)."""
    texts = [d.text for d in synthetic_documents(4000, seed=99)]
    with timed() as took:
        embedder.inner.encode(texts)
    single = []
    for query in synthetic_queries(30, seed=98):
        with timed() as one:
            embedder.inner.encode([query])
        single.append(one())
    return len(texts) / took(), 1000 * float(np.median(single))


def latencies(index: KbIndex, queries: list[str]) -> tuple[float, float, list[list[str]]]:
    """p50 and p95 in ms of KbIndex.search, and the top-10 ids per query."""
    times, tops = [], []
    for query in queries:
        with timed() as took:
            result = index.search(query, k=10, lang="en")
        times.append(took())
        tops.append([h.slug for h in result.hits])
    ms = 1000 * np.asarray(times)
    return float(np.percentile(ms, 50)), float(np.percentile(ms, 95)), tops


def recall_at_10(approximate: list[list[str]], exact: list[list[str]]) -> float:
    return float(
        np.mean(
            [len(set(a) & set(e)) / max(len(e), 1) for a, e in zip(approximate, exact, strict=True)]
        )
    )


def faiss_level(vectors: np.ndarray, queries: np.ndarray) -> list[list[object]]:
    """Bare FAISS on the same vectors: build time, p50/p95 per query, recall@10 vs flat."""
    rows: list[list[object]] = []
    n, dim = vectors.shape
    flat = faiss.IndexFlatIP(dim)
    flat.add(vectors)
    _, truth = flat.search(queries, 10)
    nlist = int(4 * np.sqrt(n))
    candidates: dict[str, Callable[[], faiss.Index]] = {
        "flat": lambda: flat,
        "HNSW32 (efC 80, efS 128)": lambda: _hnsw(vectors),
        f"IVF{nlist} flat (nprobe 16)": lambda: _ivf(vectors, nlist),
    }
    for name, make in candidates.items():
        with timed() as built:
            index = make()
        times = []
        found = []
        for q in queries:
            with faiss_threads(1), timed() as took:
                _, ids = index.search(q[None, :], 10)
            times.append(took())
            found.append(ids[0])
        recall = np.mean([len(set(f) & set(t)) / 10 for f, t in zip(found, truth, strict=True)])
        ms = 1000 * np.asarray(times)
        build = "-" if name == "flat" else f"{built():.1f} s"
        rows.append(
            [
                n,
                name,
                build,
                f"{np.percentile(ms, 50):.2f}",
                f"{np.percentile(ms, 95):.2f}",
                f"{recall:.3f}",
            ]
        )
    return rows


def _hnsw(vectors: np.ndarray) -> faiss.Index:
    index = faiss.IndexHNSWFlat(vectors.shape[1], 32, faiss.METRIC_INNER_PRODUCT)
    index.hnsw.efConstruction = 80
    index.add(vectors)
    index.hnsw.efSearch = 128
    return index


def _ivf(vectors: np.ndarray, nlist: int) -> faiss.Index:
    quantizer = faiss.IndexFlatIP(vectors.shape[1])
    index = faiss.IndexIVFFlat(quantizer, vectors.shape[1], nlist, faiss.METRIC_INNER_PRODUCT)
    sample = vectors[
        np.random.default_rng(0).choice(len(vectors), min(len(vectors), 50 * nlist), replace=False)
    ]
    index.train(sample)
    index.add(vectors)
    index.nprobe = 16
    return index


def one_size(
    n: int, embedder: CachedEmbedder, root: Path
) -> tuple[list[object], list[list[object]]]:
    """Build, rebuild and search one collection size; return its row and the FAISS rows.

    The full build and the searches each run in a fresh process, so that their peak
    memory is their own.
    """
    flat_dir, hnsw_dir, inc_dir = root / f"flat-{n}", root / f"hnsw-{n}", root / f"inc-{n}"
    seconds, passages, build_peak = in_child(_child_build, n, flat_dir)
    docs = synthetic_documents(n)
    with timed() as took_incremental:
        incremental = build_index(
            edited(docs, max(1, n // 100)),
            inc_dir,
            embedder=embedder.inner,
            previous=flat_dir,
            approximate=False,
        )
    with timed() as took_hnsw:
        build_index(docs, hnsw_dir, embedder=embedder.inner, previous=flat_dir, approximate=True)
    del docs
    searched = in_child(_child_search, flat_dir, hnsw_dir)
    (exact, approx, combined, recall), search_peak = searched[:4], searched[4]
    row = [
        n,
        f"{n / seconds:,.0f}",
        gib(build_peak),
        f"{incremental.embedded} of {passages} in {took_incremental():.1f} s",
        f"{took_hnsw():.1f} s",
        exact,
        approx,
        combined,
        f"{recall:.3f}",
        gib(search_peak),
    ]
    bare: list[list[object]] = []
    if n <= BARE_FAISS_UP_TO:
        vectors = np.load(flat_dir / "vectors.npy", mmap_mode="r")
        queries = embedder.encode(synthetic_queries(QUERIES))
        bare = faiss_level(np.ascontiguousarray(vectors), queries)
        del vectors
    for directory in (flat_dir, hnsw_dir, inc_dir):
        shutil.rmtree(directory, ignore_errors=True)
    return row, bare


def in_child(function: Callable[..., tuple[Any, ...]], *args: object) -> tuple[Any, ...]:
    """Run function(*args) in a fresh process; return its result plus its peak RSS."""
    context = multiprocessing.get_context("spawn")
    with context.Pool(1) as pool:
        return tuple(pool.apply(_measured, (function, *args)))


def _measured(function: Callable[..., tuple[Any, ...]], *args: object) -> tuple[Any, ...]:
    with PeakMemory() as memory:
        result = function(*args)
    return (*result, memory.peak)


def _child_build(n: int, directory: Path) -> tuple[float, int]:
    docs = synthetic_documents(n)
    embedder = load_embedder()
    with timed() as took:
        stats = build_index(
            docs, directory, embedder=embedder, approximate=False, progress=_Progress(n)
        )
    return took(), stats.passages


class _Progress:
    """Prints a build's progress to stderr every 5%, with the time so far."""

    def __init__(self, n: int) -> None:
        self.n, self.next, self.started = n, 0.0, time.perf_counter()

    def __call__(self, fraction: float, message: str) -> None:
        if fraction >= self.next:
            took = time.perf_counter() - self.started
            print(f"  [{self.n}] {fraction:4.0%} {message} ({took:.0f} s)", file=sys.stderr)
            self.next = fraction + 0.05


def _child_search(flat_dir: Path, hnsw_dir: Path) -> tuple[str, str, str, float]:
    queries = synthetic_queries(QUERIES)
    embedder = CachedEmbedder(load_embedder())
    embedder.encode(queries)  # once: the latencies below are the index's own
    exact = KbIndex.load(flat_dir, embedder).with_scoring(DENSE)
    approx = KbIndex.load(hnsw_dir, embedder).with_scoring(DENSE)
    p50, p95, top_exact = latencies(exact, queries)
    p50_approx, p95_approx, top_approx = latencies(approx, queries)
    p50_combined, p95_combined, _ = latencies(exact.with_scoring(Scoring()), queries)
    return (
        f"{p50:.1f} / {p95:.1f}",
        f"{p50_approx:.1f} / {p95_approx:.1f}",
        f"{p50_combined:.1f} / {p95_combined:.1f}",
        recall_at_10(top_approx, top_exact),
    )


def main() -> None:
    embedder = CachedEmbedder(load_embedder())
    ceiling, one_query = encoding_ceiling(embedder)
    print(
        f"## Speed (CPU cores: {os.cpu_count()}; sizes: {', '.join(map(str, SIZES))})\n\n"
        f"Raw model encoding: {ceiling:,.0f} sentences/s (the ceiling for building); "
        f"one query: {one_query:.1f} ms (add it to the search latencies below).\n"
    )
    rows, bare_rows = [], []
    with tempfile.TemporaryDirectory(prefix="kb-speed-") as tmp:
        for n in SIZES:
            row, bare = one_size(n, embedder, Path(tmp))
            rows.append(row)
            bare_rows.extend(bare)
            # Each size as soon as it is done: the 1M one takes hours on 2 cores.
            print(f"(done: {n} documents) " + " | ".join(map(str, row)), flush=True)
    header = (
        "documents",
        "build docs/s (flat)",
        "build peak RSS",
        "incremental rebuild (1% changed)",
        "HNSW from stored vectors",
        "search ms p50/p95 exact",
        "approximate (HNSW)",
        "combined (exact + BM25)",
        "recall@10 approx vs exact",
        "search peak RSS",
    )
    print(table(header, rows))
    print("\nBare FAISS on the same vectors (200 queries, one at a time, one thread):\n")
    print(table(("passages", "index", "build", "ms p50", "ms p95", "recall@10 vs flat"), bare_rows))


if __name__ == "__main__":
    main()
