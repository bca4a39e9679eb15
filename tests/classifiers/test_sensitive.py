"""The sensitive-data detector, the redaction and the topic keywords (no model involved)."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import pytest

from classifiers.keywords import CATEGORIES, PAIRED, keyword_hits
from classifiers.sensitive import KINDS, SensitiveDetector, detect, redact
from classifiers.terms import TermSet, fold

CASES = Path(__file__).with_name("data") / "sensitive_cases.tsv"


def kinds(text: str) -> list[str]:
    return [f.kind for f in detect(text)]


# --- valid values are found (English and Portuguese) -----------------------------------------


@pytest.mark.parametrize(
    ("text", "kind", "value"),
    [
        ("my card 4111 1111 1111 1111 was charged twice", "payment_card", "4111 1111 1111 1111"),
        ("cartão 5555-5555-5555-4444 clonado", "payment_card", "5555-5555-5555-4444"),
        ("amex 3782 822463 10005 please", "payment_card", "3782 822463 10005"),
        ("card number 4012888888881881", "payment_card", "4012888888881881"),
        ("IBAN GB82 WEST 1234 5698 7654 32 thanks", "iban", "GB82 WEST 1234 5698 7654 32"),
        ("meu IBAN é PT50000201231234567890154", "iban", "PT50000201231234567890154"),
        ("IBAN BR1800000000141455123924100C2", "iban", "BR1800000000141455123924100C2"),
        ("meu CPF é 529.982.247-25", "cpf", "529.982.247-25"),
        ("CPF 52998224725 não aparece", "cpf", "52998224725"),
        ("CNPJ 11.017.153/0001-68 da loja", "cnpj", "11.017.153/0001-68"),
        ("cnpj 61882613000194", "cnpj", "61882613000194"),
        ("CNPJ 12ABC34501DE35", "cnpj", "12ABC34501DE35"),
        ("my SSN is 123-45-6780", "ssn", "123-45-6780"),
        ("social security number 219099998", "ssn", "219099998"),
        ("write to jane.doe@example.com", "email", "jane.doe@example.com"),
        ("meu email é joao@uol.com.br.", "email", "joao@uol.com.br"),
        ("call me at (212) 555-0147", "phone", "(212) 555-0147"),
        ("me liga no (11) 94123-4567", "phone", "(11) 94123-4567"),
        ("whatsapp +351 912 345 678", "phone", "+351 912 345 678"),
        ("meu cel (22) 9956-7894", "phone", "(22) 9956-7894"),
        ("my password is Summer2024!", "credential", "Summer2024!"),
        ("senha: amor2024", "credential", "amor2024"),
        ("mi contraseña es Perro123", "credential", "Perro123"),
        ("PIN 4821 no caixa", "credential", "4821"),
        ("account number 48392017", "account_number", "48392017"),
        ("conta corrente 12345-6 agência 0001", "account_number", "12345-6"),
        ("número de cuenta: 0049150005", "account_number", "0049150005"),
        ("I was diagnosed with diabetes", "health", "diabetes"),
        ("estou grávida e a entrega atrasou", "health", "grávida"),
    ],
)
def test_valid_values_are_found_with_their_span(text: str, kind: str, value: str) -> None:
    findings = [f for f in detect(text) if f.kind == kind]
    assert [text[f.start : f.end] for f in findings][-1:] == [value]


# --- invalid check digits are not ------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "my card 4111 1111 1111 1112 was charged",  # fails Luhn
        "card 2721465526338453",  # Luhn-valid, outside the Mastercard 2-series range
        "0000 0000 0000 0000",
        "IBAN GB82 WEST 1234 5698 7654 33",  # checksum
        "IBAN ES2121000418450200051331",  # mod-97 fine, Spanish national check digits wrong
        "meu CPF é 529.982.247-26",
        "CPF 111.111.111-11",  # one repeated digit
        "CNPJ 11.017.153/0001-69",
        "SSN 666-12-3456",
        "SSN 000-12-3456",
        "ssn 912-34-5678",
        "email invalid@ or @nowhere.com or some..name@gmail.com",
        "me liga no +55 15 7566123",
    ],
)
def test_invalid_check_digits_are_not_found(text: str) -> None:
    assert kinds(text) == []


# --- look-alikes are not sensitive -----------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "tracking 1Z999AA10123456784 still in transit",
        "USPS 9400111899223197428490",
        "código de rastreio LB123456789BR parado",
        "FedEx tracking 612345678901",
        "order ACME-2026-118843 never arrived",
        "pedido 2026118843 não chegou",
        "order 4111111111111111 shipped",  # a Luhn-valid order number is still an order number
        "order #5511912345678",
        "invoice INV-2026-000123",
        "nota fiscal 000123456 série 1",
        "since 2024-01-15 no answer",
        "desde 15/01/2024 sem resposta",
        "em 15.01.2024 às 14h30",
        "paid $1,299.99 twice",
        "cobraram R$ 1.234,56 na fatura",
        "protocolo 20240315123456",
        "IMEI 356938035643809",
        "serial SN-4532-0151-1283-0366",
        "CEP 01310-100",
        "zip 94105-1234",
        "version 10.15.7 broke it",
        "I forgot my password",
        "my password is not working",
        "senha incorreta de novo",
        "the PIN pad is broken",
        "my account was locked",
        "minha conta foi bloqueada",
        "I'm sick of waiting",
        "my handle is @jane_doe",
    ],
)
def test_look_alikes_are_not_sensitive(text: str) -> None:
    assert kinds(text) == []


def test_a_card_inside_a_longer_digit_run_is_not_a_card() -> None:
    assert kinds("ref 94111111111111111") == []
    assert kinds("4111111111111111999") == []  # 19 digits, fails Luhn as a whole


def test_a_valid_cpf_is_not_also_a_phone() -> None:
    assert kinds("CPF 529.982.247-25") == ["cpf"]


def test_findings_come_in_text_order() -> None:
    text = "email a@b.com, card 4111 1111 1111 1111, CPF 529.982.247-25"
    assert kinds(text) == ["email", "payment_card", "cpf"]


# --- previews and redaction -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "preview"),
    [
        ("card 4111 1111 1111 1111", "**** **** **** 1111"),
        ("e-mail jane@example.com", "j***@example.com"),
        ("CPF 529.982.247-25", "***.***.***-25"),
        ("CNPJ 11.017.153/0001-68", "**.***.***/****-68"),
        ("IBAN GB82 WEST 1234 5698 7654 32", "GB** **** **** **** **54 32"),
        ("my password is Summer2024!", "********"),
        ("PIN 4821", "********"),
        ("diagnosed with asthma", "[health]"),
    ],
)
def test_previews_mask_the_value(text: str, preview: str) -> None:
    assert preview in [f.preview for f in detect(text)]


REDACTION_CASES = [
    ("my card 4111 1111 1111 1111 and cpf 529.982.247-25", ["4111 1111 1111 1111", "529.982"]),
    ("IBAN PT50 0002 0123 1234 5678 9015 4", ["0002 0123 1234", "PT50000201231234567890154"]),
    ("write to jane.doe@example.com or call (212) 555-0147", ["jane.doe", "555-01"]),
    ("minha senha é Batata#12 e o PIN 4821", ["Batata#12", "4821"]),
    ("SSN 123-45-6780, account number 48392017", ["123-45", "48392017"]),
]


@pytest.mark.parametrize(("text", "secrets"), REDACTION_CASES)
def test_redaction_never_leaks_the_full_value(text: str, secrets: list[str]) -> None:
    redacted = redact(text)
    for secret in secrets:
        assert secret not in redacted
    for finding in detect(text):
        assert text[finding.start : finding.end] not in finding.preview
        assert finding.preview in redacted


def test_redaction_keeps_the_rest_of_the_text() -> None:
    assert redact("card 4111 1111 1111 1111 charged twice!") == (
        "card **** **** **** 1111 charged twice!"
    )
    assert redact("nothing sensitive here") == "nothing sensitive here"


def test_every_preview_in_the_assembled_set_hides_its_value() -> None:
    with CASES.open(encoding="utf-8") as fh:
        for rec in csv.DictReader(fh, delimiter="\t"):
            for finding in detect(rec["text"]):
                value = rec["text"][finding.start : finding.end]
                assert value != finding.preview
                assert value not in redact(rec["text"])


# --- configuration ----------------------------------------------------------------------------


def test_account_patterns_are_configurable() -> None:
    detector = SensitiveDetector(account_patterns=[r"customer id (?P<number>\d{6,})"])
    text = "customer id 99887766, account number 48392017"
    found = detector.detect(text)
    assert [(f.kind, text[f.start : f.end]) for f in found] == [("account_number", "99887766")]


def test_phone_regions_are_configurable() -> None:
    text = "call me on 612 34 56 78"
    assert "phone" in [f.kind for f in SensitiveDetector(phone_regions=["ES"]).detect(text)]
    assert [f.kind for f in SensitiveDetector(phone_regions=["US"]).detect(text)] == []


# --- the assembled accuracy set ----------------------------------------------------------------


def test_the_assembled_set_meets_the_quality_targets() -> None:
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    rows = 0
    with CASES.open(encoding="utf-8") as fh:
        for rec in csv.DictReader(fh, delimiter="\t"):
            rows += 1
            expected = {k for k in rec["expected"].split(",") if k}
            assert expected <= set(KINDS), rec
            found = {f.kind for f in detect(rec["text"])}
            tp.update(found & expected)
            fp.update(found - expected)
            fn.update(expected - found)
    assert rows >= 300
    total_tp = sum(tp.values())
    assert total_tp / (total_tp + sum(fp.values())) >= 0.99
    assert total_tp / (total_tp + sum(fn.values())) >= 0.98


# --- keywords ----------------------------------------------------------------------------------


def test_fold_keeps_offsets() -> None:
    text = "Cobrança indevida, CONTRASEÑA, ação"
    assert fold(text) == "cobranca indevida, contrasena, acao"
    assert len(fold(text)) == len(text)


@pytest.mark.parametrize(
    ("text", "category", "word"),
    [
        ("Cobrança indevida na FATURA", "billing", "fatura"),
        ("me cobraron dos veces la factura", "billing", "factura"),
        ("I was double charged on my bill", "billing", "double charged"),
        ("cadê o estorno?", "refund", "estorno"),
        ("quiero un reembolso", "refund", "reembols*"),
        ("vou no Procon amanhã", "legal_threat", "procon"),
        ("meu advogado vai processar vocês", "legal_threat", "advogado"),
        ("voy a poner una demanda con mi abogado", "legal_threat", "abogado"),
        ("my lawyer will be in touch", "legal_threat", "lawyer"),
        ("the charger caught fire", "safety", "caught fire"),
        ("o carregador pegou fogo", "safety", "pegou fogo"),
        ("esqueci a senha", "account_access", "senha"),
        ("no puedo iniciar sesión", "account_access", "iniciar sesion"),
        ("meu pedido não chegou", "delivery", "nao chegou"),
        ("the app is down again", "outage", "is down"),
        ("diagnosticado com diabetes", "health", "diabetes"),
    ],
)
def test_keyword_hits_in_three_languages(text: str, category: str, word: str) -> None:
    hits = keyword_hits(text)
    assert category in hits
    assert word.rstrip("*") in " ".join(hits[category])


@pytest.mark.parametrize(
    "text",
    [
        "Sue from support was lovely",  # a name, not "sue"
        "debido a la alta demanda",  # demand, not a lawsuit
        "my account was disabled",  # not a health term
        "billboard downtown",  # word boundaries
    ],
)
def test_keyword_hits_avoid_ordinary_words(text: str) -> None:
    hits = keyword_hits(text)
    assert "legal_threat" not in hits
    assert "health" not in hits
    assert "billing" not in hits


def test_keyword_hits_is_empty_for_chatter() -> None:
    assert keyword_hits("what a lovely day") == {}


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("I'm celiac and the pasta came with wheat", "safety"),
        ("veio com amendoim e ele teve reação, meu filho tem alergia", "safety"),
        ("la salsa traía maní y tuvo una reacción, es alérgica", "safety"),
        ("there's a wire hanging down over the bus stop", "safety"),
        ("tem um fio desencapado pendurado no poste", "safety"),
        ("the pharmacy gave me the wrong dose of insulin", "safety"),
        ("me dieron un medicamento equivocado", "safety"),
        ("a man was filming in the women's changing room", "safety"),
        ("o motorista estava bêbado e passou o sinal vermelho", "safety"),
        ("the brakes on my new car failed on the motorway", "safety"),
        ("got an SMS with a link to pay a fee, is this from you?", "fraud"),
        ("um perfil falso de vocês pediu o código que chegou por SMS", "fraud"),
        ("apareceu um pix que eu não fiz", "fraud"),
        ("una transferencia que yo no hice", "fraud"),
        ("the label has another customer's name and phone number", "privacy_breach"),
        ("a nota fiscal veio com nome e CPF de outra cliente", "privacy_breach"),
        ("la boleta tiene el nombre y teléfono de otro cliente", "privacy_breach"),
        ("someone claiming to be your support asked for my login code", "fraud"),
        ("got a text that my account will be suspended with a link, did you send it?", "fraud"),
        ("fizeram troca do meu chip sem autorização", "account_takeover"),
        ("me hicieron un cambio de chip sin autorización", "account_takeover"),
    ],
)
def test_paired_incidents_need_both_halves_in_any_order(text: str, category: str) -> None:
    assert category in keyword_hits(text)


@pytest.mark.parametrize(
    "text",
    [
        "this song is fire",
        "killer deal on the headphones",
        "a bomba do meu chuveiro é da marca de vocês",
        "me mató de risa el anuncio",
        "do you have gluten free options? I'm celiac",  # an allergen, no harm
        "vocês têm opção sem amendoim? meu filho tem alergia",
        "paguei com pix, chegou rápido",  # a transaction, not someone else's
        "please update my name and address on the account",  # data, nobody else's
        "my driver was lovely, 5 stars",  # a driver, no danger
        "o carregador queimou depois de um mês",  # pt: the charger died, no fire
        "fake news everywhere today",
        "quero fazer troca de chip, o meu quebrou",  # a new SIM asked for, no takeover
        "here is my personal number for the callback",  # one phrase is not both halves
        "a conta está no meu nome, posso fazer a compra pelo app?",  # ownership, not fraud
        "eu não fiz a compra ainda, o frete é grátis?",  # not yet, not someone else
        "I didn't make the purchase yet, is the discount still on?",
        "el cable de internet está cortado en la calle",  # a telecom cable, no hazard
        "el conductor esperó en el semáforo y llegamos bien",
    ],
)
def test_figures_of_speech_and_half_pairs_are_no_incident(text: str) -> None:
    hits = keyword_hits(text)
    assert not {"safety", "fraud", "privacy_breach", "account_takeover"} & set(hits)


# --- the cheap pre-checks skip work, never a match --------------------------------------------


def _texts_made_of(terms: tuple[str, ...]) -> list[str]:
    """Texts built from the terms themselves, glued and separated in the ways that matter."""
    endings = [t.replace("*", "ado") for t in terms]
    return [
        " ".join(endings),
        " x".join(endings),
        "-".join(endings),
        "".join(endings),
        "\n".join(t.upper() for t in endings),
        " and ".join(t.rstrip("*") + "s" for t in terms),
    ]


@pytest.mark.parametrize("category", sorted(CATEGORIES))
def test_term_pre_check_finds_exactly_what_the_regex_finds(category: str) -> None:
    terms = TermSet(CATEGORIES[category])
    with CASES.open(encoding="utf-8") as fh:
        cases = [rec["text"] for rec in csv.DictReader(fh, delimiter="\t")]
    texts = [*_texts_made_of(CATEGORIES[category]), *cases]
    for text in map(fold, texts):
        assert [m.span() for m in terms.finditer(text)] == [
            m.span() for m in terms.pattern.finditer(text)
        ]


_PAIR_LISTS = [words for pairs in PAIRED.values() for pair in pairs for words in pair]


@pytest.mark.parametrize("words", _PAIR_LISTS, ids=range(len(_PAIR_LISTS)))
def test_term_pre_check_on_the_paired_lists(words: tuple[str, ...]) -> None:
    terms = TermSet(words)
    for text in map(fold, _texts_made_of(words)):
        assert [m.span() for m in terms.finditer(text)] == [
            m.span() for m in terms.pattern.finditer(text)
        ]


def test_term_pre_check_on_odd_terms() -> None:
    terms = TermSet(["can't log", "a/c *", "x*", "-flag", " error  500 ", "reembols*", "#!"])
    assert terms.always  # "#!" has no word to look for: the regex always runs
    assert terms.keys == {"can", "a", "flag", "error"}  # each term's longest whole word
    assert terms.prefixes == ("reembols", "x")
    plain = TermSet(["can't log", "a/c *"])
    assert not plain.may_match("we login", frozenset({"we", "login"}))
    texts = ["i can't  log in", "a/c bc", "a/cb", "a/c", "reembolsado", "error\n500", "x -flag #!"]
    for text in texts:
        for ts in (terms, plain):
            assert [m.span() for m in ts.finditer(text)] == [
                m.span() for m in ts.pattern.finditer(text)
            ]


def test_number_scans_count_every_kind_of_digit() -> None:
    # Superscript digits are digits to `str.isdigit` (which the account check counts), not to
    # `\d`: the digit pre-check must not skip a configured pattern that accepts them.
    detector = SensitiveDetector(account_patterns=[r"acct (?P<number>\S+)"])
    assert [f.kind for f in detector.detect("acct ²³⁴⁵⁶")] == ["account_number"]
    assert detector.detect("acct ²³⁴⁵") == ()
