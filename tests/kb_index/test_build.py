"""Building and loading an index: round trip, reuse by content hash, refusals."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from kb_index import (
    Document,
    DocumentError,
    IndexCorruptError,
    IndexMissingError,
    KbIndex,
    ModelMismatchError,
    build_index,
)
from kb_index.documents import passages

from .conftest import FakeEmbedder


def test_round_trip_keeps_documents_model_and_hashes(
    index_dir: Path, documents: list[Document], embedder: FakeEmbedder
) -> None:
    loaded = KbIndex.load(index_dir, embedder)
    meta = json.loads((index_dir / "meta.json").read_text())
    assert meta["model_id"] == "fake-model" and meta["dimension"] == 128
    assert meta["documents"] == len(documents) and meta["kind"] == "flat"
    assert loaded.hashes == [d.content_hash() for d in documents]
    assert len(loaded) == len(documents)
    hit = loaded.search("GlobalProtect vpn.brandt.example", lang="en").hits[0]
    assert (hit.slug, hit.lang) == ("vpn-connect", "en")


def test_rebuild_embeds_only_changed_documents(
    tmp_path: Path, documents: list[Document], embedder: FakeEmbedder
) -> None:
    first = build_index(documents, tmp_path / "a", embedder=embedder)
    assert first.embedded == first.passages
    changed = list(documents)
    changed[2] = replace(changed[2], text="Klappe hinten öffnen und Papier entfernen.")
    embedder.seen.clear()
    second = build_index(changed, tmp_path / "b", embedder=embedder, previous=tmp_path / "a")
    assert second.embedded == len(passages(changed[2]))
    assert set(embedder.seen) == {p.text for p in passages(changed[2])}
    # The reused vectors are the stored ones, in the right places.
    fresh = build_index(changed, tmp_path / "c", embedder=FakeEmbedder())
    assert fresh.embedded == fresh.passages
    reused = np.load(tmp_path / "b" / "vectors.npy")
    np.testing.assert_allclose(reused, np.load(tmp_path / "c" / "vectors.npy"), atol=1e-6)


def test_rebuild_with_nothing_changed_embeds_nothing(
    index_dir: Path, documents: list[Document], embedder: FakeEmbedder, tmp_path: Path
) -> None:
    embedder.seen.clear()
    stats = build_index(documents, tmp_path / "again", embedder=embedder, previous=index_dir)
    assert stats.embedded == 0 and embedder.seen == []


def test_previous_index_of_another_model_is_not_reused(
    index_dir: Path, documents: list[Document], tmp_path: Path
) -> None:
    other = FakeEmbedder(model_id="other-model")
    stats = build_index(documents, tmp_path / "other", embedder=other, previous=index_dir)
    assert stats.embedded == stats.passages


def test_build_replaces_an_existing_index_in_place(
    index_dir: Path, documents: list[Document], embedder: FakeEmbedder
) -> None:
    build_index(documents[:2], index_dir, embedder=embedder, previous=index_dir)
    assert len(KbIndex.load(index_dir, embedder)) == 2
    assert not [p for p in index_dir.parent.iterdir() if p.name.startswith(".")]


def test_duplicate_id_and_language_is_refused(
    tmp_path: Path, documents: list[Document], embedder: FakeEmbedder
) -> None:
    with pytest.raises(DocumentError, match="same id and language"):
        build_index([*documents, documents[0]], tmp_path / "dup", embedder=embedder)


def test_another_model_is_refused_with_a_clear_error(index_dir: Path) -> None:
    with pytest.raises(ModelMismatchError) as caught:
        KbIndex.load(index_dir, FakeEmbedder(model_id="another-model"))
    message = str(caught.value)
    assert "'fake-model'" in message and "'another-model'" in message
    assert "rebuild" in message


def test_another_dimension_is_refused(index_dir: Path) -> None:
    with pytest.raises(ModelMismatchError, match="dimension 64"):
        KbIndex.load(index_dir, FakeEmbedder(dimension=64))


def test_missing_index_says_so(tmp_path: Path, embedder: FakeEmbedder) -> None:
    with pytest.raises(IndexMissingError, match="no index at .*build it first"):
        KbIndex.load(tmp_path / "nowhere", embedder)


@pytest.mark.parametrize("name", ["vectors.npy", "vectors.faiss", "documents.jsonl", "lexical.npz"])
def test_a_missing_file_is_corruption(index_dir: Path, embedder: FakeEmbedder, name: str) -> None:
    (index_dir / name).unlink()
    with pytest.raises(IndexCorruptError, match=f"{name} is missing"):
        KbIndex.load(index_dir, embedder)


@pytest.mark.parametrize("name", ["vectors.npy", "offsets.npy", "documents.jsonl"])
def test_a_changed_file_fails_its_checksum(
    index_dir: Path, embedder: FakeEmbedder, name: str
) -> None:
    path = index_dir / name
    data = bytearray(path.read_bytes())
    data[-1] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(IndexCorruptError, match=f"{name} does not match its checksum"):
        KbIndex.load(index_dir, embedder)


def test_a_truncated_file_fails_its_checksum(index_dir: Path, embedder: FakeEmbedder) -> None:
    path = index_dir / "vectors.faiss"
    path.write_bytes(path.read_bytes()[:100])
    with pytest.raises(IndexCorruptError):
        KbIndex.load(index_dir, embedder)


@pytest.mark.parametrize("content", ["{not json", '{"format": 999}', "[]"])
def test_unreadable_meta_is_corruption(
    index_dir: Path, embedder: FakeEmbedder, content: str
) -> None:
    (index_dir / "meta.json").write_text(content)
    with pytest.raises(IndexCorruptError):
        KbIndex.load(index_dir, embedder)


def test_forced_approximate_index_still_finds_things(
    tmp_path: Path, documents: list[Document], embedder: FakeEmbedder
) -> None:
    stats = build_index(documents, tmp_path / "hnsw", embedder=embedder, approximate=True)
    assert stats.kind == "hnsw"
    approximate = KbIndex.load(tmp_path / "hnsw", embedder)
    assert approximate.meta["kind"] == "hnsw"
    build_index(documents, tmp_path / "flat", embedder=embedder)
    exact = KbIndex.load(tmp_path / "flat", embedder)
    for query in ("printer paper jam", "passwort vergessen", "teams no sound"):
        assert [h.slug for h in approximate.search(query).hits] == [
            h.slug for h in exact.search(query).hits
        ]


def test_progress_is_reported_up_to_done(
    tmp_path: Path, documents: list[Document], embedder: FakeEmbedder
) -> None:
    seen: list[tuple[float, str]] = []
    build_index(
        documents, tmp_path / "p", embedder=embedder, progress=lambda f, m: seen.append((f, m))
    )
    fractions = [f for f, _ in seen]
    assert fractions == sorted(fractions) and fractions[0] == 0.0 and seen[-1] == (1.0, "done")


def test_an_empty_collection_builds_and_finds_nothing(
    tmp_path: Path, embedder: FakeEmbedder
) -> None:
    build_index([], tmp_path / "empty", embedder=embedder)
    result = KbIndex.load(tmp_path / "empty", embedder).search("vpn")
    assert result.hits == [] and result.confident is False
