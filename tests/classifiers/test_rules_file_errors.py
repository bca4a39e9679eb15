"""Bad rules files: each refuses to load with one line naming the file, the rule and the field."""

from __future__ import annotations

from pathlib import Path

import pytest

from classifiers.rules import RuleSet
from kernel.errors import ConfigError


def load_error(tmp_path: Path, content: str) -> str:
    path = tmp_path / "rules.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        RuleSet.load(path)
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(f"{path}")
    return message.removeprefix(str(path))


DEFAULT = "  - {name: default, when: {}, route: ignore}\n"


def test_yaml_syntax_error_names_the_line(tmp_path: Path) -> None:
    message = load_error(tmp_path, "rules:\n  - name: a\n    when: {sentiment: [negative\n")
    assert message.startswith(":4: not valid YAML: ")


def test_unknown_condition(tmp_path: Path) -> None:
    content = "rules:\n  - {name: a, when: {colour: red}, route: ignore}\n" + DEFAULT
    message = load_error(tmp_path, content)
    assert message.startswith(": rules[0] (name 'a'): colour: unknown condition (known: source,")


def test_unknown_condition_inside_not(tmp_path: Path) -> None:
    content = "rules:\n  - {name: a, when: {not: {colour: red}}, route: ignore}\n" + DEFAULT
    assert load_error(tmp_path, content).startswith(": rules[0] (name 'a'): not.colour: unknown")


def test_bad_route(tmp_path: Path) -> None:
    content = "rules:\n  - {name: a, when: {complaint_min: 0.5}, route: email}\n" + DEFAULT
    assert load_error(tmp_path, content) == (
        ": rules[0] (name 'a'): route: Input should be 'public_reply', 'private_dm', "
        "'helpdesk' or 'ignore'"
    )


def test_bad_sentiment_label(tmp_path: Path) -> None:
    content = (
        "rules:\n"
        + "  - {name: x0, when: {complaint_min: 0.1}, route: ignore}\n"
        + "  - {name: x1, when: {complaint_min: 0.2}, route: ignore}\n"
        + "  - {name: x2, when: {complaint_min: 0.3}, route: ignore}\n"
        + "  - {name: billing, when: {sentiment: angry}, route: private_dm}\n"
        + DEFAULT
    )
    assert load_error(tmp_path, content) == (
        ": rules[3] (name 'billing'): sentiment: Input should be 'negative', 'neutral' or "
        "'positive'"
    )


def test_missing_default(tmp_path: Path) -> None:
    content = "rules:\n  - {name: a, when: {complaint_min: 0.5}, route: ignore}\n"
    assert load_error(tmp_path, content) == (
        ": rules[0] (name 'a'): when: the last rule must be the default, with an empty `when`"
    )


def test_default_before_other_rules(tmp_path: Path) -> None:
    content = "rules:\n" + DEFAULT + "  - {name: b, when: {}, route: ignore}\n"
    message = load_error(tmp_path, content)
    assert message.startswith(": rules[0] (name 'default'): when: an empty `when` matches")


def test_wrong_type(tmp_path: Path) -> None:
    content = "rules:\n  - {name: a, when: {complaint_min: high}, route: ignore}\n" + DEFAULT
    assert load_error(tmp_path, content) == (
        ": rules[0] (name 'a'): complaint_min: Input should be a valid number, unable to parse "
        "string as a number"
    )


def test_score_out_of_range(tmp_path: Path) -> None:
    content = "rules:\n  - {name: a, when: {intent: {spam: 7}}, route: ignore}\n" + DEFAULT
    assert load_error(tmp_path, content) == (
        ": rules[0] (name 'a'): intent: spam: the minimum score should be a number from 0 to 1"
    )


def test_misspelt_intent_and_sensitive_kind_are_rejected(tmp_path: Path) -> None:
    """A label outside kernel/vocab.py would silently never match: refuse the file instead."""
    content = "rules:\n  - {name: a, when: {intent: {biling: 0.6}}, route: helpdesk}\n" + DEFAULT
    message = load_error(tmp_path, content)
    assert message.startswith(": rules[0] (name 'a'): intent: unknown intent 'biling' (one of ")
    assert "billing" in message and "\n" not in message
    content = "rules:\n  - {name: b, when: {sensitive_any: [credit_card]}, route: ignore}\n"
    assert load_error(tmp_path, content + DEFAULT).startswith(
        ": rules[0] (name 'b'): sensitive_any: Input should be 'payment_card'"
    )


def test_every_vocabulary_is_the_one_in_triage_vocab() -> None:
    from classifiers import heads, rule_conditions, sensitive
    from kernel import vocab

    assert heads.INTENT_LABELS is vocab.INTENTS and heads.SENTIMENT_LABELS is vocab.SENTIMENTS
    assert sensitive.KINDS is vocab.SENSITIVE_KINDS
    assert rule_conditions.SENSITIVE_KINDS is vocab.SENSITIVE_KINDS
    assert rule_conditions.SENTIMENTS is vocab.SENTIMENTS
    assert set(vocab.ROUTES) == {"public_reply", "private_dm", "helpdesk", "ignore"}


def test_missing_name_and_unknown_rule_field(tmp_path: Path) -> None:
    content = "rules:\n  - {when: {complaint_min: 0.5}, route: ignore}\n" + DEFAULT
    assert load_error(tmp_path, content) == ": rules[0]: name: Field required"
    content = "rules:\n  - {name: a, when: {}, route: ignore, colour: red}\n"
    assert load_error(tmp_path, content) == ": rules[0] (name 'a'): colour: unknown field"


def test_bad_regex_and_duplicate_names(tmp_path: Path) -> None:
    content = "rules:\n  - {name: a, when: {regex: '(unclosed'}, route: ignore}\n" + DEFAULT
    assert load_error(tmp_path, content).startswith(
        ": rules[0] (name 'a'): regex: invalid regular expression '(unclosed'"
    )
    content = "rules:\n  - {name: default, when: {complaint_min: 0.5}, route: ignore}\n" + DEFAULT
    assert load_error(tmp_path, content) == (
        ": rules[1] (name 'default'): name: duplicate rule name (also rules[0])"
    )


def test_not_a_rules_file(tmp_path: Path) -> None:
    assert load_error(tmp_path, "- a\n- b\n") == (
        ": the top level must be a mapping with a `rules` list"
    )
    assert load_error(tmp_path, "rules: []\n") == (
        ": rules: List should have at least 1 item after validation, not 0"
    )


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read the rules file"):
        RuleSet.load(tmp_path / "nope.yaml")
