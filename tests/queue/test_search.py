"""Search across every view by text, author handle and name (case and accents folded), and
`author:@handle`, on SQLite (FTS5) and the real PostgreSQL (GIN index)."""

from __future__ import annotations

from click.testing import CliRunner

from kernel.models import Route
from tests.queue.seed import decide
from triage.queue import Filters, QueueService, View
from triage.queue.users import UserStore
from triage.storage.search import FOLD_FROM, FOLD_TO, fold, parse


def _seed(service: QueueService) -> dict[str, int]:
    store = service.store
    ids = {
        "joao_card": decide(
            store, external_id="1", text="Meu cartão não chegou", handle="jsilva", name="João Silva"
        ),
        "joao_dm": decide(
            store,
            external_id="2",
            text="quero falar no privado",
            handle="JSilva",
            name="JOÃO SILVA",
            route=Route.PRIVATE_DM,
        ),
        "mention": decide(
            store, external_id="3", text="falei com o joão da loja", handle="ana_b", name="Ana"
        ),
        "joana": decide(
            store, external_id="4", text="fatura errada", handle="joana_b", name="Joana"
        ),
        "other": decide(store, external_id="5", text="tudo certo", handle="zeca", name=None),
    }
    ana = UserStore(store.engine).get("ana")
    assert ana is not None
    service.ignore(ids["joao_card"], ana)  # out of the open views: search still finds it
    return ids


def _found(service: QueueService, search: str, view: View | None = None) -> set[int]:
    return {i.post_id for i in service.page(view, Filters(search=search)).items}


def test_search_finds_authors_by_name_and_handle_in_every_view(service: QueueService) -> None:
    ids = _seed(service)
    joao = {ids["joao_card"], ids["joao_dm"], ids["mention"]}
    assert _found(service, "joão") == joao  # the name, any case, and a word of a text
    assert _found(service, "JOAO") == joao  # accents and case folded
    assert _found(service, "joao cartao") == {ids["joao_card"]}  # name and text together
    assert _found(service, "silva") == {ids["joao_card"], ids["joao_dm"]}
    assert _found(service, "@jsil") == {ids["joao_card"], ids["joao_dm"]}  # a handle's start
    assert _found(service, "jo") == joao | {ids["joana"]}  # prefix of every word
    assert _found(service, "Joana") == {ids["joana"]}
    assert _found(service, "nobody") == set()
    # Within one view, as the view's own filter and the found-in counts.
    assert _found(service, "joão", View.PRIVATE_DM) == {ids["joao_dm"]}
    found_in = service.reads.counts(Filters(search="joão"))
    assert found_in[View.IGNORED] == 1 and found_in[View.PRIVATE_DM] == 1
    assert found_in[View.PUBLIC_REPLY] == 1  # the mention; the ignored card is not open


def test_author_search_is_one_handle_any_case(service: QueueService) -> None:
    ids = _seed(service)
    assert _found(service, "author:@jsilva") == {ids["joao_card"], ids["joao_dm"]}
    assert _found(service, "AUTHOR:JSILVA") == {ids["joao_card"], ids["joao_dm"]}
    assert _found(service, "author:@jsilva privado") == {ids["joao_dm"]}
    assert _found(service, "author:@ana_b") == {ids["mention"]}
    assert _found(service, "author:@jsil") == set()  # a handle, not a prefix
    # Punctuation alone searches nothing rather than failing.
    assert len(_found(service, '"*: ()')) == 5


def test_search_sees_a_post_after_its_author_is_renamed(service: QueueService) -> None:
    """The index follows updates of the author's columns (the erasure's anonymising too)."""
    ids = _seed(service)
    from sqlalchemy import update

    from triage.storage.tables import posts

    with service.engine.begin() as conn:
        conn.execute(
            update(posts).where(posts.c.id == ids["joana"]).values(author_name="Maria Ávila")
        )
    assert _found(service, "avila") == {ids["joana"]}
    assert _found(service, "joana fatura") == {ids["joana"]}  # by the handle joana_b


def test_fold_and_parse() -> None:
    assert fold("João ÁVILA") == "joao avila"
    assert all(fold(a) == b for a, b in zip(FOLD_FROM, FOLD_TO, strict=True))
    assert parse("author:@Ana  cartão  PIX!") == (["cartao", "pix"], "Ana")
    assert parse("olá") == (["ola"], "")


def test_queue_list_searches_every_view(service: QueueService, db_url: str) -> None:
    from triage.cli import cli

    ids = _seed(service)
    env = {"TRIAGE_DATABASE__URL": db_url}
    result = CliRunner().invoke(cli, ["queue", "list", "--search", "joao"], env=env)
    assert result.exit_code == 0, result.output
    assert f"{ids['joao_card']:>7}" in result.output and "(ignored)" in result.output
    assert "@ana_b" in result.output and "@joana_b" not in result.output
    result = CliRunner().invoke(cli, ["queue", "list", "--author", "@JSILVA"], env=env)
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 2 and all("silva" in line.lower() for line in lines), result.output
    result = CliRunner().invoke(
        cli, ["queue", "list", "--view", "private_dm", "--search", "joão"], env=env
    )
    assert [int(line.split()[0]) for line in result.output.splitlines()] == [ids["joao_dm"]]
