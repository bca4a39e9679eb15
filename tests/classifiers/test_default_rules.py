"""The shipped rules (`classifiers/default_rules.yaml`): what each sends where, and its docs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from classifiers.rules import RuleSet
from kernel.models import Author, Route
from tests.classifiers.test_rules import THRESHOLD, post, signals


@pytest.mark.parametrize(
    ("text", "sig", "author", "rule", "route"),
    [
        ("cartão 4111 1111 1111 1111", {}, None, "sensitive-data", "helpdesk"),
        ("vou processar vocês, já falei com meu advogado", {}, None, "legal-threat", "helpdesk"),
        ("the charger caught fire", {"complaint": 0.9}, None, "safety", "helpdesk"),
        ("the charger caught fire", {}, None, "safety-words", "private_dm"),
        ("new deals today!", {}, Author(handle="acme", is_brand=True), "brand-own-posts", "ignore"),
        ("buy followers", {"intents": {"spam": 0.95}}, None, "spam", "ignore"),
        ("@acme the refund never came", {"intents": {"refund": 0.9}, "complaint": 0.7}, None,
         "account-specific-intent", "private_dm"),
        ("@acme onde está meu reembolso?", {"intents": {"refund": 0.9, "question": 0.9}}, None,
         "own-account", "private_dm"),
        ("cobrança indevida na fatura", {"complaint": 0.8}, None, "account-specific-words",
         "private_dm"),
        ("tip: turn on 2fa for your acme account", {"complaint": 0.2}, None, "default",
         "ignore"),
        ("mail me at jane@example.com", {}, None, "contact-details", "private_dm"),
        ("@acme hm", {"private_score": 0.9}, None, "private-channel", "private_dm"),
        ("app is slow", {"complaint": 0.95}, None, "complaint", "public_reply"),
        ("how do I export?", {"intents": {"question": 0.95}}, None, "how-to-question",
         "public_reply"),
        ("why?", {"intents": {"question": 0.95}, "complaint": 0.55}, None, "question",
         "public_reply"),
        ("@acme love the new app, thank you!", {"sentiment": "positive"}, None,
         "clear-praise-addressed", "public_reply"),
        ("love the new acme app, thank you!", {"sentiment": "positive"}, None, "clear-praise",
         "ignore"),
        ("@acme meh", {"private_score": 0.5}, None, "maybe-private", "private_dm"),
        ("ugh", {"sentiment": "negative", "sentiment_score": 0.8}, None, "maybe-complaint",
         "public_reply"),
        ("what a day", {}, None, "default", "ignore"),
    ],
)  # fmt: skip
def test_shipped_rules(
    text: str, sig: dict[str, Any], author: Author | None, rule: str, route: str
) -> None:
    p = post(text, author=author) if author else post(text)
    decision = RuleSet.default().decide(p, text, signals(text, **sig), review_threshold=THRESHOLD)
    assert (decision.rule, decision.route.value) == (rule, route)


SENSITIVE_TEXTS = (
    "IBAN GB82 WEST 1234 5698 7654 32",
    "CPF 529.982.247-25",
    "SSN 123-45-6780",
    "my password is Hunter22",
    "account number 48392017",
)


def test_shipped_rules_send_sensitive_data_to_the_helpdesk_urgently() -> None:
    for text in SENSITIVE_TEXTS:
        decision = RuleSet.default().decide(None, text, signals(text), review_threshold=THRESHOLD)
        assert (decision.route, decision.priority) == (Route.HELPDESK, "urgent"), text


def test_health_details_reach_the_helpdesk_in_a_complaint_and_leave_public_otherwise() -> None:
    rules = RuleSet.default()
    text = "fiz quimioterapia e não consigo ir à loja"
    urgent = rules.decide(None, text, signals(text, complaint=0.8), review_threshold=THRESHOLD)
    assert (urgent.rule, urgent.route, urgent.priority) == (
        "health-complaint",
        Route.HELPDESK,
        "urgent",
    )
    chatter = rules.decide(None, text, signals(text), review_threshold=THRESHOLD)
    assert (chatter.rule, chatter.route) == ("health-details", Route.PRIVATE_DM)


def test_the_shipped_file_is_documented_rule_by_rule() -> None:
    ruleset = RuleSet.default()
    lines = (Path(__file__).parents[2] / "classifiers" / "default_rules.yaml").read_text()
    blocks = lines.split("  - name: ")[1:]
    assert len(blocks) == len(ruleset.rules)
    previous = lines.split("  - name: ")[:-1]
    for chunk in previous[1:]:
        assert chunk.rstrip().splitlines()[-1].strip().startswith("#")
    assert ruleset.rules[-1].when.is_empty()
    assert len(ruleset.describe()) == len(ruleset.rules)


def test_the_brand_is_asked_in_private_only_when_spoken_to() -> None:
    """Talk about the brand to the author's own followers is not slid into their messages."""
    rules = RuleSet.default()
    sig = {"intents": {"delivery": 0.9}, "complaint": 0.7, "private_score": 0.8}
    said_about = "the swiftcrate depot is 40 minutes away and that's where they sent the parcel"
    about = rules.decide(
        post(said_about), said_about, signals(said_about, **sig), review_threshold=THRESHOLD
    )
    assert (about.rule, about.route) == ("complaint", Route.PUBLIC_REPLY)
    said_to = "@swiftcrate " + said_about
    to = rules.decide(post(said_to), said_to, signals(said_to, **sig), review_threshold=THRESHOLD)
    assert (to.rule, to.route) == ("account-specific-intent", Route.PRIVATE_DM)
    # a Bluesky reply names no one in its text and is addressed all the same
    reply = post(said_about, source="bluesky", parent_id="at://did:plc:acme/post/1")
    assert (
        rules.decide(
            reply, said_about, signals(said_about, **sig), review_threshold=THRESHOLD
        ).route
        == Route.PRIVATE_DM
    )
    # a subreddit or forum post speaks to the community the brand listens to
    forum = post(said_about, source="reddit")
    assert (
        rules.decide(
            forum, said_about, signals(said_about, **sig), review_threshold=THRESHOLD
        ).route
        == Route.PRIVATE_DM
    )
    # without a post (`classify`), an @mention is what says so
    bare = rules.decide(None, said_about, signals(said_about, **sig), review_threshold=THRESHOLD)
    assert bare.route == Route.PUBLIC_REPLY
    assert "addressed: it @mentions no one" in bare.explanation


def test_outages_and_how_to_questions_are_answered_in_public() -> None:
    rules = RuleSet.default()
    down = "@questhaven servers down again?? cant even get past the login screen"
    outage = {"intents": {"outage": 0.95, "account_access": 0.9}, "complaint": 0.9}
    decided = rules.decide(post(down), down, signals(down, **outage), review_threshold=THRESHOLD)
    assert (decided.rule, decided.route) == ("complaint", Route.PUBLIC_REPLY)
    ask = "@forkly do you have a no-contact delivery option?"
    howto = {"intents": {"question": 0.95, "delivery": 0.8}, "complaint": 0.3}
    decided = rules.decide(post(ask), ask, signals(ask, **howto), review_threshold=THRESHOLD)
    assert (decided.rule, decided.route) == ("how-to-question", Route.PUBLIC_REPLY)
    # an e-mail address in the question still takes it out of public
    mailed = ask + " mail me at jane@example.com"
    decided = rules.decide(
        post(mailed), mailed, signals(mailed, **howto), review_threshold=THRESHOLD
    )
    assert (decided.rule, decided.route) == ("contact-details", Route.PRIVATE_DM)


def test_praise_words_in_a_clear_complaint_are_not_praise() -> None:
    text = "@trayecto 25 minutos esperando y me cancela el conductor. Tercera vez hoy. Increíble"
    sig = signals(text, sentiment="negative", complaint=0.9)
    decided = RuleSet.default().decide(post(text), text, sig, review_threshold=THRESHOLD)
    assert decided.route == Route.PUBLIC_REPLY and decided.rule == "complaint"
