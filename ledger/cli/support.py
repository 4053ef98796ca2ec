"""What every command shares: opening the books, printing text and JSON, the value types
of the options, and (from :mod:`ledger.cli.grammar`, re-exported here) the global options
and the click pieces that make a command of a handler.

A handler is ``fn(args) -> int`` over an :class:`argparse.Namespace` whose attributes are
the command's options and arguments, plus the global ones (``books``, ``json``, ``quiet``,
``adopt_changes``), given before the noun or after the verb alike::

    coopledger --books B --json payout list      coopledger payout list --books B --json
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import click

from invoicing.integrity import issued_problems
from ledger.books import Books
from ledger.cli.grammar import (
    CLICK_WORDS,
    GLOBAL_KEYS,
    GLOBAL_OPTIONS,
    Command,
    Group,
    Handler,
    Localised,
    command,
    for_help,
    handler,
    localised,
)
from ledger.config import parse_date
from ledger.entries import parse_amount, parse_rate
from ledger.errors import CoopledgerError, InputError
from ledger.i18n import _, shown
from ledger.loader import carried_until
from ledger.privacy.guard import refuse_roster_values

__all__ = [
    "AMOUNT", "AMOUNT_OR_ZERO", "CLICK_WORDS", "DATE", "GLOBAL_KEYS", "GLOBAL_OPTIONS", "RATE",
    "YEAR", "Command", "Group", "Handler", "Localised", "books_dir", "command", "for_help",
    "handler", "localised", "open_books", "print_json", "refuse_a_closed_date", "say",
]  # fmt: skip


def books_dir(args: argparse.Namespace) -> Path:
    value = getattr(args, "books", None) or os.environ.get("COOPLEDGER_BOOKS") or "."
    return Path(value)


def open_books(args: argparse.Namespace) -> Books:
    books = Books.open(books_dir(args))
    day = getattr(args, "date", None)
    if isinstance(day, dt.date):
        refuse_a_closed_date(books, day)  # a booking date (QA of the live ledger)
    if getattr(args, "adopt_changes", False):
        # a hand edit is checked against the roster, as Fava's editor is (QA 8/9/10 item 3)
        # and the issued documents against the entries that issued them (QA: an issued
        # invoice's entry removed or changed by hand)
        adopted = books.adopt_changes(
            lambda staged: refuse_roster_values(books, staged),
            lambda ledger: [
                p.message for p in issued_problems(books.config, ledger.entries, books.root)
            ],
        )
        if adopted:
            names = ", ".join(path for _, path in adopted)
            say(_("Hand edit adopted and committed: {names}", names=names), err=True)
    return books


def refuse_a_closed_date(books: Books, day: dt.date | None, what: str = "--date") -> None:
    """A booking date in a closed year is refused before anything is computed: the live
    books hold only balances before their carried day, so a check made there (what a
    participant held, what the cash box held) would tell a wrong amount."""
    until = carried_until(books.main_file)
    if day is not None and until is not None and day <= until:
        raise InputError(
            _(
                "{what} {date} is in {year}, a closed year: nothing more can be booked in it; "
                "date it after {until} (a correction of a closed year is booked in an open "
                "year)",
                what=what,
                date=day.isoformat(),
                year=str(day.year),
                until=until.isoformat(),
            )
        )


def say(text: object = "", err: bool = False) -> None:
    """Print a line for the user, in her language (a :class:`Message` is translated; any
    other text, e.g. a path or a code, is printed as it is)."""
    print(shown(text), file=sys.stderr if err else sys.stdout)


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def print_json(obj: Any) -> None:
    json.dump(obj, sys.stdout, default=_default, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


# ---------------------------------------------------------------- click


class DateType(click.ParamType):
    """``--date YYYY-MM-DD``: anything else is a usage error, on one line."""

    name = "YYYY-MM-DD"

    def convert(self, value: Any, param: Any, ctx: Any) -> dt.date:
        if isinstance(value, dt.date):
            return value
        try:
            return parse_date(str(value))
        except CoopledgerError as exc:
            self.fail(shown(exc.message), param, ctx)  # click's frame: see redact_usage


DATE = DateType()


def option_name(param: Any) -> str:
    """How the user wrote the parameter: ``--amount``, or ``AMOUNT`` for an argument."""
    opts = getattr(param, "opts", None) or []
    if opts and str(opts[0]).startswith("-"):
        return str(max(opts, key=len))
    return str(getattr(param, "metavar", None) or getattr(param, "name", "value")).upper()


class NumberType(click.ParamType):
    """An amount or a rate, through the one number parser (:mod:`ledger.entries`): a
    one-line error naming the option, never the value (exit 1, nothing read or written)."""

    def __init__(self, name: str, parse: Callable[[str, str], Decimal]) -> None:
        self.name = name
        self.parse = parse

    def convert(self, value: Any, param: Any, ctx: Any) -> Decimal:
        if isinstance(value, Decimal):
            return value
        return self.parse(str(value), option_name(param))


AMOUNT = NumberType("AMOUNT", lambda text, field: parse_amount(text, field))
AMOUNT_OR_ZERO = NumberType(
    "AMOUNT", lambda text, field: parse_amount(text, field, allow_zero=True)
)
RATE = NumberType("RATE", parse_rate)
# A year of the books: a bounded range, so that no date is ever built out of range.
YEAR = click.IntRange(1900, 2999)
