"""What every command shares: the global options, opening the books, printing JSON, and
the click pieces that make a command of a handler.

A handler is ``fn(args) -> int`` over an :class:`argparse.Namespace` whose attributes are
the command's options and arguments, plus the global ones (``books``, ``json``, ``quiet``,
``adopt_changes``), given before the noun or after the verb alike::

    coopledger --books B --json payout list      coopledger payout list --books B --json
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import sys
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import click

from ledger import progress
from ledger.books import Books
from ledger.config import parse_date
from ledger.entries import parse_amount, parse_rate
from ledger.errors import CoopledgerError
from ledger.privacy.guard import refuse_roster_values

GLOBAL_KEYS = ("books", "json", "quiet", "adopt_changes")
Handler = Callable[[argparse.Namespace], int]


def books_dir(args: argparse.Namespace) -> Path:
    value = getattr(args, "books", None) or os.environ.get("COOPLEDGER_BOOKS") or "."
    return Path(value)


def open_books(args: argparse.Namespace) -> Books:
    books = Books.open(books_dir(args))
    if getattr(args, "adopt_changes", False):
        # a hand edit is checked against the roster, as Fava's editor is (QA 8/9/10 item 3)
        adopted = books.adopt_changes(lambda staged: refuse_roster_values(books, staged))
        if adopted:
            names = ", ".join(path for _, path in adopted)
            print(f"Hand edit adopted and committed: {names}", file=sys.stderr)
    return books


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
            self.fail(exc.message, param, ctx)


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


GLOBAL_OPTIONS = (
    click.option(
        "--books", metavar="DIR", default=None,
        help="the books directory (default: $COOPLEDGER_BOOKS, else the current directory)",
    ),
    click.option("--json", "json", is_flag=True, default=None, help="print JSON"),
    click.option("--quiet", "-q", is_flag=True, default=None, help="print only errors"),
    click.option(
        "--adopt-changes", is_flag=True, default=None,
        help="first commit a hand edit of the books, under its own message, once they check",
    ),
)  # fmt: skip


def handler(run: Handler) -> Callable[..., int]:
    """A click callback calling ``run`` with the command's values and the global ones."""

    @click.pass_context
    def callback(ctx: click.Context, **values: Any) -> int:
        given = ctx.find_root().obj or {}
        for key in GLOBAL_KEYS:
            if values.get(key) is None:
                values[key] = given.get(key) or (False if key != "books" else None)
        values.setdefault("action", ctx.info_name)  # the verb, for handlers of several
        args = argparse.Namespace(**values)
        if args.quiet and not args.json:  # --quiet: nothing on stdout, errors still on stderr
            with open(os.devnull, "w") as devnull, contextlib.redirect_stdout(devnull), \
                    progress.silenced():  # fmt: skip
                return int(run(args) or 0)
        return int(run(args) or 0)

    callback.__name__ = run.__name__
    callback.__doc__ = run.__doc__
    return callback


def command(
    group: click.Group, name: str, run: Handler, *params: Callable[..., Any], help: str,
    books: bool = True, **settings: Any,
) -> click.Command:  # fmt: skip
    """Add ``name`` to ``group``: ``params`` (click.option/argument decorators, in order)
    and the global options when ``books``, calling the handler ``run``."""
    callback: Callable[..., Any] = handler(run)
    for param in reversed(params):
        callback = param(callback)
    for option in GLOBAL_OPTIONS if books else GLOBAL_OPTIONS[1:3]:  # --json, --quiet
        callback = option(callback)
    return group.command(name, help=help, short_help=help, **settings)(callback)
