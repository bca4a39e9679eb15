"""The learning page: a lead sees the heads in use and every version's figures, and rolls a
learned head back (audited; the open queue is decided again); agents cannot open it."""

from __future__ import annotations

import re

import numpy as np
from sqlalchemy import select
from starlette.testclient import TestClient

from config.schema import Settings
from tests.web.conftest import login
from triage.storage import Store
from triage.storage.learning import LearningStore
from triage.storage.tables import audit_log
from triage.web.app import create_app


def _promoted(store: Store, *, brand: str | None = None) -> int:
    learning = LearningStore(store.engine)
    arrays = {"w0": np.zeros((2, 1), dtype=np.float32), "b0": np.zeros(1, dtype=np.float32)}
    comparison = {
        "team_rows": 312,
        "team": {"candidate": 0.81, "active": 0.69},
        "reference": {"candidate": 0.944, "active": 0.948},
    }
    with store.engine.begin() as conn:
        version = learning.save_version(
            conn,
            task="route",
            brand=brand,
            status="candidate",
            encoder_version="enc@1",
            metadata={"task": "route", "comparison": comparison},
            arrays=arrays,
            created_by="cli:lia",
            reason="better on the team's labels (+0.120)",
            run_id=None,
        )
        learning.promote(conn, version, by="cli:lia", reason="better on the team's labels")
    return version


def test_a_lead_sees_the_figures_and_rolls_back(web_store: Store) -> None:
    version = _promoted(web_store)
    app = create_app(Settings(), web_store)
    changed: list[str] = []
    app.state.after_head_change = changed.append
    with TestClient(app, base_url="http://testserver") as client:
        csrf = login(client, "lia")
        page = client.get("/learning")
        assert page.status_code == 200
        assert page.headers["content-type"].startswith("text/html")
        assert f"route v{version}" in page.text
        assert "ROC-AUC 0.810 vs 0.690" in page.text and "0.944 vs 0.948" in page.text
        assert "312" in page.text and "better on the team&#39;s labels" in page.text
        done = client.post("/learning/rollback", data={"csrf": csrf, "task": "route", "brand": ""})
        assert done.status_code == 200 and "the shipped head is in use again" in done.text
        assert 'role="status"' not in client.get("/learning?rolled_back=<b>").text
        assert changed == ["route"]
        again = client.get("/learning")
        assert re.search(r"route v\d+</td>\s*<td><span class=\"badge\">retired", again.text)
        nothing = client.post("/learning/rollback", data={"csrf": csrf, "task": "route"})
        assert nothing.status_code == 400 and "no learned route head is active" in nothing.text
        bad = client.post("/learning/rollback", data={"csrf": csrf, "task": "nope"})
        assert bad.status_code == 400
    with web_store.engine.connect() as conn:
        actions = [row.action for row in conn.execute(select(audit_log.c.action))]
    assert "rollback_head" in actions
    assert LearningStore(web_store.engine).active_versions() == []


def test_a_brand_head_rolls_back_on_its_own(web_store: Store) -> None:
    _promoted(web_store)
    brand_version = _promoted(web_store, brand="Acme")
    app = create_app(Settings(), web_store)
    app.state.after_head_change = lambda slot: None
    with TestClient(app, base_url="http://testserver") as client:
        csrf = login(client, "lia")
        assert f"route@Acme v{brand_version}" in client.get("/learning").text
        client.post("/learning/rollback", data={"csrf": csrf, "task": "route", "brand": "Acme"})
    active = LearningStore(web_store.engine).active_versions()
    assert [(v.task, v.brand) for v, _ in active] == [("route", None)]


def test_agents_and_marketing_cannot_open_it(web_store: Store) -> None:
    app = create_app(Settings(), web_store)
    for name in ("ana", "mo"):
        with TestClient(app, base_url="http://testserver") as client:
            login(client, name)
            assert client.get("/learning").status_code == 403


def test_a_lead_asks_the_daemon_to_learn_now_once(web_store: Store) -> None:
    learning = LearningStore(web_store.engine)
    with TestClient(create_app(Settings(), web_store), base_url="http://testserver") as client:
        csrf = login(client, "lia")
        assert "Learn now" in client.get("/learning").text
        refused = client.post("/learning/request", data={})
        assert refused.status_code == 403 and learning.pending_request() is None
        asked = client.post("/learning/request", data={"csrf": csrf})
        assert asked.status_code == 200  # followed to the page, which says so
        assert "Learning asked for by web:lia" in asked.text and "Learn now" not in asked.text
        pending = learning.pending_request()
        assert pending is not None and pending.trigger == "web:lia"
        # asking again while it waits is the same request
        client.post("/learning/request", data={"csrf": csrf})
        assert learning.request_run(by="web:lia") == (pending.id, False)
    with web_store.engine.connect() as conn:
        asked_for = (
            conn.execute(select(audit_log.c.actor).where(audit_log.c.action == "learn_request"))
            .scalars()
            .all()
        )
    assert asked_for == ["web:lia"]
    # one daemon takes it; another replica looking at the same moment does not
    assert learning.take_request(pending.id) and not learning.take_request(pending.id)
    assert learning.pending_request() is None


def test_an_agent_cannot_ask_for_learning(web_store: Store) -> None:
    with TestClient(create_app(Settings(), web_store), base_url="http://testserver") as client:
        csrf = login(client, "ana")
        assert client.post("/learning/request", data={"csrf": csrf}).status_code == 403
    assert LearningStore(web_store.engine).pending_request() is None


TEAM_CSV = (
    "tweet,sentiment,brand\n"
    "@acme thanks for sorting my bill so fast,positive,Acme\n"
    "@acme third outage this week,negative,Acme\n"
    ",negative,Acme\n"
    "@acme where is the store,maybe,Acme\n"
)


def test_a_lead_imports_the_teams_labels_from_a_csv(web_store: Store) -> None:
    learning = LearningStore(web_store.engine)
    with TestClient(create_app(Settings(), web_store), base_url="http://testserver") as client:
        csrf = login(client, "lia")
        page = client.get("/learning").text
        assert 'action="/learning/import"' in page and 'enctype="multipart/form-data"' in page
        fields = {"csrf": csrf, "task": "sentiment", "text_column": "tweet"}
        fields["label_column"] = "sentiment"
        done = client.post(
            "/learning/import",
            data=fields,
            files={"file": ("team labels.csv", TEAM_CSV.encode(), "text/csv")},
        )
        assert done.status_code == 200, done.text
        assert "team labels.csv: 2 sentiment labels read" in done.text
        assert "2 bad rows skipped:" in done.text
        assert "team labels.csv:4: empty &#39;tweet&#39;" in done.text
        assert "team labels.csv:5: unknown sentiment label" in done.text
        # a column the file does not have: one line, nothing stored
        fields["text_column"] = "text"
        wrong = client.post(
            "/learning/import",
            data=fields,
            files={"file": ("team.csv", TEAM_CSV.encode(), "text/csv")},
        )
        assert wrong.status_code == 400 and "team.csv: no column &#39;text&#39;" in wrong.text
        latin = client.post(
            "/learning/import",
            data={**fields, "text_column": "tweet"},
            files={
                "file": ("old.csv", "tweet,sentiment\ncora\xe7\xe3o,positive\n".encode("latin-1"))
            },
        )
        assert latin.status_code == 400 and "old.csv: not UTF-8 text" in latin.text
        unsent = client.post("/learning/import", data={"task": "sentiment"}, files={})
        assert unsent.status_code == 403  # no CSRF token
    labels = learning.labels("sentiment")
    assert len(labels) == 2 and {label.author for label in labels} == {"lia"}
    assert {label.origin for label in labels} == {"import:team labels.csv"}


def test_the_import_form_speaks_portuguese(web_store: Store) -> None:
    from triage.queue.users import UserStore

    UserStore(web_store.engine).set_locale("lia", "pt_BR")
    with TestClient(create_app(Settings(), web_store), base_url="http://testserver") as client:
        csrf = login(client, "lia")
        done = client.post(
            "/learning/import",
            data={"csrf": csrf, "task": "sentiment", "text_column": "tweet",
                  "label_column": "sentiment"},
            files={"file": ("equipe.csv", TEAM_CSV.encode(), "text/csv")},
        )  # fmt: skip
    assert "equipe.csv: 2 rótulos de sentimento lidos" in done.text
    assert "2 linhas com problema ignoradas:" in done.text
