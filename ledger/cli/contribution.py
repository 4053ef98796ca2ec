"""Commands: ``contribution set-rate|show``: the hub's contribution rule."""

from __future__ import annotations

import argparse

import click

from ledger.cli import NOUNS
from ledger.cli.support import DATE, RATE, Group, command, open_books, print_json, say
from ledger.i18n import N_, _
from ledger.money.contributions import check_rate, set_rate


def cmd_contribution_set_rate(args: argparse.Namespace) -> int:

    books = open_books(args)

    set_rate(books, args.rate, args.since, args.participant)
    scope = _("participant {code}", code=args.participant) if args.participant else _("hub")
    rate = check_rate(args.rate)
    if args.since:
        say(_("Contribution rate of the {scope} set to {rate}% from {since}.", scope=scope,
              rate=rate, since=args.since.isoformat()))  # fmt: skip
    else:
        say(_("Contribution rate of the {scope} set to {rate}%.", scope=scope, rate=rate))
    return 0


def cmd_contribution_show(args: argparse.Namespace) -> int:
    books = open_books(args)
    settings = books.config.contribution
    row = {
        "rate": settings.rate,
        "changes": [{"since": c.since, "rate": c.rate} for c in settings.changes],
        "participants": {
            code: [{"since": c.since, "rate": c.rate} for c in rates]
            for code, rates in settings.participants.items()
        },
    }
    if args.json:
        print_json(row)
        return 0
    say(_("Hub rate: {rate}%", rate=settings.rate))
    for c in settings.changes:
        say(_("  from {since}: {rate}%", since=c.since, rate=c.rate))
    for code, rates in settings.participants.items():
        for c in rates:
            say(_("  {code} from {since}: {rate}%", code=code, since=c.since, rate=c.rate))
    return 0


# ---------------------------------------------------------------- the commands

group = Group("contribution", help=NOUNS["contribution"])

command(
    group, "set-rate", cmd_contribution_set_rate,
    click.argument("rate", metavar="RATE", type=RATE),
    click.option("--since", type=DATE, help=N_("effective from this date")),
    click.option("--participant", metavar="CODE",
                 help=N_("this participant only (default: the whole hub)")),
    help=N_("change the rate (hub-wide or for one participant)"),
)  # fmt: skip
command(group, "show", cmd_contribution_show, help=N_("the rates in force"))
