"""The S3 backend against a real S3-compatible server (moto's, on a free local port)."""

from __future__ import annotations

import io
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from handoff.attachments.storage import S3Storage

moto_server = pytest.importorskip("moto.server", reason="moto[server] is not installed")


@pytest.fixture
def s3_endpoint(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    for name, value in {
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_DEFAULT_REGION": "eu-central-1",
    }.items():
        monkeypatch.setenv(name, value)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


async def test_files_round_trip_through_an_s3_compatible_store(
    s3_endpoint: str, tmp_path: Path
) -> None:
    storage = S3Storage.connect(
        bucket="attachments", endpoint_url=s3_endpoint, region="eu-central-1"
    )
    storage.client.create_bucket(
        Bucket="attachments",
        CreateBucketConfiguration={"LocationConstraint": "eu-central-1"},
    )
    data = bytes(range(256)) * 4000  # 1 MB, more than one chunk
    await storage.put("ab/abcdef", io.BytesIO(data))
    assert b"".join(storage.chunks("ab/abcdef")) == data
    await storage.delete("ab/abcdef")
    cleaned = tmp_path / "cleaned-1.part"  # a cleaned image is uploaded from its file
    cleaned.write_bytes(data[::-1])
    await storage.put_file("cd/cdef01", cleaned)
    assert b"".join(storage.chunks("cd/cdef01")) == data[::-1] and not cleaned.exists()
    with pytest.raises(storage.client.exceptions.NoSuchKey):
        b"".join(storage.chunks("ab/abcdef"))
