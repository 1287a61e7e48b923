"""Where attachment bytes live: a directory by default, an S3-compatible store when configured.

Both stream: an upload is copied from its spooled temporary file in chunks, a download is
served in chunks, so a file is never held whole in memory. A file already on disk (a cleaned
image) is moved in: renamed into the directory, which is why the directory's `incoming`
folder is where images are cleaned, or uploaded to the bucket from the file.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any, Protocol

from handoff.config import Settings

CHUNK = 256 * 1024


class Storage(Protocol):
    # Where files to be moved in are written first: on the store's own disk if it has one.
    incoming: Path

    async def put(self, key: str, source: IO[bytes]) -> None: ...

    async def put_file(self, key: str, path: Path) -> None:
        """Move a file into the store: it is gone from `path` afterwards, stored or not."""
        ...

    def chunks(self, key: str) -> Iterator[bytes]: ...

    async def delete(self, key: str) -> None: ...


class DiskStorage:
    """Files under one directory (HELPDESK_DATA_DIR/attachments by default)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.incoming = root / "incoming"  # not a key's folder (those are two hex digits)

    def _path(self, key: str) -> Path:
        if not key.replace("/", "").isalnum():
            raise ValueError(f"bad storage key {key!r}")
        return self.root / key

    async def put(self, key: str, source: IO[bytes]) -> None:
        await asyncio.to_thread(_copy_atomically, source, self._path(key))

    async def put_file(self, key: str, path: Path) -> None:
        try:
            target = self._path(key)
        except ValueError:
            path.unlink(missing_ok=True)
            raise
        await asyncio.to_thread(_move, path, target)

    def chunks(self, key: str) -> Iterator[bytes]:
        with self._path(key).open("rb") as handle:
            while block := handle.read(CHUNK):
                yield block

    async def delete(self, key: str) -> None:
        await asyncio.to_thread(self._path(key).unlink, True)


def _copy_atomically(source: IO[bytes], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".part")
    source.seek(0)
    with partial.open("wb") as target:
        shutil.copyfileobj(source, target, CHUNK)
    os.replace(partial, path)  # a reader sees the whole file or none


def _move(source: Path, path: Path) -> None:
    """Rename when both are on one file system (no byte copied), else copy and delete."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.replace(source, path)
        except OSError as exc:
            if exc.errno != errno.EXDEV:
                raise
            with source.open("rb") as handle:
                _copy_atomically(handle, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            source.unlink()


def from_settings(settings: Settings) -> Storage:
    """The configured store: an S3-compatible bucket if one is named, else the directory."""
    if settings.attachment_s3_bucket:
        return S3Storage.connect(
            bucket=settings.attachment_s3_bucket,
            endpoint_url=settings.attachment_s3_endpoint_url,
            region=settings.attachment_s3_region,
        )
    return DiskStorage(settings.attachment_dir)


class S3Storage:
    """An S3-compatible bucket through boto3 (its blocking calls run in worker threads)."""

    def __init__(self, *, bucket: str, client: Any) -> None:
        self.bucket = bucket
        self.client = client
        self.incoming = Path(tempfile.gettempdir())

    @classmethod
    def connect(cls, *, bucket: str, endpoint_url: str | None, region: str | None) -> S3Storage:
        import boto3  # only needed when an object store is configured

        return cls(
            bucket=bucket,
            client=boto3.client("s3", endpoint_url=endpoint_url or None, region_name=region),
        )

    async def put(self, key: str, source: IO[bytes]) -> None:
        source.seek(0)
        await asyncio.to_thread(self.client.upload_fileobj, source, self.bucket, key)

    async def put_file(self, key: str, path: Path) -> None:
        try:
            await asyncio.to_thread(self.client.upload_file, str(path), self.bucket, key)
        finally:
            path.unlink(missing_ok=True)

    def chunks(self, key: str) -> Iterator[bytes]:
        body = self.client.get_object(Bucket=self.bucket, Key=key)["Body"]
        yield from body.iter_chunks(CHUNK)

    async def delete(self, key: str) -> None:
        await asyncio.to_thread(self.client.delete_object, Bucket=self.bucket, Key=key)
