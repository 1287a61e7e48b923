"""Pydantic shapes: articles as sent and as read, search results, rebuild jobs."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    field_validator,
    model_validator,
)

from .models import Article, ArticleVersion, IndexBuild

# Times as datetime.isoformat() writes them (UTC with "+00:00"), as the API always has.
IsoTime = Annotated[datetime, PlainSerializer(datetime.isoformat, return_type=str)]

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


class PublishBody(BaseModel):
    version: int | None = Field(default=None, ge=1)


class OverrideBody(BaseModel):
    reason: str = Field(min_length=3, max_length=1000)


class Hit(BaseModel):
    slug: str
    title: str
    lang: str
    score: float


class SearchResponse(BaseModel):
    hits: list[Hit]
    confident: bool


class DetailedHit(Hit):
    dense: float
    lexical: float


class DetailedSearch(BaseModel):
    hits: list[DetailedHit]
    confident: bool
    lang: str | None
    translations: dict[str, str]


class TryRead(BaseModel):
    """A question against the live index and against the drafts."""

    live: DetailedSearch
    draft: DetailedSearch


class ArticleRead(BaseModel):
    """An article as the editor sees it: its newest version (or the one asked for)."""

    slug: str
    category: str
    tags: list[str]
    translations: dict[Lang, Translation]
    status: Literal["draft", "published"]
    version: int
    published_version: int | None
    unpublished_changes: bool
    updated_at: IsoTime
    author: str

    @classmethod
    def of(cls, article: Article, version: ArticleVersion) -> ArticleRead:
        return cls(
            slug=article.slug,
            category=version.category,
            tags=version.tags,
            translations=version.translations,
            status="published" if article.published_version else "draft",
            version=version.number,
            published_version=article.published_version,
            unpublished_changes=article.published_version != article.latest_version,
            updated_at=article.updated_at,
            author=version.author,
        )


class ArticleList(BaseModel):
    articles: list[ArticleRead]


class VersionRead(ArticleRead):
    """One version of an article, with its note and time."""

    note: str
    created_at: IsoTime


class VersionSummary(BaseModel):
    number: int
    author: str
    note: str
    created_at: IsoTime
    published: bool


class VersionList(BaseModel):
    versions: list[VersionSummary]


class DiffRead(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    from_: int = Field(alias="from")
    to: int
    diff: str


class ImportRead(BaseModel):
    created: int
    updated: int
    unchanged: int


class Regression(BaseModel):
    question: str
    lang: str | None
    expected: str | None
    before: str | None
    now: str | None


class QualityRead(BaseModel):
    """The quality gate's verdict; `baseline` is null for a first build (see `note`)."""

    baseline: float | None
    candidate: float
    passed: bool
    regressions: list[Regression]
    note: str = ""


class OverrideRead(BaseModel):
    by: str
    reason: str
    at: str


class JobRead(BaseModel):
    """A rebuild of the index: state, progress 0..1, the quality verdict."""

    id: str
    state: Literal["queued", "running", "succeeded", "failed", "rejected"]
    progress: float
    message: str
    documents: int
    embedded: int
    live: bool
    requested_by: str
    quality: QualityRead | None
    override: OverrideRead | None
    created_at: IsoTime
    finished_at: IsoTime | None

    @classmethod
    def of(cls, build: IndexBuild) -> JobRead:
        details: dict[str, Any] = build.details
        return cls(
            id=build.id,
            state=build.state,
            progress=round(build.progress, 3),
            message=build.message,
            documents=build.documents,
            embedded=build.embedded,
            live=build.live,
            requested_by=build.requested_by,
            quality=details.get("quality"),
            override=details.get("override"),
            created_at=build.created_at,
            finished_at=build.finished_at,
        )


class IndexRead(BaseModel):
    live: JobRead | None
    jobs: list[JobRead]
