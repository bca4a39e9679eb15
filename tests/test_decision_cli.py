from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from classifiers.rules import RuleSet
from kernel.models import Decision, Post, Signals
from tests.test_classify_job import KeywordClassifier, add_posts
from triage.classify_job import classify_pending
from triage.cli import cli
from triage.storage import Store, make_engine, migrate


@pytest.fixture
def decided(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Store:
    """A working directory whose default database holds classified posts and cases."""
    monkeypatch.chdir(tmp_path)
    engine = make_engine(f"sqlite:///{tmp_path}/social-triage.db")
    migrate(engine)
    store = Store(engine)
    add_posts(store, ["my card 4111 1111 1111 1111 was charged twice", "spam spam", "wifi down"])
    classify_pending(store, KeywordClassifier(), default_sink="desk")
    return store


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


def test_explain_by_id_and_by_source_key(decided: Store) -> None:
    code, out = run("explain", "1")
    assert code == 0
    assert "route: helpdesk" in out and "rule: r-helpdesk" in out and "because" in out
    assert "4111 1111 1111 1111" not in out  # previews are redacted
    code, out = run("explain", "x:2", "--json")
    assert code == 0 and json.loads(out)["route"] == "public_reply"


def test_explain_unknown_post_is_a_one_line_error(decided: Store) -> None:
    code, out = run("explain", "x:nope")
    assert code == 2 and out.strip() == (
        "error: no stored post 'x:nope' (give a post id or source:external_id)"
    )


def test_replay_shows_how_a_rules_change_moves_decisions(decided: Store, tmp_path: Path) -> None:
    rules = tmp_path / "new.yaml"
    rules.write_text(
        "rules:\n"
        "  - name: cards\n    when: {sensitive_any: [payment_card]}\n    route: helpdesk\n"
        "  - name: everything-else-private\n    route: private_dm\n"
    )
    code, out = run("replay", "--rules", str(rules), "--json")
    assert code == 0
    report = json.loads(out)
    assert report["decisions"] == 3 and report["moved"] == 2
    moves = {(m["from"], m["to"]): m["count"] for m in report["moves"]}
    assert moves == {("ignore", "private_dm"): 1, ("public_reply", "private_dm"): 1}
    code, out = run("replay", "--rules", str(rules))
    assert "2 of 3 stored decisions would change route" in out
    code, out = run("explain", "3")
    assert "route: public_reply" in out  # a dry run: nothing was written
    assert "tier None" not in out


def test_replay_with_a_bad_rules_file_names_file_and_rule(decided: Store, tmp_path: Path) -> None:
    rules = tmp_path / "bad.yaml"
    rules.write_text("rules:\n  - name: x\n    when: {sentiment: angry}\n    route: helpdesk\n")
    code, out = run("replay", "--rules", str(rules))
    assert code == 2 and out.startswith(f"error: {rules}: rules[0] (name 'x'): sentiment")


def test_cases_list_and_retry(decided: Store) -> None:
    code, out = run("cases")
    assert code == 0 and "[pending]" in out and "-> desk" in out
    code, out = run("cases", "--status", "pending", "--json")
    [row] = json.loads(out)
    assert row["status"] == "pending" and row["sink"] == "desk"
    code, out = run("cases", "retry", str(row["id"]))
    assert code == 2 and "is pending: queued already and maybe in delivery now, not retried" in out
    code, out = run("cases", "retry", "999")
    assert code == 2 and "case 999" in out


def test_stats_reports_decisions_and_cases(decided: Store) -> None:
    stats = json.loads(run("stats", "--json")[1])
    assert stats["decisions"] == {"helpdesk": 1, "ignore": 1, "public_reply": 1}
    assert stats["cases"] == {"pending": 1}
    assert stats["posts"] == 3 and stats["unclassified"] == 0


class ShippedRulesClassifier(KeywordClassifier):
    """The keyword signals decided by the shipped rules, so decisions carry their sentences."""

    def classify(self, items: list[tuple[Post | None, str]]) -> list[tuple[Signals, Decision]]:
        rules = RuleSet.default()
        return [
            (signals, rules.decide(post, text, signals, review_threshold=0.55))
            for (post, text), (signals, _decision) in zip(
                items, super().classify(items), strict=True
            )
        ]


def test_explain_says_the_sentence_in_the_configured_locale(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    engine = make_engine(f"sqlite:///{tmp_path}/social-triage.db")
    migrate(engine)
    store = Store(engine)
    add_posts(store, ["my card 4111 1111 1111 1111 was charged twice"])
    classify_pending(store, ShippedRulesClassifier(), default_sink="desk")
    Path("social-triage.yaml").write_text("locale: es\n")
    code, out = run("explain", "1")
    assert code == 0
    assert out.splitlines()[0] == "Enviado al helpdesk: contiene un número de tarjeta."
    code, out = run("explain", "1", "--json")
    assert json.loads(out)["summary"] == "Enviado al helpdesk: contiene un número de tarjeta."
    Path("social-triage.yaml").write_text("locale: pt_BR\n")
    code, out = run("explain", "1")
    assert out.splitlines()[0] == "Enviado ao helpdesk: contém um número de cartão."
