"""Validators and masks behind the sensitive-data detector (`classifiers.sensitive`).

Check-digit validation that has a reference implementation comes from python-stdnum (IBAN with
the registry's per-country lengths, BBAN formats and national check digits; CPF; CNPJ including
the 2026 alphanumeric form). Card issuer ranges, SSN ranges and the masks are ours.
"""

from __future__ import annotations

import re

from stdnum import iban as _iban
from stdnum import luhn
from stdnum.br import cnpj as _cnpj
from stdnum.br import cpf as _cpf

# --- payment cards -------------------------------------------------------------------------

#: (first digits low, high, allowed lengths) per issuer range; the prefix is compared on as many
#: leading digits as `low` has. Sources: the networks' published IIN ranges (Visa, Mastercard
#: incl. the 2-series, Amex, Diners, Discover, JCB, UnionPay incl. 81, Maestro, Elo,
#: Hipercard, Mir, RuPay).
_CARD_RANGES: tuple[tuple[str, str, frozenset[int]], ...] = (
    ("4", "4", frozenset({16, 19})),  # Visa (13-digit cards are no longer issued)
    ("51", "55", frozenset({16})),  # Mastercard
    ("2221", "2720", frozenset({16})),  # Mastercard 2-series
    ("34", "34", frozenset({15})),  # American Express
    ("37", "37", frozenset({15})),
    ("300", "305", frozenset({14, 16, 17, 18, 19})),  # Diners Club
    ("36", "36", frozenset({14, 15, 16, 17, 18, 19})),
    ("38", "39", frozenset({14, 16, 17, 18, 19})),
    ("6011", "6011", frozenset({16, 17, 18, 19})),  # Discover
    ("644", "649", frozenset({16, 17, 18, 19})),
    ("65", "65", frozenset({16, 17, 18, 19})),
    ("3528", "3589", frozenset({16, 17, 18, 19})),  # JCB
    ("62", "62", frozenset({16, 17, 18, 19})),  # UnionPay
    ("81", "81", frozenset({16, 17, 18, 19})),
    # Maestro also issued 12-15 digit cards; too few to be worth the false positives on
    # tracking and order numbers of those lengths.
    ("50", "50", frozenset({16, 17, 18, 19})),  # Maestro, Elo 50xx
    ("56", "69", frozenset({16, 17, 18, 19})),  # Maestro / Elo / Hipercard / RuPay 6x
    ("2200", "2204", frozenset({16, 17, 18, 19})),  # Mir
    ("3841", "3841", frozenset({16, 19})),  # Hipercard
    ("82", "82", frozenset({16})),  # RuPay
)


def is_card_number(digits: str) -> bool:
    """Luhn-valid, of a length its issuer range uses, and not a run of one digit."""
    if not digits.isdigit() or not 12 <= len(digits) <= 19 or len(set(digits)) == 1:
        return False
    in_range = any(
        low <= digits[: len(low)] <= high and len(digits) in lengths
        for low, high, lengths in _CARD_RANGES
    )
    return in_range and luhn.is_valid(digits)


# --- IBAN ----------------------------------------------------------------------------------

#: Countries that use IBAN-format account numbers but are not (yet) in the SWIFT registry that
#: python-stdnum follows; for these only the length and the mod-97 checksum are checked.
_EXTRA_IBAN_LENGTHS = {
    "AO": 25, "BF": 28, "BI": 27, "BJ": 28, "CF": 27, "CG": 27, "CI": 28, "CM": 27, "CV": 25,
    "DJ": 27, "DZ": 26, "GA": 27, "GQ": 27, "GW": 25, "HN": 28, "IR": 26, "KM": 27, "MA": 28,
    "MG": 27, "ML": 28, "MZ": 25, "NE": 28, "NI": 32, "SN": 28, "TD": 27, "TG": 28,
}  # fmt: skip


def _mod97(compact: str) -> int:
    rearranged = compact[4:] + compact[:4]
    return int("".join(str(int(ch, 36)) for ch in rearranged)) % 97


def is_iban(value: str) -> bool:
    """The registry check (length, BBAN format, national check digits) and mod-97."""
    compact = re.sub(r"[\s.-]", "", value).upper()
    if not compact.isalnum() or not compact.isascii() or len(compact) < 15:
        return False
    if _iban.is_valid(compact):
        return True
    length = _EXTRA_IBAN_LENGTHS.get(compact[:2])
    return length == len(compact) and compact[2:4].isdigit() and _mod97(compact) == 1


# --- Brazilian CPF / CNPJ --------------------------------------------------------------------


def is_cpf(value: str) -> bool:
    digits = re.sub(r"\D", "", value)
    # One repeated digit passes the check-digit arithmetic but is never issued.
    return len(digits) == 11 and len(set(digits)) > 1 and _cpf.is_valid(digits)


def is_cnpj(value: str) -> bool:
    compact = re.sub(r"[\s./-]", "", value).upper()
    return len(compact) == 14 and len(set(compact)) > 1 and _cnpj.is_valid(compact)


# --- US SSN ----------------------------------------------------------------------------------

#: Numbers the SSA published or that circulated in advertising, never anyone's own.
_SSN_BLOCKLIST = frozenset({"078051120", "219099999", "123456789"})


def is_ssn(value: str) -> bool:
    """Area not 000, 666 or 9xx; group not 00; serial not 0000 (SSA rules)."""
    digits = re.sub(r"\D", "", value)
    if len(digits) != 9 or digits in _SSN_BLOCKLIST:
        return False
    area, group, serial = digits[:3], digits[3:5], digits[5:]
    return area not in {"000", "666"} and area[0] != "9" and group != "00" and serial != "0000"


def is_ssn_shaped(value: str) -> bool:
    """Nine digits, not all the same and not a published example: what a customer calls their SSN.

    A number the SSA never issued (area 9xx, 666, group 00...) that the customer posts as "my
    SSN" is an incident all the same: they may have mistyped it, or it is their ITIN (9xx).
    """
    digits = re.sub(r"\D", "", value)
    return len(digits) == 9 and len(set(digits)) > 1 and digits not in _SSN_BLOCKLIST


# --- masks ---------------------------------------------------------------------------------


def mask(value: str, *, keep_last: int = 0, keep_first: int = 0, fill: str = "*") -> str:
    """Replace letters and digits with `fill`, except the first/last few; separators stay.

    Never keeps more than a third of the characters, so a short value is masked whole.
    """
    positions = [i for i, ch in enumerate(value) if ch.isalnum()]
    budget = len(positions) // 3
    keep_first = min(keep_first, budget)
    keep_last = min(keep_last, budget - keep_first)
    kept = set(positions[:keep_first]) | set(positions[len(positions) - keep_last :])
    return "".join(ch if (i in kept or not ch.isalnum()) else fill for i, ch in enumerate(value))


def mask_email(value: str) -> str:
    """`jane.doe@example.com` -> `j***@example.com`: the domain says which provider, not who."""
    local, _, domain = value.rpartition("@")
    return f"{local[:1]}***@{domain}"


# --- candidate patterns (applied to the original text) ----------------------------------------

#: Not glued to a letter or digit, and not the tail or head of a longer token (`SN-4532-...`).
_START = r"(?<![^\W_])(?<![^\W_][.,/-])"
_END = r"(?![^\W_])(?![.,/-][^\W_])"

CARD_RE = re.compile(
    _START
    + r"(?:\d{4}(?P<s1>[ -])\d{4}(?P=s1)\d{4}(?P=s1)\d{4}(?:(?P=s1)\d{1,3})?"  # 4-4-4-4(-3)
    + r"|\d{4}(?P<s2>[ -])\d{6}(?P=s2)\d{4,5}"  # Amex 4-6-5, Diners 4-6-4
    + r"|\d{12,19}"
    # Any other grouping people type (Amex as 4-4-4-3, 3-3-3-3-3...): 2 to 6 groups of 2-7
    # digits, one separator; the detector checks the 13-19 digits with Luhn and issuer ranges.
    + r"|\d{3,7}(?P<s3>[ -])\d{2,7}(?:(?P=s3)\d{2,7}){1,4})"
    + _END
)
#: API keys and tokens of the common shapes a customer may paste: Stripe secret and restricted
#: keys and webhook secrets, AWS access key ids, GitHub tokens, Slack tokens, Google API keys,
#: and JSON Web Tokens (header.payload.signature). Masked at rest like passwords.
API_TOKEN_RE = re.compile(
    r"(?<![\w-])(?:"
    r"(?:sk|rk)_(?:live|test)_[0-9A-Za-z]{10,247}"
    r"|whsec_[0-9A-Za-z]{16,}"
    r"|(?:AKIA|ASIA)[0-9A-Z]{16}"
    r"|gh[pousr]_[0-9A-Za-z]{30,251}"
    r"|github_pat_[0-9A-Za-z_]{22,251}"
    r"|xox[abposr]-[0-9A-Za-z-]{10,250}"
    r"|AIza[0-9A-Za-z_\-]{35}"
    r"|eyJ[0-9A-Za-z_-]{8,}\.eyJ[0-9A-Za-z_-]{8,}\.[0-9A-Za-z_-]{10,}"
    r")(?![\w-])"
)
#: A country code, check digits, then alphanumeric chunks with single space, dot or dash
#: separators (people write "NO 05 15030383041" and "ES15-0049-..."); trailing chunks that are
#: not part of the IBAN are trimmed by the detector until the checksum holds.
IBAN_RE = re.compile(r"(?<![A-Za-z0-9])[A-Z]{2}[ -]?\d{2}(?:[ .\-]?[A-Z0-9]+)+(?![A-Za-z0-9])")
IBAN_CHUNK_END_RE = re.compile(r"[A-Z0-9](?=[ .\-])")
CNPJ_RE = re.compile(
    _START
    + r"(?:[0-9A-Za-z]{2}\.[0-9A-Za-z]{3}\.[0-9A-Za-z]{3}/[0-9A-Za-z]{4}-\d{2}"
    + r"|\d{8}/\d{4}-\d{2}|[0-9A-Za-z]{12}\d{2})"
    + _END
)
CPF_RE = re.compile(_START + r"(?:\d{3}\.\d{3}\.\d{3}-\d{2}|\d{9}-\d{2}|\d{11})" + _END)
SSN_RE = re.compile(_START + r"(?:\d{3}(?P<sep>[- ])\d{2}(?P=sep)\d{4}|\d{9})" + _END)
EMAIL_RE = re.compile(r"(?<![\w.+-])[\w.+%-]+@(?:[^\W_](?:[\w-]*[^\W_])?\.)+[^\W\d_]{2,}(?![\w-])")
#: Brazilian mobiles in the 8-digit form used before the ninth digit (2016); libphonenumber no
#: longer considers them valid, people still write them.
BR_LEGACY_MOBILE_RE = re.compile(
    r"(?<![\w+])(?:\+?55 ?)?(?:\((?P<ddd1>[1-9]{2})\)|(?P<ddd2>[1-9]{2})) ?"
    r"(?P<first>[6-9]\d{3})[- ]?(?P<last>\d{4})(?![\w-])"
)
#: Anything with eight or more digits close together: the only texts worth a phone parse.
PHONE_PREFILTER_RE = re.compile(r"\d(?:[\s().\-/]{0,3}\d){7,}")
DATE_LIKE_RE = re.compile(r"^\d{1,4}[./-]\d{1,2}[./-]\d{1,4}$")
#: US ZIP+4 and Brazilian CEP shapes; no numbering plan writes a phone number like that.
POSTCODE_LIKE_RE = re.compile(r"^\d{5}-\d{3,4}$")
TAX_ID_SHAPE_RE = re.compile(r"\d{3}\.\d{3}\.\d{3}-\d{2}|\d{2}\.\d{3}\.\d{3}/\d{4}")

# --- context cues (matched in folded text just before a candidate) -----------------------------

_CUES = {
    "card": r"card|cards|cartao|cartoes|tarjeta|visa|mastercard|amex|credito|debito|cc",
    "phone": (
        r"phone|call|call me|cell|mobile|tel|telephone|whatsapp|whats|wpp|zap|text me|sms"
        r"|fone|telefone|celular|ligar|ligue|liga|ligacao|contato|contacto|llamar|llamame"
        r"|llame|movil|numero de telefono"
    ),
    "id": (
        r"order|orders|order no|pedido|pedidos|encomenda|tracking|track|rastreio|rastreamento"
        r"|codigo|protocolo|protocol|invoice|fatura|factura|nota fiscal|nf|ticket|case|chamado"
        r"|ref|reference|referencia|id|sku|serial|transaction|transacao|transaccion|boleto"
        r"|awb|guia|shipment|envio|confirmation|reserva|booking|localizador|imei|nfe"
        r"|zip|zip code|cep|postcode|codigo postal"
    ),
    # Identity documents: a CPF may follow these words, a phone number may not.
    "document": r"documento|doc|rg|nif|dni|passport|passaporte|pasaporte|identidade",
    "ssn": r"ssn|social security|social security number|soc sec",
    "cnpj": r"cnpj",
    "cpf": r"cpf",
}
CUE_RE = re.compile(
    "|".join(rf"(?P<{name}>(?<!\w)(?:{words})(?!\w))" for name, words in _CUES.items())
)
CUE_WINDOW = 40


def nearest_cue(folded: str, start: int) -> str | None:
    """The kind of the cue word closest before `start` (within `CUE_WINDOW` chars), if any."""
    window = folded[max(0, start - CUE_WINDOW) : start]
    last = None
    for match in CUE_RE.finditer(window):
        last = match.lastgroup
    if window.rstrip().endswith("#"):
        return "id"
    return last
