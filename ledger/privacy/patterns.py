"""The shapes of personal values in free text: e-mail, phone, IBAN, street address.

Pure functions (no key, no books): the roster guard (:mod:`ledger.privacy.guard`) refuses texts
that match before anything is written, and the privacy plugin (:mod:`plugins.privacy`)
reports them on every load, for a hand edit. False positives are kept rare on purpose —
dates, structured communications (OGM) and enterprise numbers are not phone numbers — and
the shapes are documented in ``docs/security.md``.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Iterable

from schwifty import IBAN
from schwifty.exceptions import SchwiftyException
from stdnum.be import vat as be_vat

from ledger.i18n import _

MIN_NEEDLE = 3

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_IBAN = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]{2}\d{2}(?:[ .\-]?[A-Za-z0-9]){10,32}(?![A-Za-z0-9])")
_BBAN = re.compile(r"(?<!\d)\d{3}[ .\-]?\d{7}[ .\-]?\d{2}(?!\d)")
_OGM = re.compile(r"(?:\+\+\+|\*\*\*)[\d/ .]+(?:\+\+\+|\*\*\*)")
_DATE = re.compile(
    r"(?<!\d)(?:(\d{1,2})[/.\-](\d{1,2})[/.\-](?:\d{4}|\d{2})|\d{4}-(\d{2})-(\d{2}))(?!\d)"
)
_PHONE_INTL = re.compile(
    r"(?<![\w+])(?:\+|00)[1-9]\d{0,2}(?:[ ./\-]?\(?0?\)?[ ./\-]?\d){7,12}(?!\d)"
)
_PHONE_BE = re.compile(r"(?<![\w])0[1-9]\d{0,2}(?:[ ./\-]?\d){6,8}(?!\d)")
# A Belgian mobile number without its 0 ("488 99 88 77", "470/12.34.56", "470 123 456"):
# nine digits from 45x to 49x in groups, the separators written — an amount, an OGM, an
# invoice number or a date is not grouped so; not part of a longer run of digit groups.
_MOBILE_BE = re.compile(
    r"(?<![\w+])(?<!\d[ ./\-,])4[5-9]\d(?:(?:[ ./\-]\d{2}){3}|(?:[ ./\-]\d{3}){2})"
    r"(?!\w|[.,/\-]\d)"
)
_STREET_WORDS = (
    "rue|avenue|av|chaussée|chaussee|boulevard|bd|place|square|quai|allée|allee|impasse|"
    "drève|dreve|chemin|clos|sentier|rond-point|street|road"
)
_STREET = re.compile(rf"(?i)\b(?:{_STREET_WORDS})\b[^,;:\n\d]{{0,40}}\d{{1,4}}\b")
_STRAAT_WORDS = "straat|laan|steenweg|plein|dreef|kaai|lei|weg"
_STRAAT = re.compile(rf"(?i)\b\w{{2,}}(?:{_STRAAT_WORDS})\s*\d{{1,4}}\b")
# Cheap tests run first, each a necessary condition of its pattern (tests/test_privacy.py
# checks it with hypothesis): most narrations hold no "@", no OGM, no street word.
_STREET_NEEDLES = tuple(f"{_STREET_WORDS}|{_STRAAT_WORDS}".split("|"))
_ANY_NEEDLE = re.compile("|".join(map(re.escape, _STREET_NEEDLES)))  # any one, as is


def _folded(text: str) -> str:
    """``text`` as the ignore-case patterns see it, one character for one: ``str.lower``
    but for "İ" (two characters), and "ı", "ſ", which ``re`` matches to "i", "s"."""
    return text.replace("\u0130", "i").lower().replace("\u0131", "i").replace("\u017f", "s")


def may_hold_street(text: str) -> bool:
    """False only if neither street pattern can match (none of their words is in it)."""
    return _ANY_NEEDLE.search(_folded(text)) is not None


def _street(text: str) -> bool:
    return may_hold_street(text) and bool(_STREET.search(text) or _STRAAT.search(text))


def normalise(text: str) -> str:
    """Lower case, no accents, words separated by one space (for comparing values)."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return " ".join(re.findall(r"[^\W_]+", plain))


def needles(values: Iterable[str]) -> set[str]:
    """What the guard looks for: each whole value, and each pair of consecutive words."""
    out: set[str] = set()
    for value in values:
        norm = normalise(value)
        if len(norm.replace(" ", "")) >= MIN_NEEDLE:
            out.add(norm)
        words = norm.split()
        for first, second in itertools.pairwise(words):
            if not (first.isdigit() or second.isdigit()) and len(first + second) > MIN_NEEDLE:
                out.add(f"{first} {second}")
    return out


_BE_PHONE_VALUE = re.compile(r"(?:\+32|0032)(?:\(0\)|0)?([1-9]\d{7,8})|0([1-9]\d{7,8})")
_INTL_PHONE_VALUE = re.compile(r"(?:\+|00)[1-9]\d{10,14}")


def national_number(value: str) -> str | None:
    """The part of a phone number that every way of writing it holds: its national
    significant number, without ``0``, ``+32`` or ``0032`` (``470123456`` for ``+32 470
    12 34 56``, ``0470/12.34.56`` or ``0032 470 12 34 56``); for a foreign number, what
    follows the longest country code there could be (three digits). None: no phone number."""
    compact = re.sub(r"[\s./\-]", "", value)
    belgian = _BE_PHONE_VALUE.fullmatch(compact)
    if belgian:
        return belgian.group(1) or belgian.group(2)
    foreign = _INTL_PHONE_VALUE.fullmatch(compact.replace("(0)", ""))
    if foreign:
        return foreign.group().lstrip("+").removeprefix("00")[3:]
    return None


def compact_needles(values: Iterable[str]) -> set[str]:
    """Values with digits (an IBAN, a phone number), without spaces or punctuation, so that
    they are found however they are spaced; a phone number also by its national number,
    so that it is found with or without its ``0``, ``+32`` or ``0032``."""
    out = set()
    for value in values:
        compact = re.sub(r"[\W_]", "", value).casefold()
        if len(compact) >= 8 and sum(c.isdigit() for c in compact) >= 6:
            out.add(compact)
        national = national_number(value)
        if national is not None:
            out.add(national)
    return out


def _valid_iban(candidate: str) -> bool:
    compact = re.sub(r"[ .\-]", "", candidate).upper()
    try:
        IBAN(compact)
    except SchwiftyException:
        return False
    return True


def _valid_bban(candidate: str) -> bool:
    digits = re.sub(r"\D", "", candidate)
    return int(digits[:10]) % 97 == int(digits[10:]) or (
        int(digits[:10]) % 97 == 0 and digits[10:] == "97"
    )


def _enterprise_number(candidate: str) -> bool:
    """``0403.170.701`` or ``0403170701`` (a Peppol id ``0208:0403170701``): a business's
    number, public, not a phone — when its mod 97 holds."""
    text = candidate.strip()
    if not re.fullmatch(r"[01]\d{3}[. ]?\d{3}[. ]?\d{3}", text):
        return False
    return bool(be_vat.is_valid(text))


def _old_enterprise_number(candidate: str) -> bool:
    """``403.170.701``: an enterprise number of before 2005 (its nine digits, without the
    leading 0), when its mod 97 holds."""
    return re.fullmatch(r"\d{3}[. ]\d{3}[. ]\d{3}", candidate) is not None and bool(
        be_vat.is_valid("0" + re.sub(r"\D", "", candidate))
    )


def _drop_date(match: re.Match[str]) -> str:
    """A date is no phone number: blank it out (only if it is a plausible date)."""
    day, month = match.group(1) or match.group(4), match.group(2) or match.group(3)
    plausible = 1 <= int(day) <= 31 and 1 <= int(month) <= 12
    return " " if plausible else match.group()


def fold_compatible(text: str) -> str:
    """``text`` with its compatibility characters folded (NFKC: full-width digits and
    letters, superscripts, ligatures): a phone written ``４８８ ９９ ８８ ７７`` is a phone."""
    return text if text.isascii() else unicodedata.normalize("NFKC", text)


def pattern_problem(text: str) -> str | None:
    """What kind of personal value ``text`` seems to hold (without the roster), if any."""
    text = fold_compatible(text)
    digits = sum(map(str.isdigit, text))
    if digits == 0 and "@" not in text:
        return None  # every shape but an e-mail has digits (most narrations have none)
    if "@" in text and _EMAIL.search(text):
        return _("an e-mail address")
    if any(_valid_iban(m.group()) for m in _IBAN.finditer(text)):
        return _("an IBAN")
    if any(_valid_bban(m.group()) for m in _BBAN.finditer(text)):
        return _("a bank account number")
    if digits < 7:  # too few for a phone or an account: only a street address is left
        return _("a street address") if _street(text) else None
    rest = _OGM.sub(" ", text) if "+++" in text or "***" in text else text
    rest = _DATE.sub(_drop_date, rest)
    if _PHONE_INTL.search(rest):
        return _("a phone number")
    if any(not _enterprise_number(m.group()) for m in _PHONE_BE.finditer(rest)):
        return _("a phone number")
    if any(not _old_enterprise_number(m.group()) for m in _MOBILE_BE.finditer(rest)):
        return _("a phone number")
    if _street(text):
        return _("a street address")
    return None
