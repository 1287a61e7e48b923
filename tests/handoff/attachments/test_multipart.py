"""Taking the field `file` out of a multipart body waiting in a file (the workers' part)."""

from __future__ import annotations

from pathlib import Path

import pytest

from handoff.attachments import multipart

CT = "multipart/form-data; boundary=b"


def _part(name: str, data: bytes, filename: bytes | None = None) -> bytes:
    disposition = f'form-data; name="{name}"'.encode()
    if filename is not None:
        disposition += b'; filename="' + filename + b'"'
    return b"--b\r\nContent-Disposition: " + disposition + b"\r\n\r\n" + data + b"\r\n"


def _take(tmp_path: Path, body: bytes, content_type: str = CT) -> tuple[multipart.FilePart, bytes]:
    (tmp_path / "body").write_bytes(body)
    part = multipart.file_part(str(tmp_path / "body"), content_type, str(tmp_path / "file"))
    return part, (tmp_path / "file").read_bytes()


def test_the_file_comes_out_whole_with_its_name(tmp_path: Path) -> None:
    data = bytes(range(256)) * 1000 + b"\r\n--b-not-a-boundary\r\n"  # looks like one, is not
    body = (
        _part("note", b"hello")
        + _part("file", data, "Bildschirmfoto äöü.png".encode())
        + b"--b--\r\n"
    )
    part, kept = _take(tmp_path, body)
    assert kept == data
    assert part == multipart.FilePart("Bildschirmfoto äöü.png", len(data))


@pytest.mark.parametrize(
    ("body", "content_type", "error"),
    [
        (_part("other", b"x", b"a.txt") + b"--b--\r\n", CT, multipart.NoFile),
        (_part("file", b"text, not a file") + b"--b--\r\n", CT, multipart.NoFile),
        (b"{}", "application/json", multipart.NoFile),
        (_part("file", b"x", b"a.txt") + b"--b--\r\n", "multipart/form-data", multipart.Unreadable),
        (_part("file", b"x", b"a.png") + _part("file", b"y", b"b.png") + b"--b--\r\n", CT,
         multipart.Unreadable),
        (_part("file", b"half a screensh", b"a.png"), CT, multipart.Unreadable),  # cut off
        (b"".join(_part(f"f{i}", b"x") for i in range(12)) + b"--b--\r\n", CT,
         multipart.Unreadable),
    ],
    ids=["other-field", "text-named-file", "json", "no-boundary", "two-files", "cut-off",
         "too-many-parts"],
)  # fmt: skip
def test_what_is_no_file_or_not_readable(
    tmp_path: Path, body: bytes, content_type: str, error: type[Exception]
) -> None:
    with pytest.raises(error):
        _take(tmp_path, body, content_type)
