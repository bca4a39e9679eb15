"""Time left and team figures from the real database (SQLite and PostgreSQL): the least time
left first across routes, first-response time in business hours, handle time from the claim,
answers per day (issue 18)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import update

from config.schema import Settings
from kernel.errors import InputError
from kernel.models import Route
from tests.queue.seed import decide, users
from triage.queue import Filters, QueueService, View
from triage.queue.figures import (
    answers_by_day,
    figures_with_total,
    percentile,
    period,
    team_figures,
)
from triage.queue.users import UserStore
from triage.storage import Store, make_engine, migrate
from triage.storage.tables import audit_log, posts, replies

TARGETS = {"public_reply": 60, "private_dm": 60, "helpdesk": 240}
WEEK = {day: ["09:00-18:00"] for day in ("mon", "tue", "wed", "thu", "fri")}
MONDAY = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)  # Lisbon is on UTC in November


def _service(store: Store, **sla: object) -> QueueService:
    users(store)
    settings = Settings.model_validate({"sla": {"first_response_minutes": TARGETS, **sla}})
    return QueueService(settings, store)


def test_least_time_left_first_across_routes_and_pages(store: Store) -> None:
    service = _service(store)
    minutes = timedelta(minutes=1)
    made = {
        "pub_fresh": decide(store, external_id="a", text="a", age=10 * minutes),
        "pub_old": decide(store, external_id="b", text="b", age=50 * minutes),
        "help_old": decide(
            store, external_id="c", text="c", route=Route.HELPDESK, age=200 * minutes
        ),
        "help_new": decide(
            store, external_id="d", text="d", route=Route.HELPDESK, age=30 * minutes
        ),
        "dm_late": decide(
            store, external_id="e", text="e", route=Route.PRIVATE_DM, age=70 * minutes
        ),
        "no_target": decide(
            store, external_id="f", text="f", route=Route.IGNORE, age=900 * minutes
        ),
    }
    answered = decide(store, external_id="g", text="g", route=Route.PRIVATE_DM, age=80 * minutes)
    ana = UserStore(store.engine).get("ana")
    assert ana is not None
    service.respond(answered, ana, "Olá!", channel="dm")

    order = ["dm_late", "pub_old", "help_old", "pub_fresh", "help_new", "no_target"]
    seen: list[int] = []
    cursor = 0
    while True:
        page = service.due_page(View.LABEL, Filters(), page=cursor)
        seen += [i.post_id for i in page.items]
        if page.next_cursor is None:
            break
        cursor = int(page.next_cursor)
    assert seen == [made[name] for name in order]
    first = service.due_page(View.LABEL, Filters(), page=0, limit=5)
    second = service.due_page(View.LABEL, Filters(), page=1, limit=5)
    assert [i.post_id for i in first.items + second.items] == seen
    assert first.next_cursor == "1" and second.next_cursor is None
    # One route's view, and the badges agree with the order.
    pub = service.due_page(View.PUBLIC_REPLY, Filters(), page=0)
    assert [i.post_id for i in pub.items] == [made["pub_old"], made["pub_fresh"]]
    states = [service.sla(i)[0] for i in service.due_page(View.LABEL, Filters(), page=0).items]
    assert states[:3] == ["breach", "soon", "soon"] and states[3:5] == ["ok", "ok"]
    with pytest.raises(InputError, match="answered is not a view of open posts"):
        service.due_page(View.ANSWERED, Filters(), page=0)
    with pytest.raises(InputError, match="page: 99"):
        service.due_page(View.LABEL, Filters(), page=99)


def test_walking_posts_oldest_first_gives_the_same_pages_as_sorting_the_route(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLite walks `ix_posts_created_at_id` when a route holds many of the posts, else sorts
    the route (`triage.queue.due._walk`): both ways must give the same pages."""
    from triage.queue import due
    from triage.storage import queue_views

    service = _service(store)
    routes = [Route.PUBLIC_REPLY, Route.PUBLIC_REPLY, Route.HELPDESK, Route.PRIVATE_DM]
    for i in range(24):
        decide(
            store,
            external_id=f"w{i}",
            text=f"w{i}",
            route=routes[i % 4],
            age=timedelta(minutes=(i * 37) % 300 + 1),
            needs_review=i % 3 == 0,
        )

    def pages(view: View) -> list[list[int]]:
        return [
            [i.post_id for i in service.due_page(view, Filters(), page=n, limit=4).items]
            for n in range(7)
        ]

    views = (View.LABEL, View.PUBLIC_REPLY, View.HELPDESK, View.REVIEW)
    sorted_route = {view: pages(view) for view in views}
    monkeypatch.setattr(queue_views, "route_sizes", lambda _conn: {"public_reply": 12})
    monkeypatch.setattr(due, "_walk", lambda *_args: True)
    assert {view: pages(view) for view in views} == sorted_route
    assert sum(map(len, sorted_route[View.LABEL])) == 24


def test_the_walk_is_chosen_for_a_route_with_many_posts_and_uses_the_index(
    sqlite_store: Store,
) -> None:
    from sqlalchemy import event

    from triage.queue import due

    sizes = {"public_reply": 5000, "helpdesk": 1000, "private_dm": 2000, "ignore": 2000}
    assert due._walk(View.PUBLIC_REPLY, Filters(), 51, "public_reply", sizes)
    assert not due._walk(View.HELPDESK, Filters(), 151, "helpdesk", sizes)  # 1,510 > 1,000
    assert not due._walk(View.REVIEW, Filters(), 51, "public_reply", sizes)  # its own condition
    assert not due._walk(View.PUBLIC_REPLY, Filters(search="x"), 51, "public_reply", sizes)

    service = _service(sqlite_store)
    for i in range(30):
        decide(sqlite_store, external_id=f"u{i}", text=f"u{i}", age=timedelta(minutes=i + 1))
    seen: list[tuple[str, object]] = []
    engine = sqlite_store.engine

    @event.listens_for(engine, "before_cursor_execute")
    def _keep(_c: object, _cur: object, statement: str, params: object, *_rest: object) -> None:
        if "ORDER BY posts.created_at, posts.id" in statement:
            seen.append((statement, params))

    page = service.due_page(View.PUBLIC_REPLY, Filters(), page=0, limit=5)
    assert len(page.items) == 5
    (statement, params), *_ = seen
    with engine.connect() as conn:
        plan = " ".join(
            str(row[3]) for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", params)
        )
    assert "ix_posts_created_at_id" in plan and "TEMP B-TREE" not in plan


def test_each_tab_counts_its_late_posts_as_the_badges_do(store: Store) -> None:
    service = _service(store)
    minutes = timedelta(minutes=1)
    ages = {
        ("p1", Route.PUBLIC_REPLY): 70,
        ("p2", Route.PUBLIC_REPLY): 10,
        ("p3", Route.PUBLIC_REPLY): 61,
        ("d1", Route.PRIVATE_DM): 70,
        ("d2", Route.PRIVATE_DM): 59,
        ("h1", Route.HELPDESK): 300,
        ("h2", Route.HELPDESK): 200,
        ("i1", Route.IGNORE): 900,  # no target: never late
    }
    made = {
        name: decide(
            store, external_id=name, text=name, route=route, age=age * minutes,
            needs_review=name in ("p1", "h2"),
        )
        for (name, route), age in ages.items()
    }  # fmt: skip
    ana = UserStore(store.engine).get("ana")
    assert ana is not None
    late = service.reads.late()
    assert late == {
        View.PUBLIC_REPLY: 2,
        View.PRIVATE_DM: 1,
        View.HELPDESK: 1,
        View.REVIEW: 1,
    }
    for view, n in late.items():  # the same posts the badges call breached
        items = service.page(view, Filters(), limit=50).items
        assert sum(service.sla(i)[0] == "breach" for i in items) == n
    service.respond(made["p1"], ana, "Olá!", channel="reply")  # answered: no longer late
    service.ignore(made["d1"], ana)
    assert service.reads.late() == {
        View.PUBLIC_REPLY: 1,
        View.PRIVATE_DM: 0,
        View.HELPDESK: 1,
        View.REVIEW: 0,
    }
    assert service.reads.counts()[View.PUBLIC_REPLY] == 2


def test_tab_counts_agree_with_each_views_own_condition(store: Store) -> None:
    """The tab counts group rows by route, review, work state and lateness in one scan; each
    view's count must be what its own condition (`queue_views.view_condition`) counts."""
    from sqlalchemy import func

    from triage.storage import queue_views as views

    service = _service(store)
    ana = UserStore(store.engine).get("ana")
    assert ana is not None
    made = [
        decide(store, external_id=f"c{i}", text=f"c{i}", route=route, needs_review=i % 3 == 0,
               age=timedelta(minutes=i * 40))
        for i, route in enumerate(
            [Route.PUBLIC_REPLY, Route.PRIVATE_DM, Route.HELPDESK, Route.IGNORE] * 4
        )
    ]  # fmt: skip
    service.ignore(made[0], ana)
    service.ignore(made[4], ana)
    decide(store, external_id="r4", text="brand", is_brand=True, parent_id="c4")  # ignored+answered
    decide(store, external_id="r8", text="brand", is_brand=True, parent_id="c8")  # answered
    service.escalate(made[12], ana)
    service.respond(made[1], ana, "Oi", channel="dm")
    counts, late = service.reads._counts(late=True)
    with store.engine.connect() as conn:
        for view, n in counts.items():
            stmt = views.base().with_only_columns(func.count()).where(views.view_condition(view))
            assert conn.execute(stmt).scalar_one() == n, view
        for view, n in late.items():
            found = service.page(view, Filters(), limit=50).items
            assert sum(service.sla(i)[0] == "breach" for i in found) == n, view
    assert counts[View.IGNORED] >= 2 and counts[View.ANSWERED] >= 3 and any(late.values())
    filtered, none = service.reads._counts(Filters(source="x"))
    assert filtered == counts and none == {}


def test_without_targets_no_tab_says_late(store: Store) -> None:
    users(store)
    settings = Settings.model_validate(
        {"sla": {"first_response_minutes": {}}, "web": {"sla_minutes": {}}}
    )
    service = QueueService(settings, store)
    decide(store, external_id="x", text="x", age=timedelta(days=3))
    assert service.reads.late() == {}
    assert service.reads.counts()[View.PUBLIC_REPLY] == 1


def _at(store: Store, post_id: int, when: datetime) -> None:
    with store.engine.begin() as conn:
        conn.execute(update(posts).where(posts.c.id == post_id).values(created_at=when))


def _answer(store: Store, post_id: int, by: str, when: datetime, channel: str = "reply") -> None:
    with store.engine.begin() as conn:
        conn.execute(
            replies.insert().values(
                post_id=post_id, channel=channel, text="Olá", dry_run=True, sent_by=by, sent_at=when
            )
        )


def _act(
    store: Store, post_id: int, actor: str, action: str, when: datetime, **detail: str
) -> None:
    with store.engine.begin() as conn:
        conn.execute(
            audit_log.insert().values(
                at=when,
                actor=actor,
                action=action,
                post_id=post_id,
                detail=json.dumps(detail) if detail else None,
            )
        )


def test_figures_from_seeded_actions(store: Store) -> None:
    service = _service(store, timezone="Europe/Lisbon", business_hours=WEEK)
    m = timedelta(minutes=1)
    ids = [decide(store, external_id=str(n), text=f"post {n}") for n in range(1, 7)]
    p1, p2, p3, p4, p5, p6 = ids
    for post in (p1, p2, p3, p4, p5):
        _at(store, post, MONDAY)
    friday_late = datetime(2026, 11, 6, 17, 50, tzinfo=UTC)
    _at(store, p6, friday_late)
    # ana: first answers after 10, 30 and 90 business minutes; claims 6 and 20 minutes before.
    _act(store, p1, "ana", "claim", MONDAY + 4 * m)
    _answer(store, p1, "ana", MONDAY + 10 * m)
    _act(store, p2, "ana", "claim", MONDAY + 1 * m)
    _act(store, p2, "ana", "claim", MONDAY + 10 * m)  # the claim that led to the answer
    _answer(store, p2, "ana", MONDAY + 30 * m, channel="dm")
    _answer(store, p3, "ana", MONDAY + 90 * m)  # answered without claiming first
    _answer(store, p5, "ana", datetime(2026, 11, 10, 9, 0, tzinfo=UTC))  # after the period
    # bia: p4 after 20 minutes (claimed 5 before), a second answer on p1 after a lead's
    # reassignment 20 minutes before, and p6 over the weekend: 10 + 10 business minutes.
    _act(store, p4, "bia", "claim", MONDAY + 15 * m)
    _answer(store, p4, "bia", MONDAY + 20 * m)
    _act(store, p1, "lia", "reassign", MONDAY + 100 * m, to="bia")
    _answer(store, p1, "bia", MONDAY + 120 * m)
    _answer(store, p6, "bia", datetime(2026, 11, 9, 9, 10, tzinfo=UTC))

    chosen = period("custom", "Europe/Lisbon", start="2026-11-02", end="2026-11-09")
    assert chosen.days == 8
    found = {
        f.name: f
        for f in team_figures(
            store.engine, service.clock, chosen.start, chosen.end, days=chosen.days
        )
    }
    assert set(found) == {"ana", "bia"}
    ana, bia = found["ana"], found["bia"]
    assert (ana.answers, ana.first_responses, ana.handled) == (3, 3, 2)
    assert ana.answers_per_day == pytest.approx(3 / 8)
    assert ana.first_response_median == pytest.approx(30)
    assert ana.first_response_p90 == pytest.approx(78)
    assert ana.within_target == pytest.approx(2 / 3)
    assert ana.handle_median == pytest.approx(13)
    assert ana.handle_p90 == pytest.approx(18.6)
    assert (bia.answers, bia.first_responses, bia.handled) == (3, 2, 2)
    assert bia.first_response_median == pytest.approx(20)
    assert bia.first_response_p90 == pytest.approx(20)
    assert bia.within_target == pytest.approx(1.0)
    assert bia.handle_median == pytest.approx(12.5)
    assert bia.handle_p90 == pytest.approx(18.5)
    # The whole team: everyone's values together, not an average of the people's figures.
    people, team = figures_with_total(
        store.engine, service.clock, chosen.start, chosen.end, days=chosen.days
    )
    assert [p.name for p in people] == ["ana", "bia"] and team is not None
    assert (team.answers, team.first_responses, team.handled) == (6, 5, 4)
    assert team.answers_per_day == pytest.approx(6 / 8)
    assert team.first_response_median == pytest.approx(20)
    assert team.first_response_p90 == pytest.approx(66)
    assert team.within_target == pytest.approx(0.8)
    assert team.handle_median == pytest.approx(13)
    assert team.handle_p90 == pytest.approx(20)
    names, days = answers_by_day(store.engine, "Europe/Lisbon", chosen)
    assert names == ["ana", "bia"] and len(days) == 8
    assert days[0] == (date(2026, 11, 2), [3, 2])
    assert days[-1] == (date(2026, 11, 9), [0, 1])
    assert all(counts == [0, 0] for _day, counts in days[1:-1])
    # The day after: ana's answer to p5, eight days on: 53 business hours (8 + 4 x 9 + 9).
    later = period("custom", "Europe/Lisbon", start="2026-11-10", end="2026-11-10")
    (only,) = team_figures(store.engine, service.clock, later.start, later.end, days=later.days)
    assert (only.name, only.answers, only.first_responses, only.handled) == ("ana", 1, 1, 0)
    assert only.first_response_median == pytest.approx(53 * 60)
    assert only.within_target == pytest.approx(0.0)
    assert only.handle_median is None


def test_an_answer_through_the_queue_counts(store: Store) -> None:
    service = _service(store)
    post = decide(store, external_id="1", text="meu pedido", age=timedelta(minutes=12))
    ana = UserStore(store.engine).get("ana")
    assert ana is not None
    service.claim(post, ana)
    service.respond(post, ana, "Olá! Vamos ver.", channel="reply")
    today = period("1d", "UTC")
    (row,) = team_figures(store.engine, service.clock, today.start, today.end, days=today.days)
    assert (row.name, row.answers, row.first_responses, row.handled) == ("ana", 1, 1, 1)
    assert row.first_response_median is not None
    assert 11.5 <= row.first_response_median <= 30
    assert row.handle_median is not None and 0 <= row.handle_median < 5


def test_periods_are_whole_local_days() -> None:
    today = date(2026, 3, 30)
    week = period("7d", "Europe/Lisbon", today=today)
    assert (week.first, week.last, week.days) == (date(2026, 3, 24), today, 7)
    # Summer time began on the 29th: Lisbon's midnight moved from 00:00 to 23:00 UTC.
    assert week.start == datetime(2026, 3, 24, 0, 0, tzinfo=UTC)
    assert week.end == datetime(2026, 3, 30, 23, 0, tzinfo=UTC)
    for bad, says in [
        ({"start": "2026-13-01", "end": "2026-03-01"}, "must be dates"),
        ({"start": "2026-03-02", "end": "2026-03-01"}, "end is before the start"),
        ({"start": "0001-01-01", "end": "2026-03-01"}, "dates from 2000"),
        ({"start": "2024-01-01", "end": "2026-03-01"}, "at most 366 days"),
    ]:
        with pytest.raises(InputError, match=says):
            period("custom", "UTC", today=today, **bad)
    with pytest.raises(InputError, match="period: '9y' is not one of"):
        period("9y", "UTC")


def test_percentiles_interpolate() -> None:
    assert percentile([], 50) is None
    assert percentile([7.0], 90) == pytest.approx(7.0)
    assert percentile([10.0, 30.0, 90.0], 90) == pytest.approx(78.0)
    assert percentile([1.0, 2.0, 3.0, 4.0], 50) == pytest.approx(2.5)


def test_the_cli_lists_by_time_left_and_prints_the_figures(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.queue.test_queue_cli import run

    monkeypatch.chdir(tmp_path)
    engine = make_engine(f"sqlite:///{tmp_path}/social-triage.db")
    migrate(engine)
    here = Store(engine)
    service = _service(here)
    m = timedelta(minutes=1)
    fresh = decide(here, external_id="a", text="chegou agora", age=5 * m)
    late = decide(here, external_id="b", text="esperando faz tempo", age=90 * m)
    code, out = run("queue", "list", "--sort", "due", "--limit", "1")
    assert code == 0, out
    assert out.splitlines()[0].split()[0] == str(late) and "breached" in out
    assert "more: --cursor 1" in out
    code, out = run("queue", "list", "--sort", "due", "--limit", "1", "--cursor", "1")
    assert out.splitlines()[0].split()[0] == str(fresh) and "m left" in out
    code, out = run("queue", "list", "--sort", "due", "--cursor", "x1")
    assert code == 2 and "is not a page number" in out
    ana = UserStore(engine).get("ana")
    assert ana is not None
    service.claim(late, ana)
    service.respond(late, ana, "Olá!", channel="reply")
    code, out = run("queue", "figures", "--period", "1d")
    assert code == 0, out
    row = next(line.split("\t") for line in out.splitlines() if line.startswith("ana\t"))
    assert row[1:4] == ["1", "1.00", "1"] and float(row[4]) >= 89
    assert row[6] == "0%" and row[7] == "1"
    assert any(line.startswith("(whole team)\t1\t") for line in out.splitlines())
    code, out = run("queue", "figures", "--period", "custom", "--start", "2026-02-30")
    assert code == 2 and "must be dates" in out
    engine.dispose()
