"""Known problems over the API."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field, field_validator


class Texts(BaseModel):
    de: str = Field(min_length=1, max_length=1000)
    en: str = Field(min_length=1, max_length=1000)

    @field_validator("de", "en")
    @classmethod
    def not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be blank")
        return value.strip()


class ProblemCreate(BaseModel):
    title: str = Field(min_length=1, max_length=200)
    notice: Texts
    articles: list[str] = Field(min_length=1, max_length=20)


class ProblemResolve(BaseModel):
    note: Texts


class TicketLink(BaseModel):
    number: str = Field(min_length=1, max_length=20, description="e.g. INC-000042")


class ProblemRead(BaseModel):
    id: int
    title: str
    notice: dict[str, str]
    articles: list[str]
    state: Literal["open", "resolved"]
    note: dict[str, str]
    created_by: str
    created_at: datetime
    resolved_at: datetime | None


class ProblemBanner(BaseModel):
    id: int
    title: str
    notice: str
    since: datetime
