"""Pydantic shapes of the knowledge gaps and what editors make of them."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field


class GapDraft(BaseModel):
    slug: str = Field(min_length=2, max_length=80)
    category: str
    lang: Literal["de", "en"]
    title: str = Field(min_length=1, max_length=200)
    questions: list[str] = Field(min_length=1, max_length=50)


class GapAttach(BaseModel):
    slug: str
    lang: Literal["de", "en"]
    questions: list[str] = Field(min_length=1, max_length=50)


class GapQuestion(BaseModel):
    text: str
    count: int
    conversations: list[str]


class GapGroup(BaseModel):
    """Questions that mean the same, most frequent first."""

    id: str
    count: int
    kinds: list[Literal["no_answer", "handoff", "didnt_help"]]
    last_seen: str | None
    questions: list[GapQuestion]


class GapList(BaseModel):
    groups: list[GapGroup]


class DraftCreated(BaseModel):
    slug: str
    status: Literal["draft"]


class QuestionsAttached(BaseModel):
    slug: str
    version: int


class TranscriptRead(BaseModel):
    """A conversation behind a gap, without agents' internal notes."""

    conversation_id: str
    locale: str
    messages: list[dict[str, Any]]


class GapDismiss(BaseModel):
    """Questions that are no knowledge gap: not an IT question, or a request for a person."""

    questions: list[str] = Field(min_length=1, max_length=50)
    reason: Literal["not_it", "person"]


class GapsDismissed(BaseModel):
    dismissed: int


class Suggestion(BaseModel):
    """A question an article demonstrably answered, offered as its example question."""

    text: str
    slug: str
    lang: str
    sources: list[Literal["helped", "agent"]]
    count: int
    conversations: list[str]


class SuggestionList(BaseModel):
    suggestions: list[Suggestion]


class SuggestionChoice(BaseModel):
    slug: str = Field(min_length=1, max_length=80)
    lang: Literal["de", "en"]
    text: str = Field(min_length=1, max_length=500)


class SuggestionAccepted(BaseModel):
    slug: str
    version: int
    published: bool = Field(
        description="the new version was published (false: a pending draft got the question)"
    )
