"""The field `file` of a multipart/form-data body that waits in a file (run in a worker).

The service writes an upload's body to a temporary file as it arrives, and a worker process
(`workers.Workers`) takes the file's part out of it: the parsing, a few milliseconds of CPU
per megabyte, then does not compete with the chats (see workers.py). The rules are those
the service had with Starlette's form parser: one file, at most MAX_PARTS parts, a body
that is not multipart has no file (422), a broken one is unreadable (400).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import IO

from python_multipart.multipart import MultipartParser, parse_options_header

CHUNK = 64 * 1024
MAX_PARTS = 11  # the file and ten other fields


class Unreadable(ValueError):
    """Not a readable multipart body (400)."""


class NoFile(ValueError):
    """No multipart field `file` that is a file (422)."""


@dataclass(frozen=True)
class FilePart:
    name: str  # the file name the browser sent
    size: int


def _decode(value: bytes) -> str:
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError:
        return value.decode("latin-1")


def file_part(body_path: str, content_type: str, out_path: str) -> FilePart:
    """Write the body's field `file` to out_path; its name and size (Unreadable, NoFile)."""
    kind, params = parse_options_header(content_type)
    if kind != b"multipart/form-data":
        raise NoFile("send the file as the multipart field `file`")
    boundary = params.get(b"boundary")
    if not boundary:
        raise Unreadable("not a readable multipart body: it names no boundary")
    headers: dict[bytes, bytes] = {}
    field, value = b"", b""
    parts, found = 0, None
    out: IO[bytes] | None = None

    def on_part_begin() -> None:
        nonlocal parts
        parts += 1
        if parts > MAX_PARTS:
            raise Unreadable(f"not a readable multipart body: more than {MAX_PARTS} parts")
        headers.clear()

    def on_header_field(data: bytes, start: int, end: int) -> None:
        nonlocal field
        field += data[start:end]

    def on_header_value(data: bytes, start: int, end: int) -> None:
        nonlocal value
        value += data[start:end]

    def on_header_end() -> None:
        nonlocal field, value
        headers[field.lower()] = value
        field, value = b"", b""

    def on_headers_finished() -> None:
        nonlocal out, found
        _, options = parse_options_header(headers.get(b"content-disposition", b""))
        if options.get(b"name") != b"file" or b"filename" not in options:
            return  # another field, or text named file: skipped
        if found is not None:
            raise Unreadable("not a readable multipart body: more than one file")
        found = _decode(options[b"filename"])
        out = open(out_path, "wb")  # noqa: SIM115 (closed at the part's end)

    def on_part_data(data: bytes, start: int, end: int) -> None:
        if out is not None:
            out.write(data[start:end])

    def on_part_end() -> None:
        nonlocal out
        if out is not None:
            out.close()
            out = None

    parser = MultipartParser(
        boundary,
        {
            "on_part_begin": on_part_begin,
            "on_header_field": on_header_field,
            "on_header_value": on_header_value,
            "on_header_end": on_header_end,
            "on_headers_finished": on_headers_finished,
            "on_part_data": on_part_data,
            "on_part_end": on_part_end,
        },
    )
    try:
        with open(body_path, "rb") as body:
            while chunk := body.read(CHUNK):
                parser.write(chunk)
        parser.finalize()
    except Unreadable:
        raise
    except Exception as exc:  # python-multipart's errors, whatever their class
        raise Unreadable(f"not a readable multipart body: {exc}") from exc
    finally:
        if out is not None:
            out.close()
    if found is None:
        raise NoFile("send the file as the multipart field `file`")
    if not _ended(parser):  # a file cut off: keeping part of it would be worse than nothing
        raise Unreadable("not a readable multipart body: it ends before its last boundary")
    with open(out_path, "rb") as written:
        size = written.seek(0, 2)
    return FilePart(found, size)


def _ended(parser: MultipartParser) -> bool:
    """Whether the parser saw the closing boundary (a body cut off does not get there)."""
    return getattr(parser, "state", None) is not None and parser.state.name == "END"
