"""Commands: ``expense add``: costs with their receipts."""

from __future__ import annotations

import argparse
from pathlib import Path

import click

from ledger.cli import NOUNS
from ledger.cli.support import (
    AMOUNT,
    AMOUNT_OR_ZERO,
    DATE,
    Group,
    command,
    localised,
    open_books,
    print_json,
    refuse_a_closed_date,
    say,
)
from ledger.entries import ZERO, parse_amount
from ledger.errors import InputError
from ledger.i18n import N_, _
from ledger.money.batches import naming
from ledger.money.expenses import ExpenseRequest, book_expense, book_expenses, read_expenses


def cmd_expense_add(args: argparse.Namespace) -> int:
    if args.from_file:
        return _expense_batch(args)
    for option in ("amount", "description"):
        if getattr(args, option) is None:
            raise click.UsageError(_("Missing option '--{option}' (or --from FILE)",
                                     option=option))  # fmt: skip
    books = open_books(args)
    req = ExpenseRequest(
        amount=parse_amount(args.amount, "--amount"),
        description=args.description,
        participant=args.participant,
        supplier=args.supplier,
        vat=parse_amount(args.vat, "--vat", allow_zero=True) if args.vat else ZERO,
        paid_from=args.paid_from or "bank",
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


def _expense_batch(args: argparse.Namespace) -> int:
    """``expense add --from FILE``: every cost of the file in one write, or none."""
    given = [name for name in BATCH_REFUSED if getattr(args, name, None)]
    if given:
        raise InputError(_("expense add --from FILE takes the costs from the file only (not "
                           "--{option})", option=given[0].replace("_", "-")))  # fmt: skip
    books = open_books(args)
    requests = read_expenses(books, Path(args.from_file))
    for where, request, _receipt in requests:
        with naming(where):
            refuse_a_closed_date(books, request.day, "date")
    booked = book_expenses(books, requests)
    if args.json:
        print_json({"expenses": booked})
        return 0
    for one in booked:
        say(_("Cost {expense} booked: {amount} EUR ({paid_from})", expense=one["expense"],
              amount=one["amount"], paid_from=localised(one["paid-from"])))  # fmt: skip
    say(_("{count} costs booked in one write", count=len(booked)))
    return 0


# Options that describe one cost: with --from, each row of the file says them.
BATCH_REFUSED = ("amount", "description", "participant", "supplier", "vat", "receipt",
                 "account", "grant", "charge_later", "date", "paid_from")  # fmt: skip

# ---------------------------------------------------------------- the commands

# where a cost was paid from (``--paid-from``)
PAID_FROM = (N_("bank"), N_("cash"), N_("participant"))

group = Group("expense", help=NOUNS["expense"])

command(
    group, "add", cmd_expense_add,
    click.option("--participant", metavar="CODE",
                 help=N_("the participant whose activity the cost is for (default: the hub's)")),
    click.option("--amount", type=AMOUNT, help=N_("paid, VAT included")),
    click.option("--description", help=N_("what was bought")),
    click.option("--supplier", help=N_("who was paid")),
    click.option("--vat", type=AMOUNT_OR_ZERO, help=N_("VAT included in --amount")),
    click.option("--receipt", metavar="FILE", help=N_("PDF, PNG or JPEG")),
    click.option("--paid-from", type=click.Choice(["bank", "cash", "participant"]),
                 default=None,
                 help=N_("paid by the hub's bank, its cash box, or the participant "
                         "(default: bank)")),
    click.option("--account", metavar="ROLE_OR_ACCOUNT", help=N_("hub costs: where to book it")),
    click.option("--grant", metavar="ID", help=N_("charge the cost to a grant")),
    click.option("--charge-later", is_flag=True,
                 help=N_("a participant's cost: owed by them, recovered from their next client "
                 "payments")),
    click.option("--date", type=DATE, help=N_("date of the cost (default: today)")),
    click.option("--from", "from_file", metavar="FILE",
                 help=N_("many costs in one write: a TOML file of [[expenses]] tables or a CSV "
                         "file whose columns are this command's options (amount, description, "
                         "participant, paid_from, receipt…)")),
    help=N_("book a cost (of a participant's activity or of the hub)"),
)  # fmt: skip
