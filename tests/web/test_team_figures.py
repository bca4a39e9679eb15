"""The Team page's figures and the queue's time-left order, through the web app (issue 18)."""

from __future__ import annotations

import html
import re
from datetime import timedelta

from starlette.testclient import TestClient

from config.schema import Settings
from kernel.models import Route
from tests.queue.seed import decide
from tests.web.conftest import login
from triage.storage import Store
from triage.web.app import create_app

SETTINGS = {"sla": {"first_response_minutes": {"public_reply": 60, "helpdesk": 240}}}


def _client(store: Store) -> TestClient:
    return TestClient(
        create_app(Settings.model_validate(SETTINGS), store), base_url="http://testserver"
    )


def test_the_team_page_shows_figures_for_the_period(web_store: Store) -> None:
    post = decide(web_store, external_id="1", text="cobrança duplicada", age=timedelta(minutes=20))
    ana, lia = _client(web_store), _client(web_store)
    csrf = login(ana, "ana")
    assert ana.post(f"/items/{post}/claim", data={"csrf": csrf}).status_code in (200, 303)
    assert ana.post(f"/items/{post}/reply", data={"csrf": csrf, "text": "Olá!"}).status_code == 200
    assert ana.get("/team").status_code == 403
    login(lia, "lia")
    page = lia.get("/team?period=1d")
    assert page.status_code == 200
    row = re.search(r'<tr data-person="ana">(.*?)</tr>', page.text, re.S)
    assert row, page.text
    cells = re.findall(r"<td>(.*?)</td>", row.group(1))[1:]  # after the name
    # Answers, per day, first responses, median, p90, within target, handled after a claim.
    assert cells[0] == "1" and cells[1] == "1.0" and cells[2] == "1"
    assert re.fullmatch(r"2\dm", cells[3]) and cells[5] == "100%" and cells[6] == "1"
    total = re.search(r'<tr class="team-total" data-person="">(.*?)</tr>', page.text, re.S)
    assert total and "Whole team" in total.group(1)
    assert re.findall(r"<td>(.*?)</td>", total.group(1))[:3] == ["1", "1.0", "1"]
    daily = re.search(r'<table class="table figures daily">(.*?)</table>', page.text, re.S)
    assert daily and ">ana</th>" in daily.group(1) and "<td>1</td>" in daily.group(1)
    week = lia.get("/team")
    assert week.status_code == 200 and "0.1</td>" in week.text  # 1 answer over 7 days
    quiet = lia.get("/team?period=custom&start=2026-01-01&end=2026-01-02")
    assert quiet.status_code == 200 and "Nobody answered from the queue" in quiet.text
    assert "Answers per person and day" not in quiet.text
    year = lia.get("/team?period=custom&start=2025-06-01&end=2026-05-31")
    assert year.status_code == 200 and "Answers per person and day" not in year.text
    for bad, says in [
        ("period=custom&start=0001-01-01&end=2026-01-02", "dates from 2000"),
        ("period=custom&start=x&end=y", "must be dates"),
        ("period=1y", "is not one of"),
    ]:
        refused = lia.get(f"/team?{bad}")
        assert refused.status_code == 400 and says in html.unescape(refused.text)
        assert refused.headers["cache-control"] == "no-store"


def test_a_queue_view_sorted_by_time_left(web_store: Store) -> None:
    fresh = decide(web_store, external_id="a", text="primeiro fresco", age=timedelta(minutes=5))
    late = decide(web_store, external_id="b", text="segundo atrasado", age=timedelta(minutes=90))
    help_ = decide(
        web_store,
        external_id="c",
        text="terceiro helpdesk",
        route=Route.HELPDESK,
        age=timedelta(minutes=200),
    )
    client = _client(web_store)
    login(client, "ana")

    def cards(path: str) -> list[int]:
        page = client.get(path)
        assert page.status_code == 200
        return [
            int(i) for i in re.findall(r'<article class="card[^"]*" id="item-(\d+)"', page.text)
        ]

    assert cards("/queue/label") == [fresh, late, help_]  # least confident, then oldest decision
    assert cards("/queue/label?sort=due") == [late, help_, fresh]
    page = client.get("/queue/label?sort=due")
    # Seconds pass between seeding and reading: a minute either way.
    assert re.search(r"breached · (30|31)m over", page.text), page.text
    assert re.search(r"due soon · (39|40)m left", page.text)
    assert '<option value="due" selected>least time left</option>' in page.text
    assert 'id="poller"' not in page.text  # new posts would not belong at the top
    assert "least time left" not in client.get("/queue/answered").text
    for bad, says in [
        ("/queue/label?sort=oldest", "sort: 'oldest'"),
        ("/queue/label?sort=due&cursor=abc", "cursor: 'abc' is not a page number"),
        ("/queue/answered?sort=due", "not a view of open posts"),
    ]:
        refused = client.get(bad)
        assert refused.status_code == 400 and says in html.unescape(refused.text)


def test_cards_and_the_item_page_say_when_the_answer_is_due(web_store: Store) -> None:
    post = decide(web_store, external_id="1", text="sem sinal", age=timedelta(minutes=20))
    settings = Settings.model_validate({"sla": {"timezone": "Europe/Lisbon"}})
    client = TestClient(create_app(settings, web_store), base_url="http://testserver")
    login(client, "ana")
    due = r"due \w{3} \d{2} \w{3} \d{2}:\d{2} \(Europe/Lisbon\)"
    card = client.get("/queue/public_reply").text
    assert re.search(rf'title="First-response time left, in business hours; {due}"', card)
    item = client.get(f"/items/{post}").text
    assert re.search(rf"First response {due}\.", item)
