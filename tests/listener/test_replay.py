from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from kernel.errors import InputError
from kernel.models import PostKind
from listener.replay import ReplaySource, bundled_sample

LINE = {"source": "x", "text": "hi @acme", "created_at": "2026-11-20T10:00:00Z"}


def line(i: int, **extra: Any) -> str:
    return json.dumps({**LINE, "external_id": str(i), **extra}, ensure_ascii=False) + "\n"


def source(path: Path) -> ReplaySource:
    return ReplaySource(name="r", path=path, brand_handles=frozenset({"acme"}))


def read_all(src: ReplaySource, cursor: dict[str, Any] | None = None) -> tuple[list[Any], Any]:
    posts: list[Any] = []
    for page in src.poll(cursor):
        posts.extend(page.posts)
        cursor = page.cursor
    return posts, cursor


def test_reads_every_field(tmp_path: Path) -> None:
    path = tmp_path / "p.jsonl"
    path.write_text(
        line(
            1,
            url="https://x.com/a/status/1",
            author={"handle": "ana", "name": "Ana", "followers": 12, "verified": True},
            parent_id=0,
            conversation_id="0",
            lang="pt",
            query="@acme",
            extra_key={"kept": True},
        ),
        encoding="utf-8",
    )
    [post], _ = read_all(source(path))
    assert post.key == ("x", "1")
    assert post.author.handle == "ana" and post.author.followers == 12 and post.author.verified
    assert (post.parent_id, post.conversation_id, post.kind) == ("0", "0", PostKind.REPLY)
    assert post.lang == "pt" and post.query == "@acme"
    assert post.raw["extra_key"] == {"kept": True}
    assert post.created_at.tzinfo is not None


def test_bad_lines_are_reported_with_file_and_line_and_skipped(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "p.jsonl"
    path.write_text(
        line(1)
        + "{not json\n"
        + json.dumps({"source": "x", "text": "no id", "created_at": "2026-11-20T10:00:00Z"})
        + "\n"
        + line(4, created_at="yesterday")
        + "\n"
        + line(5),
        encoding="utf-8",
    )
    pages = list(source(path).poll(None))
    posts = [p for page in pages for p in page.posts]
    skipped = [str(s) for page in pages for s in page.skipped]
    assert [p.external_id for p in posts] == ["1", "5"]
    assert skipped[0].startswith(f"{path}:2: not valid JSON")
    assert skipped[1] == f"{path}:3: missing required key external_id"
    assert skipped[2] == f"{path}:4: bad timestamp 'yesterday'"
    assert f"{path}:2" in caplog.text


def test_resumes_from_cursor_and_waits_for_incomplete_last_line(tmp_path: Path) -> None:
    path = tmp_path / "p.jsonl"
    path.write_text(line(1) + line(2), encoding="utf-8")
    posts, cursor = read_all(source(path))
    assert len(posts) == 2
    with path.open("a", encoding="utf-8") as handle:
        handle.write(line(3) + line(4).rstrip("\n"))  # the writer has not finished line 4
    posts, cursor = read_all(source(path), cursor)
    assert [p.external_id for p in posts] == ["3"]
    with path.open("a", encoding="utf-8") as handle:
        handle.write("\n")
    posts, _ = read_all(source(path), cursor)
    assert [p.external_id for p in posts] == ["4"]


def test_a_replaced_shorter_file_is_read_from_the_start(tmp_path: Path) -> None:
    path = tmp_path / "p.jsonl"
    path.write_text(line(1) + line(2) + line(3), encoding="utf-8")
    _, cursor = read_all(source(path))
    path.write_text(line(9), encoding="utf-8")
    posts, _ = read_all(source(path), cursor)
    assert [p.external_id for p in posts] == ["9"]


def test_brand_posts_are_marked_and_long_or_binary_text_handled(tmp_path: Path) -> None:
    path = tmp_path / "p.jsonl"
    path.write_text(
        line(1, author={"handle": "@ACME"})
        + line(2, text="😀" * 50_000)
        + line(3, text="\x00\x01\x02" * 100),
        encoding="utf-8",
    )
    pages = list(source(path).poll(None))
    posts = [p for page in pages for p in page.posts]
    assert posts[0].author.is_brand
    assert len(posts[1].text) == 40_000 and posts[1].raw["_truncated_from"] == 50_000
    assert any("binary content" in str(s) for page in pages for s in page.skipped)


def test_missing_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read replay file"):
        list(source(tmp_path / "nope.jsonl").poll(None))


def test_bundled_sample_is_clean_and_varied() -> None:
    pages = list(ReplaySource(name="sample", path=bundled_sample()).poll(None))
    posts = [p for page in pages for p in page.posts]
    assert not [s for page in pages for s in page.skipped]
    assert len(posts) >= 80
    assert {p.source for p in posts} >= {"x", "reddit", "forum"}
    assert {p.lang for p in posts} >= {"en", "pt"}
    assert any(p.parent_id for p in posts)
    keys = [p.key for p in posts]
    assert len(keys) == len(set(keys))
