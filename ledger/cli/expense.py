"""Commands: ``expense add``: costs with their receipts."""

from __future__ import annotations

import argparse
from pathlib import Path

import click

from ledger.cli.support import AMOUNT, AMOUNT_OR_ZERO, DATE, command, open_books, print_json
from ledger.entries import ZERO, parse_amount
from ledger.errors import InputError
from ledger.i18n import _, shown
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
        later = ", charged to the participant's next client payments" if args.charge_later else ""
        print(
            f"Cost {booked['expense']} booked: {booked['amount']} EUR ({booked['paid-from']}"
            f"{later})"
        )
        if booked["receipt"]:
            print(f"Receipt stored: {booked['receipt']}")
    return 0


def _expense_batch(args: argparse.Namespace) -> int:
    """``expense add --from FILE``: every cost of the file in one write, or none."""
    given = [name for name in BATCH_REFUSED if getattr(args, name, None)]
    if given:
        raise InputError(_("expense add --from FILE takes the costs from the file only (not "
                           "--{option})", option=given[0].replace("_", "-")))  # fmt: skip
    books = open_books(args)
    booked = book_expenses(books, read_expenses(books, Path(args.from_file)))
    if args.json:
        print_json({"expenses": booked})
        return 0
    for one in booked:
        print(shown(_("Cost {expense} booked: {amount} EUR ({paid_from})",
                      expense=one["expense"], amount=one["amount"],
                      paid_from=one["paid-from"])))  # fmt: skip
    print(shown(_("{count} costs booked in one write", count=len(booked))))
    return 0


# Options that describe one cost: with --from, each row of the file says them.
BATCH_REFUSED = ("amount", "description", "participant", "supplier", "vat", "receipt",
                 "account", "grant", "charge_later", "date", "paid_from")  # fmt: skip

# ---------------------------------------------------------------- the commands

group = click.Group("expense", help="book costs with their receipts")

command(
    group, "add", cmd_expense_add,
    click.option("--participant", metavar="CODE",
                 help="the participant whose activity the cost is for (default: the hub's)"),
    click.option("--amount", type=AMOUNT, help="paid, VAT included"),
    click.option("--description", help="what was bought"),
    click.option("--supplier", help="who was paid"),
    click.option("--vat", type=AMOUNT_OR_ZERO, help="VAT included in --amount"),
    click.option("--receipt", metavar="FILE", help="PDF, PNG or JPEG"),
    click.option("--paid-from", type=click.Choice(["bank", "cash", "participant"]),
                 default=None,
                 help="paid by the hub's bank, its cash box, or the participant (default: bank)"),
    click.option("--account", metavar="ROLE_OR_ACCOUNT", help="hub costs: where to book it"),
    click.option("--grant", metavar="ID", help="charge the cost to a grant"),
    click.option("--charge-later", is_flag=True,
                 help="a participant's cost: owed by them, recovered from their next client "
                 "payments"),
    click.option("--date", type=DATE, help="date of the cost (default: today)"),
    click.option("--from", "from_file", metavar="FILE",
                 help="many costs in one write: a TOML file of [[expenses]] tables or a CSV "
                 "file whose columns are this command's options (amount, description, "
                 "participant, paid_from, receipt…)"),
    help="book a cost (of a participant's activity or of the hub)",
)  # fmt: skip
