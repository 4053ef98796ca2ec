"""Beancount entries for statements and movements (see docs/importing.md for examples).

Every movement becomes a transaction with ``kind: "bank"``, the link ``^bank-<id>`` (a
stable id of the movement on its account), the bank's reference as ``bank-ref``, and what
the statement says about it. What the books learn about the *other* party follows one
rule: money coming in keeps the counterparty's name and account (the clients who pay the
hub); money going out — and money coming back, a returned transfer or payout — may concern
a participant, so its counterparty's name and IBAN are kept only when an import rule of
``hub.toml`` named that counterparty — otherwise only the last four characters of the IBAN
(``counterparty-iban-last4``), as payouts do.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from beancount.core import account as account_type
from beancount.core import data
from beancount.core.amount import Amount
from beancount.parser.grammar import ValueType
from stdnum import iso11649

from importers.categorise import HOW_RULE, Booking
from importers.model import Movement, Statement
from importers.settings import BankRef, ImportSettings
from importers.text import format_ogm, iban_or_none

CENT = Decimal("0.01")
FILE_DIRECTIVE = "bank-file"


def money(value: Decimal) -> Decimal:
    """Two decimals when that is exact (CODA gives three), else the value as it is."""
    rounded = value.quantize(CENT)
    return rounded if rounded == value else value


def movement_link(bank: BankRef, ref: str) -> str:
    """``bank-<12 hex>``: a stable id of a movement on one of the hub's accounts."""
    digest = hashlib.sha256(f"{bank.iban}|{ref}".encode()).hexdigest()[:12]
    return f"bank-{digest}"


def _posting(account: str, number: Decimal, currency: str) -> data.Posting:
    return data.Posting(account, Amount(money(number), currency), None, None, None, None)


def _counterparty_meta(movement: Movement, booking: Booking) -> dict[str, Any]:
    meta: dict[str, Any] = {}
    account = iban_or_none(movement.counterparty_account) or movement.counterparty_account
    # Money coming back (a returned transfer, or one of our payouts by its end-to-end id)
    # comes from where the hub sent it, possibly a participant's account: treat it as
    # money going out.
    coming_back = bool(movement.r_transaction) or (
        movement.end_to_end_id or ""
    ).upper().startswith("PO-")
    if (movement.amount > 0 and not coming_back) or booking.how == HOW_RULE:
        if movement.counterparty_name:
            meta["counterparty"] = movement.counterparty_name
        if account:
            meta["counterparty-iban"] = account
    elif account:
        meta["counterparty-iban-last4"] = account[-4:]
    return meta


def detail_meta(movement: Movement) -> dict[str, Any]:
    """What each detail of a batch settles, as ``detail-<n>-…`` metadata: its amount and
    references (OGM, ISO 11649 RF reference, end-to-end id) — never its counterparty
    nor its free text, which may name a person (they stay in the encrypted archive).
    Reconciliation reads these to settle several invoices or payouts from one entry."""
    meta: dict[str, Any] = {}
    if not movement.details:
        return meta
    meta["details"] = Decimal(len(movement.details))
    for index, detail in enumerate(movement.details, start=1):
        key = f"detail-{index}"
        if detail.amount is not None:
            meta[f"{key}-amount"] = money(detail.amount)
        if detail.ogm:
            meta[f"{key}-ogm"] = detail.ogm
        elif detail.structured_ref and iso11649.is_valid(detail.structured_ref):
            meta[f"{key}-ref"] = iso11649.compact(detail.structured_ref)  # an RF reference
        if detail.end_to_end_id:
            meta[f"{key}-end-to-end-id"] = detail.end_to_end_id
    return meta


def bank_transaction(
    file: str, movement: Movement, bank: BankRef, booking: Booking, currency: str
) -> data.Transaction:
    """The transaction of one movement (or of one detail of a split movement)."""
    ref = f"{movement.ref}/{booking.part}" if booking.part else movement.ref
    meta: dict[str, Any] = {"kind": "bank", "bank-ref": ref}
    meta.update(_counterparty_meta(movement, booking))
    if movement.communication:
        meta["communication"] = movement.communication
    ogm = booking.ogm or movement.ogm
    if ogm:
        meta["ogm"] = ogm
    if movement.end_to_end_id:
        meta["end-to-end-id"] = movement.end_to_end_id
    if movement.r_transaction:
        meta["r-transaction"] = movement.r_transaction
    if movement.reversal:
        meta["reversal"] = True
    meta.update(detail_meta(movement))
    meta.update(booking.meta)
    return data.Transaction(
        data.new_metadata(file, movement.line or 0, meta),
        movement.booking_date,
        booking.flag,
        None,
        booking.narration,
        data.EMPTY_SET,
        frozenset({movement_link(bank, ref), *booking.links}),
        [
            _posting(bank.account, booking.amount, currency),
            _posting(booking.account, -booking.amount, currency),
        ],
    )


def opening_transaction(
    file: str, statement: Statement, bank: BankRef, settings: ImportSettings, day: dt.date
) -> data.Transaction:
    """The first statement on an account opens it with the statement's old balance."""
    assert statement.opening_balance is not None
    meta = {"kind": "bank-opening", "statement": statement.sequence or ""}
    return data.Transaction(
        data.new_metadata(file, statement.line or 0, meta),
        day,
        "*",
        None,
        f"Opening balance of {bank.label or bank.account} ({bank.iban}), from the bank statement",
        data.EMPTY_SET,
        data.EMPTY_SET,
        [
            _posting(bank.account, statement.opening_balance, statement.currency),
            _posting(settings.opening, -statement.opening_balance, statement.currency),
        ],
    )


def balance_directive(
    file: str, statement: Statement, bank: BankRef, day: dt.date
) -> data.Balance:
    """The bank's closing balance, asserted at the start of ``day``."""
    assert statement.closing_balance is not None
    meta = {"kind": "bank", "statement": statement.sequence or ""}
    return data.Balance(
        data.new_metadata(file, statement.line or 0, meta),
        day,
        bank.account,
        Amount(money(statement.closing_balance), statement.currency),
        None,
        None,
    )


def file_directive(
    day: dt.date, fmt: str, sha256: str, bank: BankRef, statements: list[str], archive: str | None
) -> data.Custom:
    """Records that a file was imported (its sha256), so it is never imported twice."""
    meta: dict[str, Any] = {"kind": "bank-file", "statements": " ".join(statements)}
    if archive:
        meta["archive"] = archive
    return data.Custom(
        data.new_metadata("<coopledger import>", 0, meta),
        day,
        FILE_DIRECTIVE,
        [
            ValueType(fmt, str),
            ValueType(sha256, str),
            ValueType(bank.account, account_type.TYPE),  # type: ignore[arg-type]
        ],
    )


def imported_files(entries: Iterable[data.Directive]) -> set[str]:
    """sha256 of every bank file the books record as imported."""
    out = set()
    for entry in entries:
        if (
            isinstance(entry, data.Custom)
            and entry.type == FILE_DIRECTIVE
            and len(entry.values) > 1
        ):
            out.add(str(entry.values[1].value))
    return out


def describe(movement: Movement) -> str:
    """A one-line description without the counterparty (for reports and errors)."""
    what = format_ogm(movement.ogm) if movement.ogm else (movement.bank_ref or movement.ref)
    return (
        f"{movement.booking_date.isoformat()} {money(movement.amount)} {movement.currency} {what}"
    )
