"""Shared helpers for building entries: amounts, postings, transactions, ids, one rule
for free text, and document entries.

Every money feature and the invoicing package build their entries with these, so that an
amount is parsed, rounded and posted one way, an id is numbered one way and a free text
is cleaned one way, whoever books it.
"""

from __future__ import annotations

import datetime as dt
import posixpath
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from beancount.core import data
from beancount.core.amount import Amount

from ledger.errors import InputError

CENT = Decimal("0.01")
ZERO = Decimal("0")
CURRENCY = "EUR"
MAX_AMOUNT = Decimal("10000000")


# ---------------------------------------------------------------- amounts


def q2(value: Decimal) -> Decimal:
    """Round to the cent, half up (the usual commercial rounding)."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def parse_amount(text: str | Decimal, field: str = "amount", allow_zero: bool = False) -> Decimal:
    """A positive amount in euros with at most two decimals, or a one-line InputError."""
    raw = str(text).strip().replace(",", ".")
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise InputError(f"invalid {field} {text!r}: expected a number such as 12.50") from None
    if not value.is_finite():
        raise InputError(f"invalid {field} {text!r}: expected a number such as 12.50")
    if value != value.quantize(CENT):
        raise InputError(f"invalid {field} {text!r}: at most two decimals (cents)")
    if value < 0 or (value == 0 and not allow_zero):
        raise InputError(f"invalid {field} {text!r}: must be more than zero")
    if value > MAX_AMOUNT:
        raise InputError(f"invalid {field} {text!r}: implausibly large")
    return value.quantize(CENT)


# ---------------------------------------------------------------- entries


def posting(account: str, number: Decimal, meta: dict[str, Any] | None = None) -> data.Posting:
    """A posting of ``number`` EUR on ``account`` (positive = debit)."""
    return data.Posting(account, Amount(number, CURRENCY), None, None, None, meta)


def transaction(
    day: dt.date,
    narration: str,
    postings: list[data.Posting],
    meta: dict[str, Any],
    links: set[str] | frozenset[str] = frozenset(),
    flag: str = "*",
) -> data.Transaction:
    """A transaction with coopledger's metadata conventions (no payee: names stay out)."""
    clean = {k: v for k, v in meta.items() if v is not None}
    return data.Transaction(
        data.new_metadata("<coopledger>", 0, clean),
        day,
        flag,
        None,
        narration,
        data.EMPTY_SET,
        frozenset(links),
        postings,
    )


def document_entry(
    day: dt.date, account: str, relpath: str, kind_file: str, link: str, kind: str
) -> data.Document:
    """A ``document`` entry for a file of the books, path relative to the entries file."""
    from_file = posixpath.relpath(relpath, posixpath.dirname(kind_file))
    meta = data.new_metadata("<coopledger>", 1, {"kind": kind})
    return data.Document(meta, day, account, from_file, frozenset(), frozenset({link}))


# ---------------------------------------------------------------- ids and text


def next_id(entries: list[data.Directive], meta_key: str, prefix: str, year: int) -> str:
    """The next ``<PREFIX>-<year>-<seq:04d>`` identifier among entries' ``meta_key``."""
    head = f"{prefix}-{year}-"
    seqs = [0]
    for entry in entries:
        value = str(getattr(entry, "meta", {}).get(meta_key, "") or "")
        if value.startswith(head) and value[len(head) :].isdigit():
            seqs.append(int(value[len(head) :]))
    return f"{head}{max(seqs) + 1:04d}"


def id_link(identifier: str) -> str:
    """The Beancount link of an identifier such as ``EXP-2026-0003`` (``exp-2026-0003``)."""
    return identifier.lower()


def clean_text(value: str | None, field: str, max_len: int = 120) -> str:
    """One line of text, stripped, bounded."""
    text = " ".join((value or "").split())
    if len(text) > max_len:
        raise InputError(f"invalid {field}: at most {max_len} characters")
    if any(c in text for c in '"\\'):
        raise InputError(f"invalid {field}: no double quotes or backslashes")
    return text
