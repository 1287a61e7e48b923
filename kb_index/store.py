"""The on-disk layout of an index directory, written atomically and verified on load."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import faiss
import numpy as np

from .documents import Document
from .lexical import LexicalIndex

FORMAT = 1
# Larger vector files are memory-mapped instead of read into memory.
MMAP_FROM_BYTES = 512 * 1024 * 1024
META = "meta.json"
FILES = ("documents.jsonl", "vectors.npy", "offsets.npy", "vectors.faiss", "lexical.npz")


class IndexLoadError(RuntimeError):
    """An index directory cannot be used."""


class IndexMissingError(IndexLoadError):
    """There is no index at the given place."""


class IndexCorruptError(IndexLoadError):
    """Files of the index are missing, truncated or changed."""


class ModelMismatchError(IndexLoadError):
    """The index was built with another embedding model than the configured one."""


@dataclass
class StoredIndex:
    meta: dict[str, Any]
    documents: list[Document]
    hashes: list[str]
    vectors: np.ndarray  # passages x dimension, rows of one document contiguous
    offsets: np.ndarray  # documents + 1: passages of document i are offsets[i]:offsets[i+1]
    faiss_index: faiss.Index
    lexical: LexicalIndex


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def write(out_dir: Path, stored: StoredIndex) -> None:
    """Write the index into out_dir, replacing what was there only once all is on disk."""
    out_dir = Path(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", dir=out_dir.parent))
    try:
        with (tmp / "documents.jsonl").open("w", encoding="utf-8") as handle:
            for doc, digest in zip(stored.documents, stored.hashes, strict=True):
                record = {**doc.to_json(), "hash": digest}
                handle.write(json.dumps(record, ensure_ascii=False) + "\n")
        np.save(tmp / "vectors.npy", stored.vectors)
        np.save(tmp / "offsets.npy", stored.offsets)
        faiss.write_index(stored.faiss_index, str(tmp / "vectors.faiss"))
        stored.lexical.save(tmp / "lexical.npz")
        meta = {**stored.meta, "format": FORMAT}
        meta["checksums"] = {name: _sha256(tmp / name) for name in FILES}
        (tmp / META).write_text(json.dumps(meta, indent=2, ensure_ascii=False), encoding="utf-8")
        _replace_dir(tmp, out_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _replace_dir(new: Path, target: Path) -> None:
    if target.is_symlink() or target.is_file():
        target.unlink()
    if target.exists():
        old = target.with_name(f".{target.name}.old-{os.getpid()}")
        shutil.rmtree(old, ignore_errors=True)
        target.rename(old)
        new.rename(target)
        shutil.rmtree(old, ignore_errors=True)
    else:
        new.rename(target)


def read_meta(path: Path) -> dict[str, Any]:
    """Read meta.json of an index directory."""
    meta_path = Path(path) / META
    if not meta_path.exists():
        raise IndexMissingError(f"no index at {path} (missing {META}); build it first")
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise IndexCorruptError(f"index at {path}: {META} is unreadable ({exc})") from exc
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise IndexCorruptError(f"index at {path}: unknown format; rebuild it")
    return meta


def read(path: Path, *, model_id: str, dimension: int, verify: bool = True) -> StoredIndex:
    """Load an index, refusing another model and files that do not match their checksums."""
    path = Path(path)
    meta = read_meta(path)
    if meta.get("model_id") != model_id or meta.get("dimension") != dimension:
        raise ModelMismatchError(
            f"index at {path} was built with model {meta.get('model_id')!r} "
            f"(dimension {meta.get('dimension')}), but the configured model is {model_id!r} "
            f"(dimension {dimension}): rebuild the index or configure the index's model"
        )
    checksums = meta.get("checksums") or {}
    for name in FILES:
        file = path / name
        if not file.exists():
            raise IndexCorruptError(f"index at {path}: {name} is missing; rebuild it")
        if verify and checksums.get(name) != _sha256(file):
            raise IndexCorruptError(f"index at {path}: {name} does not match its checksum")
    try:
        documents, hashes = [], []
        with (path / "documents.jsonl").open(encoding="utf-8") as handle:
            for line in handle:
                record = json.loads(line)
                hashes.append(record.pop("hash"))
                documents.append(Document.from_json(record))
        big = (path / "vectors.npy").stat().st_size > MMAP_FROM_BYTES
        vectors = np.load(path / "vectors.npy", mmap_mode="r" if big else None)
        offsets = np.load(path / "offsets.npy")
        faiss_index = faiss.read_index(str(path / "vectors.faiss"))
        lexical = LexicalIndex.load(path / "lexical.npz")
    except Exception as exc:
        raise IndexCorruptError(f"index at {path} cannot be read: {exc}") from exc
    if len(offsets) != len(documents) + 1 or offsets[-1] != len(vectors):
        raise IndexCorruptError(f"index at {path}: documents and vectors do not line up")
    if faiss_index.ntotal != len(vectors) or vectors.shape[1:] != (dimension,):
        raise IndexCorruptError(f"index at {path}: FAISS index and vectors do not line up")
    return StoredIndex(meta, documents, hashes, vectors, offsets, faiss_index, lexical)
