"""The statement model every bank format is read into.

A :class:`Statement` is one account's statement for one period as the bank states it:
opening and closing balances, and the :class:`Movement` records that move money. Amounts
are signed :class:`~decimal.Decimal` (positive = money coming into the hub's account) and
are never rounded here. Everything a parser cannot vouch for is ``None``.

Each movement carries ``ref``, a *stable reference*: a string that identifies the
movement on its bank account whichever file it is read from again (a re-download, an
overlapping period). Formats that give a unique bank reference use it; the others derive
it from the statement's numbering or, as a last resort, from the movement's content
(see :func:`content_ref`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter
from collections.abc import Iterable
from decimal import Decimal

from pydantic import BaseModel, ConfigDict

from ledger.i18n import _


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Detail(_Frozen):
    """One detail of a batch (a globalised CODA movement, a camt entry with several
    ``TxDtls``): what one payer or payee paid, by which reference. It moves no money by
    itself — its movement does — but it says what the movement settles. The counterparty
    and the free text may name a person: they stay in the model (and the encrypted
    archive), never in the books."""

    sequence: str
    amount: Decimal | None = None
    counterparty_name: str | None = None
    counterparty_account: str | None = None
    counterparty_bic: str | None = None
    communication: str = ""
    ogm: str | None = None
    structured_type: str | None = None
    structured_ref: str | None = None
    end_to_end_id: str | None = None
    bank_ref: str | None = None
    transaction_code: str | None = None
    information: tuple[str, ...] = ()


class Movement(_Frozen):
    """One booked movement on the account."""

    ref: str
    bank_ref: str | None = None
    booking_date: dt.date
    value_date: dt.date | None = None
    amount: Decimal
    currency: str
    counterparty_name: str | None = None
    counterparty_account: str | None = None
    counterparty_bic: str | None = None
    communication: str = ""
    ogm: str | None = None
    structured_type: str | None = None
    structured_ref: str | None = None
    transaction_code: str | None = None
    end_to_end_id: str | None = None
    r_transaction: str | None = None
    reversal: bool = False
    details: tuple[Detail, ...] = ()
    # Free information the bank attaches (CODA records 3, camt AddtlNtryInf…). It may hold
    # a counterparty's address, so it never goes into the books.
    information: tuple[str, ...] = ()
    line: int | None = None


def batch_gap(movement: Movement) -> Decimal | None:
    """``movement - sum of its details`` when every detail gives its amount, else None."""
    amounts = [d.amount for d in movement.details]
    if not amounts or any(a is None for a in amounts):
        return None
    return movement.amount - sum((a for a in amounts if a is not None), Decimal(0))


class Statement(_Frozen):
    """One statement of one bank account."""

    format: str
    account: str
    iban: str | None = None
    currency: str
    opening_balance: Decimal | None = None
    opening_date: dt.date | None = None
    closing_balance: Decimal | None = None
    closing_date: dt.date | None = None
    # The first day the statement covers: camt's ``FrToDt`` when given, else the day after
    # the old balance's date (banks date it with the previous closing's day).
    from_date: dt.date | None = None
    sequence: str | None = None
    created: dt.date | None = None
    duplicate: bool = False
    # An export that may have been made during its last day (a CSV with a balance column):
    # its closing balance can only be asserted for the days before that one.
    partial_last_day: bool = False
    movements: tuple[Movement, ...] = ()
    information: tuple[str, ...] = ()
    line: int | None = None
    # Where the bank gives the opening and the closing balance (for messages).
    opening_line: int | None = None
    closing_line: int | None = None

    @property
    def total(self) -> Decimal:
        """The sum of the movements (what the balance moved by)."""
        return sum((m.amount for m in self.movements), Decimal(0))

    @property
    def balance_gap(self) -> Decimal | None:
        """``closing - (opening + movements)``, or None when a balance is unknown."""
        if self.opening_balance is None or self.closing_balance is None:
            return None
        return self.closing_balance - (self.opening_balance + self.total)

    @property
    def first_day(self) -> dt.date | None:
        """The statement's first day: where it starts, or its first movement if earlier."""
        days = [m.booking_date for m in self.movements]
        if self.from_date is not None:
            days.append(self.from_date)
        if days:
            return min(days)
        return self.opening_date or self.closing_date

    @property
    def label(self) -> str:
        """How messages name the statement: its number, else its closing date."""
        if self.sequence:
            return _("statement {sequence}", sequence=self.sequence)
        day = self.closing_date or self.opening_date
        return _("statement of {day}", day=day.isoformat()) if day else _("statement")


def content_ref(prefix: str, parts: Iterable[tuple[object, ...]]) -> list[str]:
    """Stable references for movements that have no bank reference of their own.

    Each movement is identified by its content (``parts``: date, amount, counterparty
    account, communication…) plus its rank among identical movements of the same file, so
    the same statement read again, or an overlapping one, gives the same references.
    """
    seen: Counter[str] = Counter()
    refs = []
    for part in parts:
        key = "|".join("" if p is None else str(p) for p in part)
        seen[key] += 1
        digest = hashlib.sha256(f"{key}|{seen[key]}".encode()).hexdigest()[:16]
        refs.append(f"{prefix}{digest}")
    return refs
