"""Commands: ``expense add``: costs with their receipts."""

from __future__ import annotations

import argparse
from pathlib import Path

import click

from ledger.cli.support import (
    AMOUNT,
    AMOUNT_OR_ZERO,
    DATE,
    Group,
    command,
    localised,
    open_books,
    print_json,
    say,
)
from ledger.entries import ZERO, parse_amount
from ledger.i18n import N_, _
from ledger.money.expenses import ExpenseRequest, book_expense


def cmd_expense_add(args: argparse.Namespace) -> int:

    books = open_books(args)
    req = ExpenseRequest(
        amount=parse_amount(args.amount, "--amount"),
        description=args.description,
        participant=args.participant,
        supplier=args.supplier,
        vat=parse_amount(args.vat, "--vat", allow_zero=True) if args.vat else ZERO,
        paid_from=args.paid_from,
        account=args.account,
        grant=args.grant,
        day=args.date,
        charge_later=args.charge_later,
    )
    booked = book_expense(books, req, Path(args.receipt) if args.receipt else None)
    if args.json:
        print_json(booked)
    else:
        paid_from = localised(booked["paid-from"])
        if args.charge_later:
            say(_("Cost {expense} booked: {amount} EUR ({paid_from}, charged to the "
                  "participant's next client payments)", expense=booked["expense"],
                  amount=booked["amount"], paid_from=paid_from))  # fmt: skip
        else:
            say(_("Cost {expense} booked: {amount} EUR ({paid_from})", expense=booked["expense"],
                  amount=booked["amount"], paid_from=paid_from))  # fmt: skip
        if booked["receipt"]:
            say(_("Receipt stored: {path}", path=booked["receipt"]))
    return 0


# ---------------------------------------------------------------- the commands

# where a cost was paid from (``--paid-from``)
PAID_FROM = (N_("bank"), N_("cash"), N_("participant"))

group = Group("expense", help=N_("book costs with their receipts"))

command(
    group, "add", cmd_expense_add,
    click.option("--participant", metavar="CODE",
                 help=N_("the participant whose activity the cost is for (default: the hub's)")),
    click.option("--amount", required=True, type=AMOUNT, help=N_("paid, VAT included")),
    click.option("--description", required=True, help=N_("what was bought")),
    click.option("--supplier", help=N_("who was paid")),
    click.option("--vat", type=AMOUNT_OR_ZERO, help=N_("VAT included in --amount")),
    click.option("--receipt", metavar="FILE", help=N_("PDF, PNG or JPEG")),
    click.option("--paid-from", type=click.Choice(["bank", "cash", "participant"]),
                 default="bank",
                 help=N_("paid by the hub's bank, its cash box, or the participant "
                         "(default: bank)")),
    click.option("--account", metavar="ROLE_OR_ACCOUNT", help=N_("hub costs: where to book it")),
    click.option("--grant", metavar="ID", help=N_("charge the cost to a grant")),
    click.option("--charge-later", is_flag=True,
                 help=N_("a participant's cost: owed by them, recovered from their next client "
                 "payments")),
    click.option("--date", type=DATE, help=N_("date of the cost (default: today)")),
    help=N_("book a cost (of a participant's activity or of the hub)"),
)  # fmt: skip
