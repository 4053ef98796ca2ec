"""Small text helpers shared by the parsers: spaces, account numbers, OGM."""

from __future__ import annotations

import re

from stdnum.be import ogm_vcs

from ledger.i18n import _
from ledger.ibans import normalize_iban

_SPACES = re.compile(r"\s+")
_IBAN_START = re.compile(r"(?<![A-Z0-9])[A-Z]{2}\d{2}")
_OGM_IN_TEXT = re.compile(
    r"(?:\+\+\+|\*\*\*)\s*(\d{3})\s*/?\s*(\d{4})\s*/?\s*(\d{5})\s*(?:\+\+\+|\*\*\*)"
)


def squash(text: str | None) -> str:
    """Collapse runs of whitespace to one space and strip the ends."""
    return _SPACES.sub(" ", text or "").strip()


def or_none(text: str | None) -> str | None:
    """``squash(text)``, or None when nothing is left."""
    value = squash(text)
    return value or None


def compact_account(value: str | None) -> str | None:
    """An account number without spaces, upper case, as the bank gave it."""
    if not value:
        return None
    return re.sub(r"[\s\-.]", "", value).upper() or None


def iban_or_none(value: str | None) -> str | None:
    """The compact IBAN if ``value`` is a valid one (or a valid Belgian BBAN), else None."""
    compact = compact_account(value)
    if not compact:
        return None
    if re.fullmatch(r"\d{12}", compact):
        return belgian_bban_to_iban(compact)
    try:
        return normalize_iban(compact)
    except ValueError:
        return None


def iban_in_text(text: str, exclude: str | None = None) -> str | None:
    """The first valid IBAN written in a free text (spaces allowed inside it), other than
    ``exclude``; its check digits and its country's length must hold. It may start after
    any word (``VIREMENT VERS BE48 0011 2345 6727``), never inside one."""
    upper = text.upper()
    for start in _IBAN_START.finditer(upper):
        # the spaced form of the longest IBAN (34 characters, groups of four) fits in 60
        compact = re.sub(r"[\s.\-]", "", upper[start.start() : start.start() + 60])
        for end in range(min(len(compact), 34), 14, -1):
            candidate = compact[:end]
            if candidate != exclude and iban_or_none(candidate) == candidate:
                return candidate
    return None


def masked_account(value: str | None) -> str:
    """How a message names an account that is not one of the hub's: its last four
    characters when it is an account number, else that it is none (a name or a phone
    number written where the bank puts the account) — never the value itself."""
    compact = compact_account(value) or ""
    if (
        iban_or_none(compact)
        or re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]{11,30}", compact)
        or re.fullmatch(r"\d[\d/]{4,33}", compact)
    ):
        return _("the account ending in {last4}", last4=compact[-4:])
    return _("an account that is not an account number")


def belgian_bban_to_iban(bban: str) -> str | None:
    """The IBAN of an old 12-digit Belgian account number, if its check digits hold."""
    if not re.fullmatch(r"\d{12}", bban):
        return None
    check = int(bban[:10]) % 97 or 97
    if check != int(bban[10:]):
        return None
    # ISO 13616: move "BE00" to the end, letters as numbers (B=11, E=14), 98 - mod 97.
    digits = 98 - int(bban + "111400") % 97
    return f"BE{digits:02d}{bban}"


def valid_ogm(digits: str | None) -> str | None:
    """The 12 digits if they form a valid OGM (mod 97, 97 for 0), else None."""
    if digits and re.fullmatch(r"\d{12}", digits) and ogm_vcs.is_valid(digits):
        return digits
    return None


def ogm_in_text(text: str) -> str | None:
    """An OGM written as ``+++123/4567/89012+++`` (or with ``***``) inside free text."""
    for match in _OGM_IN_TEXT.finditer(text):
        digits = valid_ogm("".join(match.groups()))
        if digits:
            return digits
    return None


def format_ogm(digits: str) -> str:
    """``+++123/4567/89012+++``."""
    return f"+++{digits[:3]}/{digits[3:7]}/{digits[7:]}+++"
