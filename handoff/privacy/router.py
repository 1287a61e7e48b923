"""Admin actions on one employee's personal data (the same as the privacy CLI)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, EmailStr

from handoff.audit import service as audit
from handoff.conversations.dependencies import UploadsDep
from handoff.deps import DbDep
from handoff.users.dependencies import CurrentAdmin

from . import service

router = APIRouter(prefix="/api/admin/privacy", tags=["privacy"])


class Subject(BaseModel):
    email: EmailStr


@router.post("/export")
async def export_employee(body: Subject, admin: CurrentAdmin, db: DbDep) -> dict[str, Any]:
    """Everything held about the employee (a data-subject access request)."""
    data = await service.export(db=db, email=str(body.email))
    await audit.record(
        db=db, actor=f"user:{admin.username}", action="privacy.export", target=str(body.email)
    )
    await db.commit()
    return data


@router.post("/erase")
async def erase_employee(
    body: Subject, admin: CurrentAdmin, db: DbDep, uploads: UploadsDep
) -> dict[str, Any]:
    """Delete the employee's conversations and files, anonymise their tickets; say what changed."""
    changed = await service.erase(db=db, storage=uploads.storage, email=str(body.email))
    await audit.record(
        db=db,
        actor=f"user:{admin.username}",
        action="privacy.erase",
        target=str(body.email),
        detail=changed,
    )
    await db.commit()
    return {"changed": changed}
