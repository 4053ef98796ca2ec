"""Commands: the hub's year on paper, ``report trial-balance|general-ledger|journals|
annual-accounts|vat|grant|treasurer|participant|fees-slips``.

Each report takes ``--year`` (or ``YEAR``, but ``grant`` and ``participant``, whose argument is
the grant or the code, and ``treasurer``, of a month) or ``--from/--to``, ``--lang fr|nl|en``
(by default the hub's ``default_lang``),
``--format`` where it fits, ``--out PATH`` (outside the books; by default the current
folder, or the hub's reports folder when that lies inside the books) and prints its
figures with ``--json``. Nothing here writes into the books.

The reporting layer (:mod:`reports.builders`: pandas, openpyxl, reportlab) is imported
when a report runs: it takes most of a second to import and no other command needs it
(the one documented exception to "no imports inside functions", with ``serve``).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

import click

from ledger import dates
from ledger.cli import NOUNS
from ledger.cli.support import DATE, Group, command, open_books, print_json, say
from ledger.i18n import LANGS, N_, _

# name -> (help, formats: the first is the default)
REPORTS: dict[str, tuple[str, tuple[str, ...]]] = {
    "trial-balance": (
        N_("every account by PCMN code: opening, movements, closing"), ("xlsx", "pdf", "csv"),
    ),
    "general-ledger": (
        N_("every account with each of its movements and balance"), ("xlsx", "pdf", "csv"),
    ),
    "journals": (
        N_("sales, purchases, bank per account, cash, miscellaneous, numbered"),
        ("xlsx", "pdf", "csv"),
    ),
    "annual-accounts": (
        N_("the statements Belgian law asks of the association, checked"), ("pdf", "xlsx"),
    ),
    "vat": (
        N_("what the hub's VAT regime requires (returns, client listing, threshold)"),
        ("pdf", "xlsx", "csv"),
    ),
    "grant": (
        N_("the funder's report: received, spent, deferred, remaining"), ("xlsx", "pdf", "csv"),
    ),
    "treasurer": (
        N_("the month: bank vs books, invoices, review queue, cash, payouts, close"),
        ("pdf", "xlsx"),
    ),
    "participant": (N_("a participant's year in plain words (code only)"), ("pdf", "xlsx")),
    "fees-slips": (
        N_("what was paid to each participant code (basis of the 281.50 slips)"),
        ("xlsx", "pdf", "csv"),
    ),
}  # fmt: skip


def cmd_report(args: argparse.Namespace) -> int:
    """``report NAME``: build the report, write it outside the books or print its figures."""
    from reports import builders  # the reporting layer: pandas, openpyxl (see above)

    name = args.action
    books = open_books(args)
    period = builders.period_of(
        name, dates.today(), year=args.year, start=args.start, end=args.end,
        month=getattr(args, "month", None), positional=getattr(args, "year_positional", None),
    )  # fmt: skip
    lang = args.lang or books.config.invoicing.default_lang
    report = builders.build(
        books, name, period, lang, dates.today(),
        grants=tuple(getattr(args, "grants", ()) or ()), code=getattr(args, "code", "") or "",
        xml=bool(getattr(args, "xml", False)), identities=bool(getattr(args, "identities", False)),
    )  # fmt: skip
    if args.json and not (args.out or args.format or report.attachments):
        print_json(report.figures)
        return 0
    path, attached = builders.write(books, report, args.format or REPORTS[name][1][0], args.out)
    if args.json:
        print_json(
            {**report.figures, "file": str(path), "attachments": [str(p) for p in attached]}
        )
        return 0
    say(_("{title} {subtitle} written to {path}", title=report.title, subtitle=report.subtitle,
          path=str(path)))  # fmt: skip
    for extra in attached:
        say(_("  and {path}", path=str(extra)))
    if report.provisional:
        say(report.provisional, err=True)
    return 0


# ---------------------------------------------------------------- the commands


def _params(name: str, formats: tuple[str, ...]) -> list[Callable[..., Any]]:
    """The options of one report: its argument, the period, the language and the file."""
    params: list[Callable[..., Any]] = []
    if name == "grant":
        params.append(click.argument("grants", nargs=-1, metavar="[GRANT]..."))
    elif name == "participant":
        params.append(click.argument("code", metavar="CODE"))
    elif name != "treasurer":  # (the treasurer's report is of a month: --month)
        params.append(click.argument("year_positional", metavar="[YEAR]", type=int,
                                     required=False))  # fmt: skip
    params += [
        click.option("--year", type=int, help=N_("a calendar year")),
        click.option("--from", "start", type=DATE, metavar="DATE", help=N_("first day")),
        click.option("--to", "end", type=DATE, metavar="DATE", help=N_("last day")),
    ]
    if name == "treasurer":
        params.append(click.option("--month", metavar="YYYY-MM",
                                   help=N_("default: the last month ended")))  # fmt: skip
    params += [
        click.option("--lang", type=click.Choice(LANGS),
                     help=N_("the report's language (default: the hub's, default_lang)")),
        click.option("--format", "format", type=click.Choice(formats),
                     help=N_("the file's format (default: the first listed)")),
        click.option("--out", metavar="PATH", help=N_("file or folder, outside the books")),
    ]  # fmt: skip
    if name == "vat":
        params.append(click.option(
            "--xml", is_flag=True, help=N_("also write the Intervat XML (returns, client listing)")
        ))  # fmt: skip
    if name == "fees-slips":
        params.append(click.option(
            "--identities", is_flag=True,
            help=N_("also write the slips' data with the beneficiaries' identities (only when "
            "[fees_slips] enabled in hub.toml and the hub key is at hand)"),
        ))  # fmt: skip
    return params


group = Group("report", help=NOUNS["report"])
for _name, (_help, _formats) in REPORTS.items():
    command(group, _name, cmd_report, *_params(_name, _formats), help=_help)
