"""A digest (HTML, e-mail, text, CSV, themes) and an alert built from posts holding every kind
of sensitive value contain none of them; authors appear by handle only. Uses the real encoder,
so the negative themes (which quote posts) are in the digest too."""

from __future__ import annotations

import json
from email.message import EmailMessage

import pytest

from classifiers.sensitive import detect, preview
from config import load_settings
from tests.digest.helpers import at, seed
from triage.digest.alert_job import quoted_posts
from triage.digest.build import make_digest
from triage.digest.i18n import Formatter
from triage.digest.mail import digest_message
from triage.digest.notify import alert_email, slack_payload
from triage.digest.render import render_csv, render_html
from triage.storage import Store
from triage.storage.alerts import Alert
from triage.storage.digest_reads import DigestReads

SECRETS = {
    "payment_card": ("4111 1111 1111 1111", "my card {} was charged twice for the same bill"),
    "cpf": ("529.982.247-25", "meu CPF é {} e a cobrança veio em dobro de novo"),
    "iban": ("DE89 3704 0044 0532 0130 00", "refund never arrived to IBAN {} after three weeks"),
    "ssn": ("536-22-1234", "they asked for my ssn {} on the phone, is that legit??"),
    "credential": ("Hunter2Secret!", "locked out, my password is {} and it still fails"),
    "email": ("jane.doe@example.com", "nobody answers, write me at {} about the outage"),
    "phone": ("+55 11 98765-4321", "sem sinal há dois dias, me liguem no {} urgente"),
}
NAMES = ("Jane Realname", "Carlos Sobrenome")
#: How each value appears once masked (classifiers.sensitive.preview).
MASKED = {kind: preview(kind, value) for kind, (value, _template) in SECRETS.items()}


def _decoded(msg: EmailMessage) -> str:
    """Headers and every text part decoded (parts travel base64 or quoted-printable)."""
    texts = [str(value) for value in msg.values()]
    for part in msg.walk():
        if part.get_content_maintype() == "text":
            assert isinstance(part, EmailMessage)
            texts.append(part.get_content())
    assert len(texts) > len(msg.values())
    return "\n".join(texts)


@pytest.mark.slow
def test_no_sensitive_value_reaches_a_digest_or_an_alert(sqlite_store: Store) -> None:
    rows = []
    for i, (kind, (value, template)) in enumerate(sorted(SECRETS.items())):
        text = template.format(value)
        assert kind in {f.kind for f in detect(text)}, f"the detector must see the {kind}"
        for copy in range(3):  # enough negative posts for themes, each quoting the value
            rows.append({
                "text": f"{text} ({copy})", "created_at": at(16, 8 + i, copy),
                "sentiment": "negative", "route": "helpdesk", "intents": {"billing": 0.9},
                "name": NAMES[copy % 2], "handle": f"customer_{kind}_{copy}",
                "followers": 1000 * i + copy, "external_id": f"{kind}-{copy}",
            })  # fmt: skip
    ids = seed(sqlite_store, rows)
    settings = load_settings(None, environ={})
    digest = make_digest(settings, sqlite_store, period="1d", until=at(17, 0))
    assert digest.total == len(rows)
    assert digest.themes, "themes quote posts: the test must cover them"
    fmt = Formatter("en")
    rendered = render_html(digest, images="cid")
    outputs = {
        "html": render_html(digest, images="data").html,
        "email": _decoded(digest_message(rendered, sender="d@x.io", to=["m@x.io"])),
        "csv": render_csv(digest),
        "text": rendered.text,
    }
    alert = Alert(
        id=1, kind="volume", scope="brand:Acme", bucket_start=at(16, 8), posts=len(ids),
        negative=len(ids), baseline=1.0, score=9.0, post_ids=tuple(ids),
    )  # fmt: skip
    posts = quoted_posts(DigestReads(sqlite_store.engine), alert, limit=len(ids))
    link = "http://localhost:8000/queue?ids=1"
    outputs["webhook"] = json.dumps(
        slack_payload(alert, posts, fmt=fmt, brand="Acme", link=link), ensure_ascii=False
    )
    outputs["alert_email"] = _decoded(
        alert_email(alert, posts, fmt=fmt, brand="Acme", link=link, sender="a@x.io", to=["m@x.io"])
    )
    for where, output in outputs.items():
        for kind, (value, _template) in SECRETS.items():
            assert value not in output, f"{kind} value in the {where}"
            digits = "".join(c for c in value if c.isdigit())
            if len(digits) >= 9:
                assert digits not in "".join(c for c in output if c.isdigit() or c == " ")
        for name in NAMES:
            assert name not in output, f"author name in the {where}"
    # Authors by handle: the themes quote some of the posts; which ones is the clustering's
    # pick among near-equals and differs between CPUs, so any seeded author's handle will do.
    handles = {row["handle"] for row in rows}
    quoted = [h for h in handles if f"@{h}" in outputs["html"]]
    assert quoted, "no author handle in the digest"
    # The quoted posts show a masked preview of what was there (whichever posts they are).
    assert any(mask in outputs["html"] for mask in MASKED.values()), "no masked value shown"
    # Theme labels are words a digest may show: no fragment of a masked value.
    for theme in digest.themes:
        for word in theme.words:
            assert not any(c.isdigit() for c in word), f"theme word {word!r} holds digits"
