"""Settings of the suggested answers (tier 0): reply templates and the knowledge base."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class ArticleBlend(BaseModel):
    """Weights that turn an article's features into the shown probability
    (`triage.suggest.scoring`). The defaults are fitted by `python bench/kb.py --fit` on the dev
    half of real care threads with the default encoder; refit after changing `classifier.model`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    #: Times the cosine of post and article.
    text: float = 49.86
    #: Times the best cosine of the post and the posts answered with the article before.
    history: float = 20.24
    #: Times the log of the article's share of the brand's links.
    prior: float = 1.13
    #: The logit of "none of the articles is the right one".
    none: float = -5.3


class SuggestionSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    #: A folder whose templates override the shipped ones by file name.
    templates: Path | None = None
    #: Help articles (CSV or JSON with id, title, url, text); no article suggestions when empty.
    knowledge_base: Path | None = None
    #: How many articles to suggest for a post.
    articles: int = Field(default=3, ge=1, le=20)
    #: `blend`: similarity, the articles agents sent and the brand's links, as a probability;
    #: `similarity`: cosine only (the score shown is the cosine).
    ranking: Literal["blend", "similarity"] = "blend"
    blend: ArticleBlend = Field(default_factory=ArticleBlend)
    #: How often the web app reads newly sent replies into the article history.
    history_refresh_seconds: float = Field(default=60.0, ge=0, le=86_400)
