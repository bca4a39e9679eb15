"""Discourse posts feeds as a reader sees them: who wrote it, which topic, what they quoted."""

from __future__ import annotations

from kernel.errors import MalformedPayload
from kernel.models import PostKind
from tests.httpserver import FakeAPI
from tests.listener.feed.helpers import (
    ATOM,
    collect,
    discourse,
    fixture,
    read_all,
    serve,
    source,
)

POSTS = "/posts.rss"


def test_dc_creator_handle_and_name_are_split_so_brand_authors_match(fake_api: FakeAPI) -> None:
    serve(fake_api, POSTS, fixture("discourse_posts.rss"))
    posts, _ = read_all(source(fake_api, POSTS, brand_handles=frozenset({"acme_suporte"})))
    by_id = {p.external_id: p for p in posts}

    reply = by_id["forum.example.com-post-9907"]
    assert (reply.author.handle, reply.author.name) == ("acme_suporte", "Suporte Acme")
    assert reply.author.is_brand
    customer = by_id["forum.example.com-post-9906"]
    assert (customer.author.handle, customer.author.name) == ("joao.p", "João Pereira")
    assert not customer.author.is_brand
    alone = by_id["forum.example.com-post-9910"]
    assert (alone.author.handle, alone.author.name) == ("solo", "solo")
    assert reply.lang == "pt-BR"


def test_replies_carry_their_topic_as_parent_and_conversation(fake_api: FakeAPI) -> None:
    serve(fake_api, POSTS, fixture("discourse_posts.rss"))
    posts, _ = read_all(source(fake_api, POSTS))
    by_id = {p.external_id: p for p in posts}

    first = by_id["forum.example.com-post-9905"]  # /t/slug/1830/1: opens the topic
    assert first.kind is PostKind.POST and first.parent_id is None
    assert first.conversation_id == "1830"
    for reply_id in ("forum.example.com-post-9906", "forum.example.com-post-9907"):
        reply = by_id[reply_id]
        assert reply.kind is PostKind.REPLY
        assert reply.conversation_id == "1830"
        # The topic's entry in /latest.rss, so the thread links up when both feeds are read.
        assert reply.parent_id == "forum.stackstorm.com-topic-1830".replace(
            "forum.stackstorm.com", "forum.example.com"
        )
    assert by_id["forum.example.com-post-9910"].parent_id is None  # link without a number


def test_quoted_text_is_set_apart_and_code_keeps_its_indentation(fake_api: FakeAPI) -> None:
    serve(fake_api, POSTS, fixture("discourse_posts.rss"))
    posts, _ = read_all(source(fake_api, POSTS))
    by_id = {p.external_id: p for p in posts}

    assert by_id["forum.example.com-post-9907"].text == (
        "Cobrança duplicada no cartão\n\n"
        "> maria_s:\n"
        ">\n"
        "> Fui cobrada duas vezes em maio.\n\n"
        "Olá Maria, já abrimos um chamado. Para conferir a configuração use:\n\n"
        "billing:\n"
        "  retry: false\n"
        "  notify:\n"
        "    - email\n\n"
        "Qualquer coisa, estamos aqui."
    )
    assert by_id["forum.example.com-post-9906"].text == (
        "Cobrança duplicada no cartão\n\n"
        "Comigo aconteceu o mesmo & ninguém respondeu.\n\n"
        "> o suporte demora muito\n\n"
        "Concordo."
    )


def test_a_truncated_feed_is_rejected_whole_and_the_full_one_stored_once(
    fake_api: FakeAPI,
) -> None:
    full = discourse()
    cut = full[: full.index(b"<guid", full.index(b"forum.stackstorm.com-topic-1814") - 400)]
    serve(fake_api, "/latest.rss", cut)
    src = source(fake_api, "/latest.rss")
    pages, error = collect(src)
    assert pages == [] and isinstance(error, MalformedPayload)
    assert "truncated" in str(error) and "nothing stored" in str(error)

    serve(fake_api, "/latest.rss", full)
    posts, _ = read_all(src)
    assert len(posts) == 9 == len({p.external_id for p in posts})
    assert all(p.external_id.startswith("forum.stackstorm.com-topic-") for p in posts)


def test_a_truncated_atom_feed_is_rejected_too(fake_api: FakeAPI) -> None:
    full = fixture("reviews.atom")
    cut = full[: full.rindex(b"<entry")] + b"<entry><id>tag:partial</id><title>Hal"
    serve(fake_api, "/reviews.atom", cut, content_type=ATOM)
    pages, error = collect(source(fake_api, "/reviews.atom"))
    assert pages == [] and isinstance(error, MalformedPayload) and "truncated" in str(error)
