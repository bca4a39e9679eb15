"""One contract, every registered source (kernel/plugins.py): paging, cursor resume after a
crash, dedupe, rate limit, malformed page, truncated body, auth failure.

Each runs the real source over its real transport (see source_harnesses.py) through the
poller and a real store, and checks what was stored: nothing lost, nothing twice, and every
failure reported as what it is (never as an unexpected crash).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from kernel.abc import Responder, Source
from kernel.plugins import registered
from tests.contract.source_harnesses import FAILURES, HARNESSES, Harness
from tests.httpserver import FakeAPI
from triage.polling import poll_source
from triage.storage import Store

SOURCES = registered("source")
TYPES = sorted(SOURCES)


@pytest.fixture(params=TYPES)
def harness(request: pytest.FixtureRequest, fake_api: FakeAPI, tmp_path: Path) -> Harness:
    kind = request.param
    assert kind in HARNESSES, f"source type {kind!r} is registered but has no contract harness"
    return HARNESSES[kind](fake_api, tmp_path)


def _no_crash(error: str | None) -> None:
    assert not (error or "").startswith("unexpected"), error


def test_every_registered_source_has_a_harness() -> None:
    assert set(SOURCES) <= set(HARNESSES), set(SOURCES) - set(HARNESSES)


@pytest.mark.parametrize("kind", TYPES)
def test_every_registered_source_is_built_from_its_settings(kind: str) -> None:
    plugin = SOURCES[kind]
    implementation = plugin.load()
    assert issubclass(implementation, Source) and implementation.type == kind
    assert implementation.from_settings.__func__ is not Source.from_settings.__func__
    assert plugin.settings.model_fields["type"].default == kind
    responder = plugin.load_responder()
    if responder is not None:
        assert issubclass(responder, Responder)
        assert responder.from_settings.__func__ is not Responder.from_settings.__func__


def test_paging_reads_every_page(harness: Harness, sqlite_store: Store) -> None:
    expected = harness.serve_pages()
    outcome = poll_source(sqlite_store, harness.source())
    assert outcome.status == "ok", outcome.error
    assert sqlite_store.count_posts() == expected and outcome.new == expected
    assert sqlite_store.get_cursor(harness.source().name) is not None


def test_cursor_resumes_after_a_crash_without_loss_or_duplicates(
    harness: Harness, sqlite_store: Store
) -> None:
    expected = harness.serve_pages()
    source = harness.source()
    pages = source.poll(None)
    first = next(pages)  # the first page is committed with its cursor, then the process dies
    sqlite_store.save_page(source.name, source.type, first.posts, first.cursor)
    pages.close()
    stored = sqlite_store.count_posts()

    harness.serve_pages()  # what the platform shows after the restart
    resumed = poll_source(sqlite_store, harness.source())
    assert resumed.status == "ok", resumed.error
    assert sqlite_store.count_posts() == expected
    assert resumed.new == expected - stored


def test_polling_the_same_data_again_stores_nothing_new(
    harness: Harness, sqlite_store: Store
) -> None:
    expected = harness.serve_pages()
    poll_source(sqlite_store, harness.source())
    harness.serve_pages()
    again = poll_source(sqlite_store, harness.source())
    assert again.status == "ok" and again.new == 0
    assert sqlite_store.count_posts() == expected


@pytest.mark.parametrize("failure", FAILURES)
def test_failures_are_reported_as_what_they_are(
    harness: Harness, sqlite_store: Store, failure: str
) -> None:
    if failure in harness.unsupported:
        pytest.skip(harness.unsupported[failure])
    expected = harness.serve_pages()
    poll_source(sqlite_store, harness.source())

    harness.serve_failure(failure)
    outcome = poll_source(sqlite_store, harness.source())
    _no_crash(outcome.error)
    [state] = sqlite_store.source_states()
    assert sqlite_store.count_posts() == expected  # nothing lost, nothing half-stored
    if failure == "rate_limit":
        assert outcome.status == "rate_limited" and outcome.next_poll_at is not None
    elif failure == "auth":
        assert outcome.status == "auth_error" and not state.healthy
    elif outcome.status == "error":  # a page or body that cannot be read at all
        assert outcome.skipped >= 1 and not state.healthy
    else:  # the source read around it: a skipped item, or a line not yet whole
        assert outcome.status == "ok"
        assert outcome.skipped >= (1 if failure == "malformed" else 0)

    # Once the platform answers normally again, the source carries on from its cursor.
    harness.serve_pages()
    recovered = poll_source(sqlite_store, harness.source(), force=True)
    assert recovered.status == "ok", recovered.error
    assert sqlite_store.count_posts() == expected
