"""Bulk select on the queue pages as plain forms (issue 18): a checkbox per open card tied to
the page's bulk form, Select all on this page, bulk Ignore for agents and Assign for leads,
what was skipped said on the page, Undo for 10 s. On SQLite and PostgreSQL."""

from __future__ import annotations

import re

from starlette.testclient import TestClient

from config.schema import Settings
from tests.queue.seed import decide
from tests.web.conftest import login
from triage.queue import QueueService
from triage.queue.users import UserStore
from triage.storage import Store
from triage.web.app import create_app


def _client(store: Store) -> TestClient:
    return TestClient(create_app(Settings(), store), base_url="http://testserver")


def _spam(store: Store, n: int) -> list[int]:
    return [decide(store, external_id=f"s{i}", text=f"PROMO imperdível {i}") for i in range(n)]


def _claim(store: Store, post: int, name: str) -> None:
    person = UserStore(store.engine).get(name)
    assert person is not None
    QueueService(Settings(), store).claim(post, person)


def _status(store: Store, post: int) -> str:
    return QueueService(Settings(), store).item(post).status.value


def test_ticked_cards_are_ignored_the_claimed_one_skipped_and_undone(web_store: Store) -> None:
    a, b, held = _spam(web_store, 3)
    _claim(web_store, held, "bia")
    client = _client(web_store)
    csrf = login(client, "ana")
    page = client.get("/queue/public_reply?source=x")
    for post in (a, b, held):  # every open card has a box in the page's bulk form
        assert f'form="bulk" name="post-{post}"' in page.text
    assert '<form id="bulk"' in page.text and 'value="/queue/public_reply?source=x"' in page.text
    assert "Assign selected" not in page.text  # agents ignore; leads also assign

    done = client.post(
        "/queue/bulk",
        data={"csrf": csrf, "action": "ignore", f"post-{a}": "1", f"post-{held}": "1",
              "back": "/queue/public_reply?source=x"},
        follow_redirects=False,
    )  # fmt: skip
    assert done.status_code == 303
    location = done.headers["location"]
    assert re.fullmatch(r"/queue/public_reply\?source=x&bulk=\d+", location)
    shown = client.get(location)
    assert "Ignored 1 post." in shown.text
    assert f'<a href="/items/{held}">#{held}</a>: post {held} is claimed by bia' in shown.text
    assert _status(web_store, a) == "ignored" and _status(web_store, b) == "open"
    assert _status(web_store, held) == "open"
    # the page's own links and forms do not carry the outcome along
    assert 'name="back" value="/queue/public_reply?source=x"' in shown.text
    undo = re.search(r'action="(/queue/bulk/\d+/undo)"', shown.text)
    assert undo
    # nobody else sees the outcome, nor may undo it
    other = _client(web_store)
    other_csrf = login(other, "bia")
    assert "Ignored 1 post." not in other.get(location).text
    late = other.post(undo.group(1), data={"csrf": other_csrf}, follow_redirects=False)
    assert late.headers["location"].endswith("bulk=late") and _status(web_store, a) == "ignored"
    assert "Too late to undo" in other.get(late.headers["location"]).text

    back = client.post(
        undo.group(1),
        data={"csrf": csrf, "back": "/queue/public_reply?source=x"},
        follow_redirects=False,
    )
    assert back.status_code == 303
    assert "Undone: 1 post back as it was." in client.get(back.headers["location"]).text
    assert _status(web_store, a) == "open"


def test_select_all_without_javascript_and_nothing_chosen(web_store: Store) -> None:
    posts = _spam(web_store, 4)
    client = _client(web_store)
    csrf = login(client, "ana")
    page = client.get("/queue/public_reply")
    shown = re.search(r'name="page" value="([\d,]+)"', page.text)
    assert shown and sorted(int(i) for i in shown.group(1).split(",")) == sorted(posts)
    nothing = client.post(
        "/queue/bulk", data={"csrf": csrf, "action": "ignore", "page": shown.group(1)}
    )
    assert "Tick the posts first" in nothing.text
    assert all(_status(web_store, p) == "open" for p in posts)
    everything = client.post(
        "/queue/bulk",
        data={"csrf": csrf, "action": "ignore", "all": "1", "page": shown.group(1)},
    )
    assert f"Ignored {len(posts)} posts." in everything.text
    assert all(_status(web_store, p) == "ignored" for p in posts)
    assert "PROMO" not in client.get("/queue/public_reply").text
    for bad in ({"all": "1", "page": "1,x"}, {"post-99999999999999999999": "1"}):
        refused = client.post("/queue/bulk", data={"csrf": csrf, "action": "ignore", **bad})
        assert refused.status_code == 400 and "is not an id" in refused.text


def test_leads_assign_to_an_agent_and_agents_may_not(web_store: Store) -> None:
    a, b = _spam(web_store, 2)
    lead = _client(web_store)
    csrf = login(lead, "lia")
    page = lead.get("/queue/public_reply")
    options = re.search(r'<select name="to" id="bulk-to">(.*?)</select>', page.text)
    assert options and re.findall(r"<option>(\w+)</option>", options.group(1)) == [
        "ana",
        "bia",
        "lia",
        "root",
    ]  # people who work the queue; not marketing
    assigned = lead.post(
        "/queue/bulk",
        data={"csrf": csrf, "action": "assign", "to": "bia", f"post-{a}": "1", f"post-{b}": "1"},
    )
    assert "Assigned 2 posts to bia." in assigned.text
    item = QueueService(Settings(), web_store).item(a)
    assert item.assigned_to == "bia" and item.claim is not None and item.claim.by == "bia"
    agent = _client(web_store)
    agent_csrf = login(agent, "ana")
    refused = agent.post(
        "/queue/bulk", data={"csrf": agent_csrf, "action": "assign", "to": "ana", f"post-{b}": "1"}
    )
    assert refused.status_code == 403 and "only a lead" in refused.text
    marketing = _client(web_store)
    login(marketing, "mo")
    assert 'id="bulk"' not in marketing.get("/queue/public_reply").text


def test_an_alerts_selected_posts_can_be_ignored_together(web_store: Store) -> None:
    a, b, c = _spam(web_store, 3)
    client = _client(web_store)
    csrf = login(client, "ana")
    page = client.get(f"/queue?ids={a},{b}")
    assert '<form id="bulk"' in page.text and f'name="post-{c}"' not in page.text
    done = client.post(
        "/queue/bulk",
        data={"csrf": csrf, "action": "ignore", "all": "1", "page": f"{a},{b}",
              "back": f"/queue?ids={a}%2C{b}"},
        follow_redirects=False,
    )  # fmt: skip
    assert done.headers["location"].startswith(f"/queue?ids={a}%2C{b}&bulk=")
    assert "Ignored 2 posts." in client.get(done.headers["location"]).text
    assert _status(web_store, c) == "open"


def test_ticked_cards_are_escalated_one_case_each_the_rest_named_and_undone(
    web_store: Store,
) -> None:
    a, b, held = _spam(web_store, 3)
    _claim(web_store, held, "bia")
    client = _client(web_store)
    csrf = login(client, "ana")
    page = client.get("/queue/public_reply")
    assert 'value="escalate" data-action="bulk-escalate">Escalate selected</button>' in page.text
    back = "/queue/public_reply"
    done = client.post(
        "/queue/bulk",
        data={"csrf": csrf, "action": "escalate", "all": "1", "page": f"{a},{b},{held}",
              "back": back},
        follow_redirects=False,
    )  # fmt: skip
    assert done.status_code == 303
    shown = client.get(done.headers["location"])
    found = re.search(r"Escalated 2 posts to the helpdesk: cases (\d+), (\d+)\.", shown.text)
    assert found, shown.text
    assert f'<a href="/items/{held}">#{held}</a>: post {held} is claimed by bia' in shown.text
    assert _status(web_store, a) == "escalated" and _status(web_store, b) == "escalated"
    assert _status(web_store, held) == "open"
    again = client.post(
        "/queue/bulk",
        data={"csrf": csrf, "action": "escalate", f"post-{a}": "1", "back": back},
        follow_redirects=False,
    )
    repeat = client.get(again.headers["location"]).text
    assert "Escalated 0 posts" in repeat and f"post {a} is already escalated: case" in repeat
    undo = re.search(r'action="(/queue/bulk/\d+/undo)"', shown.text)
    assert undo
    client.post(undo.group(1), data={"csrf": csrf, "back": back}, follow_redirects=False)
    assert _status(web_store, a) == "open" and _status(web_store, b) == "open"
