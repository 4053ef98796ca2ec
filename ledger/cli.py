"""The ``coopledger`` command: thin argument parsing over the core.

Every command that changes the books goes through ``Books.transaction``; every error a
user can cause is a :class:`CoopledgerError` printed on one line (exit 1). Usage errors
exit 2.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import NoReturn

os.environ["BEANCOUNT_DISABLE_LOAD_CACHE"] = "1"

from pydantic import ValidationError

from ledger.cli_support import (
    add_books_option,
    books_dir,
    date_arg,
    open_books,
    print_json,
)
from ledger.config import (
    BankAccount,
    ContributionSettings,
    HubConfig,
    HubIdentity,
    format_validation_error,
    parse_rate,
)
from ledger.errors import CoopledgerError, InputError

EXTENSION_MODULES = (
    "importers.cli",
    "invoicing.cli",
    "ledger.money_cli",
    "ledger.integrity_cli",
    "reports.cli",
)


# ---------------------------------------------------------------- init


def split_address(text: str) -> tuple[str, str, str]:
    """``"Rue X 1, 1030 Schaerbeek"`` → street, postal code, city (as given otherwise)."""
    import re

    match = re.match(r"^\s*(.*?)[,\s]+(?:B-|BE-)?(\d{4})\s+(\S.*?)\s*$", text)
    if not match:
        return text.strip(), "", ""
    return match.group(1).strip(" ,"), match.group(2), match.group(3)


def cmd_init(args: argparse.Namespace) -> int:
    import datetime as dt

    from ledger.layout import init_books, new_hub_id

    street, postal_code, city = split_address(args.address or "")
    postal_code = args.postal_code or postal_code
    city = args.city or city
    try:
        rate = parse_rate(args.contribution_rate)
    except ValueError as exc:
        raise InputError(f"--contribution-rate: {exc}") from None
    try:
        config = HubConfig(
            id=new_hub_id(args.name),
            hub=HubIdentity(
                name=args.name,
                legal_form=args.legal_form,
                enterprise_number=args.enterprise_number,
                vat_regime=args.vat_regime,
                vat_number=args.vat_number,
                address=street,
                postal_code=postal_code,
                city=city,
                country=args.country,
                court_register=args.court_register,
                email=args.email,
                website=args.website,
            ),
            bank_accounts=[BankAccount(iban=args.iban, bic=args.bic)],
            contribution=ContributionSettings(rate=rate),
        )
    except ValidationError as exc:
        raise InputError(format_validation_error(exc, "init")) from None
    start = args.start or dt.date(dt.date.today().year, 1, 1)
    signing_key = Path(args.signing_key).expanduser() if args.signing_key else None
    books, key_file = init_books(Path(args.dir), config, start, signing_key=signing_key)
    print(f"Created the books of {config.hub.name} in {books.root}")
    print(f"Hub key (decrypts the roster): {key_file}")
    print(
        "Back this key up now, away from the books (e.g. on a USB stick kept by two board "
        "members): without it the roster is lost; with it and the books, anyone can tell "
        "who the participants are."
    )
    print(f"Check them with: coopledger check --books {books.root}")
    return 0


# ---------------------------------------------------------------- participants


def cmd_participant_add(args: argparse.Namespace) -> int:
    from ledger.participants import add_participant

    books = open_books(args)
    code = add_participant(books, alias=args.alias, activity=args.activity or "", day=args.date)
    print("Participant opened. Keep the code; the alias is only in the encrypted roster.")
    print(code)
    return 0


def cmd_participant_list(args: argparse.Namespace) -> int:
    from ledger.participants import summarize_all

    books = open_books(args)
    ledger = books.load()
    rows = []
    for code, summary in sorted(summarize_all(ledger.entries, books.config).items()):
        info = summary.info
        rows.append(
            {
                "code": code,
                "status": info.status,
                "activity": info.activity,
                "opened": info.opened.isoformat(),
                "closed": info.closed.isoformat() if info.closed else None,
                "balance": str(summary.balance),
            }
        )
    if args.json:
        print_json(rows)
        return 0
    if not rows:
        print("No participants yet. Add one with: coopledger participant add")
        return 0
    print(f"{'code':<10} {'status':<7} {'opened':<11} {'balance':>12}  activity")
    for row in rows:
        print(
            f"{row['code']:<10} {row['status']:<7} {row['opened']:<11} "
            f"{row['balance']:>12}  {row['activity']}"
        )
    return 0


def cmd_participant_show(args: argparse.Namespace) -> int:
    from ledger.participants import summarize
    from ledger.roster import decrypt_roster, has_key

    books = open_books(args)
    ledger = books.load()
    summary = summarize(ledger.entries, books.config, args.code)
    result = summary.as_json()
    if has_key(books.config) and not args.pseudonymous:
        roster_path = books.root / books.config.roster.file
        roster = decrypt_roster(
            books.config, roster_path.read_bytes() if roster_path.exists() else None
        )
        entry = roster.participants.get(args.code)
        result["alias"] = entry.alias if entry else None
    if args.json:
        print_json(result)
        return 0
    print(f"Participant {result['code']} ({result['status']})")
    if result.get("alias"):
        print(f"  alias (from the encrypted roster): {result['alias']}")
    if result["activity"]:
        print(f"  activity:     {result['activity']}")
    print(
        f"  opened:       {result['opened']}"
        + (f", closed {result['closed']}" if result["closed"] else "")
    )
    for key, label in (
        ("sales", "invoiced (excl. VAT)"),
        ("received", "received from clients"),
        ("contribution", "hub contribution"),
        ("costs", "costs of the activity"),
        ("costs_charged", "  of which charged to them"),
        ("payouts", "paid out"),
        ("balance", "held for them now"),
        ("pending", "share of unpaid invoices"),
        ("owed", "owed to the hub"),
    ):
        print(f"  {label:<24} {Decimal(result[key]):>12,.2f} EUR")
    if summary.movements:
        print("\n  date        kind          amount      balance  description")
        for m in summary.movements:
            owed = f" (owed to the hub {m.owed:+,.2f})" if m.owed else ""
            print(
                f"  {m.date.isoformat()}  {m.kind:<12} {m.amount:>9,.2f} {m.balance:>12,.2f}  "
                f"{m.description}{owed}"
            )
    return 0


def cmd_participant_statement(args: argparse.Namespace) -> int:
    import datetime as dt

    from ledger.books import atomic_write
    from ledger.participants import summarize
    from reports.statement import render_statement

    books = open_books(args)
    ledger = books.load()
    summary = summarize(ledger.entries, books.config, args.code)
    if args.start and args.end and args.end < args.start:
        raise InputError("--to is before --from")
    pdf = render_statement(summary, books.config, args.lang, args.start, args.end)
    out = Path(args.out or f"statement-{args.code}-{dt.date.today().isoformat()}.pdf")
    atomic_write(out, pdf)
    print(f"Statement of {args.code} written to {out}")
    return 0


def cmd_participant_close(args: argparse.Namespace) -> int:
    from ledger.participants import close_participant

    books = open_books(args)
    info = close_participant(books, args.code, args.date)
    assert info.closed is not None
    print(f"Participant {info.code} closed on {info.closed.isoformat()}")
    return 0


# ---------------------------------------------------------------- bank accounts


def cmd_bank_add(args: argparse.Namespace) -> int:
    from ledger.banks import add_bank_account

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


# ---------------------------------------------------------------- closing a year


def cmd_close_year(args: argparse.Namespace) -> int:
    from ledger.closing import close_year
    from ledger.money_cli import show_year_end_plan

    books = open_books(args)
    if args.dry_run:
        return show_year_end_plan(books, args.year, args.json)
    summary = close_year(books, args.year)
    if args.json:
        print_json(summary.as_json())
        return 0
    print(f"Year {summary.year} closed and sealed ({summary.entries} entries).")
    print(f"  income                {summary.income:>14,.2f} EUR")
    print(f"  expenses              {summary.expenses:>14,.2f} EUR")
    print(f"  result                {summary.result:>14,.2f} EUR")
    print(f"  held for participants {summary.held_for_participants:>14,.2f} EUR")
    print(f"  owed by clients       {summary.receivables:>14,.2f} EUR")
    print(f"Seal (sha256): {summary.digest}")
    print(f"Git tag close-{summary.year}: give its hash to the accountant or auditor.")
    return 0


# ---------------------------------------------------------------- check, serve, demo


def cmd_check(args: argparse.Namespace) -> int:
    from ledger.books import describe_changes, worktree_changes
    from ledger.loader import format_error, pickle_caches

    books = open_books(args)
    ledger = books.load(strict=False)
    warnings = [
        f"{p.relative_to(books.root).as_posix()}: a beancount pickle cache sits in the books: "
        "bean-check would unpickle (run) it; delete it and use coopledger check"
        for p in pickle_caches(books.root)
    ]
    changes = worktree_changes(books.root) if (books.root / ".git").exists() else []
    if changes:
        warnings.append(
            f"uncommitted changes no coopledger command made: {describe_changes(changes)} "
            "(commit them with --adopt-changes, or undo them)"
        )
    errors = [
        {
            "filename": str(getattr(e, "source", {}).get("filename", "<load>")),
            "lineno": getattr(e, "source", {}).get("lineno", 0),
            "message": str(getattr(e, "message", e)),
            "where": format_error(e, books.root),
        }
        for e in ledger.errors
    ]
    if args.json:
        print_json(
            {
                "ok": not errors,
                "entries": len(ledger.entries),
                "errors": errors,
                "warnings": warnings,
            }
        )
    else:
        for warning in warnings:
            print(f"warning: {warning}", file=sys.stderr)
        for error in errors:
            print(error["where"], file=sys.stderr)
        if not errors:
            print(f"OK: {len(ledger.entries)} entries, no errors")
        else:
            print(f"{len(errors)} error(s)", file=sys.stderr)
    return 0 if not errors else 1


def cmd_serve(args: argparse.Namespace) -> int:
    from ledger.serve import serve

    books = open_books(args)
    serve(books, args.host, args.port, edit=args.edit)
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from ledger.demo import build_demo

    books = build_demo(Path(args.dir), year=args.year, seed=args.seed)
    print(f"Demo hub ready in {books.root} (fictional data)")
    if args.serve:
        from ledger.serve import serve

        serve(books, args.host, args.port, edit=args.edit)
    return 0


# ---------------------------------------------------------------- parser


def add_serve_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default: loopback)")
    parser.add_argument("--port", type=int, default=5000)
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument(
        "--read-only", action="store_true", help="answer 401 to any change (the default)"
    )
    mode.add_argument(
        "--edit",
        action="store_true",
        help="let Fava edit the books, through coopledger's write path (checked, committed; "
        "closed years refused)",
    )


class OneLineErrorParser(argparse.ArgumentParser):
    """Usage errors on one line, like every other error of ours (exit 2)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"coopledger: error: {message} (see '{self.prog} --help')\n")


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineErrorParser(
        prog="coopledger",
        description="Accounting and invoicing for a hub whose participants work under its "
        "legal entity, on a plain-text Beancount ledger.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    p = sub.add_parser("init", help="create a hub's books in a new directory")
    p.add_argument("dir")
    p.add_argument("--name", required=True)
    p.add_argument("--enterprise-number", required=True)
    p.add_argument("--iban", required=True)
    p.add_argument("--bic")
    p.add_argument("--address", help='the seat, e.g. "Rue de l\'Exemple 1, 1030 Schaerbeek"')
    p.add_argument("--postal-code")
    p.add_argument("--city")
    p.add_argument("--country", default="BE")
    p.add_argument("--legal-form", default="ASBL", help="ASBL, VZW, AISBL…")
    p.add_argument("--court-register", default="RPM Bruxelles", help="RPM/RPR and seat")
    p.add_argument("--email")
    p.add_argument("--website")
    p.add_argument("--vat-regime", choices=["exempt", "franchise", "standard"], default="exempt")
    p.add_argument("--vat-number")
    p.add_argument("--contribution-rate", default="10", metavar="DECIMAL", help="percent")
    p.add_argument("--start", type=date_arg, help="date the accounts open (default: 1 January)")
    p.add_argument(
        "--signing-key",
        metavar="SSH_KEY",
        help="sign every commit and close tag with this SSH key (git SSH signing)",
    )
    p.set_defaults(func=cmd_init)

    part = sub.add_parser("participant", help="onboard, list, show and close participants")
    psub = part.add_subparsers(dest="action", metavar="ACTION", required=True)
    p = psub.add_parser("add", help="open a participant under a new random code")
    add_books_option(p)
    p.add_argument("--alias", help="kept only in the encrypted roster")
    p.add_argument("--activity", help="a short category, e.g. catering")
    p.add_argument("--date", type=date_arg)
    p.set_defaults(func=cmd_participant_add)
    p = psub.add_parser("list", help="every participant with status and balance")
    add_books_option(p)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_participant_list)
    p = psub.add_parser("show", help="a participant's balances and movements")
    add_books_option(p)
    p.add_argument("code")
    p.add_argument("--json", action="store_true")
    p.add_argument("--pseudonymous", action="store_true", help="never show the alias")
    p.set_defaults(func=cmd_participant_show)
    p = psub.add_parser("statement", help="a PDF statement a participant can read")
    add_books_option(p)
    p.add_argument("code")
    p.add_argument("--lang", choices=["fr", "nl", "en"], default="fr")
    p.add_argument("--from", dest="start", type=date_arg)
    p.add_argument("--to", dest="end", type=date_arg)
    p.add_argument("--out", help="PDF file (default: statement-CODE-DATE.pdf)")
    p.set_defaults(func=cmd_participant_statement)
    p = psub.add_parser("close", help="close a participant (nothing may be held for them)")
    add_books_option(p)
    p.add_argument("code")
    p.add_argument("--date", type=date_arg)
    p.set_defaults(func=cmd_participant_close)

    bank = sub.add_parser("bank", help="the hub's bank accounts")
    bsub = bank.add_subparsers(dest="action", metavar="ACTION", required=True)
    p = bsub.add_parser("add", help="declare another bank account of the hub")
    add_books_option(p)
    p.add_argument("--iban", required=True)
    p.add_argument("--bic")
    p.add_argument("--label", default="Compte")
    p.add_argument("--account", help="Beancount account (default: Assets:Banque:<last 4 digits>)")
    p.add_argument("--date", type=date_arg, help="date the account opens (default: today)")
    p.set_defaults(func=cmd_bank_add)
    p = bsub.add_parser("list", help="the hub's bank accounts")
    add_books_option(p)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_bank_list)

    p = sub.add_parser("close-year", help="seal a finished year: its entries can no longer change")
    add_books_option(p)
    p.add_argument("year", type=int)
    p.add_argument(
        "--dry-run", action="store_true", help="list what it would book and what blocks it"
    )
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_close_year)

    p = sub.add_parser("check", help="load the books safely and report every error")
    add_books_option(p)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("serve", help="browse the books in Fava")
    add_books_option(p)
    add_serve_options(p)
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("demo", help="build a fictional demo hub (and serve it)")
    p.add_argument("dir")
    p.add_argument("--year", type=int, default=None, help="the demo year (default: last year)")
    p.add_argument("--seed", type=int, default=2025)
    p.add_argument("--serve", action="store_true")
    add_serve_options(p)
    p.set_defaults(func=cmd_demo)

    for module_name in EXTENSION_MODULES:
        importlib.import_module(module_name).register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except CoopledgerError as exc:
        print(f"coopledger: error: {exc.message}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("coopledger: interrupted; the books are unchanged", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except OSError as exc:  # a file of the user's (not the books: their writes say so)
        from ledger.books import os_error_message

        print(f"coopledger: error: {os_error_message(exc)}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())


__all__ = ["books_dir", "build_parser", "main"]
