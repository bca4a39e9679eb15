"""The learning loop end to end, with the real encoder, on SQLite and the real PostgreSQL:
a team's labels imported from a CSV, `learn` promoting a route head that follows the team, the
open queue decided again, `explain` naming the learned head, `--history`, and `--rollback` back
to the shipped head; and the daemon's schedule waiting for enough new labels.

The team here sends opening-hours questions to DM (to ask which store), which the shipped head
answers in public: a judgement far from the shipped one, so the comparison is not near its
margins on any CPU."""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from config import load_settings
from kernel.models import Author, Post
from triage.classify_job import classify_pending
from triage.cli import cli
from triage.learn_job import requested_learning, scheduled_learning
from triage.queue.users import UserStore
from triage.storage import Store, make_engine, migrate
from triage.storage.decisions import DecisionStore
from triage.storage.learning import LearningStore

pytestmark = pytest.mark.slow

STORES = ["Centro", "Savassi", "Barra", "Moema", "Boa Viagem", "Batel", "Asa Sul", "Pampulha"]
HOURS = [
    "@acme what time does the {s} store open on sunday?",
    "@acme is the {s} shop open late tonight",
    "@acme a loja do {s} abre que horas no feriado?",
    "@acme até que horas a unidade {s} fica aberta hoje?",
    "@acme ¿a qué hora cierra la tienda de {s} los sábados?",
]
PUBLIC = [
    "@acme does the premium plan include {s} channels?",
    "@acme how do I turn on dark mode in the app? asking from {s}",
    "@acme vocês vendem o carregador de {s} separado?",
    "@acme ¿el plan básico incluye llamadas a {s}?",
]
PRIVATE = [
    "@acme you charged me twice this month, order from {s}, fix it",
    "@acme my refund for the {s} order never arrived",
    "@acme não consigo entrar na minha conta desde que mudei pra {s}",
    "@acme me cobraron de más en la factura de {s}",
]


def _team_csv(path: Path, brand: str = "Acme", extra: list[tuple[str, str, str]] = ()) -> Path:
    rows = []
    groups = ((HOURS, "private_dm", 40), (PUBLIC, "public_reply", 16), (PRIVATE, "private_dm", 16))
    for templates, label, count in groups:
        texts = [t.format(s=s) for s in STORES for t in templates]
        rows += [(text, label) for text in texts[:count]]
    rows.append(("", "private_dm"))  # a bad row: named, skipped
    rows.append(("@acme where is my parcel", "maybe"))
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "route", "brand"])
        writer.writerows((text, label, brand) for text, label in rows)
        writer.writerows(extra)
    return path


@pytest.fixture
def deployment(db_url: str, tmp_path: Path) -> tuple[Path, Store]:
    """A deployment whose team accepts some drift on the reference set (a setting), so that
    its unusual route policy is promoted as the global head."""
    config = tmp_path / "social-triage.yaml"
    config.write_text(
        f"database:\n  url: {db_url}\n"
        "learning:\n  tasks: [route]\n  min_new_corrections: 10\n"
        "  max_reference_loss: 0.05\n"
        "sources:\n  - {name: quiet, type: replay, path: " + str(tmp_path / "none.jsonl") + "}\n",
        encoding="utf-8",
    )
    (tmp_path / "none.jsonl").write_text("", encoding="utf-8")
    engine = make_engine(db_url)
    migrate(engine)
    UserStore(engine).add("lead1", "lead", "correct horse battery staple")
    return config, Store(engine)


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


def _open_post(store: Store, config: Path, brand: str = "Acme", n: int = 1) -> int:
    """An opening-hours question the shipped heads answer in public, decided and open."""
    post = Post(
        source="x",
        external_id=f"hours-{brand}-{n}",
        text="@acme a loja do Leblon abre que horas no feriado?",
        created_at=datetime.now(UTC),
        author=Author(handle=f"cliente{n}"),
    )
    store.save_page("quiet", "replay", [post], None, brand=brand)
    from classifiers.pipeline import Classifier

    classify_pending(store, Classifier.from_settings(load_settings(config)), default_sink="local")
    stored = store.find_post("x", post.external_id)
    assert stored is not None
    current = DecisionStore(store.engine).current(stored.id)
    assert current is not None and current.decision.route.value == "public_reply"
    return stored.id


def test_import_learn_promote_redecide_explain_and_roll_back(
    deployment: tuple[Path, Store], tmp_path: Path
) -> None:
    config, store = deployment
    post_id = _open_post(store, config)

    code, out = run(
        "corrections", "import", str(_team_csv(tmp_path / "team.csv")), "--task", "route",
        "--label-column", "route", "--brand-column", "brand", "--as", "lead1",
        "--config", str(config),
    )  # fmt: skip
    assert code == 1, out  # two bad rows: the good ones are stored, the command says so
    assert "team.csv:74: empty 'text'" in out
    assert "team.csv:75: unknown route label 'maybe'" in out
    assert "72 route label(s) read; 0 on stored posts, 72 as labelled examples" in out

    code, out = run("learn", "--dry-run", "--config", str(config))
    assert code == 0, out
    assert "route: 72 labels" in out and "would be promoted (dry run) as v1" in out
    assert "dry run: nothing promoted" in out
    assert LearningStore(store.engine).active_stamp() == ""

    code, out = run("learn", "--as", "lead1", "--config", str(config))
    assert code == 0, out
    assert "route: 72 labels" in out and "PROMOTED as v2" in out, out
    assert "re-decided 1 open queue item(s)" in out
    # the run's record (the Learning page, `learn --history`) has the count too, not the 0 it
    # had before the queue was decided again
    assert "re-decided 1 open queue item(s)" in LearningStore(store.engine).runs()[0].summary
    after = DecisionStore(store.engine).current(post_id)
    assert after is not None and after.decision.route.value == "private_dm"
    assert "Decided again after the heads changed (route v2 promoted)" in after.decision.explanation

    code, out = run("explain", str(post_id), "--config", str(config))
    assert code == 0 and "route v2 (learned)" in out, out
    assert out.splitlines()[0].startswith("Private message:")

    code, out = run("learn", "--history", "--json", "--config", str(config))
    versions = {v["version"]: v for v in json.loads(out)}
    assert versions[2]["status"] == "active" and versions[1]["status"] == "candidate"
    comparison = versions[2]["comparison"]
    assert comparison["team"]["candidate"] > comparison["team"]["active"]
    # within this deployment's tolerance (max_reference_loss 0.05)
    assert comparison["reference"]["candidate"] >= comparison["reference"]["active"] - 0.05

    code, out = run("learn", "--rollback", "--task", "route", "--config", str(config))
    assert code == 0, out
    assert "route: v2 retired; the shipped head is in use again" in out
    back = DecisionStore(store.engine).current(post_id)
    assert back is not None and back.decision.route.value == "public_reply"

    code, out = run("learn", "--rollback", "--task", "route", "--config", str(config))
    assert code == 2 and "no learned route head is active" in out


def test_the_schedule_waits_for_enough_new_labels(
    deployment: tuple[Path, Store], tmp_path: Path
) -> None:
    config, store = deployment
    settings = load_settings(config)
    assert scheduled_learning(settings, store, None) is None  # nothing new
    run(
        "corrections", "import", str(_team_csv(tmp_path / "team.csv")), "--task", "route",
        "--label-column", "route", "--as", "lead1", "--config", str(config),
    )  # fmt: skip
    report = scheduled_learning(settings, store, None)
    assert report is not None and [o.slot for o in report.promoted] == ["route"]
    assert scheduled_learning(settings, store, None) is None  # the same labels: nothing new


def test_a_run_asked_for_on_the_learning_page_runs_once_whatever_the_new_labels(
    deployment: tuple[Path, Store], tmp_path: Path
) -> None:
    config, store = deployment
    settings = load_settings(config)
    learning = LearningStore(store.engine)
    assert requested_learning(settings, store, None) is None  # nobody asked
    run(
        "corrections", "import", str(_team_csv(tmp_path / "team.csv")), "--task", "route",
        "--label-column", "route", "--as", "lead1", "--config", str(config),
    )  # fmt: skip
    assert scheduled_learning(settings, store, None) is not None  # the schedule used them
    assert scheduled_learning(settings, store, None) is None  # nothing new for the schedule
    learning.request_run(by="web:lead1")
    report = requested_learning(settings, store, None)  # asked for: runs all the same
    assert report is not None and [o.slot for o in report.outcomes] == ["route"]
    assert learning.runs()[0].trigger == "web:lead1" and learning.runs()[0].status == "done"
    assert learning.pending_request() is None
    assert requested_learning(settings, store, None) is None  # once


def test_run_once_takes_a_waiting_request(deployment: tuple[Path, Store], tmp_path: Path) -> None:
    """The daemon's own path (`run --once` runs what the scheduler's jobs run)."""
    config, store = deployment
    learning = LearningStore(store.engine)
    run(
        "corrections", "import", str(_team_csv(tmp_path / "team.csv")), "--task", "route",
        "--label-column", "route", "--as", "lead1", "--config", str(config),
    )  # fmt: skip
    learning.request_run(by="web:lead1")
    code, out = run("run", "--once", "--config", str(config))
    assert code == 0, out
    assert learning.pending_request() is None
    assert "web:lead1" in [r.trigger for r in learning.runs() if r.status == "done"]


def test_a_brand_learns_its_own_route_while_the_reference_guards_the_global_head(
    db_url: str, tmp_path: Path
) -> None:
    """With the default no-forgetting gate: Acme's labels teach Acme's own route head, used
    for Acme's posts only; another brand's posts keep the global head."""
    config = tmp_path / "social-triage.yaml"
    config.write_text(
        f"database:\n  url: {db_url}\nlearning:\n  tasks: [route]\n  min_brand_labels: 30\n",
        encoding="utf-8",
    )
    engine = make_engine(db_url)
    migrate(engine)
    store = Store(engine)
    UserStore(engine).add("lead1", "lead", "correct horse battery staple")
    acme_post = _open_post(store, config, "Acme", 1)
    other_post = _open_post(store, config, "Outra", 2)
    other = [
        ("@outra qual o horário da loja da Paulista?", "public_reply", "Outra"),
        ("@outra vocês abrem no feriado de carnaval?", "public_reply", "Outra"),
        ("@outra me cobraram duas vezes no cartão", "private_dm", "Outra"),
    ]
    team = _team_csv(tmp_path / "team.csv", "Acme", other)
    code, out = run(
        "corrections", "import", str(team), "--task", "route", "--label-column", "route",
        "--brand-column", "brand", "--as", "lead1", "--config", str(config),
    )  # fmt: skip
    assert "75 route label(s) read" in out, out
    code, out = run("learn", "--config", str(config))
    assert code == 0, out
    lines = {line.split(":", 1)[0]: line for line in out.splitlines()}
    assert "route" in lines  # the global head was judged (on every label, and the reference)
    assert "PROMOTED" in lines["route@Acme"], out  # Acme's own head, judged on Acme's labels
    assert "route@Outra" not in lines  # 3 labels: below min_brand_labels, the global head
    acme = DecisionStore(store.engine).current(acme_post)
    assert acme is not None and acme.decision.route.value == "private_dm"
    assert "@Acme" in (acme.decision.model_version or "")
    code, out = run("explain", str(acme_post), "--config", str(config))
    assert "route@Acme v" in out and "(learned)" in out
    if "PROMOTED" not in lines["route"]:  # the global head stays: Outra's post too
        still = DecisionStore(store.engine).current(other_post)
        assert still is not None and still.decision.route.value == "public_reply"
    engine.dispose()
