"""The knowledge base: loading (one-line file:line errors) and ranking with a real encoder."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from classifiers.encoder import Encoder
from kernel.errors import InputError
from kernel.models import Author, Decision, Post, Route
from tests.classifiers.test_encoder import tiny_model  # noqa: F401 (fixture)
from triage.suggest import Suggester
from triage.suggest.kb import load_articles, load_knowledge_base

ARTICLES = [
    {
        "id": "a1",
        "title": "Reset your password",
        "url": "https://help.acme.test/password",
        "text": "Forgot your password? Use the reset link on the login page.",
    },
    {
        "id": "a2",
        "title": "Track an order",
        "url": "https://help.acme.test/orders",
        "text": "Where is my order: open Orders and tap Track to see the delivery status.",
    },
    {
        "id": "a3",
        "title": "Refunds",
        "url": "https://help.acme.test/refunds",
        "text": "A refund reaches your card within 5 to 10 business days.",
    },
    {
        "id": "a4",
        "title": "Wi-Fi calling",
        "url": "https://help.acme.test/wifi",
        "text": "Turn on Wi-Fi calling after adding an emergency address.",
    },
]


class Counting:
    """The tiny real encoder, counting how many texts it encodes."""

    def __init__(self, encoder: Encoder) -> None:
        self.inner = encoder
        self.version = encoder.version
        self.encoded = 0

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        self.encoded += len(texts)
        return self.inner.encode(texts)


@pytest.fixture
def encoder(tiny_model: Path) -> Counting:  # noqa: F811
    return Counting(Encoder(tiny_model, threads=1))


def write_csv(path: Path, rows: list[dict[str, str]]) -> Path:
    import csv

    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=["id", "title", "url", "text"])
        writer.writeheader()
        writer.writerows(rows)
    return path


def test_csv_json_and_jsonl_load_the_same_articles(tmp_path: Path) -> None:
    csv_kb = load_articles(write_csv(tmp_path / "kb.csv", ARTICLES))
    (tmp_path / "kb.json").write_text(json.dumps(ARTICLES, indent=2))
    (tmp_path / "kb.jsonl").write_text("".join(json.dumps(a) + "\n" for a in ARTICLES))
    assert load_articles(tmp_path / "kb.json") == csv_kb
    assert load_articles(tmp_path / "kb.jsonl") == csv_kb
    assert [a.id for a in csv_kb] == ["a1", "a2", "a3", "a4"]


def test_ranking_puts_the_matching_article_first(tmp_path: Path, encoder: Counting) -> None:
    path = write_csv(tmp_path / "kb.csv", ARTICLES)
    s = Suggester(brand="Acme", knowledge_base=path, encoder=encoder)
    # The post is exactly an article's embedded text: cosine 1 with it, less with the others.
    top = s.articles("Track an order. " + ARTICLES[1]["text"], k=3)
    assert top[0].id == "a2" and len(top) == 3
    assert top[0].similarity == pytest.approx(1.0, abs=1e-4)
    # The shown score is a probability (issue 18): best first, and never all of them sure.
    assert 1.0 > top[0].score >= top[1].score >= top[2].score > 0.0
    assert sum(a.score for a in top) < 1.0
    assert s.articles("   ") == ()
    by_cosine = Suggester(
        brand="Acme", knowledge_base=path, encoder=encoder, ranking="similarity"
    ).articles("Track an order. " + ARTICLES[1]["text"], k=3)
    assert by_cosine[0].id == "a2" and by_cosine[0].score == pytest.approx(1.0, abs=1e-4)


def test_embeddings_are_cached_until_the_file_or_encoder_changes(
    tmp_path: Path, encoder: Counting
) -> None:
    path = write_csv(tmp_path / "kb.csv", ARTICLES)
    load_knowledge_base(path, encoder)
    load_knowledge_base(path, encoder)
    assert encoder.encoded == 4
    write_csv(path, ARTICLES[:3])
    import os

    os.utime(path, ns=(1, 1))  # a new mtime even within the clock's resolution
    assert len(load_knowledge_base(path, encoder).articles) == 3
    assert encoder.encoded == 7
    encoder.version += "+other"
    load_knowledge_base(path, encoder)
    assert encoder.encoded == 10


def test_suggest_links_the_top_article_only_in_public_replies(
    tmp_path: Path, encoder: Counting
) -> None:
    path = write_csv(tmp_path / "kb.csv", ARTICLES)
    s = Suggester(brand="Acme", knowledge_base=path, encoder=encoder)
    post = Post(
        source="x",
        external_id="1",
        text="Track an order. " + ARTICLES[1]["text"],
        created_at=datetime(2026, 11, 20, tzinfo=UTC),
        author=Author(handle="dani"),
        lang="en",
    )
    base = {"tier": 1, "confidence": 0.9, "needs_review": False, "rule": "r", "explanation": "x"}
    public = s.suggest(post, Decision(route=Route.PUBLIC_REPLY, **base))
    assert public.articles[0].id == "a2"
    assert "https://help.acme.test/orders" in public.replies[0].text
    desk = s.suggest(post, Decision(route=Route.HELPDESK, **base))
    assert desk.articles[0].id == "a2"  # shown to the agent
    assert "https://" not in desk.replies[0].text


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("kb.csv", "id,title,url\na,b,https://x.test\n", r"kb\.csv:1: header lacks text"),
        (
            "kb.csv",
            "id,title,url,text\na,T,https://x.test,t\nb,T,,t\n",
            r"kb\.csv:3: .*without url",
        ),
        ("kb.csv", "id,title,url,text\na,T,https://x.test,t,extra\n", r"kb\.csv:2: more cells"),
        (
            "kb.csv",
            'id,title,url,text\na,T,https://x.test,"two\nlines"\na,T,https://y.test,t\n',
            r"kb\.csv:4: duplicate id 'a' \(first at line 2\)",
        ),
        ("kb.csv", "id,title,url,text\na,T,javascript:alert(1),t\n", r"kb\.csv:2: url .* not http"),
        (
            "kb.json",
            '[\n {"id": "a", "title": "T", "url": "https://x.test", "text": "t"},\n'
            ' {"id": "b", "title": "", "url": "https://x.test", "text": ""}\n]\n',
            r"kb\.json:3: article b has neither title nor text",
        ),
        ("kb.json", '[\n {"id": "a",\n  "title": oops}\n]', r"kb\.json:3: not valid JSON"),
        ("kb.json", '{"id": "a"}', r"kb\.json:1: expected a JSON array"),
        (
            "kb.jsonl",
            '{"id": "a", "url": "https://x.test", "text": "t"}\n[1]\n',
            r"kb\.jsonl:2: expected an object",
        ),
        ("kb.jsonl", "\n\n", r"kb\.jsonl: knowledge base has no articles"),
        (
            "kb.csv",
            "id,title,url,text,links\na,T,https://x.test,t,12\nb,T,https://y.test,t,many\n",
            r"kb\.csv:3: links of article b is not a whole number >= 0",
        ),
        (
            "kb.jsonl",
            '{"id": "a", "url": "https://x.test", "text": "t", "links": -2}\n',
            r"kb\.jsonl:1: links of article a is not a whole number",
        ),
        ("kb.txt", "id", r"kb\.txt: knowledge base must be \.csv, \.json or \.jsonl"),
    ],
)
def test_bad_files_are_one_line_errors_with_file_and_line(
    tmp_path: Path, name: str, content: str, expected: str
) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError, match=expected) as info:
        Suggester(brand="Acme", knowledge_base=path)
    assert "\n" not in str(info.value)


def test_links_are_read_when_given(tmp_path: Path) -> None:
    path = tmp_path / "kb.jsonl"
    path.write_text(
        '{"id": "a", "url": "https://x.test", "text": "t", "links": 7}\n'
        '{"id": "b", "url": "https://y.test", "text": "t"}\n',
        encoding="utf-8",
    )
    assert [a.links for a in load_articles(path)] == [7, 0]


def test_missing_file_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"missing\.csv: cannot read knowledge base"):
        load_articles(tmp_path / "missing.csv")


def test_a_post_reopened_is_not_encoded_again(tmp_path: Path, encoder: Counting) -> None:
    s = Suggester(
        brand="Acme", knowledge_base=write_csv(tmp_path / "kb.csv", ARTICLES), encoder=encoder
    )
    first = s.articles("where is my order")
    after_first = encoder.encoded
    assert s.articles("where is my order") == first and encoder.encoded == after_first
    s.articles("something else")
    assert encoder.encoded == after_first + 1
