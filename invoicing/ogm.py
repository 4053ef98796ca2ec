"""Belgian structured communication (OGM/VCS): 10 digits + 2 check digits (mod 97).

The 10 base digits are derived from the document so that every invoice has its own,
reversible OGM: ``YYYY`` (year of the series) + ``K`` (kind: 0 = invoice) + ``SSSSS``
(sequence number in the series).
"""

from __future__ import annotations

import re

from stdnum import exceptions as stdnum_exceptions
from stdnum.be import ogm_vcs

from ledger.errors import InputError

KIND_DIGIT = {"invoice": 0, "credit-note": 1}
MAX_SEQ = 99_999


def make_ogm(year: int, seq: int, kind: str = "invoice") -> str:
    """The 12-digit OGM for sequence ``seq`` of the ``kind`` series of ``year``."""
    if not 1000 <= year <= 9999:
        raise InputError(f"cannot derive a structured communication from year {year}")
    if not 1 <= seq <= MAX_SEQ:
        raise InputError(
            f"cannot derive a structured communication from sequence {seq} "
            f"(1 to {MAX_SEQ} per series and year)"
        )
    base = f"{year:04d}{KIND_DIGIT[kind]}{seq:05d}"
    return base + ogm_vcs.calc_check_digits(base)


def is_valid_ogm(value: str) -> bool:
    """Whether ``value`` (with or without ``+++``, slashes, spaces) is a valid OGM."""
    return ogm_vcs.is_valid(value)


def normalize_ogm(value: str) -> str:
    """The 12 digits of an OGM given in any usual notation; InputError if invalid."""
    try:
        return str(ogm_vcs.validate(value))
    except stdnum_exceptions.ValidationError as exc:
        raise InputError(f"invalid structured communication: {exc}") from None


def format_ogm(digits: str) -> str:
    """``+++123/4567/89012+++`` for the 12 digits ``123456789012``."""
    if not re.fullmatch(r"\d{12}", digits):
        raise InputError("invalid structured communication: expected 12 digits")
    return f"+++{ogm_vcs.format(digits)}+++"


def parse_ogm(digits: str) -> tuple[int, str, int]:
    """Reverse :func:`make_ogm`: ``(year, kind, seq)`` of one of our OGMs."""
    digits = normalize_ogm(digits)
    kinds = {v: k for k, v in KIND_DIGIT.items()}
    kind_digit = int(digits[4])
    if kind_digit not in kinds:
        raise InputError(f"structured communication {digits} was not made by coopledger")
    return int(digits[:4]), kinds[kind_digit], int(digits[5:10])
