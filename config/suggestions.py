"""Settings of the suggested answers (tier 0): reply templates and the knowledge base."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field


class SuggestionSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    #: A folder whose templates override the shipped ones by file name.
    templates: Path | None = None
    #: Help articles (CSV or JSON with id, title, url, text); no article suggestions when empty.
    knowledge_base: Path | None = None
    #: How many articles to suggest for a post.
    articles: int = Field(default=3, ge=1, le=20)
