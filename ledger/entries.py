"""Shared helpers for building entries: amounts, postings, transactions, ids, one rule
for free text, and document entries.

Every money feature and the invoicing package build their entries with these, so that an
amount is parsed, rounded and posted one way, an id is numbered one way and a free text
is cleaned one way, whoever books it.
"""

from __future__ import annotations

import datetime as dt
import posixpath
import re
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from beancount.core import data
from beancount.core.amount import Amount

from ledger.errors import InputError
from ledger.i18n import _

CENT = Decimal("0.01")
ZERO = Decimal("0")
CURRENCY = "EUR"
MAX_AMOUNT = Decimal("10000000.00")  # the most one amount typed may be (ten million euros)
# digits (ASCII only: no other script's), a decimal comma or point, decimals; no exponent
NUMBER_SHAPE = re.compile(r"([+-]?)([0-9]+)(?:[.,]([0-9]+))?")


# ---------------------------------------------------------------- amounts


def q2(value: Decimal) -> Decimal:
    """Round to the cent, half up (the usual commercial rounding)."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def parse_number(
    text: str | Decimal | int, field: str, *, places: int = 2, signed: bool = False,
    allow_zero: bool = False, maximum: Decimal = MAX_AMOUNT, what: str = _("an amount"),
    example: str = _("12.50 or 12,50"), unit: str = "",
) -> Decimal:  # fmt: skip
    """THE parser of every amount, rate and quantity a user types (the command line, a
    ``--line``, an invoice file): ASCII digits, then a decimal comma (as Belgians write
    it) or a point and at most ``places`` decimals; a sign only when ``signed``; no
    exponent, no thousands separator, no other script's digits; at most ``maximum``.

    A one-line :class:`InputError` names ``field`` (the option) and never repeats what was
    typed: a value typed in the wrong place may be a name."""
    raw = str(text).strip()
    match = NUMBER_SHAPE.fullmatch(raw)
    if match is None:
        finite = raw.lower().lstrip("+-") not in ("nan", "snan", "inf", "infinity")
        why = "" if finite else _(", not a finite number")
        raise InputError(
            _(
                "{field}: not {what}{why} (write it like {example}; "
                "what was typed is not repeated)",
                field=field,
                what=what,
                why=why,
                example=example,
            )
        )
    sign, whole, decimals = match.group(1), match.group(2), match.group(3) or ""
    if len(decimals) > places:
        raise InputError(_("{field}: at most {places} decimals", field=field, places=places))
    if sign == "+" or (sign == "-" and not signed):
        no = _("no sign") if sign == "+" else _("it must not be negative")
        raise InputError(
            _(
                "{field}: not {what} ({no}; write it like {example})",
                field=field,
                what=what,
                no=no,
                example=example,
            )
        )
    value = Decimal(f"{sign}{whole}.{decimals}" if decimals else f"{sign}{whole}")
    if abs(value) > maximum:
        if allow_zero and not signed:
            raise InputError(
                _(
                    "{field}: must be between 0 and {maximum}{unit}",
                    field=field,
                    maximum=maximum,
                    unit=unit,
                )
            )
        raise InputError(
            _(
                "{field}: more than {maximum}{unit}, the most it may be",
                field=field,
                maximum=maximum,
                unit=unit,
            )
        )
    if value == 0 and (sign or not allow_zero):
        raise InputError(_("{field}: must be more than zero", field=field))
    return value


def parse_amount(
    text: str | Decimal, field: str = "amount", allow_zero: bool = False, signed: bool = False
) -> Decimal:
    """An amount in euros (positive unless ``signed``), to the cent: :func:`parse_number`."""
    value = parse_number(text, field, signed=signed, allow_zero=allow_zero, unit=" EUR")
    return value.quantize(CENT)


def parse_rate(text: str | Decimal | int, field: str = "rate") -> Decimal:
    """A rate in percent between 0 and 100 (``12,5`` or ``12.5%``): :func:`parse_number`."""
    raw = str(text).strip().removesuffix("%").rstrip()
    return parse_number(
        raw, field, allow_zero=True, maximum=Decimal(100), what=_("a rate in percent"),
        example=_("10 or 12,5"), unit=_(" (percent)"),
    )  # fmt: skip


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


def require_open_account(
    entries: list[data.Directive], account: str, day: dt.date, option: str
) -> None:
    """An account the user named must be open in the books on ``day``: a one-line error
    naming the option, never the account (it was typed: it may hold a name)."""
    opened = closed = None
    for entry in entries:
        if isinstance(entry, data.Open) and entry.account == account:
            opened = entry.date
        elif isinstance(entry, data.Close) and entry.account == account:
            closed = entry.date
    if opened is None or opened > day or (closed is not None and closed <= day):
        raise InputError(
            _(
                "{option}: no such account is open in the books on {day} (what was "
                "typed is not repeated); give an account role such as services, or open the "
                "account in accounts.beancount",
                option=option,
                day=day.isoformat(),
            )
        )


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
        raise InputError(
            _("invalid {field}: at most {max_len} characters", field=field, max_len=max_len)
        )
    if any(c in text for c in '"\\'):
        raise InputError(_("invalid {field}: no double quotes or backslashes", field=field))
    return text
