"""Where attachment bytes live: a directory by default, an S3-compatible store when configured.

Both stream: an upload is copied from its spooled temporary file in chunks, a download is
served in chunks, so a file is never held whole in memory.
"""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any, Protocol

from handoff.config import Settings

CHUNK = 256 * 1024


class Storage(Protocol):
    async def put(self, key: str, source: IO[bytes]) -> None: ...

    def chunks(self, key: str) -> Iterator[bytes]: ...

    async def delete(self, key: str) -> None: ...


class DiskStorage:
    """Files under one directory (HELPDESK_DATA_DIR/attachments by default)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        if not key.replace("/", "").isalnum():
            raise ValueError(f"bad storage key {key!r}")
        return self.root / key

    async def put(self, key: str, source: IO[bytes]) -> None:
        await asyncio.to_thread(_copy_atomically, source, self._path(key))

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

    def chunks(self, key: str) -> Iterator[bytes]:
        body = self.client.get_object(Bucket=self.bucket, Key=key)["Body"]
        yield from body.iter_chunks(CHUNK)

    async def delete(self, key: str) -> None:
        await asyncio.to_thread(self.client.delete_object, Bucket=self.bucket, Key=key)
