"""Commands: ``grant add|charge|report|list``."""

from __future__ import annotations

import argparse

import click

from ledger.cli.support import AMOUNT, DATE, Group, command, open_books, print_json
from ledger.i18n import N_
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
        print(f"Grant {booked['grant']} booked: {booked['amount']} EUR on {booked['account']}")
    return 0


def cmd_grant_charge(args: argparse.Namespace) -> int:

    books = open_books(args)
    booked = charge_grant(books, args.grant, args.expense, args.amount, args.date)
    if args.json:
        print_json(booked)
    else:
        print(f"{booked['amount']} EUR of {booked['expense']} charged to {booked['grant']}")
    return 0


def cmd_grant_report(args: argparse.Namespace) -> int:

    books = open_books(args)
    grant = report(books.load().entries, books.config, args.grant)
    if args.json:
        print_json(grant.as_json())
        return 0
    row = grant.as_json()
    print(f"{row['kind'].capitalize()} {row['grant']} from {row['funder']} ({row['date']})")
    if row["purpose"]:
        print(f"  purpose: {row['purpose']}")
    print(f"  amount {row['amount']} EUR, received {row['received']} EUR"
          + (", restricted" if row["restricted"] else ""))  # fmt: skip
    for c in row["costs"]:
        who = f" ({c['participant']})" if c["participant"] else ""
        print(f"  {c['date']}  {c['expense']}  {c['amount']:>10} EUR  {c['description']}{who}")
    print(f"  paid for: {row['charged']} EUR; remaining: {row['remaining']} EUR")
    return 0


def cmd_grant_list(args: argparse.Namespace) -> int:

    books = open_books(args)
    found = grants(books.load().entries, books.config)
    rows = [g.as_json() for g in found.values()]
    if args.json:
        print_json(rows)
        return 0
    if not rows:
        print("No grants yet. Book one with: coopledger grant add FUNDER_ID --amount …")
    for r in rows:
        print(f"{r['date']}  {r['grant']:<32} {r['amount']:>10} EUR  charged {r['charged']}")
    return 0


# ---------------------------------------------------------------- the commands

group = Group("grant", help=N_("grants and gifts, and what they paid for"))

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
