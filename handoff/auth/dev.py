"""Dev mode only: issue employee tokens as the intranet would (for the demo page)."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, EmailStr, Field

from handoff.deps import SettingsDep

from .employees import issue_token

router = APIRouter(prefix="/api/dev", tags=["dev mode"])


class TokenRequest(BaseModel):
    email: EmailStr
    name: str = Field(min_length=1, max_length=200)


@router.post("/token")
async def dev_token(body: TokenRequest, settings: SettingsDep) -> dict[str, str]:
    """Issue a signed employee token (exists only with HELPDESK_ENV=dev)."""
    token = issue_token(
        secret=settings.employee_token_secret.get_secret_value(),
        issuer=settings.employee_token_issuer,
        email=str(body.email),
        name=body.name,
    )
    return {"token": token}
