"""A reply reaches the helpdesk with what it answers, even when that parent is not stored."""

from __future__ import annotations

from escalation.memory import MemorySink
from escalation.retry import RetryPolicy
from tests.httpserver import FakeAPI
from tests.listener.x.helpers import MENTIONS, make_source, response
from tests.test_classify_job import KeywordClassifier
from triage.classify_job import classify_pending
from triage.outbox import deliver_due
from triage.polling import poll_source
from triage.storage import Store
from triage.storage.case_delivery import CaseDelivery

BRAND_POST = "We're rolling out a new billing page today. Questions? Ask us here."


def test_an_x_reply_carries_its_parent_into_the_case_thread(
    fake_api: FakeAPI, sqlite_store: Store
) -> None:
    page = response("mentions_page1.json")
    page.body["data"][0]["text"] = "@AcmeSupport my card was charged twice"
    page.body["data"] = page.body["data"][:1]
    fake_api.add("GET", MENTIONS, page)
    assert poll_source(sqlite_store, make_source(fake_api, max_pages=1)).new == 1

    stored = sqlite_store.find_post("x", "1790000000000000009")
    assert stored is not None and stored.post.parent_id == "1790000000000000001"
    assert stored.post.conversation_id == "1790000000000000001"
    assert stored.post.raw["parent"] == {
        "external_id": "1790000000000000001",
        "text": BRAND_POST,
        "author": "AcmeSupport",
        "created_at": "2024-05-13T09:00:00+00:00",
        "url": "https://x.com/AcmeSupport/status/1790000000000000001",
    }
    assert sqlite_store.find_post("x", "1790000000000000001") is None  # never stored

    classify_pending(sqlite_store, KeywordClassifier(), default_sink="desk")
    sink = MemorySink(name="desk")
    policy = RetryPolicy(base_seconds=10, max_seconds=60, max_attempts=3)
    assert deliver_due(CaseDelivery(sqlite_store.engine), {"desk": sink}, policy).sent == 1
    [case] = sink.cases.values()
    [parent] = case.thread
    assert parent.text == BRAND_POST and parent.author.handle == "AcmeSupport"
    assert parent.external_id == "1790000000000000001"
