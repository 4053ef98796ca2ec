"""Helpers shared by every subcommand: the books option, opening them, printing JSON."""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import json
import os
import sys
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

from ledger.books import Books
from ledger.config import parse_date


def add_books_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--books",
        metavar="DIR",
        default=None,
        help="the books directory (default: $COOPLEDGER_BOOKS, else the current directory)",
    )
    parser.add_argument(
        "--adopt-changes",
        action="store_true",
        help="first commit a hand edit of the books, under its own message, once they check",
    )


def books_dir(args: argparse.Namespace) -> Path:
    value = getattr(args, "books", None) or os.environ.get("COOPLEDGER_BOOKS") or "."
    return Path(value)


def open_books(args: argparse.Namespace) -> Books:
    books = Books.open(books_dir(args))
    if getattr(args, "adopt_changes", False):
        adopted = books.adopt_changes()
        if adopted:
            names = ", ".join(path for _, path in adopted)
            print(f"Hand edit adopted and committed: {names}", file=sys.stderr)
    return books


def date_arg(value: str) -> dt.date:
    """argparse type for --date: refuses anything but YYYY-MM-DD, one line."""
    try:
        return parse_date(value)
    except Exception as exc:  # argparse prints only ArgumentTypeError messages
        raise argparse.ArgumentTypeError(str(exc)) from None


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


def lazy_command(module: str, name: str) -> Callable[[argparse.Namespace], int]:
    """A command function loaded when the command runs, so that building the parser of
    every coopledger command does not import every feature's modules."""

    def run(args: argparse.Namespace) -> int:
        return int(getattr(importlib.import_module(module), name)(args) or 0)

    run.__name__ = name
    return run
