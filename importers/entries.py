"""Beancount entries for statements and movements (see docs/importing.md for examples).

Every movement becomes a transaction with ``kind: "bank"``, the link ``^bank-<id>`` (a
stable id of the movement on its account), the bank's reference as ``bank-ref``, and what
proves and settles it — nothing more: what the books keep of the other party and of the
free text is decided by one rule, :func:`importers.minimise.kept_meta` (a known client or
a business keeps its name and account; anyone else only the last four characters of the
account; the free text only our own and structured references). The rest stays in the
encrypted archive of the statement.
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
from importers.minimise import KnownParties, kept_meta, references_in
from importers.model import Movement, Statement
from importers.settings import BankRef, ImportSettings
from importers.text import format_ogm
from ledger.i18n import _

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


def _party_meta(movement: Movement, booking: Booking, known: KnownParties) -> dict[str, Any]:
    return kept_meta(
        movement.counterparty_name,
        movement.counterparty_account,
        movement.communication,
        known,
        named_by_rule=booking.how == HOW_RULE,
    )


def _our_end_to_end(value: str | None, known: KnownParties) -> str | None:
    """The end-to-end id, when it is one of ours (a payout's id): the payer's own may be
    free text."""
    if not value:
        return None
    refs = references_in(value, known)
    return value if refs and refs[0] == value.strip().upper() else None


def detail_meta(movement: Movement, known: KnownParties | None = None) -> dict[str, Any]:
    """What each detail of a batch settles, as ``detail-<n>-…`` metadata: its amount and
    references (OGM, ISO 11649 RF reference, an end-to-end id of ours) — never its
    counterparty nor its free text, which may name a person (they stay in the encrypted
    archive): the same rule as the movement's (:mod:`importers.minimise`).
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
        end_to_end = _our_end_to_end(detail.end_to_end_id, known or KnownParties())
        if end_to_end:
            meta[f"{key}-end-to-end-id"] = end_to_end
    return meta


def bank_transaction(
    file: str, movement: Movement, bank: BankRef, booking: Booking, currency: str,
    known: KnownParties | None = None,
) -> data.Transaction:  # fmt: skip
    """The transaction of one movement (or of one detail of a split movement)."""
    known = known or KnownParties()
    ref = f"{movement.ref}/{booking.part}" if booking.part else movement.ref
    meta: dict[str, Any] = {"kind": "bank", "bank-ref": ref}
    meta.update(_party_meta(movement, booking, known))
    ogm = booking.ogm or movement.ogm
    if ogm:
        meta["ogm"] = ogm
        refs = [r for r in str(meta.pop("references", "")).split() if r != format_ogm(ogm)]
        if refs:
            meta["references"] = " ".join(refs)
    end_to_end = _our_end_to_end(movement.end_to_end_id, known)
    if end_to_end:
        meta["end-to-end-id"] = end_to_end
    if movement.r_transaction:
        meta["r-transaction"] = movement.r_transaction
    if movement.reversal:
        meta["reversal"] = True
    meta.update(detail_meta(movement, known))
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
        _(
            "Opening balance of {account} ({iban}), from the bank statement",
            account=bank.label or bank.account,
            iban=bank.iban,
        ).shown(settings.lang),
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
