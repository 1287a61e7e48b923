"""Pydantic shapes of articles and search results."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
CATEGORIES = (
    "account",
    "network",
    "email",
    "collaboration",
    "hardware",
    "software",
    "mobile",
    "security",
    "general",
)
Lang = Literal["de", "en"]


class Translation(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1, max_length=200)
    body: str = Field(min_length=1, max_length=50_000)
    questions: list[str] = Field(default_factory=list, max_length=50)

    @field_validator("title", "body")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be blank")
        return value.strip()

    @field_validator("questions")
    @classmethod
    def _clean_questions(cls, value: list[str]) -> list[str]:
        cleaned = [q.strip() for q in value if q and q.strip()]
        if any(len(q) > 300 for q in cleaned):
            raise ValueError("an example question is longer than 300 characters")
        return cleaned


class ArticleContent(BaseModel):
    """The editable part of an article (what a version stores)."""

    model_config = ConfigDict(extra="forbid")

    category: str = Field(min_length=1, max_length=40)
    tags: list[str] = Field(default_factory=list, max_length=30)
    translations: dict[Lang, Translation]

    @field_validator("category")
    @classmethod
    def _known_category(cls, value: str) -> str:
        if value not in CATEGORIES:
            raise ValueError(f"unknown category; use one of {', '.join(CATEGORIES)}")
        return value

    @field_validator("tags")
    @classmethod
    def _clean_tags(cls, value: list[str]) -> list[str]:
        return sorted({str(t).strip().lower() for t in value if str(t).strip()})

    @model_validator(mode="after")
    def _one_language_at_least(self) -> ArticleContent:
        if not self.translations:
            raise ValueError("an article needs at least one translation (de or en)")
        return self


class ArticleCreate(ArticleContent):
    slug: str = Field(min_length=2, max_length=80)

    @field_validator("slug")
    @classmethod
    def _slug_shape(cls, value: str) -> str:
        if not SLUG.match(value):
            raise ValueError("a slug is lower-case letters, digits and single hyphens")
        return value


class ArticleUpdate(ArticleContent):
    note: str = Field(default="", max_length=500)


class ArticleRead(ArticleContent):
    slug: str
    status: Literal["draft", "published"]
    version: int
    published_version: int | None
    updated_at: datetime


class VersionRead(ArticleContent):
    number: int
    author: str
    note: str
    created_at: datetime
    published: bool


class Hit(BaseModel):
    slug: str
    title: str
    lang: str
    score: float


class SearchResponse(BaseModel):
    hits: list[Hit]
    confident: bool
