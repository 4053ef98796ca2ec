"""Commands: ``grant add|charge|report|list``."""

from __future__ import annotations

import argparse

import click

from ledger.cli import NOUNS
from ledger.cli.support import AMOUNT, DATE, Group, command, localised, open_books, print_json, say
from ledger.i18n import N_, _
from ledger.money.grants import add_grant, charge_grant, grants, report


def cmd_grant_add(args: argparse.Namespace) -> int:

    books = open_books(args)
    booked = add_grant(
        books, args.funder, args.amount, args.date, args.purpose, args.restricted, args.gift,
        args.funder_iban,
    )  # fmt: skip
    if args.json:
        print_json(booked)
    else:
        say(_("Grant {grant} booked: {amount} EUR on {account}", grant=booked["grant"],
              amount=booked["amount"], account=booked["account"]))  # fmt: skip
    return 0


def cmd_grant_charge(args: argparse.Namespace) -> int:

    books = open_books(args)
    booked = charge_grant(books, args.grant, args.expense, args.amount, args.date)
    if args.json:
        print_json(booked)
    else:
        say(_("{amount} EUR of {expense} charged to {grant}", amount=booked["amount"],
              expense=booked["expense"], grant=booked["grant"]))  # fmt: skip
    return 0


def cmd_grant_report(args: argparse.Namespace) -> int:

    books = open_books(args)
    grant = report(books.load().entries, books.config, args.grant)
    if args.json:
        print_json(grant.as_json())
        return 0
    row = grant.as_json()
    kind = localised(row["kind"]).capitalize()
    say(_("{kind} {grant} from {funder} ({date})", kind=kind, grant=row["grant"],
          funder=row["funder"], date=row["date"]))  # fmt: skip
    if row["purpose"]:
        say(_("  purpose: {purpose}", purpose=row["purpose"]))
    if row["restricted"]:
        say(_("  amount {amount} EUR, received {received} EUR, restricted", **row))
    else:
        say(_("  amount {amount} EUR, received {received} EUR", **row))
    for c in row["costs"]:
        who = f" ({c['participant']})" if c["participant"] else ""
        print(f"  {c['date']}  {c['expense']}  {c['amount']:>10} EUR  {c['description']}{who}")
    say(_("  paid for: {charged} EUR; remaining: {remaining} EUR", **row))
    return 0


def cmd_grant_list(args: argparse.Namespace) -> int:

    books = open_books(args)
    found = grants(books.load().entries, books.config)
    rows = [g.as_json() for g in found.values()]
    if args.json:
        print_json(rows)
        return 0
    if not rows:
        say(_("No grants yet. Book one with: coopledger grant add FUNDER_ID --amount …"))
    for r in rows:
        say(_("{date}  {grant:<32} {amount:>10} EUR  charged {charged}", **r))
    return 0


# ---------------------------------------------------------------- the commands

# what a grant is (``grant report`` names it)
KINDS = (N_("grant"), N_("gift"))

group = Group("grant", help=NOUNS["grant"])

command(
    group, "add", cmd_grant_add,
    click.argument("funder", metavar="FUNDER_ID"),
    click.option("--amount", required=True, type=AMOUNT, help=N_("the amount granted")),
    click.option("--date", type=DATE, help=N_("date of the award (default: today)")),
    click.option("--purpose", help=N_("what the grant is for")),
    click.option("--restricted", is_flag=True,
                 help=N_("it may pay only for costs charged to it, and is income as it is spent")),
    click.option("--gift", is_flag=True, help=N_("a gift, not a grant (booked as gifts)")),
    click.option("--funder-iban", help=N_("the funder organisation's account (helps matching)")),
    help=N_("book a grant or gift from a funder"),
)  # fmt: skip
command(
    group, "charge", cmd_grant_charge,
    click.argument("grant", metavar="ID"), click.argument("expense", metavar="EXPENSE_ID"),
    click.option("--amount", type=AMOUNT,
                 help=N_("part of the cost (default: what is not charged yet)")),
    click.option("--date", type=DATE, help=N_("date of the charge (default: today)")),
    help=N_("charge a booked cost to a grant"),
)  # fmt: skip
command(group, "report", cmd_grant_report, click.argument("grant", metavar="ID"),
        help=N_("what a grant paid for"))  # fmt: skip
command(group, "list", cmd_grant_list, help=N_("every grant"))
