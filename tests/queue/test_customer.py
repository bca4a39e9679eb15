"""The customer beside the post: the author's other posts, answers and cases, across the
sources reading one platform, never merging different people; SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from kernel.models import Author, Route
from tests.queue.seed import decide
from triage.queue import QueueService
from triage.queue.customer import customer, same_person
from triage.queue.users import UserStore
from triage.storage import Store


def _joao(store: Store, external_id: str, text: str, **more: Any) -> int:
    return decide(
        store,
        external_id=external_id,
        text=text,
        handle="jsilva",
        name="João Silva",
        author_id="u1",
        **more,
    )


def seed_customer(store: Store) -> dict[str, int]:
    """João (@jsilva on X, author id u1) and the people who are not him."""
    ids = {
        "now": _joao(store, "now", "De novo sem cartão!"),
        "replied": _joao(store, "r", "Cadê meu cartão?", age=timedelta(days=3)),
        "case": decide(
            store,
            external_id="c",
            text="Cobrança em dobro 4111 1111 1111 1111",
            route=Route.HELPDESK,
            age=timedelta(days=9),
            fetched_by="x-billing",  # another source reading the same platform
            handle="JSilva",
            name="Joao S.",  # renamed: the platform id says it is him
            author_id="u1",
        ),
        "platform": _joao(store, "p", "Obrigado!", age=timedelta(days=20)),
        # Not João: another platform, a recycled handle (another id).
        "reddit": _joao(store, "rd", "oi", source="reddit"),
        "recycled": decide(
            store, external_id="old", text="antigo", handle="jsilva", name="J", author_id="u9"
        ),
    }
    # The brand answered "p" on the platform itself.
    decide(
        store,
        external_id="brand-1",
        text="Nós que agradecemos!",
        handle="acme",
        is_brand=True,
        parent_id="p",
    )
    return ids


def test_the_customers_posts_answers_and_cases(service: QueueService) -> None:
    ids = seed_customer(service.store)
    ana = UserStore(service.engine).get("ana")
    assert ana is not None
    service.respond(ids["replied"], ana, "Vamos verificar, João.", channel="reply")
    now = service.item(ids["now"])
    found = customer(service.reads, now)
    assert found is not None
    shown = {cp.item.post_id: cp for cp in found.posts}
    assert set(shown) == {ids["replied"], ids["case"], ids["platform"]}
    assert [cp.item.post_id for cp in found.posts] == [ids["replied"], ids["case"], ids["platform"]]
    assert found.total == 3 and found.answered == 2 and found.cases == 1
    (reply,) = shown[ids["replied"]].answers
    assert (reply.channel, reply.by, reply.dry_run) == ("reply", "ana", True)
    assert reply.text == "Vamos verificar, João."
    (brand,) = shown[ids["platform"]].answers
    assert (brand.channel, brand.by, brand.text) == ("platform", "acme", "Nós que agradecemos!")
    (case,) = shown[ids["case"]].cases
    assert case.post_id == ids["case"] and case.sink == "local"
    assert "4111 1111 1111 1111" not in shown[ids["case"]].item.text  # masked as in every list
    assert shown[ids["case"]].item.fetched_by == "x-billing"
    assert found.search == "author:@jsilva"
    # From an older post, the newer ones are listed too; showing fewer keeps the total.
    fewer = customer(service.reads, service.item(ids["platform"]), shown=1)
    assert fewer is not None and fewer.total == 3 and len(fewer.posts) == 1
    # The reddit João is another account: his own history has none of the X posts.
    on_reddit = customer(service.reads, service.item(ids["reddit"]))
    assert on_reddit is not None and on_reddit.total == 0


def test_names_keep_different_people_apart(service: QueueService) -> None:
    store = service.store
    souza = decide(store, external_id="1", text="a", handle="maria", name="Maria Souza")
    same = decide(store, external_id="2", text="b", handle="MARIA", name="MARIA SOUZA ")
    other = decide(store, external_id="3", text="c", handle="maria", name="Maria Lima")
    nameless = decide(store, external_id="4", text="d", handle="maria", name=None)
    found = customer(service.reads, service.item(souza))
    assert found is not None
    assert {cp.item.post_id for cp in found.posts} == {same, nameless}
    assert other not in {cp.item.post_id for cp in found.posts}
    deleted = decide(store, external_id="5", text="e", handle="[deleted]", name=None)
    decide(store, external_id="6", text="f", handle="[deleted]", name=None)
    assert customer(service.reads, service.item(deleted)) is None


def test_same_person() -> None:
    ana = Author(handle="ana", name="Ana", external_id="1")
    assert same_person(ana, Author(handle="ANA", name="Ana Maria", external_id="1"))
    assert not same_person(ana, Author(handle="ana", name="Ana", external_id="2"))
    assert same_person(Author(handle="ana", name="Ána"), Author(handle="ana", name="ana"))
    assert not same_person(Author(handle="ana", name="Ana"), Author(handle="ana", name="Bia"))
    assert same_person(Author(handle="ana", name="Ana"), Author(handle="ana"))
    assert not same_person(Author(handle="unknown"), Author(handle="unknown"))
    assert same_person(
        Author(handle="unknown", external_id="7"), Author(handle="x", external_id="7")
    )


def test_queue_show_prints_the_customer(service: QueueService, db_url: str) -> None:
    from click.testing import CliRunner

    from triage.cli import cli

    ids = seed_customer(service.store)
    env = {"TRIAGE_DATABASE__URL": db_url}
    result = CliRunner().invoke(
        cli, ["queue", "show", str(ids["now"]), "--no-suggestions"], env=env
    )
    assert result.exit_code == 0, result.output
    out = result.output
    assert "customer @jsilva on x: 3 other posts, 1 answered, 1 helpdesk cases" in out
    assert "--search 'author:@jsilva' --source x" in out
    assert "platform by acme: Nós que agradecemos!" in out
    assert f"{ids['case']:>7}" in out and f"{ids['reddit']:>7}" not in out
    listed = CliRunner().invoke(
        cli, ["queue", "list", "--search", "author:@jsilva", "--source", "x"], env=env
    )
    assert {int(line.split()[0]) for line in listed.output.splitlines()} == {
        ids[k] for k in ("now", "replied", "case", "platform", "recycled")
    }  # a search by handle cannot tell a recycled handle's people apart; the page does
