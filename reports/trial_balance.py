"""The trial balance of a period, by PCMN code, as the hub's accountant reads it.

Each account of the chart carries its PCMN code in the ``pcmn`` metadata of its ``open``
entry. Balance-sheet accounts (classes 1 to 5) are shown with their balance at the end of
the period (everything before it included: balances carry from one year to the next);
income and charges (classes 6 and 7) with what the period moved. The result of earlier
periods, which Beancount does not move by an entry, is shown on the hub's ``retained_result``
account (14), so debits and credits balance.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from beancount.core import data

from ledger.config import HubConfig

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Row:
    """One line of the trial balance (``balance`` signed as Beancount: debit positive)."""

    pcmn: str
    account: str
    balance: Decimal

    @property
    def debit(self) -> Decimal:
        return self.balance if self.balance > 0 else ZERO

    @property
    def credit(self) -> Decimal:
        return -self.balance if self.balance < 0 else ZERO

    def as_json(self) -> dict[str, str]:
        return {
            "pcmn": self.pcmn,
            "account": self.account,
            "debit": str(self.debit),
            "credit": str(self.credit),
        }


def _is_result(account: str) -> bool:
    return account.split(":", 1)[0] in ("Income", "Expenses")


def trial_balance(
    entries: Iterable[data.Directive], config: HubConfig, start: dt.date, end: dt.date
) -> list[Row]:
    """Every account with a balance, sorted by PCMN code then account name."""
    codes: dict[str, str] = {}
    balances: dict[str, Decimal] = defaultdict(lambda: ZERO)
    earlier = ZERO
    for entry in entries:
        if isinstance(entry, data.Open):
            codes[entry.account] = str((entry.meta or {}).get("pcmn", "") or "")
        if not isinstance(entry, data.Transaction) or entry.date > end:
            continue
        for p in entry.postings:
            if p.units is None or p.units.number is None:
                continue
            if _is_result(p.account) and entry.date < start:
                earlier += p.units.number  # an earlier period's result
            else:
                balances[p.account] += p.units.number
    if earlier:
        balances[config.account("retained_result")] += earlier
    rows = [
        Row(codes.get(account, ""), account, amount)
        for account, amount in balances.items()
        if amount != 0
    ]
    return sorted(rows, key=lambda r: (r.pcmn, r.account))


def by_code(rows: Iterable[Row]) -> list[Row]:
    """The trial balance summed per PCMN code (one line per code)."""
    sums: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for row in rows:
        sums[row.pcmn] += row.balance
    return [Row(code, "", amount) for code, amount in sorted(sums.items()) if amount != 0]


def render(rows: list[Row]) -> str:
    """The trial balance as text: code, account, debit, credit, and the totals."""
    lines = [f"{'PCMN':<6} {'account':<48} {'debit':>12} {'credit':>12}"]
    for r in rows:
        debit = f"{r.debit:.2f}" if r.debit else ""
        credit = f"{r.credit:.2f}" if r.credit else ""
        lines.append(f"{r.pcmn:<6} {r.account:<48} {debit:>12} {credit:>12}".rstrip())
    total_debit = sum((r.debit for r in rows), ZERO)
    total_credit = sum((r.credit for r in rows), ZERO)
    lines.append(f"{'':<6} {'total':<48} {total_debit:>12.2f} {total_credit:>12.2f}")
    return "\n".join(lines) + "\n"
