"""Commands: ``demo build``: a fictional hub."""

from __future__ import annotations

import argparse
from pathlib import Path

import click

from ledger.cli import NOUNS
from ledger.cli.books import SERVE_OPTIONS
from ledger.cli.support import YEAR, Group, command, say
from ledger.demo import build_demo
from ledger.i18n import N_, _, set_ui_lang


def cmd_demo(args: argparse.Namespace) -> int:
    books = build_demo(
        Path(args.dir), year=args.year, seed=args.seed, years=args.years,
        participants=args.participants,
    )  # fmt: skip
    set_ui_lang(books.config.invoicing.default_lang)  # the hub exists now: it speaks
    say(_("Demo hub ready in {path} (fictional data)", path=str(books.root)))
    if args.serve:
        from ledger.fava.serve import serve

        serve(books, args.host, args.port, edit=args.edit)
    return 0


# ---------------------------------------------------------------- the commands

group = Group("demo", help=NOUNS["demo"])

command(
    group, "build", cmd_demo,
    click.argument("dir"),
    click.option("--year", type=YEAR, metavar="YEAR", default=None,
                 help=N_("the demo year (default: last year)")),
    click.option("--seed", type=int, default=2025,
                 help=N_("the same seed gives the same books (but for codes and keys)")),
    click.option("--years", type=int, default=1,
                 help=N_("how old the hub is: earlier years are generated and closed")),
    click.option("--participants", type=int, default=None,
                 help=N_("how many participants (7 by default)")),
    click.option("--serve", is_flag=True, help=N_("then browse the demo in Fava")),
    *SERVE_OPTIONS,
    help=N_("build a fictional demo hub (and serve it)"), books=False,
)  # fmt: skip
