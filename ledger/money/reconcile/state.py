"""What reconciliation knows of the books: the books' one fold (:class:`ledger.view.View`,
here called the state), and the questions reconciliation asks of it."""

from __future__ import annotations

import datetime as dt
import weakref
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from typing import Any, TypeVar, cast

from beancount.core import data

from ledger.config import HubConfig
from ledger.entries import ZERO, q2
from ledger.errors import InputError
from ledger.i18n import _
from ledger.view import (
    BankLine,
    BankOriginal,
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


def folded_with_originals(
    entries: Iterable[data.Directive], config: HubConfig,
    originals_of: Callable[[State], Mapping[str, BankOriginal]],
) -> State:  # fmt: skip
    """``State.of(entries, config, originals)`` where the originals depend on the fold
    itself (its open lines tell which archived statements to decrypt): the books are
    folded once, not once to learn the window and again with what it found.

    The fold reads the originals in one place: the accounts and names each client paid
    from (``View._learn_client``, called once for each receipt as it is appended to
    ``receipts``, from lines and invoices that the fold's first pass has already made
    whole). So they are learnt again here, in the same order, with the originals; nothing
    else of the fold changes (tests/money/test_one_fold.py proves the two equal)."""
    state = State.of(list(entries), config)  # our own list: never a load's shared fold
    originals = originals_of(state)
    if originals:
        state.originals = originals
        state.client_ibans = defaultdict(set)
        state.client_names = defaultdict(set)
        for receipt in state.receipts:
            state._learn_client(receipt.bank_link, receipt.inv_link)
    return state


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
