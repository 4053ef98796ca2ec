"""Commands: the hub's bank accounts and statements: ``bank add|list|import|show-line``."""

from __future__ import annotations

import argparse

import click
from beancount.parser import printer

from importers.originals import describe_original, find_original
from importers.run import ImportResult, import_files
from importers.service import BankFile
from ledger import progress
from ledger.banks import add_bank_account
from ledger.books import (
    render_entries,
)
from ledger.cli import NOUNS
from ledger.cli.support import DATE, Group, command, localised, open_books, print_json, say
from ledger.i18n import N_, _, shown, ui_lang
from ledger.progress import Progress

DESCRIPTION = N_("""\
Import bank statements into the books: CODA (Febelfin), camt.053 (XML, or a zip of them),
MT940, or a CSV export of BNP Paribas Fortis, KBC, Belfius or ING. The format is
recognised from the content. Every file is checked first (record lengths, order, trailer
totals, old balance + movements = new balance); if one fails, nothing is written.
A file imported before (same content, whatever its name) is skipped; movements already in
the books are not added again; near-duplicates are reported. Each statement's closing
balance is asserted. Payments by structured communication go to their invoice; rules in
hub.toml send other movements to an account; the rest waits in the suspense account,
flagged '!', for review.""")


INFORMATION = N_("information")
# The fields of a bank line that ``bank show-line`` prints, in the user's language.
LINE_FIELDS = {
    "bank-reference": N_("bank reference"),
    "counterparty": N_("counterparty"),
    "counterparty-account": N_("counterparty account"),
    "communication": N_("communication"),
    "ogm": N_("structured communication"),
    "end-to-end-id": N_("end-to-end id"),
}


def cmd_bank_add(args: argparse.Namespace) -> int:

    books = open_books(args)
    bank = add_bank_account(
        books, iban=args.iban, bic=args.bic, label=args.label, account=args.account, day=args.date
    )
    say(_("Bank account {iban} added as {account}", iban=bank.iban, account=bank.account))
    return 0


def cmd_bank_list(args: argparse.Namespace) -> int:
    books = open_books(args)
    rows = [b.model_dump(mode="json", exclude_none=True) for b in books.config.bank_accounts]
    if args.json:
        print_json(rows)
    else:
        for row in rows:
            print(
                f"{row['iban']:<34} {row.get('bic', ''):<11} {row['account']:<32} {row['label']}"
            )
    return 0


def cmd_bank_line_show(args: argparse.Namespace) -> int:
    """The books keep only what proves and settles a line; the treasurer who must decide
    about it sees the rest here, decrypted in memory with the hub key."""
    books = open_books(args)
    found = describe_original(find_original(books, books.load().entries, args.ref))
    if args.json:
        print_json(found)
        return 0
    say(_("Bank line {ref} (^{link}), {date}, {amount} {currency}", ref=found["bank-ref"],
          link=found["link"], date=found["date"], amount=found["amount"],
          currency=found["currency"]))  # fmt: skip
    say(_("  (decrypted in memory from the archived statement; the books do not hold this)"))
    colon = "\u00a0:" if ui_lang() == "fr" else ":"  # French: « référence : »
    for key, label in LINE_FIELDS.items():
        if found.get(key):
            print(f"  {localised(label) + colon:<24}{found[key]}")
    for text in found["information"] or []:
        print(f"  {localised(INFORMATION) + colon:<24}{text}")
    for detail in found["details"] or []:
        text = f"{detail['amount']} {detail['counterparty'] or ''} {detail['communication'] or ''}"
        say(_("  detail {sequence}: {text}", sequence=detail["sequence"], text=text.rstrip()))
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    books = open_books(args)
    files = [BankFile.read(path) for path in progress.each(N_("reading"), args.files)]
    with Progress(_("importing {count} file(s)", count=len(files))):
        result = import_files(books, files, account=args.account, dry_run=args.dry_run)
    if args.json:
        print_json(result.summary())
    else:
        print_text(result)
    return 0


def print_text(result: ImportResult) -> None:
    plan, summary = result.plan, result.summary()
    template = (
        N_("Would import {statements} statement(s), {movements} movement(s): {matched} matched, "
           "{to_review} to review")
        if result.dry_run
        else N_("Imported {statements} statement(s), {movements} movement(s): {matched} "
                "matched, {to_review} to review")
    )  # fmt: skip
    parts = [shown(_(template, **summary))]
    if plan.already_present:
        parts.append(shown(_("{count} already in the books", count=plan.already_present)))
    if result.reconciled:
        parts.append(shown(_("{count} reconciliation entries", count=summary["reconciled"])))
    print("; ".join(parts) + ".")
    for report in plan.files:
        if report.skipped:
            say(_("  {file}: {reason}, skipped", file=report.name, reason=report.skipped))
            continue
        say(_("  {file}: {format} on {accounts}, statement(s) {statements}: {new} new, "
              "{present} already in the books", file=report.name, format=report.format,
              accounts=", ".join(report.accounts), statements=", ".join(report.statements),
              new=report.movements, present=report.already_present))  # fmt: skip
    if plan.near_duplicates:
        say(_("Near-duplicates (a movement of another file on the same account, same amount, "
              "within two days):"))  # fmt: skip
        for dup in plan.near_duplicates:
            what = _("kept (the bank's balance needs it)") if dup.kept else _("NOT written")
            say(_("  {description}: similar to ^{link}, {what}", description=dup.description,
                  link=dup.similar_to, what=what))  # fmt: skip
            if not dup.kept:
                for entry in dup.entries:
                    text = printer.format_entry(entry)
                    print("".join(f"  ; {line}\n" for line in text.splitlines()), end="")
    if result.dry_run:
        say(_("Dry run: nothing was written. The entries would be:"))
        say()
        print(render_entries([*plan.entries, *result.reconciled]), end="")
    elif summary["to_review"]:
        say(_("Movements to review are in the suspense account, flagged '!'."))


# ---------------------------------------------------------------- the commands

group = Group("bank", help=NOUNS["bank"])

command(
    group, "add", cmd_bank_add,
    click.option("--iban", required=True, help=N_("the account's IBAN")),
    click.option("--bic", help=N_("the bank's BIC")),
    click.option("--label", default="Compte",
                 help=N_("a short name for the account (default: Compte)")),
    click.option("--account",
                 help=N_("Beancount account (default: Assets:Banque:<last 4 digits>)")),
    click.option("--date", type=DATE, help=N_("date the account opens (default: today)")),
    help=N_("declare another bank account of the hub"),
)  # fmt: skip
command(group, "list", cmd_bank_list, help=N_("the hub's bank accounts"))
command(
    group, "import", cmd_import,
    click.argument("files", nargs=-1, required=True, metavar="FILE..."),
    click.option("--account", metavar="ACCOUNT",
                 help=N_("the hub's bank account (Beancount account or IBAN) the statements are "
                 "for; needed only when a file does not give the account's IBAN")),
    click.option("--dry-run", is_flag=True, help=N_("show what would be added")),
    help=N_("import bank statements (CODA, camt.053, MT940, bank CSV)"), epilog=DESCRIPTION,
)  # fmt: skip
command(
    group, "show-line", cmd_bank_line_show,
    click.argument("ref", metavar="REF"),
    help=N_("decrypt in memory the bank's original of one line (name, account, text)"),
)  # fmt: skip
