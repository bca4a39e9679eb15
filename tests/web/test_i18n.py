"""The review queue speaks English, Brazilian Portuguese and Spanish: each person picks theirs,
the log-in page follows the browser, and the shipped catalogs are complete and compiled."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from jinja2 import Environment
from starlette.testclient import TestClient

from config.schema import Settings
from kernel.models import Route
from kernel.vocab import LOCALES
from tests.queue.seed import decide
from tests.web.conftest import login
from triage.queue.saved_replies import CHANNELS, VARIABLES
from triage.queue.users import UserStore
from triage.storage import Store
from triage.suggest.replies import REPLIES
from triage.web.app import create_app
from triage.web.i18n import LOCALE_DIR, from_accept_language
from triage.web.labels import SAVED_REPLY_WORDS, SUGGESTION_LABELS

PACKAGE = Path(__file__).resolve().parents[2] / "triage" / "web"
TEMPLATES = PACKAGE / "templates"
TRANSLATED = [locale for locale in LOCALES if locale != "en"]
#: Text that may stand outside `_()`: symbols, numbers, time units (`1h 5m`) and the product's
#: own name.
NOT_WORDS = re.compile(r"social-triage|&[a-z]+;|&#\d+;|(?<![A-Za-z])[mhd](?![A-Za-z])|[^A-Za-zÀ-ÿ]")
#: Attributes a person reads or hears (placeholders, tooltips, screen-reader labels).
READ_ATTRIBUTES = re.compile(r'\b(placeholder|title|aria-label|alt)="([^"]*)"')


def _po(locale: str) -> Path:
    return LOCALE_DIR / locale / "LC_MESSAGES" / "web.po"


def _entries(catalog: Catalog) -> dict[object, object]:
    def plain(value: object) -> object:
        return tuple(value) if isinstance(value, list | tuple) else value

    return {plain(m.id): plain(m.string) for m in catalog if m.id}


def _extracted() -> set[object]:
    found = extract_from_dir(
        str(PACKAGE),
        method_map=[("**.py", "python"), ("templates/**.html", "jinja2")],
        options_map={"templates/**.html": {"extensions": "jinja2.ext.i18n"}},
        keywords={"_": None, "gettext": None, "ngettext": (1, 2), "N_": None},
    )
    return {message for _file, _line, message, _comments, _context in found}


@pytest.mark.parametrize("locale", TRANSLATED)
def test_compiled_catalog_matches_its_source(locale: str) -> None:
    po, mo = _po(locale), _po(locale).with_suffix(".mo")
    with po.open("rb") as source, mo.open("rb") as compiled:
        assert _entries(read_po(source)) == _entries(read_mo(compiled)), (
            f"{mo} is stale: run pybabel compile (docs/review-queue.md, Languages)"
        )


@pytest.mark.parametrize("locale", TRANSLATED)
def test_every_message_is_translated_with_the_same_placeholders(locale: str) -> None:
    with _po(locale).open("rb") as po:
        translated = _entries(read_po(po, locale=locale))
    extracted = _extracted()
    assert len(extracted) > 300
    missing = sorted(
        str(m)
        for m in extracted
        if not translated.get(m) or (isinstance(translated[m], tuple) and not all(translated[m]))  # type: ignore[arg-type]
    )
    assert not missing, f"untranslated in {_po(locale)}: {missing}"
    for msgid, msgstr in translated.items():
        ids = msgid if isinstance(msgid, tuple) else (msgid,)
        strs = msgstr if isinstance(msgstr, tuple) else (msgstr,)
        wanted = set(re.findall(r"%\(\w+\)\w", "".join(map(str, ids))))
        for text in strs:
            assert set(re.findall(r"%\(\w+\)\w", str(text))) <= wanted | {"%(num)d"}, msgid
            assert set(re.findall(r"%\(\w+\)\w", str(text))) >= wanted - {"%(num)d"}, msgid
            assert str(text).count("<") == "".join(map(str, ids[:1])).count("<"), msgid


def _text_outside_gettext(source: str) -> list[str]:
    """The words of a template's HTML text (outside tags) and read attributes that no `_()`
    wraps: the template's literal parts, read in order, tags tracked across Jinja tags. Keys
    (`<kbd>j</kbd>`) are keys, not words."""
    found: list[str] = []
    in_tag = False
    source = re.sub(r"<kbd>[^<]{1,3}</kbd>", "<kbd></kbd>", source)
    for _line, kind, value in Environment(extensions=["jinja2.ext.i18n"]).lex(source):
        if kind != "data":
            continue
        for _name, attribute in READ_ATTRIBUTES.findall(value):
            if NOT_WORDS.sub("", attribute):
                found.append(attribute)
        text = []
        for char in value:
            if not in_tag and char == "<":
                in_tag = True
            elif in_tag and char == ">":
                in_tag = False
            elif not in_tag:
                text.append(char)
        words = "".join(text).strip()
        if NOT_WORDS.sub("", words):
            found.append(words)
    return found


def test_no_template_shows_text_outside_gettext() -> None:
    offenders = {
        path.name: words
        for path in sorted(TEMPLATES.glob("*.html"))
        if (words := _text_outside_gettext(path.read_text(encoding="utf-8")))
    }
    assert not offenders, f"wrap these in _(): {offenders}"


def test_the_text_check_catches_a_bare_word() -> None:
    assert _text_outside_gettext('<p class="x">Hello {{ name }}</p>') == ["Hello"]
    assert _text_outside_gettext('<input placeholder="Type here">') == ["Type here"]
    assert _text_outside_gettext('<p>{{ _("Hello") }} · #{{ n }}</p>') == []


def test_saved_reply_and_suggestion_words_are_in_the_catalog() -> None:
    assert set(SAVED_REPLY_WORDS) == {*CHANNELS.values(), *VARIABLES.values()}
    assert set(SUGGESTION_LABELS) == {spec.label for specs in REPLIES.values() for spec in specs}


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("pt-BR,pt;q=0.9,en;q=0.8", "pt_BR"),
        ("pt-PT", "pt_BR"),
        ("es-AR,es;q=0.9", "es"),
        ("de-DE,de;q=0.9", "en"),
        ("de;q=1, es;q=0.5, pt;q=0.7", "pt_BR"),
        ("en-GB", "en"),
        ("pt;q=0, es", "es"),
        ("", "en"),
        ("q=;;,", "en"),
    ],
)
def test_accept_language(header: str, expected: str) -> None:
    assert from_accept_language(header, "en") == expected


# --- pages --------------------------------------------------------------------------------------


@pytest.fixture
def posts(web_store: Store) -> dict[str, int]:
    return {
        "reply": decide(
            web_store,
            external_id="1",
            text="Fui cobrado duas vezes no cartão",
            summary={
                "en": "Public reply: a billing complaint.",
                "pt_BR": "Resposta pública: uma reclamação de cobrança.",
            },
        ),
        "helpdesk": decide(
            web_store, external_id="2", text="Meu pedido não chegou", route=Route.HELPDESK
        ),
    }


def _client(store: Store, settings: Settings | None = None) -> Iterator[TestClient]:
    with TestClient(create_app(settings or Settings(), store)) as client:
        yield client


@pytest.fixture
def client(web_store: Store) -> Iterator[TestClient]:
    yield from _client(web_store)


def _speaking(store: Store, name: str, locale: str | None) -> None:
    UserStore(store.engine).set_locale(name, locale)


PORTUGUESE = {
    "queue": ("Resposta pública", "Buscar", "Assumir", "Ignorar", "Selecionar todos desta página"),
    "item": ("Responder em público", "Mensagem direta", "Escalar para o helpdesk", "Histórico"),
    "login": ("Nome", "Senha", "Entrar", "A fila de atendimento da equipe"),
}
SPANISH = {
    "queue": (
        "Respuesta pública",
        "Buscar",
        "Tomar",
        "Ignorar",
        "Seleccionar todas en esta página",
    ),
    "item": ("Responder en público", "Mensaje directo", "Escalar a la mesa de ayuda", "Historial"),
    "login": ("Nombre", "Contraseña", "Iniciar sesión", "La cola de atención del equipo"),
}
ENGLISH = {
    "queue": ("Public reply", "Search", "Claim", "Ignore", "Select all on this page"),
    "item": ("Reply publicly", "Direct message", "Escalate to the helpdesk", "History"),
    "login": ("Name", "Password", "Log in", "The care team's review queue"),
}


@pytest.mark.parametrize(
    ("locale", "lang", "words", "others"),
    [
        ("pt_BR", "pt-BR", PORTUGUESE, ENGLISH),
        ("es", "es", SPANISH, ENGLISH),
    ],
)
def test_a_person_reads_the_queue_and_a_post_in_their_language(
    web_store: Store,
    client: TestClient,
    posts: dict[str, int],
    locale: str,
    lang: str,
    words: dict[str, tuple[str, ...]],
    others: dict[str, tuple[str, ...]],
) -> None:
    _speaking(web_store, "ana", locale)
    login(client, "ana")
    queue = client.get("/queue/public_reply")
    assert queue.status_code == 200 and f'<html lang="{lang}">' in queue.text
    assert queue.headers["content-language"] == lang
    for phrase in words["queue"]:
        assert phrase in queue.text, phrase
    for phrase in ("Select all on this page", "Log out", ">Claim<", "Nothing here"):
        assert phrase not in queue.text, phrase
    item = client.get(f"/items/{posts['reply']}")
    for phrase in words["item"]:
        assert phrase in item.text, phrase
    for phrase in others["item"]:
        assert phrase not in item.text, phrase
    # What the post's author wrote stays as written, marked with its own language.
    assert '<p class="text" dir="auto" lang="pt">Fui cobrado duas vezes no cartão</p>' in item.text


def test_the_reason_follows_the_reader_and_falls_back_to_english(
    web_store: Store, client: TestClient, posts: dict[str, int]
) -> None:
    _speaking(web_store, "ana", "pt_BR")
    login(client, "ana")
    page = client.get(f"/items/{posts['reply']}").text
    assert "Resposta pública: uma reclamação de cobrança." in page
    assert "Public reply: a billing complaint." not in page
    assert '<p class="reason">Resposta pública' in page  # the page's own language
    _speaking(web_store, "ana", "es")  # no Spanish summary stored: the English one, marked so
    page = client.get(f"/items/{posts['reply']}").text
    assert '<p class="reason" lang="en">Public reply: a billing complaint.</p>' in page


def test_without_a_choice_the_setting_decides(web_store: Store, posts: dict[str, int]) -> None:
    for client in _client(web_store, Settings(locale="pt_BR")):
        login(client, "ana")
        page = client.get("/queue/public_reply").text
        assert '<html lang="pt-BR">' in page and "Selecionar todos desta página" in page
    for client in _client(web_store):
        login(client, "ana")
        assert '<html lang="en">' in client.get("/queue/public_reply").text


@pytest.mark.parametrize(
    ("header", "lang", "phrase"),
    [
        ("pt-BR,pt;q=0.9,en;q=0.8", "pt-BR", "A fila de atendimento da equipe"),
        ("es-MX,es;q=0.9", "es", "La cola de atención del equipo"),
        ("de-DE,de;q=0.9,fr;q=0.8", "en", "The care team's review queue"),
        ("", "en", "The care team's review queue"),
    ],
)
def test_the_login_page_follows_the_browser(
    client: TestClient, header: str, lang: str, phrase: str
) -> None:
    page = client.get("/login", headers={"accept-language": header})
    assert f'<html lang="{lang}">' in page.text and phrase in page.text


def test_an_unknown_browser_language_falls_back_to_the_setting(web_store: Store) -> None:
    for client in _client(web_store, Settings(locale="es")):
        page = client.get("/login", headers={"accept-language": "de-DE,de;q=0.9"})
        assert '<html lang="es">' in page.text and "Iniciar sesión" in page.text


def test_a_refused_login_says_so_in_the_browsers_language(client: TestClient) -> None:
    page = client.get("/login", headers={"accept-language": "pt-BR"})
    token = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert token
    refused = client.post(
        "/login",
        data={"name": "ana", "password": "wrong password", "csrf": token.group(1)},
        headers={"accept-language": "pt-BR"},
    )
    assert refused.status_code == 401 and "Nome ou senha incorretos." in refused.text


def test_the_account_page_saves_the_language(web_store: Store, client: TestClient) -> None:
    csrf = login(client, "ana")
    page = client.get("/account").text
    assert '<option value="pt_BR" lang="pt-BR">Português (Brasil)</option>' in page
    assert '<option value="" selected>The team\'s default (English)</option>' in page
    no_token = client.post("/account", data={"op": "locale", "locale": "pt_BR"})
    assert no_token.status_code == 403
    assert UserStore(web_store.engine).get("ana").locale is None  # type: ignore[union-attr]
    saved = client.post(
        "/account", data={"op": "locale", "locale": "pt_BR", "csrf": csrf}, follow_redirects=False
    )
    assert saved.status_code == 303 and saved.headers["location"] == "/account?done=locale"
    page = client.get(saved.headers["location"]).text
    assert '<html lang="pt-BR">' in page and "Idioma salvo" in page
    assert '<option value="pt_BR" lang="pt-BR" selected>' in page
    assert (
        client.post("/account", data={"op": "locale", "locale": "fr", "csrf": csrf}).status_code
        == 400
    )
    back = client.post("/account", data={"op": "locale", "locale": "", "csrf": csrf})
    assert back.status_code == 200 and '<html lang="en">' in back.text
    assert UserStore(web_store.engine).get("ana").locale is None  # type: ignore[union-attr]
    audit = client.get("/audit")
    assert audit.status_code == 403  # an agent; the change is in the log for leads
    lead = TestClient(client.app)
    login(lead, "lia")
    assert "locale_change" in lead.get("/audit").text


def test_the_bulk_counter_and_presence_words_come_from_the_page(
    web_store: Store, client: TestClient, posts: dict[str, int]
) -> None:
    _speaking(web_store, "ana", "pt_BR")
    _speaking(web_store, "bia", "pt_BR")
    ana_csrf = login(client, "ana")
    page = client.get("/queue/public_reply").text
    assert 'data-one="{n} selecionado" data-many="{n} selecionados"' in page
    bia = TestClient(client.app)
    login(bia, "bia")
    bia.get(f"/items/{posts['reply']}")  # bia opens the post
    seen = client.post(
        f"/items/{posts['reply']}/presence",
        data={"activity": "viewing"},
        headers={"x-csrf-token": ana_csrf},
    )
    assert seen.json() == {"others": "bia está vendo"}


def test_dates_and_numbers_follow_the_reader(
    web_store: Store, client: TestClient, posts: dict[str, int]
) -> None:
    _speaking(web_store, "ana", "pt_BR")
    login(client, "ana")
    page = client.get(f"/items/{posts['reply']}").text
    assert re.search(r"Decidido por \S+ em \d\d/\d\d/\d{4} \d\d:\d\d UTC", page)
    assert "regra complaint-public · 90%" in page


# --- the queue's refusals ----------------------------------------------------------------------


def test_a_refusal_is_worded_in_the_readers_language(
    web_store: Store, client: TestClient, posts: dict[str, int]
) -> None:
    post = posts["reply"]
    _speaking(web_store, "ana", "pt_BR")
    bia = TestClient(client.app)
    bia_csrf = login(bia, "bia")
    assert bia.post(f"/items/{post}/claim", data={"csrf": bia_csrf}).status_code == 200
    ana_csrf = login(client, "ana")
    refused = client.post(f"/items/{post}/claim", data={"csrf": ana_csrf})
    assert refused.status_code == 409
    assert re.search(
        rf"o post {post} está com bia até \d\d:\d\d UTC; assuma no lugar", refused.text
    )
    # bia reads English (the setting): the queue's own words
    again = bia.post(f"/items/{posts['helpdesk']}/ignore", data={"csrf": bia_csrf})
    assert again.status_code == 200
    late = bia.post(f"/items/{posts['helpdesk']}/ignore", data={"csrf": bia_csrf})
    assert f"post {posts['helpdesk']} is ignored already" in late.text


@pytest.mark.parametrize(
    ("message", "portuguese"),
    [
        (
            "post 7 is already answered; send anyway only with 'answer again'",
            "o post 7 já está respondido; para enviar mesmo assim, marque “responder de novo”",
        ),
        ("post 7 is escalated already", "o post 7 já está escalado"),
        (
            "post 7 is claimed by bia until 14:05 UTC",
            "o post 7 está com bia até 14:05 UTC",
        ),
        (
            "post 7 is already escalated: case 3 (held)",
            "o post 7 já foi escalado: caso 3 (retido)",
        ),
        (
            "mo (marketing) can read the queue but not act on it",
            "mo (marketing) pode ler a fila, mas não agir nela",
        ),
        ("reply: the message is empty", "resposta: a mensagem está vazia"),
        (
            "password for ana: at least 10 characters",
            "senha de ana: pelo menos 10 caracteres",
        ),
        ("something new the web does not know", "something new the web does not know"),
    ],
)
def test_refusals_keep_their_facts(message: str, portuguese: str) -> None:
    from triage.web.i18n import speaking
    from triage.web.refusals import reword

    with speaking("pt_BR"):
        assert reword(message) == portuguese
    assert reword(message) == message  # English: the queue's own text


def test_the_account_page_refuses_a_short_password_in_portuguese(
    web_store: Store, client: TestClient
) -> None:
    from tests.queue.seed import PASSWORD

    _speaking(web_store, "ana", "pt_BR")
    csrf = login(client, "ana")
    refused = client.post(
        "/account",
        data={"csrf": csrf, "current": PASSWORD, "password": "curta", "again": "curta"},
    )
    assert refused.status_code == 400 and "senha de ana: pelo menos 10 caracteres" in refused.text
    wrong = client.post(
        "/account", data={"csrf": csrf, "current": "nope", "password": "x", "again": "x"}
    )
    assert "A sua senha atual não confere." in wrong.text
