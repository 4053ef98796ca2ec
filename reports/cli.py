"""``coopledger report …``: the hub's year on paper, one command per report.

Thin argument parsing over the report modules: open the books, fold them into frames
(:mod:`reports.frame`), build the report, write it (xlsx, pdf or csv) outside the books or
print its figures (``--json``). Every user error is one line; nothing here writes into the
books.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ledger.books import Books
from ledger.cli_support import add_books_option, date_arg, lazy_command, open_books, print_json
from ledger.errors import BooksError, InputError

# name -> (help, formats (the first is the default), period default)
REPORTS: dict[str, tuple[str, tuple[str, ...], str]] = {
    "trial-balance": (
        "every account by PCMN code: opening, movements, closing",
        ("xlsx", "pdf", "csv"),
        "this-year",
    ),
    "general-ledger": (
        "every account with each of its movements and balance",
        ("xlsx", "pdf", "csv"),
        "this-year",
    ),
    "journals": (
        "sales, purchases, bank per account, cash, miscellaneous, numbered",
        ("xlsx", "pdf", "csv"),
        "this-year",
    ),
    "annual-accounts": (
        "the statements Belgian law asks of the association, checked",
        ("pdf", "xlsx"),
        "last-year",
    ),
    "vat": (
        "what the hub's VAT regime requires (returns, client listing, threshold)",
        ("pdf", "xlsx", "csv"),
        "this-year",
    ),
    "grant": (
        "the funder's report: received, spent, deferred, remaining",
        ("xlsx", "pdf", "csv"),
        "this-year",
    ),
    "treasurer": (
        "the month: bank vs books, invoices, review queue, cash, payouts, close",
        ("pdf", "xlsx"),
        "last-month",
    ),
    "participant": (
        "a participant's year in plain words (code only)",
        ("pdf", "xlsx"),
        "this-year",
    ),
    "fees-slips": (
        "what was paid to each participant code (basis of the 281.50 slips)",
        ("xlsx", "pdf", "csv"),
        "last-year",
    ),
}


@dataclass
class Context:
    """What a report builder gets."""

    books: Books
    args: argparse.Namespace
    frames: Any
    period: Any
    lang: str
    today: dt.date
    errors: int


def _default_period(kind: str, today: dt.date) -> Any:
    from reports.period import last_month, last_year, this_year

    return {"this-year": this_year, "last-year": last_year, "last-month": last_month}[kind](today)


def _period(args: argparse.Namespace, today: dt.date) -> Any:
    from reports.period import Period, choose_period

    default = _default_period(REPORTS[args.report][2], today)
    month = getattr(args, "month", None)
    if month:
        if args.year is not None or args.start or args.end:
            raise InputError("give --month, or --year, or --from/--to")
        return Period.of_month(month)
    positional = getattr(args, "year_positional", None)
    if positional is not None:
        if args.year is not None and args.year != positional:
            raise InputError(f"two years given: {positional} and --year {args.year}")
        args.year = positional
    return choose_period(args.year, args.start, args.end, default)


def cmd_report(args: argparse.Namespace) -> int:
    from reports import builders
    from reports.frame import fold

    books = open_books(args)
    ledger = books.load()
    if ledger.errors:
        raise BooksError(
            f"the books have {len(ledger.errors)} error(s) ({books.error_lines(ledger)[0]}); "
            "reports are drawn from books that check: run 'coopledger check'"
        )
    today = dt.date.today()
    period = _period(args, today)
    fmt = args.format or REPORTS[args.report][1][0]
    if fmt not in REPORTS[args.report][1]:
        raise InputError(
            f"--format {fmt}: the {args.report} report is written as "
            + " or ".join(REPORTS[args.report][1])
        )
    frames = fold(ledger.entries, books.config, books.root)
    ctx = Context(books, args, frames, period, args.lang, today, len(ledger.errors))
    build: Callable[[Context], Any] = builders.BUILDERS[args.report]
    report = build(ctx)
    if args.json and not (args.out or args.format or report.attachments):
        print_json(report.figures)
        return 0
    path = _write(books, report, fmt, args.out)
    attached = _write_attachments(books, report, path.parent)
    if args.json:
        print_json({**report.figures, "file": str(path), "attachments": attached})
        return 0
    print(f"{report.title} {report.subtitle} written to {path}")
    for name in attached:
        print(f"  and {name}")
    if report.provisional:
        print(report.provisional, file=sys.stderr)
    return 0


def _write(books: Books, report: Any, fmt: str, out: str | None) -> Path:
    from ledger.books import atomic_write
    from reports.csv_out import render_csv
    from reports.pdf import render_pdf
    from reports.period import output_path
    from reports.xlsx import render_xlsx

    renderers = {"xlsx": render_xlsx, "pdf": render_pdf, "csv": render_csv}
    payload = renderers[fmt](report)
    path = output_path(out, books.root, books.config.id, f"{report.stem}.{fmt}")
    atomic_write(path, payload, mode=0o600)
    return path


def _write_attachments(books: Books, report: Any, folder: Path) -> list[str]:
    """The files the report asked to write besides itself (the VAT XML, the fees slips'
    data set), in the report's folder, readable by their owner only (0600)."""
    from ledger.books import atomic_write
    from reports.period import output_path

    written = []
    for name, payload in sorted(report.attachments.items()):
        path = output_path(str(folder / name), books.root, books.config.id, name)
        atomic_write(path, payload, mode=0o600)
        written.append(str(path))
    return written


def register(sub: Any) -> None:
    """Add ``coopledger report …`` to the argument parser."""
    rep = sub.add_parser("report", help="reports: trial balance, journals, annual accounts, VAT…")
    rsub = rep.add_subparsers(dest="report", metavar="REPORT", required=True)
    run = lazy_command("reports.cli", "cmd_report")
    for name, (helptext, formats, _default) in REPORTS.items():
        p = rsub.add_parser(name, help=helptext)
        add_books_option(p)
        if name == "grant":
            p.add_argument("grants", nargs="*", metavar="GRANT", help="grant ids (default: all)")
        elif name == "participant":
            p.add_argument("code", metavar="CODE")
        elif name in ("fees-slips", "annual-accounts"):
            p.add_argument("year_positional", nargs="?", type=int, metavar="YEAR")
        p.add_argument("--year", type=int)
        p.add_argument("--from", dest="start", type=date_arg, metavar="DATE")
        p.add_argument("--to", dest="end", type=date_arg, metavar="DATE")
        if name == "treasurer":
            p.add_argument("--month", metavar="YYYY-MM", help="default: the last month ended")
        p.add_argument("--lang", choices=["fr", "nl", "en"], default="fr")
        p.add_argument("--format", choices=list(formats), help=f"default: {formats[0]}")
        p.add_argument("--out", metavar="PATH", help="file or folder, outside the books")
        p.add_argument("--json", action="store_true", help="print the figures as JSON")
        if name == "vat":
            p.add_argument(
                "--xml",
                action="store_true",
                help="also write the Intervat XML (returns, client listing)",
            )
        if name == "fees-slips":
            p.add_argument(
                "--identities",
                action="store_true",
                help="also write the slips' data with the beneficiaries' identities (only "
                "when [fees_slips] enabled in hub.toml and the hub key is at hand)",
            )
        p.set_defaults(func=run)
