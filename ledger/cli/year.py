"""Commands: the year: ``year close|plan|trial-balance``."""

from __future__ import annotations

import argparse
import datetime as dt
from typing import Any

import click

from ledger import dates
from ledger.audit.verify import check_documents
from ledger.cli import NOUNS
from ledger.cli.support import YEAR, Group, command, localised, open_books, print_json, say
from ledger.errors import InputError
from ledger.i18n import N_, _, shown, ui_lang
from ledger.loader import needs_history
from ledger.money.closing import close_year, closed_years
from ledger.money.year_end import plan


def cmd_close_year(args: argparse.Namespace) -> int:

    books = open_books(args)
    if args.dry_run:
        return show_year_end_plan(books, args.year, args.json)
    summary = close_year(books, args.year)
    if args.json:
        print_json(summary.as_json())
        return 0
    say(_("Year {year} closed and sealed ({count} entries).", year=summary.year,
          count=summary.entries))  # fmt: skip
    rows = [
        (localised(label), value)
        for label, value in (
            (N_("income"), summary.income),
            (N_("expenses"), summary.expenses),
            (N_("result"), summary.result),
            (N_("held for participants"), summary.held_for_participants),
            (N_("owed by clients"), summary.receivables),
        )
    ]
    width = max(len(label) for label, _value in rows)  # the labels of the user's language
    for label, value in rows:
        print(f"  {label:<{width}} {value:>14,.2f} EUR")
    say(_("Seal (sha256): {digest}", digest=summary.digest))
    say(_("Git tag close-{year}: give its hash to the accountant or auditor.", year=summary.year))
    return 0


def show_year_end_plan(books: Any, year: int, as_json: bool) -> int:
    """``close-year YEAR --dry-run``: what closing would book and what blocks it."""

    ledger = books.load()
    done = closed_years(ledger)  # as the close itself refuses (the plan said "nothing blocks")
    if year in done:
        raise InputError(_("{year} is already closed", year=year))
    if done and year < max(done):
        raise InputError(
            _("{year} comes before {done}, which is already closed", year=year, done=max(done))
        )
    found = plan(ledger.entries, books.config, year, dates.today(), len(ledger.errors))
    # an issued document edited since its issue blocks the close as the real close does
    found.blockers.extend(f.message for f in check_documents(books, ledger) if not f.ok)
    if as_json:
        print_json(found.as_json())
        return 0 if not found.blockers else 1
    say(_("Closing {year} would book {count} entry(ies):", year=year, count=len(found.entries)))
    for e in found.entries:
        print(f"  {e.date.isoformat()}  {e.narration}")
    if found.blockers:
        say(_("and is blocked by {count} thing(s):", count=len(found.blockers)))
        for line in found.blockers:
            print(f"  - {shown(line)}")
        return 1
    say(_("Nothing blocks it."))
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
        print(render(rows, ui_lang()), end="")
    return 0


def cmd_year_plan(args: argparse.Namespace) -> int:
    """``year plan YEAR``: what closing would book and what blocks it."""
    return show_year_end_plan(open_books(args), args.year, args.json)


# ---------------------------------------------------------------- the commands

group = Group("year", help=NOUNS["year"])

command(
    group, "close", cmd_close_year,
    click.argument("year", type=YEAR),
    click.option("--dry-run", is_flag=True, help=N_("list what it would book and what blocks it")),
    help=N_("seal a finished year: its entries can no longer change"),
)  # fmt: skip
command(
    group, "plan", cmd_year_plan, click.argument("year", type=YEAR),
    help=N_("what closing the year would book, and what blocks it"),
)  # fmt: skip
command(
    group, "trial-balance", cmd_trial_balance,
    click.argument("year", type=YEAR),
    click.option("--by-code", is_flag=True, help=N_("one line per PCMN code")),
    help=N_("the trial balance of a year, by PCMN code"),
)  # fmt: skip
