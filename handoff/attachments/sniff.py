"""Which files are allowed, decided by their bytes, never by their name or declared type."""

from __future__ import annotations

import re
from dataclasses import dataclass

IMAGE_TYPES = {"image/png": "png", "image/jpeg": "jpg", "image/gif": "gif", "image/webp": "webp"}
# What a browser would take for markup: refused even inside a "text" file.
_MARKUP = re.compile(
    rb"^\s*(<!doctype|<html|<head|<body|<script|<iframe|<svg|<\?xml|<!--|<a\s|<img|<div|<style)",
    re.IGNORECASE,
)
TEXT_SAMPLE = 64 * 1024


class Refused(ValueError):
    """The file is not of an allowed type (HTTP 415)."""


@dataclass(frozen=True)
class Kind:
    content_type: str
    extension: str

    @property
    def is_image(self) -> bool:
        return self.content_type in IMAGE_TYPES


def sniff(head: bytes) -> Kind:
    """Tell the file's type from its first bytes; Refused for anything not allowed."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return Kind("image/png", "png")
    if head.startswith(b"\xff\xd8\xff"):
        return Kind("image/jpeg", "jpg")
    if head.startswith((b"GIF87a", b"GIF89a")):
        return Kind("image/gif", "gif")
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return Kind("image/webp", "webp")
    if head.startswith(b"%PDF-"):
        return Kind("application/pdf", "pdf")
    if _is_plain_text(head):
        return Kind("text/plain; charset=utf-8", "txt")
    raise Refused("only images (PNG, JPEG, GIF, WebP), PDF and plain-text or log files")


def _is_plain_text(head: bytes) -> bool:
    sample = head[:TEXT_SAMPLE]
    if not sample or b"\x00" in sample or _MARKUP.match(sample):
        return False
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A multi-byte character cut at the end of the sample is still text.
        if exc.start < len(sample) - 4:
            return False
    return True
