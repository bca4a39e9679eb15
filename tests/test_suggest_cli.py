"""`social-triage suggest`: templates and knowledge-base articles for a stored, decided post."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from kernel.models import SentMessage
from tests.classifiers.test_encoder import tiny_model  # noqa: F401 (fixture)
from tests.test_decision_cli import decided, run  # noqa: F401 (fixture)
from triage.storage import Store
from triage.storage.answers import record_sent


def test_suggest_prints_replies_articles_and_answers(
    decided: Store,  # noqa: F811
    tiny_model: Path,  # noqa: F811
    tmp_path: Path,
) -> None:
    kb = tmp_path / "kb.jsonl"
    kb.write_text(
        json.dumps({"id": "w", "title": "", "url": "https://h.test/w", "text": "wifi down"})
        + "\n"
        + json.dumps({"id": "b", "title": "Billing", "url": "https://h.test/b", "text": "refunds"})
        + "\n"
    )
    (tmp_path / "social-triage.yaml").write_text(
        f"classifier: {{model: '{tiny_model}'}}\n"
        f"suggestions: {{knowledge_base: kb.jsonl, articles: 2}}\n"
        "brand: {name: Globex}\n"
    )
    code, out = run("suggest", "x:2", "--json")  # "wifi down", decided public_reply
    assert code == 0, out
    result = json.loads(out)
    assert result["route"] == "public_reply" and result["answered_by"] == []
    assert [a["id"] for a in result["articles"]] == ["w", "b"]
    assert "Globex" in result["replies"][0]["text"]
    assert "https://h.test/w" in result["replies"][0]["text"]
    stored = decided.find_post("x", "2")
    assert stored is not None
    sent = SentMessage(channel="reply", text="on it", external_id="99")
    record_sent(decided, stored, sent, author_handle="Globex", now=datetime.now(UTC))
    code, out = run("suggest", "3")
    assert code == 0 and "answered by the brand: 99" in out and "[reply] Public reply" in out
    code, out = run("suggest", "x:nope")
    assert code == 2 and "no stored post 'x:nope'" in out
