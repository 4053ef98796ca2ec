"""Commands: the year: ``year close|plan|trial-balance``."""

from __future__ import annotations

import argparse
import datetime as dt
from typing import Any

import click

from ledger import dates
from ledger.audit.verify import check_documents
from ledger.cli.support import YEAR, command, open_books, print_json
from ledger.loader import needs_history
from ledger.money.closing import close_year
from ledger.money.year_end import plan


def cmd_close_year(args: argparse.Namespace) -> int:

    books = open_books(args)
    if args.dry_run:
        return show_year_end_plan(books, args.year, args.json)
    summary = close_year(books, args.year)
    if args.json:
        print_json(summary.as_json())
        return 0
    print(f"Year {summary.year} closed and sealed ({summary.entries} entries).")
    print(f"  income                {summary.income:>14,.2f} EUR")
    print(f"  expenses              {summary.expenses:>14,.2f} EUR")
    print(f"  result                {summary.result:>14,.2f} EUR")
    print(f"  held for participants {summary.held_for_participants:>14,.2f} EUR")
    print(f"  owed by clients       {summary.receivables:>14,.2f} EUR")
    print(f"Seal (sha256): {summary.digest}")
    print(f"Git tag close-{summary.year}: give its hash to the accountant or auditor.")
    return 0


def show_year_end_plan(books: Any, year: int, as_json: bool) -> int:
    """``close-year YEAR --dry-run``: what closing would book and what blocks it."""

    ledger = books.load()
    found = plan(ledger.entries, books.config, year, dates.today(), len(ledger.errors))
    # an issued document edited since its issue blocks the close as the real close does
    found.blockers.extend(f.message for f in check_documents(books, ledger) if not f.ok)
    if as_json:
        print_json(found.as_json())
        return 0 if not found.blockers else 1
    print(f"Closing {year} would book {len(found.entries)} entry(ies):")
    for e in found.entries:
        print(f"  {e.date.isoformat()}  {e.narration}")
    if found.blockers:
        print(f"and is blocked by {len(found.blockers)} thing(s):")
        for line in found.blockers:
            print(f"  - {line}")
        return 1
    print("Nothing blocks it.")
    return 0


def cmd_trial_balance(args: argparse.Namespace) -> int:
    """``year trial-balance YEAR``: the short text form (``report trial-balance`` writes the
    accountant's file). The reporting layer (pandas) is imported when it runs."""
    from reports.trial_balance import by_code, render, trial_balance

    books = open_books(args)
    start, end = dt.date(args.year, 1, 1), dt.date(args.year, 12, 31)
    ledger = books.load(full_history=needs_history(books.main_file, start))  # a closed year
    rows = trial_balance(ledger.entries, books.config, start, end)
    if args.by_code:
        rows = by_code(rows)
    if args.json:
        print_json([r.as_json() for r in rows])
    else:
        print(render(rows), end="")
    return 0


def cmd_year_plan(args: argparse.Namespace) -> int:
    """``year plan YEAR``: what closing would book and what blocks it."""
    return show_year_end_plan(open_books(args), args.year, args.json)


# ---------------------------------------------------------------- the commands

group = click.Group("year", help="closing a year and its trial balance")

command(
    group, "close", cmd_close_year,
    click.argument("year", type=YEAR),
    click.option("--dry-run", is_flag=True, help="list what it would book and what blocks it"),
    help="seal a finished year: its entries can no longer change",
)  # fmt: skip
command(
    group, "plan", cmd_year_plan, click.argument("year", type=YEAR),
    help="what closing the year would book, and what blocks it",
)  # fmt: skip
command(
    group, "trial-balance", cmd_trial_balance,
    click.argument("year", type=YEAR),
    click.option("--by-code", is_flag=True, help="one line per PCMN code"),
    help="the trial balance of a year, by PCMN code",
)  # fmt: skip
