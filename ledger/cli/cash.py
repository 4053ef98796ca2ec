"""Commands: ``cash sale|withdraw|deposit|count|book``: the cash box."""

from __future__ import annotations

import argparse

import click

from ledger.cli import NOUNS
from ledger.cli.support import (
    AMOUNT,
    AMOUNT_OR_ZERO,
    DATE,
    RATE,
    Group,
    command,
    open_books,
    print_json,
    say,
)
from ledger.errors import InputError
from ledger.i18n import N_, _, shown
from ledger.money import cash


def cmd_cash(args: argparse.Namespace) -> int:

    books = open_books(args)
    action = args.action
    if action == "book":
        rows = cash.cash_book(books.load().entries, books.config)
        if args.json:
            print_json(rows)
            return 0
        if not rows:
            say(_("The cash box has not moved yet."))
        for r in rows:
            amount = f"{r['amount']:>10}" if r["amount"] is not None else " " * 10
            what = shown(_("counted")) if r["kind"] == "count" else r["description"]
            print(f"{r['date']}  {r['id']:<15} {amount} {r['balance']:>11} EUR  {what}")
        return 0
    if action == "refund":
        booked = cash.book_refund(books, args.number, args.amount, args.date)
        text = _("Cash {cash}: {amount} EUR refunded to the client in cash ({refund} settled)",
                 **booked)  # fmt: skip
        print_json(booked) if args.json else say(text)
        return 0
    if args.amount is None:
        raise InputError(_("usage: coopledger cash {action} AMOUNT", action=action))
    if action == "sale":
        if not args.participant:
            raise InputError(_("--participant CODE is required for a cash sale"))
        booked = cash.book_sale(books, args.participant, args.amount, args.description,
                                args.vat_rate, args.date)  # fmt: skip
        text = _(
            "Cash sale {cash} booked: {amount} EUR for {participant} (contribution "
            "{contribution} EUR)",
            **booked,
        )
    elif action == "count":
        booked = cash.book_count(books, args.amount, args.date)
        diff = booked["difference"]
        if not diff:
            text = _("Cash count {cash}: {counted} EUR counted, as the books say", **booked)
        elif diff < 0:
            text = _("Cash count {cash}: {counted} EUR counted, {difference} EUR short (booked)",
                     **{**booked, "difference": abs(diff)})  # fmt: skip
        else:
            text = _("Cash count {cash}: {counted} EUR counted, {difference} EUR over (booked)",
                     **booked)  # fmt: skip
    else:
        booked = cash.book_transfer(books, action, args.amount, args.date)
        if action == "withdraw":
            text = _("Cash {cash}: {amount} EUR withdrawn from the bank; its line on a statement "
                     "is matched to {cash} by the next import or 'coopledger reconcile auto'",
                     **booked)  # fmt: skip
        else:
            text = _("Cash {cash}: {amount} EUR deposited at the bank; its line on a statement "
                     "is matched to {cash} by the next import or 'coopledger reconcile auto'",
                     **booked)  # fmt: skip
    if args.json:
        print_json(booked)
    else:
        say(text)
    return 0


# ---------------------------------------------------------------- the commands

group = Group("cash", help=NOUNS["cash"])

for _action, _help in (
    ("sale", N_("a participant's sale paid in cash (cash sale AMOUNT --participant CODE)")),
    ("withdraw", N_("cash taken from the bank into the cash box")),
    ("deposit", N_("cash from the cash box put in at the bank")),
    ("count", N_("what the cash box holds now; the difference is booked")),
):
    _type = AMOUNT_OR_ZERO if _action == "count" else AMOUNT
    _params = [click.argument("amount", required=False, metavar="AMOUNT", type=_type),
               click.option("--date", type=DATE,
                            help=N_("date of the movement (default: today)"))]  # fmt: skip
    if _action == "sale":
        _params += [
            click.option("--participant", metavar="CODE", help=N_("who made the sale")),
            click.option("--description", help=N_("what was sold")),
            click.option(
                "--vat-rate", type=RATE, help=N_("standard VAT regime: the rate in percent")
            ),
        ]
    command(group, _action, cmd_cash, *_params, help=_help)
command(group, "refund", cmd_cash,
        click.argument("number", metavar="NUMBER"),
        click.option("--amount", type=AMOUNT, help=N_("less than the whole refund due")),
        click.option("--date", type=DATE, help=N_("date of the refund (default: today)")),
        help=N_("pay back from the cash box what is due to a client (NUMBER: the credit note, "
             "the invoice or the refund id)"))  # fmt: skip
command(group, "book", cmd_cash, help=N_("the cash book: every movement and the balance after it"))
