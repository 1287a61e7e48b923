"""Index rebuilds as an editor triggers them: full and incremental, and search meanwhile.

Sizes: the shipped knowledge base (82 texts), and synthetic articles (title, two
example questions, a body of three sentences) at 10k and 100k; set
BENCH_REBUILD_SIZES=10000 to skip the large one. Incremental = 1% of the
articles changed, the rest reuse their vectors by content hash. The search
latencies are measured while a full rebuild of the 10k collection runs in a
worker thread, as the service does it, against the same searches when idle.
"""

from __future__ import annotations

import os
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

from kb_index import Document, KbIndex, build_index
from kb_index.embedder import load_embedder

from .common import kb_documents, table
from .synthetic import edited, synthetic_articles, synthetic_queries


def _time_builds(docs: list[Document], embedder: object, root: Path) -> tuple[float, float, int]:
    path = root / "index"
    started = time.perf_counter()
    build_index(docs, path, embedder=embedder)  # type: ignore[arg-type]
    full = time.perf_counter() - started
    changed = edited(docs, max(1, len(docs) // 100))
    started = time.perf_counter()
    stats = build_index(
        changed,
        root / "index2",
        embedder=embedder,  # type: ignore[arg-type]
        previous=path,
    )
    return full, time.perf_counter() - started, stats.embedded


def _latencies(
    index: KbIndex, queries: list[str], stop: threading.Event | None = None
) -> list[float]:
    out = []
    for query in queries:
        if stop is not None and stop.is_set():
            break
        started = time.perf_counter()
        index.search(query, k=5)
        out.append((time.perf_counter() - started) * 1000)
    return out


def main() -> None:
    embedder = load_embedder()
    sizes = [int(s) for s in os.environ.get("BENCH_REBUILD_SIZES", "10000,100000").split(",")]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        shipped = kb_documents()
        full, incremental, embedded = _time_builds(shipped, embedder, Path(tmp) / "kb")
        rows.append(
            [
                "shipped KB (41 articles, de+en)",
                len(shipped),
                f"{full:.1f}",
                f"{incremental:.1f}",
                embedded,
            ]
        )
        for n in sizes:
            docs = synthetic_articles(n)
            full, incremental, embedded = _time_builds(docs, embedder, Path(tmp) / str(n))
            rows.append(["synthetic articles", n, f"{full:.1f}", f"{incremental:.1f}", embedded])
        print(
            table(
                ["collection", "documents", "full rebuild s", "incremental (1%) s", "re-embedded"],
                rows,
            )
        )
        print()
        base = Path(tmp) / str(sizes[0]) / "index"
        live = KbIndex.load(base, embedder)
        queries = synthetic_queries(2000)
        idle = _latencies(live, queries[:300])
        stop = threading.Event()
        builder = threading.Thread(
            target=lambda: (
                build_index(
                    synthetic_articles(sizes[0], seed=5), Path(tmp) / "busy", embedder=embedder
                ),
                stop.set(),
            )
        )
        builder.start()
        busy = _latencies(live, queries, stop)
        builder.join()
        print(
            table(
                ["search on the live index", "searches", "p50 ms", "p95 ms"],
                [
                    [
                        "idle",
                        len(idle),
                        f"{np.percentile(idle, 50):.1f}",
                        f"{np.percentile(idle, 95):.1f}",
                    ],
                    [
                        f"during a full rebuild of {sizes[0]} articles",
                        len(busy),
                        f"{np.percentile(busy, 50):.1f}",
                        f"{np.percentile(busy, 95):.1f}",
                    ],
                ],
            )
        )


if __name__ == "__main__":
    main()
