"""Moving a cleaned image into the store: a rename on one disk, a copy across disks."""

from __future__ import annotations

import errno
import os
import time
from pathlib import Path

import pytest

from handoff.attachments import images, storage
from handoff.attachments.storage import DiskStorage


async def test_a_file_on_the_stores_disk_is_renamed_into_it(tmp_path: Path) -> None:
    store = DiskStorage(tmp_path / "files")
    store.incoming.mkdir(parents=True)
    waiting = store.incoming / "cleaned-1.part"
    waiting.write_bytes(b"\x89PNG cleaned")
    inode = waiting.stat().st_ino
    await store.put_file("ab/ab12", waiting)
    kept = tmp_path / "files" / "ab" / "ab12"
    assert kept.read_bytes() == b"\x89PNG cleaned" and kept.stat().st_ino == inode  # no copy
    assert not waiting.exists()
    assert b"".join(store.chunks("ab/ab12")) == b"\x89PNG cleaned"


async def test_a_file_on_another_disk_is_copied_whole_then_deleted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = DiskStorage(tmp_path / "files")
    waiting = tmp_path / "cleaned-2.part"
    waiting.write_bytes(b"x" * 600_000)  # more than one copy chunk
    rename = os.replace

    def across_disks(source: os.PathLike[str], target: os.PathLike[str]) -> None:
        if Path(source) == waiting:
            raise OSError(errno.EXDEV, "Invalid cross-device link")
        rename(source, target)  # the copy's own rename of its partial file

    monkeypatch.setattr(storage.os, "replace", across_disks)
    await store.put_file("cd/cd34", waiting)
    assert (tmp_path / "files" / "cd" / "cd34").read_bytes() == b"x" * 600_000
    assert not waiting.exists()
    assert [p.name for p in (tmp_path / "files" / "cd").iterdir()] == ["cd34"]  # no .part left


async def test_a_file_that_cannot_be_stored_is_not_left_behind(tmp_path: Path) -> None:
    store = DiskStorage(tmp_path / "files")
    waiting = tmp_path / "cleaned-3.part"
    waiting.write_bytes(b"data")
    with pytest.raises(ValueError, match="bad storage key"):
        await store.put_file("../../etc", waiting)
    assert not waiting.exists()


def test_cleaned_images_a_crash_left_behind_are_swept_after_an_hour(tmp_path: Path) -> None:
    old, fresh, other = (tmp_path / n for n in ("cleaned-a.part", "cleaned-b.part", "x.part"))
    for path in (old, fresh, other):
        path.write_bytes(b"x")
    hours_ago = time.time() - 2 * images.STALE
    os.utime(old, (hours_ago, hours_ago))
    os.utime(other, (hours_ago, hours_ago))
    images.sweep(tmp_path)
    assert not old.exists()
    assert fresh.exists()  # another upload's, on its way into the store
    assert other.exists()  # not the cleaner's
