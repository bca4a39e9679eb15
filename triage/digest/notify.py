"""Delivering an alert: a Slack-compatible webhook (signed like the case webhook) and e-mail.

Both carry the driving posts, redacted, authors by handle, and a link to the review queue
filtered on those posts: `{alerts.base_url}/queue?ids=1,2,3`.
"""

from __future__ import annotations

import html
import json
import time
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any
from urllib.parse import urlencode

import requests

from config.schema import Settings
from config.secrets import resolve_secret
from escalation.webhook.sink import sign
from kernel.errors import DeliveryPermanent, DeliveryRetryable, NotConfigured
from triage.digest.i18n import Formatter
from triage.digest.mail import Mailer
from triage.digest.records import QuotedPost
from triage.digest.render import intent_name, source_name
from triage.storage.alerts import Alert

USER_AGENT = "social-triage alerts"


def queue_link(base_url: str, alert: Alert) -> str:
    query = urlencode({"ids": ",".join(str(i) for i in alert.post_ids)})
    return f"{base_url.rstrip('/')}/queue?{query}"


def headline(alert: Alert, fmt: Formatter, brand: str) -> str:
    _ = fmt.gettext
    kind, _sep, name = alert.scope.partition(":")
    what = brand if kind == "brand" else intent_name(fmt, name)
    hour = fmt.datetime(alert.bucket_start)
    if alert.kind == "volume":
        return _(
            "Volume spike for %(what)s: %(posts)s posts in the hour from %(hour)s UTC "
            "(usually %(usual)s)"
        ) % {
            "what": what,
            "posts": fmt.number(alert.posts),
            "hour": hour,
            "usual": fmt.number(alert.baseline, 1),
        }
    share = alert.negative / alert.posts if alert.posts else 0.0
    return _(
        "Negative spike for %(what)s: %(share)s negative in the hour from %(hour)s UTC "
        "(usually %(usual)s)"
    ) % {
        "what": what,
        "share": fmt.percent(share),
        "hour": hour,
        "usual": fmt.percent(alert.baseline),
    }


def slack_payload(
    alert: Alert, posts: list[QuotedPost], *, fmt: Formatter, brand: str, link: str
) -> dict[str, Any]:
    _ = fmt.gettext
    title = headline(alert, fmt, brand)
    blocks: list[dict[str, Any]] = [
        {"type": "section", "text": {"type": "mrkdwn", "text": f":rotating_light: *{title}*"}}
    ]
    for post in posts:
        quoted = post.text.replace("\n", " ")
        blocks.append(
            {
                "type": "section",
                "text": {
                    "type": "mrkdwn",
                    "text": f"> {quoted}\n@{post.handle} \u00b7 {source_name(post.source)}",
                },
            }
        )
    blocks.append(
        {
            "type": "actions",
            "elements": [
                {
                    "type": "button",
                    "text": {"type": "plain_text", "text": _("Open these posts in the queue")},
                    "url": link,
                }
            ],
        }
    )
    return {
        "text": title,
        "blocks": blocks,
        "alert": {
            "id": alert.id,
            "kind": alert.kind,
            "scope": alert.scope,
            "hour": alert.bucket_start.isoformat(),
            "posts": alert.posts,
            "negative": alert.negative,
            "baseline": alert.baseline,
            "score": round(alert.score, 2),
            "post_ids": list(alert.post_ids),
            "queue_url": link,
        },
    }


def alert_email(
    alert: Alert, posts: list[QuotedPost], *, fmt: Formatter, brand: str, link: str,
    sender: str, to: list[str],
) -> EmailMessage:  # fmt: skip
    _ = fmt.gettext
    title = headline(alert, fmt, brand)
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = ", ".join(to)
    msg["Subject"] = f"[{_('alert')}] {title}"
    msg["Date"] = formatdate(localtime=False, usegmt=True)
    msg["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2].strip("<> ") or None)
    msg["Auto-Submitted"] = "auto-generated"
    lines = [title, ""]
    lines += [f"- \u201c{p.text}\u201d @{p.handle} ({source_name(p.source)})" for p in posts]
    lines += ["", f"{_('Open these posts in the queue')}: {link}"]
    msg.set_content("\n".join(lines) + "\n")
    items = "".join(
        f"<li>&ldquo;{html.escape(p.text)}&rdquo; <small>@{html.escape(p.handle)}, "
        f"{html.escape(source_name(p.source))}</small></li>"
        for p in posts
    )
    msg.add_alternative(
        f'<html><body style="font-family:Arial,sans-serif;color:#243342">'
        f'<h2 style="color:#d9534f;font-size:17px">{html.escape(title)}</h2><ul>{items}</ul>'
        f'<p><a href="{html.escape(link)}">{html.escape(_("Open these posts in the queue"))}'
        f"</a></p></body></html>",
        subtype="html",
    )
    return msg


class AlertNotifier:
    def __init__(
        self,
        *,
        brand: str,
        base_url: str,
        locale: str = "en",
        mailer: Mailer | None = None,
        webhook_url: str | None = None,
        webhook_secret: str | None = None,
        timeout: float = 10.0,
    ) -> None:
        self.brand = brand
        self.base_url = base_url
        self.fmt = Formatter(locale)
        self.mailer = mailer
        self.webhook_url = webhook_url
        self._secret = webhook_secret
        self.timeout = timeout
        self._session = requests.Session()
        self._session.headers["User-Agent"] = USER_AGENT

    @classmethod
    def from_settings(cls, settings: Settings) -> AlertNotifier:
        a = settings.alerts
        secret = None
        if a.webhook_url:
            if not a.webhook_secret_env and a.webhook_secret_file is None:
                raise NotConfigured("alerts.webhook_secret_env: needed when webhook_url is set")
            secret = resolve_secret(
                env=a.webhook_secret_env,
                file=a.webhook_secret_file,
                setting="alerts.webhook_secret",
            )
        mailer = None
        if a.email and settings.digest.smtp is not None:
            mailer = Mailer.from_settings(settings.digest.smtp)
        return cls(
            brand=settings.brand.name,
            base_url=a.base_url,
            locale=settings.locale,
            mailer=mailer,
            webhook_url=a.webhook_url,
            webhook_secret=secret,
            timeout=a.webhook_timeout_seconds,
        )

    def deliver(self, alert: Alert, posts: list[QuotedPost]) -> dict[str, str | None]:
        """Channel -> None when delivered, else the one-line error. Never raises for one
        channel's failure: the other still gets the alert."""
        link = queue_link(self.base_url, alert)
        results: dict[str, str | None] = {}
        if self.webhook_url:
            try:
                self._post(slack_payload(alert, posts, fmt=self.fmt, brand=self.brand, link=link))
                results["webhook"] = None
            except (DeliveryRetryable, DeliveryPermanent) as exc:
                results["webhook"] = str(exc)
        if self.mailer is not None:
            msg = alert_email(
                alert, posts, fmt=self.fmt, brand=self.brand, link=link,
                sender=self.mailer.sender, to=self.mailer.to,
            )  # fmt: skip
            try:
                self.mailer.send(msg)
                results["email"] = None
            except (DeliveryRetryable, DeliveryPermanent) as exc:
                results["email"] = str(exc)
        return results

    def _post(self, payload: dict[str, Any]) -> None:
        assert self.webhook_url and self._secret
        alert_id = payload["alert"]["id"]
        body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        timestamp = str(int(time.time()))
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            # The same alert never makes two messages at receivers that dedupe on it.
            "Idempotency-Key": f"st-alert-{alert_id}",
            "X-Triage-Timestamp": timestamp,
            "X-Triage-Signature": sign(self._secret, timestamp, body),
        }
        what = "alert webhook"
        try:
            response = self._session.post(
                self.webhook_url, data=body, headers=headers, timeout=self.timeout
            )
        except requests.RequestException as exc:
            raise DeliveryRetryable(f"{what}: {type(exc).__name__}") from exc
        if response.status_code >= 400:
            raise DeliveryRetryable(f"{what}: HTTP {response.status_code}")

    def describe(self) -> list[str]:
        out = []
        if self.webhook_url:
            out.append(f"alert webhook -> {self.webhook_url}")
        if self.mailer is not None:
            out.append(f"alert e-mail via {self.mailer.describe()}")
        return out

    def close(self) -> None:
        self._session.close()
