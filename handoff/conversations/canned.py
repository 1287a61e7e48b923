"""Canned responses: ready answers agents insert with one click; admins keep them."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from .models import CannedResponse

DEFAULTS = [
    (
        "Begrüßung / Greeting",
        "Hallo, hier ist der IT Service Desk. Ich habe Ihren Chat übernommen und lese mir kurz "
        "den Verlauf durch.",
        "Hello, this is the IT Service Desk. I have taken over your chat and am reading through "
        "it now.",
    ),
    (
        "Einen Moment / One moment",
        "Einen Moment bitte, ich prüfe das gerade.",
        "One moment please, I am checking this.",
    ),
    (
        "Fernwartung / Remote session",
        "Darf ich mich per Fernwartung auf Ihren Rechner schalten? Sie sehen gleich eine Anfrage, "
        "die Sie bestätigen müssen.",
        "May I connect to your computer remotely? You will see a request you need to accept.",
    ),
    (
        "Ticket weitergegeben / Passed on",
        "Ich gebe Ihr Anliegen an das zuständige Fachteam weiter. Die Antwort bekommen Sie hier im "
        "Chat und im Ticket.",
        "I am passing your request to the responsible team. You will get the answer here in the "
        "chat and on the ticket.",
    ),
    (
        "Gelöst? / Solved?",
        "Ist das Problem damit gelöst? Dann schließe ich den Chat.",
        "Does that solve the problem? Then I will close the chat.",
    ),
]


async def seed_defaults(*, db: AsyncSession) -> int:
    """Add the default canned responses to an empty table; return how many."""
    if await db.scalar(select(func.count(CannedResponse.id))):
        return 0
    db.add_all(CannedResponse(title=t, text_de=de, text_en=en) for t, de, en in DEFAULTS)
    await db.commit()
    return len(DEFAULTS)


class CannedNotFound(LookupError):
    """No canned response with that id."""


async def list_all(*, db: AsyncSession) -> list[CannedResponse]:
    """Return every canned response, by title."""
    return list(await db.scalars(select(CannedResponse).order_by(CannedResponse.title)))


async def add(*, db: AsyncSession, title: str, text_de: str, text_en: str) -> CannedResponse:
    """Add a canned response."""
    row = CannedResponse(title=title, text_de=text_de, text_en=text_en)
    db.add(row)
    await db.flush()
    return row


async def edit(
    *, db: AsyncSession, canned_id: int, title: str, text_de: str, text_en: str
) -> CannedResponse:
    """Change a canned response (CannedNotFound if there is none)."""
    row = await db.get(CannedResponse, canned_id)
    if row is None:
        raise CannedNotFound(canned_id)
    row.title, row.text_de, row.text_en = title, text_de, text_en
    return row


async def remove(*, db: AsyncSession, canned_id: int) -> None:
    """Delete a canned response (CannedNotFound if there is none)."""
    row = await db.get(CannedResponse, canned_id)
    if row is None:
        raise CannedNotFound(canned_id)
    await db.delete(row)
