"""Closing a year: check it, summarise it, seal it, tag it.

A closed year is sealed by a ``custom "year-closed"`` entry holding a digest of every entry
up to its last day (see :mod:`plugins.sealed`), so nothing in it can change any more
without every later load failing; the git history gets an annotated tag ``close-YYYY``
whose hash can be handed to the accountant or an auditor. Beancount reports income and
expenses per period by itself, so no entry moves the result to equity: the summary (the
result, what is held for participants, what clients still owe) is kept in the seal's
metadata for the auditor.

In the same transaction as the seal, the close refuses a year that cannot be closed
(suspense not empty, a negative cash day, money not allocated;
:func:`ledger.money.year_end.blockers`)
and books what the year end needs (restricted grants' unspent part deferred); those entries
are sealed with the year, and the seal, its commit and the ``close-YYYY`` tag are one
recoverable step (:mod:`ledger.integrity.sealing`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from beancount.core import amount as bc_amount
from beancount.core import data

from ledger import dates
from ledger.books import Books
from ledger.errors import InputError
from ledger.i18n import _
from ledger.integrity import carried as carriedlib
from ledger.integrity.sealing import seal_year, tag_message
from ledger.loader import Ledger
from ledger.money.live import carry_closed_years, sealed_heads
from ledger.money.year_end import KIND as YEAR_END_KIND
from ledger.money.year_end import blockers, grant_entries
from ledger.view import View
from plugins.sealed import SEAL_TYPE

ZERO = Decimal("0")


@dataclass
class YearSummary:
    year: int
    income: Decimal
    expenses: Decimal
    result: Decimal
    held_for_participants: Decimal
    receivables: Decimal
    suspense: Decimal
    digest: str = ""
    entries: int = 0

    def as_json(self) -> dict[str, object]:
        return {
            "year": self.year,
            "income": str(self.income),
            "expenses": str(self.expenses),
            "result": str(self.result),
            "held_for_participants": str(self.held_for_participants),
            "receivables": str(self.receivables),
            "suspense": str(self.suspense),
            "digest": self.digest,
            "entries": self.entries,
        }


def closed_years(ledger: Ledger) -> set[int]:
    """The closed years: the seals loaded, and those the live books' carried balances
    stand for (:mod:`ledger.money.live`)."""
    found = {
        int(str(e.values[0].value))
        for e in ledger.entries
        if isinstance(e, data.Custom) and e.type == SEAL_TYPE and e.values
    }
    return found | set(sealed_heads(ledger.entries))


def summarize_year(books: Books, entries: Iterable[data.Directive], year: int) -> YearSummary:
    """The year's income and expenses, and balances at its last day."""
    config = books.config
    before, end = dt.date(year - 1, 12, 31), dt.date(year, 12, 31)
    held_prefix = config.account("participant_held", "X").rsplit(":", 1)[0] + ":"
    clients, suspense = config.account("clients"), config.account("suspense")
    view = View.of(entries, config)  # the balances are the books' one fold's (no padding)
    income = expenses = held = receivables = waiting = ZERO
    for account in view.balances.moves:
        root = account.split(":", 1)[0]
        if root in ("Income", "Expenses"):
            moved = view.account_balance(account, end, padding=False) - view.account_balance(
                account, before, padding=False
            )
            if root == "Income":
                income -= moved
            else:
                expenses += moved
        if account.startswith(held_prefix):
            held -= view.account_balance(account, end, padding=False)
        elif account == clients:
            receivables += view.account_balance(account, end, padding=False)
        elif account == suspense:
            waiting += view.account_balance(account, end, padding=False)
    return YearSummary(year, income, expenses, income - expenses, held, receivables, waiting)


def close_year(books: Books, year: int, today: dt.date | None = None) -> YearSummary:
    """Book ``year``'s year-end entries and seal it, in one write: refused before the year
    has ended, twice, with errors in the books, or while something blocks it (see
    :mod:`ledger.money.year_end`)."""
    today = dates.today(today)
    if dt.date(year, 12, 31) >= today:
        raise InputError(
            _(
                "{year} has not ended yet: it can be closed from {next_year}-01-01",
                year=year,
                next_year=year + 1,
            )
        )
    with books.transaction(f"close-year: seal {year}") as tx:
        ledger = tx.ledger
        done = closed_years(ledger)
        if year in done:
            raise InputError(_("{year} is already closed", year=year))
        if done and year < max(done):
            raise InputError(
                _("{year} comes before {done}, which is already closed", year=year, done=max(done))
            )
        errors = len(tx.checked_ledger.errors)  # every error (tx.ledger: parsing only)
        found = blockers(ledger.entries, books.config, year, today, errors)
        if found:
            more = (
                _(" (and {count} more; see --dry-run)", count=len(found) - 1)
                if len(found) > 1
                else ""
            )
            raise InputError(
                _("{year} cannot be closed: {found}{more}", year=year, found=found[0], more=more)
            )
        produced = grant_entries(ledger.entries, books.config, year)
        if produced:
            tx.add_entries(produced, kind=YEAR_END_KIND)
        summary = summarize_year(books, [*ledger.entries, *produced], year)
        summary_meta: dict[str, object] = {
            "result": bc_amount.Amount(summary.result, "EUR"),
            "held-for-participants": bc_amount.Amount(summary.held_for_participants, "EUR"),
            "receivables": bc_amount.Amount(summary.receivables, "EUR"),
            "suspense": bc_amount.Amount(summary.suspense, "EUR"),
            "closed-on": today,
        }
        # Seal, chain and tag the year with the entries the close booked
        # (ledger.integrity.sealing).
        heads = sealed_heads(ledger.entries)
        lines = [f"result: {summary.result} EUR"]
        sealed = seal_year(tx, year, produced=list(produced), meta=summary_meta, summary=lines)
        summary.digest, summary.entries = sealed.head, sealed.entries
        # The live ledger: the year leaves the live books, which start from what its close
        # carries (ledger.money.live); the close's tag anchors the carried digest too.
        sha = carry_closed_years(tx, year, list(produced), {**heads, year: sealed.head})
        tx.tag(sealed.tag, tag_message(year, sealed, [*lines, f"{carriedlib.TAG_LINE}{sha}"]))
    return summary
