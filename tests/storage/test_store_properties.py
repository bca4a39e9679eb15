"""Property-based tests: any page of generated posts is stored or quarantined by the real database
(SQLite and PostgreSQL), and the cursor always moves."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kernel.models import Post
from tests.strategies import posts
from triage.storage import Store


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(st.lists(posts, min_size=1, max_size=5))
def test_any_page_is_stored_or_quarantined_by_the_real_database(
    store: Store, page: list[Post]
) -> None:
    """What the normaliser lets through, SQLite and PostgreSQL accept; the rest is quarantined;
    the cursor always moves."""
    cursor = {"n": len(page)}
    store.save_page("prop", "replay", page, cursor)
    assert store.get_cursor("prop") == cursor
