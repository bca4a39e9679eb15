"""Rebuild `sensitive_cases.tsv`: python tests/classifiers/data/build_sensitive_cases.py PII_DIR

PII_DIR holds the validator test vectors (python-stdnum doctests, validator.js tests) described
in the shared data README. The rows used are copied into the TSV, so tests never read PII_DIR.
Generated rows come from a seeded generator: valid and invalid check-digit numbers built here,
and look-alikes (tracking numbers, order ids, dates, prices, phone-like ids). Expected kinds
are set by construction (or by the vectors' own labels), never by running the detector.

Vector rows left out on purpose (validation and detection disagree by design):
- validator.js rows whose verdict depends on options (provider, whitelist, display names...);
- e-mails that are invalid only as a whole string but contain a valid address in running text
  (`foo@bar.com.`, `test2@invalid.co m` with any kind of space), quoted local parts, template
  strings, fullwidth hosts, over-long local parts;
- pt-BR mobiles libphonenumber accepts and validator.js rejects (`+55 11 90431-4567` ...);
- `12.ABC.345/01DE-35` (validator.js: invalid; the 2026 alphanumeric CNPJ rules: valid).
"""

from __future__ import annotations

import csv
import random
import sys
from pathlib import Path

OUT = Path(__file__).with_name("sensitive_cases.tsv")
RNG = random.Random(20260101)

EXCLUDED_EMAILS = {
    "foo@bar.com.",
    "foo@bar.co.uk.",
    "somename@\uff47\uff4d\uff41\uff49\uff4c.com",
    "nbsp_test@test.co m",
    '"foobar"@example.com',
    '"foobar@gmail.com',
    'foo"bar"@gmail.com',
    "test123+invalid! sub_address@gmail.com",
    '"wrong()[]",:;<>@@gmail.com',
    "01HBGW8CWR8MZQMBG6FA2QHMDD",
    "01hbgw8cws1tq2njavy9amb0wx",
}
EXCLUDED_PHONES = {"+55 11 90431-4567", "+55 (11) 90431-4567", "+551190431-4567",
                   "5511904314567", "5511902345678"}  # fmt: skip

Row = tuple[str, str, str]  # text, expected kinds (comma-separated, sorted), origin


def row(text: str, kinds: str, origin: str) -> Row:
    return (text, ",".join(sorted(k for k in kinds.split(",") if k)), origin)


# --- generators ----------------------------------------------------------------------------


def luhn_complete(prefix: str, length: int) -> str:
    body = prefix + "".join(str(RNG.randrange(10)) for _ in range(length - len(prefix) - 1))
    for check in "0123456789":
        digits = [int(d) for d in body + check][::-1]
        total = sum(
            d if i % 2 == 0 else (d * 2 - 9 if d > 4 else d * 2) for i, d in enumerate(digits)
        )
        if total % 10 == 0:
            return body + check
    raise AssertionError


def break_luhn(number: str) -> str:
    return number[:-1] + str((int(number[-1]) + 1 + RNG.randrange(8)) % 10)


def group4(number: str, sep: str) -> str:
    return sep.join(number[i : i + 4] for i in range(0, len(number), 4))


def cpf_digits(base: str) -> str:
    digits = [int(d) for d in base]
    for size in (9, 10):
        total = sum(d * (size + 1 - i) for i, d in enumerate(digits[:size]))
        digits.append((total * 10) % 11 % 10)
    return "".join(map(str, digits))


def cnpj_digits(base: str) -> str:
    digits = [int(d) for d in base]
    for weights in ([5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2], [6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2]):
        total = sum(d * w for d, w in zip(digits, weights, strict=False))
        rest = total % 11
        digits.append(0 if rest < 2 else 11 - rest)
    return "".join(map(str, digits))


def fmt_cpf(d: str) -> str:
    return f"{d[:3]}.{d[3:6]}.{d[6:9]}-{d[9:]}"


def fmt_cnpj(d: str) -> str:
    return f"{d[:2]}.{d[2:5]}.{d[5:8]}/{d[8:12]}-{d[12:]}"


def rand_digits(n: int, first: str = "123456789") -> str:
    return RNG.choice(first) + "".join(str(RNG.randrange(10)) for _ in range(n - 1))


CARD_TEMPLATES = [
    "my card {v} was charged twice",
    "here is my card number {v}, please fix it",
    "meu cartão {v} foi cobrado duas vezes",
    "cartão de crédito {v} bloqueado, me ajudem",
    "{v}",
    "paid with {v} and nothing arrived",
]
NEUTRAL_EN = ["please help, {v}", "{v}", "see {v} thanks"]
NEUTRAL_PT = ["por favor ajudem: {v}", "segue {v}, obrigado"]


def generated() -> list[Row]:
    rows: list[Row] = []
    brands = [("4", 16), ("4", 16), ("51", 16), ("55", 16), ("2221", 16), ("2720", 16),
              ("34", 15), ("37", 15), ("6011", 16), ("65", 16), ("3530", 16), ("36", 14),
              ("62", 16), ("5067", 16), ("4", 19)]  # fmt: skip
    for i, (prefix, length) in enumerate(brands * 2):
        number = luhn_complete(prefix, length)
        shown = number if i % 3 == 0 else group4(number, " " if i % 3 == 1 else "-")
        if length == 15 and i % 3:
            shown = f"{number[:4]} {number[4:10]} {number[10:]}"
        if length == 14 and i % 3:
            shown = f"{number[:4]} {number[4:10]} {number[10:]}"
        rows.append(row(RNG.choice(CARD_TEMPLATES).format(v=shown), "payment_card", "gen:card"))
        bad = break_luhn(number)
        shown_bad = bad if i % 2 else group4(bad, " ")
        rows.append(row(RNG.choice(CARD_TEMPLATES).format(v=shown_bad), "", "gen:card-bad-luhn"))
    for _ in range(25):
        base = rand_digits(9, "0123456789")
        cpf = cpf_digits(base)
        shown = fmt_cpf(cpf) if RNG.random() < 0.6 else cpf
        rows.append(
            row(
                RNG.choice(
                    ["meu CPF é {v}", "CPF: {v}", "cpf {v} não consta no sistema", "my CPF is {v}"]
                ).format(v=shown),
                "cpf",
                "gen:cpf",
            )
        )
        bad = cpf[:9] + f"{(int(cpf[9:]) + 1 + RNG.randrange(90)) % 100:02d}"
        rows.append(
            row(RNG.choice(["meu CPF é {v}", "CPF: {v}"]).format(v=fmt_cpf(bad)), "", "gen:cpf-bad")
        )
    for _ in range(15):
        cnpj = cnpj_digits(rand_digits(8) + "0001")
        shown = fmt_cnpj(cnpj) if RNG.random() < 0.6 else cnpj
        rows.append(
            row(
                RNG.choice(
                    ["CNPJ da loja: {v}", "empresa {v} não emitiu a nota", "the company CNPJ {v}"]
                ).format(v=shown),
                "cnpj",
                "gen:cnpj",
            )
        )
        bad = cnpj[:12] + f"{(int(cnpj[12:]) + 1 + RNG.randrange(90)) % 100:02d}"
        rows.append(row(f"CNPJ {fmt_cnpj(bad)}", "", "gen:cnpj-bad"))
    for _ in range(15):
        area = RNG.choice([n for n in range(1, 900) if n != 666])
        ssn = f"{area:03d}-{RNG.randrange(1, 100):02d}-{RNG.randrange(1, 10000):04d}"
        rows.append(
            row(
                RNG.choice(
                    [
                        "my SSN is {v}",
                        "social security number {v} was leaked",
                        "they asked for my ssn {v} on the phone",
                    ]
                ).format(v=ssn),
                "ssn",
                "gen:ssn",
            )
        )
        bad_area = RNG.choice(["000", "666", str(RNG.randrange(900, 1000))])
        rows.append(
            row(
                f"SSN {bad_area}-{RNG.randrange(1, 100):02d}-{RNG.randrange(1, 10000):04d}",
                "",
                "gen:ssn-bad",
            )
        )
    for text, kinds in [
        ("write to me at maria.silva@gmail.com", "email"),
        ("meu email é joao_123@uol.com.br", "email"),
        ("contact: support-team+care@example.co.uk", "email"),
        ("mi correo es ana.lopez@correo.es por favor", "email"),
        ("my handle is @jane_doe, not an email", ""),
        ("email us at the address on the website", ""),
        ("call me at (212) 555-0147", "phone"),
        ("my number is +1 415 555 2671, text me", "phone"),
        ("ring me on +44 7911 123456 please", "phone"),
        ("whatsapp +351 912 345 678", "phone"),
        ("llámame al 612 34 56 78", "phone"),
        ("me liga no (21) 98765-4321", "phone"),
        ("meu celular é 11 99876-5432", "phone"),
        ("telefone +55 11 3456-7890", "phone"),
        ("tel. +34 915 123 456", "phone"),
        ("my password is Hunter22", "credential"),
        ("password: S3cret!pass", "credential"),
        ("my pin is 4821", "credential"),
        ("PIN 0931 doesn't work at the ATM", "credential"),
        ("minha senha é Batata#12", "credential"),
        ("senha: amor2024", "credential"),
        ("mi contraseña es Perro123", "credential"),
        ("I forgot my password again", ""),
        ("my password is not working", ""),
        ("reset my password please, the link is broken", ""),
        ("esqueci minha senha do app", ""),
        ("senha incorreta toda vez", ""),
        ("the PIN reader is broken", ""),
        ("my account number is 483920174", "account_number"),
        ("account no. 00482 7731 please check", "account_number"),
        ("conta corrente 12345-6 agência 0001", "account_number"),
        ("número da conta: 7788990-1", "account_number"),
        ("mi número de cuenta es 0049 1500 05", "account_number"),
        ("acct #99231477 was frozen", "account_number"),
        ("my account was locked yesterday", ""),
        ("minha conta foi bloqueada de novo", ""),
        ("I was diagnosed with diabetes and need the refill", "health"),
        ("estou grávida e a entrega atrasou", "health"),
        ("fiz quimioterapia e não consigo ir à loja", "health"),
        ("my wheelchair was damaged in the flight", "health"),
        ("necesito mi insulina, el pedido no llegó", "health"),
        ("my son has asthma and the filter arrived broken", "health"),
        ("the hospital parking app charged me twice for a 10-min stay", ""),
        ("I'm sick of waiting for my refund", ""),
        ("this update is a disaster", ""),
        # issue 10: what the detector missed
        ("my amex 3782 8224 6310 005 was charged twice", "payment_card"),
        ("Amex 3714-4963-5398-431, please block it", "payment_card"),
        ("you printed my SSN 987-65-4320 on the envelope", "ssn"),
        ("my social security number 900 12 3456 is on your form", "ssn"),
        ("chargeback request for account id 55829103", "account_number"),
        ("no puedo entrar a mi cuenta, mi correo es maria.lopez@gmail.com", "email"),
        ("SSN 666-12-3456", ""),
        ("tracking 1234 5678 9012 3456 7", ""),
    ]:
        rows.append(row(text, kinds, "gen:misc"))
    return rows


def lookalikes() -> list[Row]:
    rows: list[Row] = []
    for _ in range(12):
        ups = "1Z" + "".join(RNG.choice("0123456789ABCDEFGHJKLMNPRSTUVWXYZ") for _ in range(16))
        rows.append(
            row(
                RNG.choice(["tracking {v} shows nothing", "UPS {v} still in transit"]).format(
                    v=ups
                ),
                "",
                "look:ups",
            )
        )
        usps = "9400" + rand_digits(18, "0123456789")
        rows.append(row(f"USPS tracking number {usps}", "", "look:usps"))
        correios = "".join(RNG.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ") for _ in range(2))
        correios += rand_digits(9, "0123456789") + "BR"
        rows.append(row(f"código de rastreio {correios} parado há 10 dias", "", "look:correios"))
        fedex = rand_digits(12)
        rows.append(
            row(
                RNG.choice(["FedEx tracking {v}", "rastreio {v} não atualiza"]).format(v=fedex),
                "",
                "look:fedex",
            )
        )
        order = f"ACME-{RNG.choice([2024, 2025, 2026])}-{rand_digits(6)}"
        rows.append(
            row(
                RNG.choice(["order {v} never arrived", "pedido {v} não chegou"]).format(v=order),
                "",
                "look:order-id",
            )
        )
        rows.append(
            row(
                RNG.choice(["order #{v}", "pedido nº {v} cancelado", "order number {v}"]).format(
                    v=rand_digits(RNG.choice([8, 10, 11, 12, 13]))
                ),
                "",
                "look:order-number",
            )
        )
        rows.append(
            row(
                RNG.choice(
                    ["invoice INV-{y}-{n}", "nota fiscal {n} série 1", "fatura nº {n} vencida"]
                ).format(y=RNG.choice([2025, 2026]), n=rand_digits(9)),
                "",
                "look:invoice",
            )
        )
        day, month, year = (
            RNG.randrange(1, 29),
            RNG.randrange(1, 13),
            RNG.choice([2024, 2025, 2026]),
        )
        rows.append(
            row(
                RNG.choice(
                    [
                        f"since {year}-{month:02d}-{day:02d} no answer",
                        f"desde {day:02d}/{month:02d}/{year} sem resposta",
                        f"on {month}/{day}/{year} at 10:{day:02d}",
                        f"em {day:02d}.{month:02d}.{year} às 14h{day:02d}",
                    ]
                ),
                "",
                "look:date",
            )
        )
        rows.append(
            row(
                RNG.choice(
                    [
                        f"charged ${RNG.randrange(1, 9)},{rand_digits(3)}.{RNG.randrange(10, 99)}",
                        f"cobraram R$ {RNG.randrange(1, 99)}.{rand_digits(3)},"
                        f"{RNG.randrange(10, 99)}",
                        f"paid €{RNG.randrange(100, 9999)}.{RNG.randrange(10, 99)} twice",
                    ]
                ),
                "",
                "look:price",
            )
        )
        rows.append(
            row(
                RNG.choice(
                    [
                        f"protocolo {rand_digits(14)}",
                        f"case id {rand_digits(10)}",
                        f"ticket #{rand_digits(9)}",
                        f"chamado {rand_digits(11)}",
                        f"IMEI {rand_digits(15)}",
                    ]
                ),
                "",
                "look:phone-like-id",
            )
        )
    for text in [
        "4111 1111 1111 1112 is that a valid card?",
        "order 4111111111111111 shipped",
        "serial number SN-4532-0151-1283-0366",
        "version 10.15.7 broke the app",
        "CEP 01310-100 não é atendido",
        "zip 94105-1234 out of range",
        "1,234,567,890 users affected",
        "call at 10:30 or 14:45",
        "room 1204, floor 12",
        "my score went from 700 to 650",
        "waited 45 minutes on hold",
        "123.456.789-00 não é um CPF válido",
        "IBAN GB82 WEST 1234 5698 7654 33 is wrong",
        "isbn 978-3-16-148410-0",
        "flight LA3456 on 2025-03-14",
        "boleto 23793.38128 60082.677139 80000.063305 9 95690000010000",
        "my ssn is private",
        "ssn 000-12-3456",
        "the 5G speeds are 300 mbps",
    ]:
        rows.append(row(text, "", "look:misc"))
    return rows


# --- the shared vectors --------------------------------------------------------------------


def vectors(pii_dir: Path) -> list[Row]:
    rows: list[Row] = []
    with (pii_dir / "stdnum_doctest_vectors.tsv").open(encoding="utf-8") as fh:
        for rec in csv.DictReader(fh, delimiter="\t"):
            kind, value, valid = rec["id_type"], rec["value"], rec["expected_valid"] == "1"
            if kind == "IBAN":
                expected = "iban" if valid else ""
                rows.append(row(value, expected, "stdnum:IBAN"))
                template = RNG.choice(["please send the refund to IBAN {v}", "meu IBAN é {v}"])
                rows.append(row(template.format(v=value), expected, "stdnum:IBAN"))
            elif kind == "BR_CNPJ":
                rows.append(row(value, "cnpj", "stdnum:BR_CNPJ"))
                rows.append(row(f"CNPJ da empresa {value}", "cnpj", "stdnum:BR_CNPJ"))
            elif kind == "BIC" and RNG.random() < 0.2:
                rows.append(row(f"SWIFT/BIC {value}", "", "stdnum:BIC"))
    cards: dict[str, set[bool]] = {}
    with (pii_dir / "validatorjs_vectors.tsv").open(encoding="utf-8") as fh:
        for rec in csv.DictReader(fh, delimiter="\t"):
            name, opts, value = rec["validator"], rec["args_or_locale"], rec["value"]
            valid = rec["expected_valid"] == "1"
            if name == "isCreditCard" and (opts == "" or valid):
                cards.setdefault(value, set()).add(valid)
            elif name == "isIBAN" and opts == "":
                rows.append(row(value, "iban" if valid else "", "validatorjs:isIBAN"))
            elif name == "isTaxID" and opts == "['pt-BR']" and value != "12.ABC.345/01DE-35":
                digits = sum(ch.isalnum() for ch in value)
                kind = "cpf" if digits == 11 else "cnpj"
                rows.append(row(value, kind if valid else "", "validatorjs:isTaxID"))
                rows.append(row(f"documento {value}", kind if valid else "", "validatorjs:isTaxID"))
            elif name == "isMobilePhone" and value not in EXCLUDED_PHONES:
                rows.append(
                    row(
                        f"me liga no {value}", "phone" if valid else "", "validatorjs:isMobilePhone"
                    )
                )
            elif (
                name == "isEmail"
                and opts == ""
                and value not in EXCLUDED_EMAILS
                and "${" not in value
            ):
                if "\\u" in value or any(
                    ch.isspace() or "\uff00" <= ch <= "\uffef" for ch in value
                ):
                    continue
                rows.append(
                    row(f"email me: {value}", "email" if valid else "", "validatorjs:isEmail")
                )
    for value, verdicts in cards.items():
        valid = any(verdicts)
        rows.append(row(value, "payment_card" if valid else "", "validatorjs:isCreditCard"))
        rows.append(
            row(
                f"cobraram no meu cartão {value}",
                "payment_card" if valid else "",
                "validatorjs:isCreditCard",
            )
        )
    return rows


def main() -> None:
    pii_dir = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("../shared/data/pii")
    rows = vectors(pii_dir) + generated() + lookalikes()
    with OUT.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, delimiter="\t", lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
        writer.writerow(["text", "expected", "origin"])
        writer.writerows(rows)
    print(f"{OUT}: {len(rows)} rows")


if __name__ == "__main__":
    main()
