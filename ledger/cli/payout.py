"""Commands: ``payout add|export|list|cancel``: paying participants."""

from __future__ import annotations

import argparse
from pathlib import Path

import click

from ledger.cli import NOUNS
from ledger.cli.prompts import refuse_on_command_line
from ledger.cli.support import (
    AMOUNT,
    DATE,
    Group,
    command,
    localised,
    open_books,
    print_json,
    refuse_a_closed_date,
    say,
)
from ledger.entries import ZERO
from ledger.errors import InputError
from ledger.i18n import N_, _, shown
from ledger.money.batches import naming
from ledger.money.payouts import (
    book_payout,
    book_payouts,
    cancel_payout,
    export_pain001,
    pending_payouts,
    read_payouts,
    returned_payouts,
)


def cmd_payout_add(args: argparse.Namespace) -> int:
    """``payout add CODE AMOUNT``, or ``payout add --from FILE``."""
    if args.from_file:
        return _payout_batch(args)
    if args.code is None:
        raise click.UsageError(_("Missing argument 'CODE' (or --from FILE)"))
    if args.amount is None:
        raise InputError(_("usage: coopledger payout CODE AMOUNT --method bank|cash"))
    _refuse_personal_options(args)
    books = open_books(args)
    booked = book_payout(books, args.code, args.amount, args.method or "bank", None, args.date)
    if args.json:
        print_json(booked)
        return 0
    say(_("Payout {payout} booked: {amount} EUR to {participant}", payout=booked["payout"],
          amount=booked["amount"], participant=booked["participant"]))  # fmt: skip
    if booked["method"] == "bank":
        say(_("To the account ending …{last4} (from the roster). Export it for the bank with: "
              "coopledger payout export --out FILE", last4=booked["iban-last4"]))  # fmt: skip
    else:
        say(_("Receipt to sign: {path}", path=booked["receipt"]))
    return 0


def _payout_batch(args: argparse.Namespace) -> int:
    """``payout add --from FILE``: every payout of the file in one write, or none."""
    if args.code is not None or args.amount is not None:
        raise InputError(
            _("payout add --from FILE takes no CODE or AMOUNT (they are in the file)")
        )
    _refuse_personal_options(args)
    books = open_books(args)
    requests = read_payouts(books, Path(args.from_file), args.method, args.date)
    for where, request in requests:
        with naming(where):
            refuse_a_closed_date(books, request.day, "date")
    booked = book_payouts(books, requests)
    if args.json:
        print_json({"payouts": booked})
        return 0
    for one in booked:
        say(_("Payout {payout} booked: {amount} EUR to {participant} ({method})",
              payout=one["payout"], amount=one["amount"], participant=one["participant"],
              method=localised(one["method"])))  # fmt: skip
    say(_("{count} payouts booked in one write", count=len(booked)))
    return 0


def cmd_payout_export(args: argparse.Namespace) -> int:
    """``payout export --out FILE``."""
    _refuse_personal_options(args)
    if not args.out:
        raise InputError(_("--out FILE is required (outside the books)"))
    books = open_books(args)
    result = export_pain001(
        books,
        Path(args.out),
        {},
        {},
        since=args.since,
        execution=args.date,
        again=args.again,
    )
    done = result.payouts
    total = sum((p.amount for p in done), ZERO)
    if args.json:
        print_json({"file": args.out, "payouts": [p.payout for p in done], "total": total,
                    "skipped": [{"payout": k.payout.payout, "participant": k.payout.participant,
                                 "reason": shown(k.reason)} for k in result.skipped]})  # fmt: skip
        return 0
    say(_("Wrote {count} transfer(s), {total} EUR, to {path} (pain.001.001.03)",
          count=len(done), total=total, path=args.out))  # fmt: skip
    for skipped in result.skipped:  # one line each, on stderr: they still wait
        say(_("left out, still waiting: {reason}", reason=skipped.reason), err=True)
    return 0


def cmd_payout_cancel(args: argparse.Namespace) -> int:
    """``payout cancel PO-…``: a bank payout not exported yet, back on the balance held."""
    books = open_books(args)
    cancelled = cancel_payout(books, args.payout)
    if args.json:
        print_json(cancelled)
        return 0
    say(_("Payout {payout} cancelled: {amount} EUR back on the balance held for {participant}",
          payout=cancelled["payout"], amount=cancelled["amount"],
          participant=cancelled["participant"]))  # fmt: skip
    return 0


def _refuse_personal_options(args: argparse.Namespace) -> None:
    """An IBAN or a name as an argument would stay in the shell history (not repeated)."""
    for option in ("iban", "name"):
        if getattr(args, option, None):
            raise refuse_on_command_line(
                f"--{option}", _("store the participant's payout account in the roster with "
                "'coopledger participant set-payee CODE'")
            )  # fmt: skip


def cmd_payout_list(args: argparse.Namespace) -> int:

    books = open_books(args)
    entries = books.load().entries
    rows = pending_payouts(entries, books.config, args.since)
    back = returned_payouts(entries, books.config, args.since)
    if args.json:
        print_json(
            [{**p.__dict__, "status": "waiting"} for p in rows]
            + [{**p.__dict__, "status": "returned"} for p in back]
        )
        return 0
    if not rows:
        say(_("No bank payout waits for its debit."))
    for p in back:
        what = _("returned {date} (bank line {ref}): back on the balance held",
                 date=p.returned, ref=p.returned_by)  # fmt: skip
        print(f"{p.date}  {p.payout}  {p.participant}  {p.amount:>10} EUR  IBAN …{p.iban_last4}"
              f"  {shown(what)}")  # fmt: skip
    for p in rows:
        sent = _("exported {date}", date=p.exported) if p.exported else _("not exported yet")
        print(f"{p.date}  {p.payout}  {p.participant}  {p.amount:>10} EUR  IBAN …{p.iban_last4}"
              f"  {shown(sent)}")  # fmt: skip
    return 0


# ---------------------------------------------------------------- the commands

group = Group("payout", help=NOUNS["payout"])

PERSONAL = (  # refused: the roster only
    click.option("--iban", multiple=True, hidden=True,
                 help=N_("refused: the IBAN comes from the roster (participant set-payee)")),
    click.option("--name", multiple=True, hidden=True,
                 help=N_("refused: the name comes from the roster (participant set-payee)")),
)  # fmt: skip
command(
    group, "add", cmd_payout_add,
    click.argument("code", metavar="CODE", required=False),
    click.argument("amount", required=False, type=AMOUNT),
    click.option("--method", type=click.Choice(["bank", "cash"]), default=None,
                 help=N_("a bank transfer or cash from the cash box (default: bank)")),
    *PERSONAL,
    click.option("--date", type=DATE, help=N_("the payout's date")),
    click.option("--from", "from_file", metavar="FILE",
                 help=N_("many payouts in one write: a TOML file of [[payouts]] tables or a "
                         "CSV file (participant, amount, method, date); --method and --date "
                         "are the defaults of its rows")),
    help=N_("pay a participant what the hub holds for them"),
)  # fmt: skip
command(
    group, "export", cmd_payout_export,
    *PERSONAL,
    click.option("--out", metavar="FILE", help=N_("the pain.001 file (outside the books)")),
    click.option("--date", type=DATE, help=N_("the execution date")),
    click.option("--since", type=DATE, help=N_("payouts from this date")),
    click.option("--again", is_flag=True, help=N_("include payouts already exported")),
    help=N_("the bank payouts waiting, as a SEPA file for the bank (pain.001)"),
)  # fmt: skip
command(
    group, "cancel", cmd_payout_cancel,
    click.argument("payout", metavar="PAYOUT"),
    help=N_("cancel a bank payout not exported yet: its money is back on the balance held"),
)  # fmt: skip
command(
    group, "list", cmd_payout_list,
    click.option("--since", type=DATE, help=N_("payouts from this date")),
    help=N_("bank payouts waiting for their debit, and those the bank returned"),
)  # fmt: skip
