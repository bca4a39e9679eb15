"""Storage builds the queue's views from their names: its route views must be the queue's own
(`triage.queue.models.View`) and its work states the kernel's `ItemStatus`, so a renamed or
added state or view cannot drift apart from the SQL that finds it."""

from __future__ import annotations

from kernel.models import Route
from triage.queue.models import ItemStatus, View
from triage.storage import queue_views


def test_the_stored_work_states_are_the_queues() -> None:
    stored = {queue_views.OPEN, queue_views.ANSWERED, queue_views.IGNORED, queue_views.ESCALATED}
    assert stored == {s.value for s in ItemStatus}


def test_the_route_views_are_the_views_named_after_a_route() -> None:
    routes = {r.value for r in Route}
    assert set(queue_views.ROUTE_VIEWS) == {v.value for v in View if v.value in routes}


def test_every_view_has_its_own_condition() -> None:
    built = {
        str(queue_views.view_condition(v).compile(compile_kwargs={"literal_binds": True}))
        for v in View
    }
    assert len(built) == len(View)
