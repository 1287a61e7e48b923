"""Keeping attachments: limits, type by content, clean images, records and bytes together."""

from __future__ import annotations

import asyncio
import hashlib
import re
import uuid
from dataclasses import dataclass
from typing import IO, Any, BinaryIO

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from . import images
from .models import Attachment
from .sniff import TEXT_SAMPLE, Refused, sniff
from .storage import CHUNK, Storage

_UNSAFE = re.compile(r"[\x00-\x1f\x7f/\\:*?\"<>|]+")


class TooLarge(ValueError):
    """Over the size limit of a file or of the conversation (HTTP 413)."""


class EmptyFile(ValueError):
    """A file with no content (HTTP 422)."""


class AttachmentNotFound(LookupError):
    """No such attachment."""


@dataclass(frozen=True)
class Limits:
    per_file: int
    per_conversation: int


def safe_name(name: str, extension: str) -> str:
    """A file name to show and to download as: no paths, no control characters, true extension."""
    base = _UNSAFE.sub("_", name.rsplit("/", 1)[-1].rsplit("\\", 1)[-1]).strip(" ._") or "file"
    stem = base.rsplit(".", 1)[0] if "." in base else base
    return f"{stem[:100]}.{extension}"


def _size_and_digest(source: IO[bytes]) -> tuple[int, str]:
    source.seek(0)
    digest, size = hashlib.sha256(), 0
    while block := source.read(CHUNK):
        digest.update(block)
        size += len(block)
    return size, digest.hexdigest()


async def used_bytes(*, db: AsyncSession, conversation_id: str) -> int:
    total = await db.scalar(
        select(func.coalesce(func.sum(Attachment.size), 0)).where(
            Attachment.conversation_id == conversation_id
        )
    )
    return int(total or 0)


async def save(
    *,
    db: AsyncSession,
    storage: Storage,
    limits: Limits,
    cleaner: images.Cleaner,
    conversation_id: str,
    uploaded_by: str,
    name: str,
    source: BinaryIO,
    size: int,
) -> Attachment:
    """Check and keep one file (Refused, TooLarge, EmptyFile); nothing is stored half.

    The row is added to the session, not flushed: it is written with the caller's next flush.
    """
    if size == 0:
        raise EmptyFile("the file is empty")
    if size > limits.per_file:
        raise TooLarge(f"a file may have at most {limits.per_file} bytes")
    if await used_bytes(db=db, conversation_id=conversation_id) + size > limits.per_conversation:
        raise TooLarge(f"a conversation may hold at most {limits.per_conversation} bytes of files")
    source.seek(0)
    kind = sniff(source.read(TEXT_SAMPLE))
    attachment_id = uuid.uuid4().hex
    key = f"{attachment_id[:2]}/{attachment_id}"
    if kind.is_image:  # cleaned into a file of its own by a worker, then moved into the store
        source.seek(0)
        try:
            data = await asyncio.to_thread(source.read)
            cleaned = await cleaner.clean(data, kind.content_type)
        except images.BadImage as exc:
            raise Refused(str(exc)) from exc
        size, sha256 = cleaned.size, cleaned.sha256
        await storage.put_file(key, cleaned.path)
    else:
        size, sha256 = await asyncio.to_thread(_size_and_digest, source)
        await storage.put(key, source)
    row = Attachment(
        id=attachment_id,
        conversation_id=conversation_id,
        uploaded_by=uploaded_by,
        name=safe_name(name, kind.extension),
        content_type=kind.content_type,
        size=size,
        sha256=sha256,
        storage_key=key,
    )
    db.add(row)  # written with the message that shows it (the caller's flush)
    return row


async def get(*, db: AsyncSession, attachment_id: str) -> Attachment:
    row = await db.get(Attachment, attachment_id) if len(attachment_id) == 32 else None
    if row is None:
        raise AttachmentNotFound(attachment_id)
    return row


async def link_to_ticket(*, db: AsyncSession, conversation_id: str, ticket_id: int) -> None:
    """The chat's attachments that belong to no ticket yet go with this one."""
    await db.execute(
        update(Attachment)
        .where(Attachment.conversation_id == conversation_id, Attachment.ticket_id.is_(None))
        .values(ticket_id=ticket_id)
        .execution_options(synchronize_session=False)
    )


async def of_ticket(*, db: AsyncSession, ticket_id: int) -> list[Attachment]:
    rows = await db.scalars(
        select(Attachment).where(Attachment.ticket_id == ticket_id).order_by(Attachment.created_at)
    )
    return list(rows)


async def of_conversation(*, db: AsyncSession, conversation_id: str) -> list[Attachment]:
    rows = await db.scalars(
        select(Attachment)
        .where(Attachment.conversation_id == conversation_id)
        .order_by(Attachment.created_at)
    )
    return list(rows)


async def erase_conversation(*, db: AsyncSession, storage: Storage, conversation_id: str) -> int:
    """Delete a conversation's files and records (privacy erasure, retention); return how many."""
    rows = list(
        await db.scalars(select(Attachment).where(Attachment.conversation_id == conversation_id))
    )
    for row in rows:
        await storage.delete(row.storage_key)
        await db.delete(row)
    return len(rows)


def attachment_json(row: Attachment, public_url: str) -> dict[str, Any]:
    return {
        "id": row.id,
        "name": row.name,
        "content_type": row.content_type,
        "size": row.size,
        "url": f"{public_url}/api/attachments/{row.id}",
    }
