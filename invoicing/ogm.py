"""Belgian structured communication (OGM/VCS): 10 digits + 2 check digits (mod 97).

The 10 base digits are derived from the document so that every invoice has its own,
reversible OGM: ``YYYY`` (year of the series) + ``K`` (kind: 0 = invoice) + ``SSSSS``
(sequence number in the series).
"""

from __future__ import annotations

import re

from stdnum import exceptions as stdnum_exceptions
from stdnum.be import ogm_vcs

from ledger.config import number_problem
from ledger.errors import InputError
from ledger.i18n import _

KIND_DIGIT = {"invoice": 0, "credit-note": 1}
MAX_SEQ = 99_999


def make_ogm(year: int, seq: int, kind: str = "invoice") -> str:
    """The 12-digit OGM for sequence ``seq`` of the ``kind`` series of ``year``."""
    if not 1000 <= year <= 9999:
        raise InputError(_("cannot derive a structured communication from year {year}", year=year))
    if not 1 <= seq <= MAX_SEQ:
        raise InputError(
            _(
                "cannot derive a structured communication from sequence {seq} "
                "(1 to {max_seq} per series and year)",
                seq=seq,
                max_seq=MAX_SEQ,
            )
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
        raise InputError(
            _("invalid structured communication: {exc}", exc=number_problem(exc))
        ) from None


def format_ogm(digits: str) -> str:
    """``+++123/4567/89012+++`` for the 12 digits ``123456789012``."""
    if not re.fullmatch(r"\d{12}", digits):
        raise InputError(_("invalid structured communication: expected 12 digits"))
    return f"+++{ogm_vcs.format(digits)}+++"


def parse_ogm(digits: str) -> tuple[int, str, int]:
    """Reverse :func:`make_ogm`: ``(year, kind, seq)`` of one of our OGMs."""
    digits = normalize_ogm(digits)
    kinds = {v: k for k, v in KIND_DIGIT.items()}
    kind_digit = int(digits[4])
    if kind_digit not in kinds:
        raise InputError(
            _("structured communication {digits} was not made by coopledger", digits=digits)
        )
    return int(digits[:4]), kinds[kind_digit], int(digits[5:10])
