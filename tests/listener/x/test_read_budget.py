"""X bills reads: a monthly budget paces polls, and the end of a cap or of credits pauses."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from kernel.read_budget import ReadBudget
from tests.httpserver import FakeAPI
from tests.listener.x.helpers import MENTIONS, SEARCH, make_source, response
from triage.polling import poll_source
from triage.storage import Store

NOW = datetime(2026, 11, 16, tzinfo=UTC)  # about half of a November period


def _use(store: Store, name: str, reads: int) -> None:
    run = store.start_poll(name)
    store.finish_poll(run, status="ok", fetched=reads, new=reads, pages=1, reads=reads)


def test_the_budget_is_a_straight_line_over_the_period() -> None:
    budget = ReadBudget(monthly=3000, reset_day=1)
    assert budget.period(NOW) == (
        datetime(2026, 11, 1, tzinfo=UTC),
        datetime(2026, 12, 1, tzinfo=UTC),
    )
    on_pace = budget.plan(used=1400, now=NOW, page_size=100)  # the line is at 1500
    assert on_pace.pages == 2 and on_pace.left == 1600
    ahead = budget.plan(used=1700, now=NOW, page_size=100)
    assert ahead.pages == 0 and not ahead.exhausted
    assert ahead.wait_until == datetime(2026, 11, 18, tzinfo=UTC)  # where the line reaches 1700
    spent = budget.plan(used=3000, now=NOW, page_size=100)
    assert spent.exhausted and spent.wait_until == datetime(2026, 12, 1, tzinfo=UTC)
    assert ReadBudget(monthly=10, reset_day=20).period(NOW)[0] == datetime(2026, 10, 20, tzinfo=UTC)


def test_reads_are_counted_and_a_poll_ahead_of_pace_waits(
    fake_api: FakeAPI, sqlite_store: Store
) -> None:
    source = make_source(fake_api, monthly_read_budget=100_000, queries=["acme"])
    fake_api.add("GET", MENTIONS, response("mentions_page1.json"))
    fake_api.add("GET", MENTIONS, response("mentions_page2.json"))
    fake_api.add("GET", SEARCH, response("zero_results.dm_events.tweepy_cassette.json"))
    first = poll_source(sqlite_store, source)
    assert first.status == "ok"
    [run] = sqlite_store.poll_runs("brand-x")
    assert run.reads == 4 + 3  # every tweet X returned, the skipped retweet too

    _use(sqlite_store, "brand-x", 100_000 - 7)  # as if the month's reads were used already
    requests = len(fake_api.requests)
    paced = poll_source(sqlite_store, make_source(fake_api, monthly_read_budget=100_000))
    assert paced.status == "paused" and "monthly read budget of 100000 used up" in (
        paced.error or ""
    )
    assert len(fake_api.requests) == requests  # nothing read (nothing billed)


def test_with_a_budget_mentions_are_read_before_searches(
    fake_api: FakeAPI, sqlite_store: Store
) -> None:
    budget = ReadBudget(monthly=1_000_000)
    start, end = budget.period(datetime.now(UTC))
    elapsed = (datetime.now(UTC) - start) / (end - start)
    _use(sqlite_store, "brand-x", int(1_000_000 * elapsed))  # on the line: one page allowed
    fake_api.add("GET", MENTIONS, response("mentions_page1.json"))
    source = make_source(fake_api, monthly_read_budget=1_000_000, queries=["acme"])
    outcome = poll_source(sqlite_store, source)
    assert outcome.status == "ok" and outcome.pages == 1
    assert [r.path for r in fake_api.requests] == [MENTIONS]


def test_usage_cap_pauses_the_source_keeps_its_cursor_and_does_not_retry(
    fake_api: FakeAPI, sqlite_store: Store
) -> None:
    fake_api.add("GET", MENTIONS, response("mentions_page1.json"))
    fake_api.add("GET", MENTIONS, response("error_429.usage_capped.composite.json"))
    source = make_source(fake_api, budget_reset_day=5)
    outcome = poll_source(sqlite_store, source)

    assert outcome.status == "paused" and outcome.pages == 1
    message = outcome.error or ""
    assert "X usage cap reached (UsageCapExceeded: Usage cap exceeded: Monthly product cap)" in (
        message
    )
    assert "`social-triage sources resume brand-x`; cursor kept" in message
    assert "\n" not in message
    assert len(fake_api.requests_to(MENTIONS)) == 2  # no retry loop
    [state] = sqlite_store.source_states()
    assert state.paused_until is not None and state.paused_until.day == 5
    assert state.cursor is not None and state.cursor["mentions"]["next_token"]
    assert sqlite_store.count_posts() == 3  # page 1 (its retweet skipped) is kept

    again = poll_source(sqlite_store, make_source(fake_api))
    assert again.status == "paused" and len(fake_api.requests_to(MENTIONS)) == 2

    assert sqlite_store.resume("brand-x")
    fake_api.add("GET", MENTIONS, response("mentions_page2.json"))
    resumed = poll_source(sqlite_store, make_source(fake_api))
    assert resumed.status == "ok"
    assert fake_api.requests_to(MENTIONS)[-1].param("pagination_token")  # where it stopped


def test_credits_depleted_pauses_until_resumed(fake_api: FakeAPI, sqlite_store: Store) -> None:
    fake_api.add("GET", SEARCH, response("error_429.credits_depleted.composite.json"))
    source = make_source(fake_api, mentions=False, queries=["acme", "acme app"])
    outcome = poll_source(sqlite_store, source)
    assert outcome.status == "paused"
    assert "X credits depleted (CreditsDepleted: Your account has no credits left.)" in (
        outcome.error or ""
    )
    assert "add credits, then `social-triage sources resume brand-x`" in (outcome.error or "")
    [state] = sqlite_store.source_states()
    assert state.paused_until is not None
    assert state.paused_until > datetime.now(UTC) + timedelta(days=300)
    assert len(fake_api.requests_to(SEARCH)) == 1  # the other search is not tried either
