"""Small pure folds shared by the money commands and the invariant plugins.

Nothing here imports a feature module: :mod:`plugins.money` and :mod:`ledger.money.reconcile`
both use it, so what a command refuses and what a plugin reports cannot disagree.

* :class:`Daybook` keeps dated changes of balances (per participant, per cash box…) and
  answers what may be taken on a day without any later end of day going below zero;
* :func:`open_role` reads an account's role (and participant) from its ``open`` entry, the
  way plugins know the chart without ``hub.toml``;
* :data:`RESULT_ROLES` are a participant's accounts that reach the hub's result: their sum
  over any entry is zero (see ``docs/accounting-model.md``, the result identity).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from beancount.core import data

ZERO = Decimal("0")

# A participant's sales, share and costs: in every entry they add up to zero, except the
# costs a grant pays (the hub's own costs), so the hub's result is exactly its
# contributions plus its own income minus its own costs, at every date.
# Every role of a participant's accounts (``hub.toml`` names each one's account).
PARTICIPANT_ROLES = (
    "participant_held",
    "participant_sales",
    "participant_contribution",
    "participant_share",
    "participant_costs",
    "participant_pending",
    "participant_owed",
)
RESULT_ROLES = ("participant_sales", "participant_share", "participant_costs")
# On a payout or cost in cash booked on a day the cash box was already counted (they are
# kept outside the cash book's file): the id of the last count before it. A count asserts
# the box at the time it was counted (``docs/reconciliation.md``).
AFTER_COUNT = "after-count"
COUNT_TYPE = "cash-count"


def last_counts(entries: list[data.Directive]) -> dict[dt.date, str]:
    """The cash id of the last count of the cash box booked on each day (by its line in
    the cash book), in one pass (a batch of cash payouts or costs asks for many days)."""
    found: dict[dt.date, tuple[int, str]] = {}
    for entry in entries:
        if isinstance(entry, data.Custom) and entry.type == COUNT_TYPE:
            values = entry.values or []
            line = (entry.meta or {}).get("lineno", 0)
            key = (line if isinstance(line, int) else 0, str(values[0].value) if values else "")
            if entry.date not in found or key >= found[entry.date]:
                found[entry.date] = key
    return {day: key[1] for day, key in found.items()}


class Daybook:
    """Dated balance changes per key (a participant code, ``"cash"``…)."""

    def __init__(self) -> None:
        self.moves: dict[str, list[tuple[dt.date, Decimal]]] = defaultdict(list)

    def add(self, key: str, day: dt.date, delta: Decimal) -> None:
        if delta:
            self.moves[key].append((day, delta))

    def balance(self, key: str, on: dt.date | None = None) -> Decimal:
        """The balance at the end of ``on`` (of everything when ``on`` is None)."""
        return sum((d for day, d in self.moves.get(key, ()) if on is None or day <= on), ZERO)

    def available(self, key: str, on: dt.date) -> Decimal:
        """The lowest end-of-day balance from ``on`` on: what may be taken on ``on``.

        A change dated ``on`` moves every later end-of-day balance too, so taking more than
        this would take some later day below zero.
        """
        balance = self.balance(key, on)
        lowest = balance
        later: dict[dt.date, Decimal] = defaultdict(Decimal)
        for day, delta in self.moves.get(key, ()):
            if day > on:
                later[day] += delta
        for day in sorted(later):
            balance += later[day]
            lowest = min(lowest, balance)
        return lowest

    def first_negative(self, key: str) -> tuple[dt.date, Decimal] | None:
        """The first day that ends below zero, and its balance."""
        by_day: dict[dt.date, Decimal] = defaultdict(Decimal)
        for day, delta in self.moves.get(key, ()):
            by_day[day] += delta
        balance = ZERO
        for day in sorted(by_day):
            balance += by_day[day]
            if balance < 0:
                return day, balance
        return None


def open_role(entry: data.Open) -> tuple[str, str]:
    """``(role, participant code)`` from an ``open`` entry's metadata (empty if absent)."""
    meta = entry.meta or {}
    return str(meta.get("role", "") or ""), str(meta.get("participant", "") or "")
