"""What reconciliation knows of the books: the books' one fold (:class:`ledger.view.View`,
here called the state), and the questions reconciliation asks of it."""

from __future__ import annotations

import datetime as dt
import weakref
from collections.abc import Callable
from decimal import Decimal
from typing import Any, TypeVar, cast

from ledger.entries import ZERO, q2
from ledger.errors import InputError
from ledger.i18n import _
from ledger.view import (
    BankLine,
)
from ledger.view import View as State

TARGET_PREFIXES = ("inv-", "po-", "exp-", "grant-", "refund-", "cash-")

T = TypeVar("T")
# What reconciliation asks of a state for every bank line (the open invoices by client,
# the receipts by amount…): one state at a time for each question, while nothing more is
# folded into it (View.generation).
_KEPT: dict[str, tuple[weakref.ref[State], int, Any]] = {}


def kept(state: State, question: str, answer: Callable[[], T]) -> T:
    """``answer()`` for ``state``, computed again only once more entries were folded into
    it. The answer is shared: never change it."""
    slot = _KEPT.get(question)
    if slot is not None and slot[0]() is state and slot[1] == state.generation:
        return cast(T, slot[2])
    value = answer()

    def forget(ref: weakref.ref[State]) -> None:  # the state is gone: so is what it answered
        if _KEPT.get(question, (None,))[0] is ref:
            del _KEPT[question]

    _KEPT[question] = (weakref.ref(state, forget), state.generation, value)
    return value


def check_cash(state: State, amount: Decimal, day: dt.date, what: str) -> None:
    """Refuse taking ``amount`` from the cash box on ``day`` if some day from then on would
    end below zero (the cash box is never negative)."""
    available = state.cash_available(day)
    if amount > available:
        raise InputError(
            _(
                "{what} refused: {amount} EUR in cash, but the cash box holds only "
                "{available} EUR from {day} on (record the money put "
                "in it first, e.g. 'coopledger cash withdraw')",
                what=what,
                amount=amount,
                available=q2(max(available, ZERO)),
                day=day.isoformat(),
            )
        )


def _line_ref(state: State, link_id: str) -> str:
    line = state.lines.get(f"bank-{link_id}")
    return line.ref if line is not None else link_id


def find_line(state: State, ref: str) -> BankLine:
    """The bank line with this reference (``bank-ref`` or ``^bank-`` link)."""
    ref = ref.strip().removeprefix("^")
    line = state.lines.get(ref) or next((ln for ln in state.lines.values() if ln.ref == ref), None)
    if line is None:
        raise InputError(
            _("no bank line with that reference in the books (give its bank-ref or ^bank- link)")
        )
    if not line.is_open:
        raise InputError(
            _("bank line {ref} is already settled; nothing is matched twice", ref=line.ref)
        )
    return line
