"""Content written by strangers renders inert in the HTML (the browser test runs it too)."""

from __future__ import annotations

from starlette.testclient import TestClient

from config.schema import Settings
from tests.queue.seed import decide
from tests.web.conftest import login
from triage.storage import Store
from triage.web.app import create_app
from triage.web.security import link_host, safe_url, visible

PAYLOADS = [
    "<script>window.__xss=1</script>",
    '<img src=x onerror="window.__xss=2">',
    '"><svg onload=alert(1)>',
]


def test_hostile_posts_are_escaped_and_links_are_http_only(web_store: Store) -> None:
    for i, payload in enumerate(PAYLOADS):
        decide(
            web_store,
            external_id=f"h{i}",
            text=payload + " \u202eexe.txt",
            name=payload,
            handle=f"evil{i}",
            url=[
                "javascript:alert(1)",
                "data:text/html,<script>x</script>",
                "https://ok.example/p",
            ][i],
        )
    client = TestClient(create_app(Settings(), web_store))
    login(client, "ana")
    html = client.get("/queue/public_reply").text
    for payload in PAYLOADS:
        assert payload not in html
    assert "&lt;script&gt;window.__xss=1&lt;/script&gt;" in html
    assert "javascript:" not in html and "data:text" not in html
    assert "\u202e" not in html and "[U+202E]" in html
    assert 'href="https://ok.example/p" target="_blank" rel="noopener noreferrer"' in html
    assert " on" + "error=" not in html.replace("onerror=&#34;", "").replace("onerror=&quot;", "")
    assert "<script>" not in html.replace(
        '<script src="/static/htmx.min.js" defer></script>', ""
    ).replace('<script src="/static/app.js" defer></script>', "")


def test_safe_url_and_visible() -> None:
    assert safe_url("https://x.com/a/status/1") == "https://x.com/a/status/1"
    for bad in (
        "javascript:alert(1)",
        "JAVASCRIPT:alert(1)",
        " javascript:alert(1)",
        "data:text/html,x",
        "//evil.example",
        "https://user:pw@evil.example/",
        "https://ok.example/\u202e",
        'https://ok.example/"onmouseover=x',
        "vbscript:x",
    ):
        assert safe_url(bad) is None, bad
    assert visible("a\u202eb\u200bc") == "a[U+202E]b[U+200B]c"
    # A look-alike domain (U+0430, Cyrillic a) shows as punycode next to the link.
    assert link_host("https://p\u0430ypal.com/x") == "xn--pypal-4ve.com"
    assert link_host("javascript:alert(1)") == ""
