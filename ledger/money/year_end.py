"""What closing a year books, and what blocks it (``coopledger close-year``).

The accounting model keeps the books true at every date (see ``docs/accounting-model.md``):
the participants' share of open invoices is accrued when an invoice is issued, payouts in
transit wait in their own 48x account, so the year end books no cut-off entry for them.
What it does book, dated 31 December:

* the unspent part of each restricted grant, deferred to the next years (493), and the
  release of costs charged to it since (see :func:`ledger.money.grants.year_end_entries`).

A year is not closed while:

* it has not ended;
* a bank line of the year still waits in the suspense account (499);
* the cash box ends a day of the year below zero;
* money received in the year is not allocated to its invoice yet.

Balances carry into the next year by themselves (Beancount accumulates balance-sheet
accounts); income and expenses start again from zero in each year's reports.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from beancount.core import data

from ledger.config import HubConfig
from ledger.entries import ZERO
from ledger.i18n import N_, Message, translate
from ledger.money.grants import year_end_entries as grant_entries
from ledger.money.reconcile.state import State

KIND = "year-end"


@dataclass
class YearEndPlan:
    """What closing ``year`` would book, and what stops it."""

    year: int
    blockers: list[str] = field(default_factory=list)
    entries: list[data.Transaction] = field(default_factory=list)

    def as_json(self) -> dict[str, object]:
        return {
            "year": self.year,
            "blockers": self.blockers,
            "entries": [
                {"date": e.date.isoformat(), "kind": e.meta.get("kind"),
                 "narration": e.narration, "amount": str(e.meta.get("amount", ""))}
                for e in self.entries
            ],
        }  # fmt: skip


@dataclass(frozen=True)
class Blocker:
    """One thing that stops a year from being closed: its kind, its sentence (English, the
    catalogue's source, with ``{fields}``) and the values it names."""

    kind: str  # not-ended | suspense | cash | unallocated | errors
    template: str
    values: dict[str, Any] = field(default_factory=dict)

    def text(
        self, lang: str = "en", amount: Callable[[Decimal], str] | None = None,
        day: Callable[[dt.date], str] | None = None,
    ) -> str:  # fmt: skip
        """The sentence in ``lang``, amounts and dates written by ``amount`` and ``day``
        (by default as the command line writes them: ``12.50 EUR``, ISO dates)."""
        amount = amount or (lambda value: f"{value} EUR")
        day = day or dt.date.isoformat
        fields = {
            key: amount(v) if isinstance(v, Decimal) else day(v) if isinstance(v, dt.date) else v
            for key, v in self.values.items()
        }
        return translate(lang, self.template).format(**fields)

    def message(self) -> Message:
        """The sentence as a message (English; the command line shows it translated)."""
        return Message(self.template, {k: self.text_value(v) for k, v in self.values.items()})

    @staticmethod
    def text_value(value: Any) -> Any:
        return f"{value} EUR" if isinstance(value, Decimal) else (
            value.isoformat() if isinstance(value, dt.date) else value)  # fmt: skip

    def __str__(self) -> str:
        return self.text()


def years_of(days: Iterable[dt.date]) -> str:
    """The year(s) amounts belong to, as a blocker names them ("2026", "2025-2026"): a
    plan of a later year counts the lines still waiting from the years before it."""
    years = sorted({day.year for day in days})
    return str(years[0]) if len(years) == 1 else f"{years[0]}-{years[-1]}"


def year_blockers(
    entries: Iterable[data.Directive], config: HubConfig, year: int, today: dt.date,
    errors: int = 0,
) -> list[Blocker]:  # fmt: skip
    """Why ``year`` cannot be closed (empty when it can)."""
    end = dt.date(year, 12, 31)
    out: list[Blocker] = []
    if end >= today:
        out.append(Blocker("not-ended", N_("{year} has not ended yet: it can be closed from "
                                           "{first}"),
                           {"year": year, "first": dt.date(year + 1, 1, 1)}))  # fmt: skip
    until = [e for e in entries if e.date <= end]
    state = State.of(until, config)
    waiting = sorted((ln for ln in state.open_lines()), key=lambda ln: (ln.date, ln.ref))
    suspense = sum((ln.suspense for ln in waiting), ZERO)
    if waiting:
        refs = ", ".join(ln.ref for ln in waiting[:3]) + (" …" if len(waiting) > 3 else "")
        out.append(Blocker(
            "suspense",
            N_("{amount} of {year} still waits in the suspense account ({count} bank "
               "line(s): {refs}); settle them with 'coopledger reconcile'"),
            {"amount": suspense, "year": years_of(ln.date for ln in waiting),
             "count": len(waiting), "refs": refs},
        ))  # fmt: skip
    negative = state.cash.first_negative("cash")
    if negative is not None:
        day, balance = negative
        out.append(Blocker(
            "cash",
            N_("the cash box ends {day} at {balance}; it may never be below zero (record "
               "the money that was put in it)"),
            {"day": day, "balance": balance},
        ))  # fmt: skip
    stuck = [
        r for r in state.receipts if (r.bank_link, r.inv_link) not in state.allocated
    ]  # fmt: skip
    if stuck:
        total = sum((r.amount for r in stuck), Decimal("0"))
        out.append(Blocker(
            "unallocated",
            N_("{amount} received in {year} is not allocated to its invoice yet ({count} "
               "payment(s)); see 'coopledger reconcile --list'"),
            {"amount": total, "year": years_of(r.date for r in stuck), "count": len(stuck)},
        ))  # fmt: skip
    if errors:
        out.append(Blocker("errors", N_("the books have {count} error(s); fix them first (see "
                                        "'coopledger check')"), {"count": errors}))  # fmt: skip
    return out


def blockers(
    entries: Iterable[data.Directive], config: HubConfig, year: int, today: dt.date,
    errors: int = 0,
) -> list[str]:  # fmt: skip
    """Why ``year`` cannot be closed (empty when it can), each on one line."""
    return [b.message() for b in year_blockers(entries, config, year, today, errors)]


def plan(
    entries: list[data.Directive], config: HubConfig, year: int, today: dt.date,
    errors: int = 0,
) -> YearEndPlan:  # fmt: skip
    """What ``close-year YEAR`` would book and what blocks it (``--dry-run`` shows it)."""
    return YearEndPlan(
        year=year,
        blockers=blockers(entries, config, year, today, errors),
        entries=grant_entries(entries, config, year),
    )
