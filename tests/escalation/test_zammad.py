"""The Zammad sink over real HTTP (httpx) against a Zammad that follows its REST API
(tests/escalation/zammad_fake.py), and through the outbox on SQLite and PostgreSQL.

The contract suite (test_contract.py) covers exactly-once, find and status in general; these
tests cover what is Zammad's own: the ticket it is sent, the reference that finds it again
(after a timeout, too), its errors (401, 422, 429) and its state names.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from config import load_settings
from escalation.content import Renderer
from escalation.registry import build_sink
from escalation.retry import RetryPolicy
from escalation.zammad.settings import ZammadSinkSettings
from escalation.zammad.sink import ZammadSink, reference
from kernel.errors import ConfigError, DeliveryPermanent, DeliveryRetryable, NotConfigured
from kernel.models import TicketRef, TicketState
from kernel.scrub import clear_secrets, register_from_settings
from tests.escalation.helpers import CARD, make_case
from tests.escalation.zammad_fake import TOKEN, ZammadFake, error
from tests.httpserver import Response
from tests.test_classify_job import KeywordClassifier, add_posts
from triage.classify_job import classify_pending
from triage.outages import Outages
from triage.outbox import deliver_due, sync_statuses
from triage.storage import Store
from triage.storage.case_delivery import CaseDelivery
from triage.storage.cases import CaseStore

TICKETS = "/api/v1/tickets"
SEARCH = "/api/v1/tickets/search"
POLICY = RetryPolicy(base_seconds=10, max_seconds=60, max_attempts=5)


@pytest.fixture
def zammad() -> Iterator[ZammadFake]:
    api = ZammadFake()
    api.start()
    try:
        yield api
    finally:
        api.stop()


def _sink(api: ZammadFake, **overrides: object) -> ZammadSink:
    options: dict[str, object] = {
        "name": "zammad",
        "url": api.url,
        "token": TOKEN,
        "group": "Social media",
        "customer": "social@acme.example",
        "timeout": 5,
    }
    options.update(overrides)
    return ZammadSink(**options)  # type: ignore[arg-type]


def test_create_sends_the_documented_ticket(zammad: ZammadFake) -> None:
    case = make_case()
    sink = _sink(zammad, tags=["care", "social-triage"])
    ticket = sink.send(case)

    (create,) = [r for r in zammad.requests if r.method == "POST"]
    assert create.headers["authorization"] == f"Token token={TOKEN}"
    assert create.param("expand") == "true"
    sent = json.loads(create.body)
    assert sent["group"] == "Social media"
    assert sent["customer_id"] == "guess:social@acme.example"
    assert sent["priority"] == "3 high"  # the decision's `high`
    ref = reference(case.idempotency_key)
    assert sent["tags"].split(",") == ["care", "social-triage", ref]
    assert CARD not in sent["title"] and sent["title"] == sent["article"]["subject"]
    article = sent["article"]
    assert (article["type"], article["internal"], article["content_type"]) == (
        "note",
        True,
        "text/plain",
    )
    assert case.post.text in article["body"]
    assert article["body"].rstrip().endswith(f"social-triage reference: {ref}")
    assert article["from"] == "@jane_doe (x)"

    assert ticket.ticket_id == "19"
    assert ticket.url == f"{zammad.url}/#ticket/zoom/19"
    assert ticket.status == "new"
    assert zammad.tags[19] == ["care", "social-triage", ref]


def test_the_reference_is_one_search_safe_word_per_key() -> None:
    one, two = reference("st-x-helpdesk-0a1b2c"), reference("x:abc:helpdesk")
    assert one != two and one == reference("st-x-helpdesk-0a1b2c")
    assert len(one) == 34 and one.startswith("st") and one[2:].isalnum() and one.islower()


def test_a_retry_after_a_timeout_finds_the_ticket_instead_of_making_another(
    zammad: ZammadFake,
) -> None:
    """Zammad stored the ticket but answered too late: the retry's search finds it."""
    case = make_case()
    zammad.create_delay = 1.5
    sink = _sink(zammad, timeout=0.5)
    with pytest.raises(DeliveryRetryable, match="create ticket: timed out"):
        sink.send(case)
    ticket = sink.send(case)
    assert ticket.ticket_id == "19"
    assert zammad.creates() == 1
    assert zammad.tickets_tagged(reference(case.idempotency_key)) == 1


def test_a_hit_without_the_reference_tag_is_not_taken_for_the_ticket(zammad: ZammadFake) -> None:
    """An article that merely quotes a reference (an agent pasting it) is found by the search
    but is not the case's ticket: the tags decide."""
    case = make_case()
    ref = reference(case.idempotency_key)
    other = _sink(zammad, tags=[]).send(make_case())
    zammad.articles[int(other.ticket_id)].append({"body": f"see also {ref}"})
    sink = _sink(zammad)
    assert sink.find(case.idempotency_key) is None
    assert sink.send(case).ticket_id != other.ticket_id
    assert zammad.tickets_tagged(ref) == 1


def test_search_without_expand_shape_is_read_too(zammad: ZammadFake) -> None:
    """A search answered with ids and assets (no `expand`) is read as well as a list."""
    case = make_case()
    sent = _sink(zammad).send(case)
    zammad.compact_search = True
    found = _sink(zammad).find(case.idempotency_key)
    assert found is not None and found.ticket_id == sent.ticket_id
    assert found.status is None  # the compact shape has only `state_id`


def test_401_is_permanent_and_never_shows_the_token(zammad: ZammadFake) -> None:
    sink = _sink(zammad, token="wrong-token-123456")
    with pytest.raises(DeliveryPermanent) as raised:
        sink.send(make_case())
    assert str(raised.value) == (
        "zammad zammad: search by reference: HTTP 401: authentication failed"
    )
    assert "wrong-token" not in str(raised.value)
    assert zammad.creates() == 0


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"group": "Nope"}, "HTTP 422: No lookup value found for 'group': \"Nope\""),
        ({"customer": "not-an-address"}, "HTTP 422: Invalid email 'not-an-address' of customer"),
        ({"priorities": {"high": "9 extreme"}}, "No lookup value found for 'priority'"),
    ],
)
def test_422_is_permanent_with_zammads_reason_on_one_line(
    zammad: ZammadFake, overrides: dict[str, object], message: str
) -> None:
    with pytest.raises(DeliveryPermanent, match=message) as raised:
        _sink(zammad, **overrides).send(make_case())
    assert "\n" not in str(raised.value)
    assert not zammad.tickets


def test_429_on_create_is_retryable_after_retry_after(zammad: ZammadFake) -> None:
    zammad.add(
        "POST",
        TICKETS,
        Response(status=429, body="Too Many Requests", headers={"Retry-After": "17"}),
    )
    sink = _sink(zammad)
    case = make_case()
    with pytest.raises(DeliveryRetryable) as raised:
        sink.send(case)
    assert raised.value.retry_after == pytest.approx(17.0)
    assert "HTTP 429" in str(raised.value)
    assert sink.send(case).ticket_id == "19"  # the next attempt goes through, once
    assert len(zammad.tickets) == 1


def test_429_on_search_creates_nothing(zammad: ZammadFake) -> None:
    zammad.add(
        "GET",
        SEARCH,
        Response(status=429, body={"error": "slow down"}, headers={"Retry-After": "5"}),
    )
    with pytest.raises(DeliveryRetryable, match="search by reference: HTTP 429") as raised:
        _sink(zammad).send(make_case())
    assert raised.value.retry_after == pytest.approx(5.0)
    assert zammad.creates() == 0


def test_500_and_a_refused_connection_are_retryable(zammad: ZammadFake) -> None:
    zammad.add("POST", TICKETS, error(500, "internal"))
    with pytest.raises(DeliveryRetryable, match="HTTP 500"):
        _sink(zammad).send(make_case())
    closed = ZammadSink(
        name="z", url="http://127.0.0.1:9", token=TOKEN, group="g", customer="c@d.e", timeout=2
    )
    with pytest.raises(DeliveryRetryable, match="connection failed"):
        closed.send(make_case())


@pytest.mark.parametrize(
    ("state", "meaning"),
    [
        ("new", TicketState.OPEN),
        ("open", TicketState.OPEN),
        ("pending reminder", TicketState.WAITING),
        ("closed", TicketState.RESOLVED),
        ("merged", TicketState.RESOLVED),
        ("removed", TicketState.REJECTED),
    ],
)
def test_status_reads_the_state_by_name_and_maps_it(
    zammad: ZammadFake, state: str, meaning: TicketState
) -> None:
    sink = _sink(zammad)
    ticket = sink.send(make_case())
    zammad.set_state(int(ticket.ticket_id), state)
    assert sink.status(ticket) == state
    assert sink.ticket_state(state) is meaning
    (read,) = [r for r in zammad.requests if r.path == f"{TICKETS}/{ticket.ticket_id}"]
    assert read.param("expand") == "true"


def test_pending_close_waits_and_an_unknown_state_counts_as_open() -> None:
    sink = ZammadSink(name="z", url="http://z", token=TOKEN, group="g", customer="c@d.e")
    assert sink.ticket_state("pending close") is TicketState.WAITING
    assert sink.ticket_state("waiting for parts") is TicketState.OPEN
    sink.close()


def test_status_of_a_deleted_ticket_is_permanent(zammad: ZammadFake) -> None:
    with pytest.raises(DeliveryPermanent, match="HTTP 404: Couldn't find Ticket"):
        _sink(zammad).status(TicketRef(ticket_id="999", url=None))


# --- settings ------------------------------------------------------------------------------


CONFIG = """
sinks:
  - name: helpdesk
    type: zammad
    url: {url}
    token_env: TEST_ZAMMAD_TOKEN
    group: Social media
    customer: social@acme.example
    tags: [social-triage, care]
    priorities: {{urgent: 3 high, high: 3 high, normal: 2 normal, low: 1 low}}
"""


def test_settings_build_the_sink_and_its_token_is_scrubbed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "social-triage.yaml"
    path.write_text(CONFIG.format(url="https://zammad.example.com/"), encoding="utf-8")
    secret = "zammad-secret-token-0a1b2c3d"
    monkeypatch.setenv("TEST_ZAMMAD_TOKEN", secret)
    settings = load_settings(path, environ={})
    [zs] = settings.sinks
    assert isinstance(zs, ZammadSinkSettings) and zs.group == "Social media"
    sink = build_sink(zs, templates=None)
    assert isinstance(sink, ZammadSink)
    assert sink.url == "https://zammad.example.com" and sink.tags == ["social-triage", "care"]
    assert secret not in sink.describe()
    sink.close()
    from kernel.scrub import scrub

    try:
        register_from_settings(settings)
        assert secret not in (scrub(f"HTTP 401: bad token {secret}") or "")
        assert secret not in (scrub(f"Authorization: Token token={secret}") or "")
    finally:
        clear_secrets()


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        (
            ZammadSinkSettings(
                name="z", url="http://z", group="g", customer="c@d.e", token_env="UNSET_ZAMMAD"
            ),
            r"sinks\[z\]\.token: not configured; set the environment variable UNSET_ZAMMAD",
        ),
        (
            ZammadSinkSettings(
                name="z", url="http://z", group="g", customer="c@d.e", token_env=None
            ),
            r"sinks\[z\]\.token_env: not configured \(or give token_file\)",
        ),
        (
            ZammadSinkSettings(name="z", url="http://z", group=" ", customer="c@d.e"),
            r"sinks\[z\]\.group: not configured",
        ),
    ],
)
def test_missing_settings_are_named(settings: ZammadSinkSettings, message: str) -> None:
    with pytest.raises(NotConfigured, match=message):
        build_sink(settings)


def test_templates_override_the_ticket_text(zammad: ZammadFake, tmp_path: Path) -> None:
    (tmp_path / "subject.txt.j2").write_text("Social case {{ case.id }}")
    _sink(zammad, renderer=Renderer(tmp_path)).send(make_case())
    sent = json.loads(next(r for r in zammad.requests if r.method == "POST").body)
    assert sent["title"] == "Social case 42"


# --- through the outbox, on both databases --------------------------------------------------


def _cases(store: Store, texts: list[str]) -> tuple[CaseStore, CaseDelivery]:
    add_posts(store, texts)
    classify_pending(store, KeywordClassifier(), default_sink="helpdesk")
    return CaseStore(store.engine), CaseDelivery(store.engine)


def test_outbox_delivers_once_across_a_timeout_and_syncs_the_state(
    store: Store, zammad: ZammadFake
) -> None:
    cs, outbox = _cases(store, ["card one", "card two", "wifi"])
    sink = _sink(zammad, timeout=0.5)
    zammad.create_delay = 1.5  # the first create is stored, then answered too late
    report = deliver_due(outbox, {"helpdesk": sink}, POLICY)
    assert (report.sent, report.failed) == (1, 1)
    [failed] = cs.list("failed")
    assert failed.last_error is not None and "timed out" in failed.last_error
    assert cs.retry(failed.id)
    assert deliver_due(outbox, {"helpdesk": sink}, POLICY).sent == 1
    assert len(zammad.tickets) == 2 and zammad.creates() == 2
    assert cs.counts() == {"sent": 2}
    rows = cs.list("sent")
    assert {r.ticket_id for r in rows} == {"19", "20"}
    refs = [tag for tags in zammad.tags.values() for tag in tags if tag.startswith("st")]
    assert len(refs) == len(set(refs)) == 2  # one ticket per case key

    zammad.set_state(19, "pending reminder")
    zammad.set_state(20, "closed")
    assert sync_statuses(outbox, {"helpdesk": sink}, follow_up=Renderer().follow_up) == 1
    [closed] = cs.list("closed")
    assert closed.ticket_id == "20" and closed.follow_up
    [still] = cs.list("sent")
    assert still.ticket_id == "19"


def test_outbox_honours_retry_after_and_keeps_zammads_refusal(
    store: Store, zammad: ZammadFake
) -> None:
    cs, outbox = _cases(store, ["card one"])
    zammad.add("POST", TICKETS, Response(status=429, body="busy", headers={"Retry-After": "45"}))
    before = datetime.now(UTC)
    assert deliver_due(outbox, {"helpdesk": _sink(zammad)}, POLICY).failed == 1
    [row] = cs.list("failed")
    assert row.next_attempt_at is not None
    assert row.next_attempt_at >= before + timedelta(seconds=45)
    assert not zammad.tickets

    assert cs.retry(row.id)
    assert deliver_due(outbox, {"helpdesk": _sink(zammad, group="Nope")}, POLICY).dead == 1
    [dead] = cs.list("dead")
    assert dead.last_error == (
        "zammad zammad: create ticket: HTTP 422: No lookup value found for 'group': \"Nope\""
    )


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("url: zammad.example.com", r"sinks\.0\.url: String should match pattern"),
        ("customer: social-team", r"sinks\.0\.customer: String should match pattern"),
    ],
)
def test_a_bad_url_or_customer_is_refused_at_load(tmp_path: Path, line: str, message: str) -> None:
    path = tmp_path / "c.yaml"
    text = CONFIG.format(url="https://zammad.example.com")
    key = line.split(":", 1)[0]
    text = "\n".join(
        f"    {line}" if row.strip().startswith(f"{key}:") else row for row in text.splitlines()
    )
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        load_settings(path, environ={})


def test_a_refusal_that_echoes_the_token_is_stored_without_it(
    store: Store, zammad: ZammadFake, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A proxy that quotes the request's credentials back: the case's stored error is scrubbed
    of the configured token (registered from the settings at start, as the daemon does)."""
    path = tmp_path / "social-triage.yaml"
    path.write_text(CONFIG.format(url=zammad.url), encoding="utf-8")
    monkeypatch.setenv("TEST_ZAMMAD_TOKEN", TOKEN)
    settings = load_settings(path, environ={})
    echo = f"invalid credentials: Authorization: Token token={TOKEN} (token {TOKEN})"
    zammad.add("GET", SEARCH, error(401, echo))
    cs, outbox = _cases(store, ["card one"])
    try:
        register_from_settings(settings)
        sink = build_sink(settings.sinks[0])
        assert deliver_due(outbox, {"helpdesk": sink}, POLICY).dead == 1
        sink.close()
    finally:
        clear_secrets()
    [dead] = cs.list("dead")
    assert dead.last_error is not None and "HTTP 401: invalid credentials" in dead.last_error
    assert TOKEN not in dead.last_error


def test_a_reference_tag_zammad_did_not_keep_is_a_warning(
    zammad: ZammadFake, caplog: pytest.LogCaptureFixture
) -> None:
    """The ticket exists, so the case is delivered; the log says why a retry could not find it."""
    zammad.drop_tags = True
    ticket = _sink(zammad).send(make_case())
    assert ticket.ticket_id == "19"
    assert "did not keep the reference tag on ticket 19" in caplog.text
    caplog.clear()
    zammad.drop_tags = False
    _sink(zammad).send(make_case())
    assert "reference tag" not in caplog.text


def test_a_failed_tag_check_after_the_create_still_delivers(
    zammad: ZammadFake, caplog: pytest.LogCaptureFixture
) -> None:
    zammad.add("GET", "/api/v1/tags", error(500, "busy"))  # the check after the create
    case = make_case()
    zammad.add("GET", SEARCH, Response(status=200, body=[]))  # the search before it
    ticket = _sink(zammad).send(case)
    assert ticket.ticket_id == "19" and zammad.creates() == 1
    assert "cannot check ticket 19's tags" in caplog.text
    assert _sink(zammad).send(case).ticket_id == "19"  # and a retry finds it
    assert zammad.creates() == 1


def test_a_zammad_that_stops_answering_status_reads_is_said_once_not_per_ticket(
    store: Store, zammad: ZammadFake, caplog: pytest.LogCaptureFixture
) -> None:
    """Issue 19, logs: sync passes against a Zammad answering 503 to every ticket read say it
    down once and back once (with how long), not a warning per open ticket per pass."""
    _, outbox = _cases(store, ["card one", "card two", "wifi"])
    sink = _sink(zammad, timeout=2)
    assert deliver_due(outbox, {"helpdesk": sink}, POLICY).sent == 2  # wifi is no helpdesk case
    outages = Outages()
    for ticket_id in zammad.tickets:
        for _ in range(3):
            zammad.add("GET", f"{TICKETS}/{ticket_id}", error(503, "maintenance"))
    caplog.set_level(logging.INFO)
    for _ in range(3):
        assert sync_statuses(outbox, {"helpdesk": sink}, outages=outages) == 0
    zammad.set_state(20, "closed")  # back, and one ticket closed meanwhile
    assert sync_statuses(outbox, {"helpdesk": sink}, outages=outages) == 1
    said = [r.getMessage() for r in caplog.records if "helpdesk" in r.getMessage()]
    loud = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(loud) == 1 and loud[0].startswith("sink helpdesk is down: "), loud
    assert "HTTP 503" in loud[0]
    back = [line for line in said if "is back after" in line]
    assert len(back) == 1 and re.search(r" after \d+ s\b", back[0]), said
    assert "Traceback" not in caplog.text
