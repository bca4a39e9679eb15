"""Deterministic sensitive-data detection and redaction (no model).

`detect(text)` finds, in this order of precedence: payment cards, IBANs, CNPJs, CPFs, US SSNs,
e-mail addresses, shared credentials, account numbers, phone numbers and health terms. A span
claimed by an earlier kind is never reported again as a later one (a valid CPF is not also a
phone number). Numbers must pass their validator (Luhn plus issuer range, IBAN registry and
mod-97, CPF/CNPJ check digits, SSA ranges, libphonenumber validity) and must not be part of a
longer run of digits; bare digit runs right after an order/tracking/invoice word are ids, not
cards or phones.

Every finding carries a masked `preview`; `redact(text)` swaps each finding for its preview
and is what logs, digests and previews use. The raw value never leaves this module.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

import phonenumbers

from classifiers import sensitive_patterns as sp
from classifiers.keywords import CATEGORIES, keyword_hits
from classifiers.terms import TermSet, fold
from kernel.models import SensitiveFinding
from kernel.protect import redact_findings
from kernel.vocab import SENSITIVE_KINDS

__all__ = [
    "DEFAULT_ACCOUNT_PATTERNS",
    "DEFAULT_PHONE_REGIONS",
    "KINDS",
    "SensitiveDetector",
    "detect",
    "keyword_hits",
    "redact",
]

#: Every kind `detect` can report, strongest first (one vocabulary: kernel/vocab.py).
KINDS = SENSITIVE_KINDS

#: Regions whose national formats are tried for phone numbers without a `+` country code.
DEFAULT_PHONE_REGIONS = ("US", "BR", "PT", "ES", "GB", "MX")

_NUMBER = r"(?P<number>\d(?:[ .\-/]?\d){4,19})(?![\w-])"
#: Matched against folded text (lower case, no accents); the `number` group is the finding.
DEFAULT_ACCOUNT_PATTERNS = (
    r"(?<!\w)(?:bank )?(?:account|acct|a/c|conta(?: corrente| poupanca)?|cuenta(?: corriente)?)"
    r"(?: (?:number|num\.?|no\.?|n\.o|n°|#|numero|nr\.?|id))?(?: (?:is|e|es|:))?\s*[:#=]?\s*"
    + _NUMBER,
    r"(?<!\w)(?:numero|number|no\.?|n°|#)\s?(?:da |de |of )?(?:minha |mi |my )?"
    r"(?:conta|cuenta|account)(?: (?:is|e|es))?\s*[:#=]?\s*" + _NUMBER,
)

_CREDENTIAL_RE = re.compile(
    r"(?<!\w)(?P<cue>password|passwd|pwd|passcode|senha|contrasena|clave|pin|nip)"
    r"(?:\s+[\w]+){0,4}?"
    # A copula is a whole word: the "e" of "senha e o e-mail" is no "senha é ...".
    r"(?:\s*(?P<delim>[:=])|\s+(?P<copula>is|e|eh|es|era|was|sera)(?![\w\-@.]))\s*"
    "[\"'\u201c\u2018]?(?P<value>[^\\s\"'\u201c\u201d\u2018\u2019]{4,64})"
)
_PIN_RE = re.compile(r"(?<!\w)(?:pin|nip)(?: code| codigo)?\s*(?P<value>\d{4,8})(?![\w-])")
_VALUE_STRIP = ".,;:)"

_HEALTH_TERMS = TermSet(CATEGORIES["health"])
#: The customer calls the number theirs ("my SSN is", "my social security number:").
_MY_SSN_RE = re.compile(r"(?<!\w)my (?:ssn|social security(?: number)?|soc sec)(?!\w)")
_DIGIT_RE = re.compile(r"\d")


class SensitiveDetector:
    """A configured detector; `detect` and `redact` at module level use the defaults."""

    def __init__(
        self,
        *,
        account_patterns: Sequence[str] = DEFAULT_ACCOUNT_PATTERNS,
        phone_regions: Sequence[str] = DEFAULT_PHONE_REGIONS,
    ) -> None:
        self.account_patterns = tuple(re.compile(p, re.IGNORECASE) for p in account_patterns)
        self.phone_regions = tuple(phone_regions)

    def detect(self, text: str) -> tuple[SensitiveFinding, ...]:
        scan = _Scan(text)
        scan.add_all("payment_card", _cards(scan))
        scan.add_all("payment_card", _masked_cards(scan))
        scan.add_all("iban", _ibans(scan))
        scan.add_all("cnpj", _cnpjs(scan))
        scan.add_all("cpf", _cpfs(scan))
        scan.add_all("ssn", _ssns(scan))
        scan.add_all("email", _emails(text))
        scan.add_all("credential", _credentials(scan))
        scan.add_all("account_number", _accounts(scan, self.account_patterns))
        scan.add_all("phone", _phones(scan, self.phone_regions))
        scan.add_all("health", (m.span() for m in _HEALTH_TERMS.finditer(scan.folded)))
        return tuple(sorted(scan.findings, key=lambda f: f.start))

    def redact(self, text: str) -> str:
        return redact_findings(text, self.detect(text))


def preview(kind: str, value: str) -> str:
    """The masked form of a value of `kind`: enough to recognise it, never enough to use it."""
    if kind == "payment_card":
        return sp.mask(value, keep_last=4)
    if kind == "iban":
        return sp.mask(value, keep_first=2, keep_last=4)
    if kind in {"cpf", "cnpj", "phone", "account_number"}:
        return sp.mask(value, keep_last=2)
    if kind == "ssn":
        return sp.mask(value, keep_last=4)
    if kind == "email":
        return sp.mask_email(value)
    if kind == "credential":
        return "********"
    return f"[{kind}]"


# --- the scan -------------------------------------------------------------------------------


class _Scan:
    """The text, its folded copy, and the spans already claimed by a stronger kind.

    `digits` counts the characters for which `str.isdigit` holds (a superset of what `\\d`
    matches): each number shape needs a minimum of them, so most posts skip most scans.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self.folded = fold(text)
        self.findings: list[SensitiveFinding] = []
        ascii_only = text.isascii()
        self.digits = len(_DIGIT_RE.findall(text)) if ascii_only else sum(map(str.isdigit, text))

    def free(self, start: int, end: int) -> bool:
        return all(end <= f.start or start >= f.end for f in self.findings)

    def add_all(self, kind: str, spans: Iterator[tuple[int, int]]) -> None:
        for start, end in spans:
            if start < end and self.free(start, end):
                value = self.text[start:end]
                self.findings.append(
                    SensitiveFinding(kind=kind, start=start, end=end, preview=preview(kind, value))
                )

    def cue(self, start: int) -> str | None:
        return sp.nearest_cue(self.folded, start)


def _cards(scan: _Scan) -> Iterator[tuple[int, int]]:
    if scan.digits < 12:
        return
    pos = 0
    while (match := sp.CARD_RE.search(scan.text, pos)) is not None:
        raw = match.group(0)
        digits = re.sub(r"\D", "", raw)
        # A bare digit run right after "order"/"tracking"/"invoice" is that id, whatever Luhn says.
        if sp.is_card_number(digits) and not (raw.isdigit() and scan.cue(match.start()) == "id"):
            yield match.span()
            pos = match.end()
            continue
        # Not a card as matched: a card may still start at a later group of the same run
        # ("**** 1111 4111 1111 1111 1111": the groups before it belong to something else).
        gap = re.search(r"[ -]", raw)
        pos = match.start() + gap.end() if gap else match.end()


#: A card number as the store keeps it (all but the last four digits masked, see
#: `kernel/protect.py`): still a card, so a stored post re-classified routes as before.
#: A card masked to its last four digits, whatever its grouping: `**** **** **** 1111`,
#: `************1111`, and Amex as 4-4-4-3 `**** **** ***6 287` (the digits kept may be split).
_MASKED_CARD_RE = re.compile(r"(?<![\w*])(?:\*[ -]?){8,15}(?:\d[ -]?){3}\d(?!\w)")


def _masked_cards(scan: _Scan) -> Iterator[tuple[int, int]]:
    if "****" not in scan.text:
        return
    for match in _MASKED_CARD_RE.finditer(scan.text):
        yield match.span()


def _ibans(scan: _Scan) -> Iterator[tuple[int, int]]:
    if scan.digits < 2:
        return
    for match in sp.IBAN_RE.finditer(scan.text):
        raw = match.group(0)
        # The candidate may have swallowed a following upper-case word or number: try it whole,
        # then without its last chunks.
        ends = [len(raw), *[m.end() for m in sp.IBAN_CHUNK_END_RE.finditer(raw)][::-1]]
        for end in ends:
            if sp.is_iban(raw[:end]):
                yield match.start(), match.start() + end
                break


def _cnpjs(scan: _Scan) -> Iterator[tuple[int, int]]:
    if scan.digits < 2:
        return
    for match in sp.CNPJ_RE.finditer(scan.text):
        raw = match.group(0)
        if not sp.is_cnpj(raw):
            continue
        compact = re.sub(r"\W", "", raw)
        few_digits = sum(ch.isdigit() for ch in compact[:12]) < 6
        # An alphanumeric token without the CNPJ shape counts only after the word "CNPJ".
        if few_digits and "/" not in raw and scan.cue(match.start()) != "cnpj":
            continue
        if raw.isdigit() and scan.cue(match.start()) in {"id", "phone"}:
            continue
        yield match.span()


def _cpfs(scan: _Scan) -> Iterator[tuple[int, int]]:
    if scan.digits < 11:
        return
    for match in sp.CPF_RE.finditer(scan.text):
        raw = match.group(0)
        if sp.is_cpf(raw) and not (raw.isdigit() and scan.cue(match.start()) in {"id", "phone"}):
            yield match.span()


def _ssns(scan: _Scan) -> Iterator[tuple[int, int]]:
    if scan.digits < 9:
        return
    for match in sp.SSN_RE.finditer(scan.text):
        raw = match.group(0)
        cue = scan.cue(match.start())
        # After "my SSN", any SSN-shaped number is one (see is_ssn_shaped).
        owned = cue == "ssn" and _MY_SSN_RE.search(scan.folded, 0, match.start()) is not None
        if not (sp.is_ssn(raw) or (owned and sp.is_ssn_shaped(raw))):
            continue
        # Separated 3-2-4 is the SSN's own shape; nine bare digits need the word "SSN".
        if (raw.isdigit() and cue != "ssn") or cue in {"id", "phone", "card"}:
            continue
        yield match.span()


def _emails(text: str) -> Iterator[tuple[int, int]]:
    for match in sp.EMAIL_RE.finditer(text):
        local = match.group(0).rpartition("@")[0]
        if local.startswith(".") or local.endswith(".") or ".." in local:
            continue
        yield match.span()


def _credentials(scan: _Scan) -> Iterator[tuple[int, int]]:
    for token in sp.API_TOKEN_RE.finditer(scan.text):
        yield token.span()
    if scan.digits >= 4:
        for match in _PIN_RE.finditer(scan.folded):
            yield match.span("value")
    pos = 0
    while (cue_match := _CREDENTIAL_RE.search(scan.folded, pos)) is not None:
        start, end = cue_match.span("value")
        value = scan.text[start:end].rstrip(_VALUE_STRIP)
        end = start + len(value)
        if cue_match.group("cue") in {"pin", "nip"}:
            found = value.isdigit() and 4 <= len(value) <= 8
        else:
            found = _looks_like_secret(value)
        if found:
            yield start, end
            pos = end
        else:  # the words after a cue may hold another cue ("pin 1234 senha: abc12345")
            pos = cue_match.end("cue")


def _looks_like_secret(value: str) -> bool:
    """A digit, a symbol or an inner capital: "is broken" is a complaint, "is Sun24!" a secret."""
    if len(value) < 4:
        return False
    has_digit = any(ch.isdigit() for ch in value)
    has_symbol = any(not ch.isalnum() for ch in value)
    inner_upper = any(ch.isupper() for ch in value[1:])
    return has_digit or has_symbol or inner_upper


def _accounts(scan: _Scan, patterns: Sequence[re.Pattern[str]]) -> Iterator[tuple[int, int]]:
    if scan.digits < 5:  # whatever the (configurable) pattern, 5 digits are required below
        return
    for pattern in patterns:
        for match in pattern.finditer(scan.folded):
            group = "number" if "number" in pattern.groupindex else (1 if pattern.groups else 0)
            start, end = match.span(group)
            digits = sum(ch.isdigit() for ch in scan.text[start:end])
            if 5 <= digits <= 20:
                yield start, end


def _phones(scan: _Scan, regions: Sequence[str]) -> Iterator[tuple[int, int]]:
    text = scan.text
    if scan.digits < 8 or not sp.PHONE_PREFILTER_RE.search(text):
        return
    candidates: dict[tuple[int, int], None] = {}
    for region in regions:
        for match in phonenumbers.PhoneNumberMatcher(
            text, region, leniency=phonenumbers.Leniency.VALID
        ):
            candidates[(match.start, match.end)] = None
    for legacy in sp.BR_LEGACY_MOBILE_RE.finditer(text):
        ddd = legacy.group("ddd1") or legacy.group("ddd2")
        number = f"+55{ddd}9{legacy.group('first')}{legacy.group('last')}"
        if phonenumbers.is_valid_number(phonenumbers.parse(number)):
            candidates[legacy.span()] = None
    # Longest first, so a number found whole in one region wins over a piece found in another.
    for start, end in sorted(candidates, key=lambda span: (span[0] - span[1], span[0])):
        if _is_phone(scan, start, end):
            yield start, end


def _is_phone(scan: _Scan, start: int, end: int) -> bool:
    text, raw = scan.text, scan.text[start:end]
    before = text[start - 1] if start else " "
    before2 = text[start - 2] if start > 1 else " "
    after = text[end] if end < len(text) else " "
    after2 = text[end + 1] if end + 1 < len(text) else " "
    if before.isalnum() or after.isalnum():
        return False
    # Part of a longer token: ACME-2026-118843, 12.345.678/0001, 4111-1111-...
    if (before in "-./_" and before2.isalnum()) or (after in "-./_" and after2.isalnum()):
        return False
    if sp.DATE_LIKE_RE.match(raw) or sp.POSTCODE_LIKE_RE.match(raw):
        return False
    if sp.TAX_ID_SHAPE_RE.search(raw):
        return False
    digits = re.sub(r"\D", "", raw)
    # Placeholder numbers ("12345678900", "0123456789") are what forms and examples use.
    if digits.startswith(("1234567", "0123456")) or len(set(digits)) <= 2:
        return False
    return scan.cue(start) not in {"id", "document", "card", "cpf", "cnpj", "ssn"}


# --- module-level defaults ----------------------------------------------------------------

_DEFAULT = SensitiveDetector()


def detect(text: str) -> tuple[SensitiveFinding, ...]:
    """Every sensitive value in `text`, in text order, with masked previews."""
    return _DEFAULT.detect(text)


def redact(text: str) -> str:
    """`text` with every sensitive value replaced by its masked preview."""
    return _DEFAULT.redact(text)
