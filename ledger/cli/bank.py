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
from ledger.cli.support import DATE, Group, command, open_books, print_json
from ledger.i18n import N_, _
from ledger.progress import Progress

DESCRIPTION = """\
Import bank statements into the books: CODA (Febelfin), camt.053 (XML, or a zip of them),
MT940, or a CSV export of BNP Paribas Fortis, KBC, Belfius or ING. The format is
recognised from the content. Every file is checked first (record lengths, order, trailer
totals, old balance + movements = new balance); if one fails, nothing is written.
A file imported before (same content, whatever its name) is skipped; movements already in
the books are not added again; near-duplicates are reported. Each statement's closing
balance is asserted. Payments by structured communication go to their invoice; rules in
hub.toml send other movements to an account; the rest waits in the suspense account,
flagged '!', for review.
"""


def cmd_bank_add(args: argparse.Namespace) -> int:

    books = open_books(args)
    bank = add_bank_account(
        books, iban=args.iban, bic=args.bic, label=args.label, account=args.account, day=args.date
    )
    print(f"Bank account {bank.iban} added as {bank.account}")
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
    print(f"Bank line {found['bank-ref']} (^{found['link']}), {found['date']}, "
          f"{found['amount']} {found['currency']}")  # fmt: skip
    print("  (decrypted in memory from the archived statement; the books do not hold this)")
    shown = ("bank-reference", "counterparty", "counterparty-account", "communication", "ogm",
             "end-to-end-id")  # fmt: skip
    for key in shown:
        if found.get(key):
            print(f"  {key + ':':<22}{found[key]}")
    for text in found["information"] or []:
        print(f"  {'information:':<22}{text}")
    for detail in found["details"] or []:
        print(f"  detail {detail['sequence']}: {detail['amount']} {detail['counterparty'] or ''} "
              f"{detail['communication'] or ''}".rstrip())  # fmt: skip
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    books = open_books(args)
    files = [BankFile.read(path) for path in progress.each("reading", args.files)]
    with Progress(_("importing {count} file(s)", count=len(files))):
        result = import_files(books, files, account=args.account, dry_run=args.dry_run)
    if args.json:
        print_json(result.summary())
    else:
        print_text(result)
    return 0


def print_text(result: ImportResult) -> None:
    plan, summary = result.plan, result.summary()
    verb = "Would import" if result.dry_run else "Imported"
    print(
        f"{verb} {summary['statements']} statement(s), {summary['movements']} movement(s): "
        f"{summary['matched']} matched, {summary['to_review']} to review"
        + (f"; {plan.already_present} already in the books" if plan.already_present else "")
        + (f"; {summary['reconciled']} reconciliation entries" if result.reconciled else "")
        + "."
    )
    for report in plan.files:
        if report.skipped:
            print(f"  {report.name}: {report.skipped}, skipped")
            continue
        statements = ", ".join(report.statements)
        print(
            f"  {report.name}: {report.format} on {', '.join(report.accounts)}, "
            f"statement(s) {statements}: "
            f"{report.movements} new, {report.already_present} already in the books"
        )
    if plan.near_duplicates:
        print("Near-duplicates (a movement of another file on the same account, same amount,")
        print("within two days):")
        for dup in plan.near_duplicates:
            what = "kept (the bank's balance needs it)" if dup.kept else "NOT written"
            print(f"  {dup.description}: similar to ^{dup.similar_to}, {what}")
            if not dup.kept:
                for entry in dup.entries:
                    text = printer.format_entry(entry)
                    print("".join(f"  ; {line}\n" for line in text.splitlines()), end="")
    if result.dry_run:
        print("Dry run: nothing was written. The entries would be:\n")
        print(render_entries([*plan.entries, *result.reconciled]), end="")
    elif summary["to_review"]:
        print("Movements to review are in the suspense account, flagged '!'.")


# ---------------------------------------------------------------- the commands

group = Group("bank", help=N_("the hub's bank accounts and statements"))

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
