"""Commands: ``purchase import|list|fetch``: supplier e-invoices."""

from __future__ import annotations

import argparse
from pathlib import Path

import click

from invoicing.peppol.factory import access_point
from invoicing.purchases.booking import Charge, Planned
from invoicing.purchases.document import MAX_BYTES
from invoicing.purchases.fetch import fetch_and_import, waiting
from invoicing.purchases.importer import Source, import_purchases
from invoicing.validation import (
    DEFAULT_RULES_DIR,
    Validator,
    get_validator,
    resolve_rules_dir,
    rules_available,
)
from ledger.books import (
    Books,
)
from ledger.cli import NOUNS
from ledger.cli.support import DATE, Group, command, localised, open_books, print_json, say
from ledger.errors import ConfigError, InputError
from ledger.i18n import N_, _, shown, system_error
from ledger.input_files import InputFileRefused, read_bounded
from ledger.privacy.guard import roster_text_check
from ledger.view.purchases import purchase_statuses, select


def validator_for(args: argparse.Namespace, books: Books) -> Validator | None:
    """The official rules: a supplier's document is checked against them unless
    ``--no-validate``; without them, importing is refused (say where they are)."""
    if args.no_validate:
        return None
    setting = books.config.invoicing.rules_dir
    rules = resolve_rules_dir(args.rules, setting, books.root)
    if not rules_available(rules) and not (args.rules or setting):
        raise ConfigError(
            _(
                "the official Peppol rules are needed to check a supplier's document and were "
                "not found at {path}: give --rules DIR (or set invoicing.rules_dir in "
                "hub.toml); --no-validate books it unchecked",
                path=str(DEFAULT_RULES_DIR),
            )
        )
    return get_validator(rules)


def charge_of(args: argparse.Namespace) -> Charge:
    if args.participant and args.hub:
        raise InputError(_("--participant and --hub: say one of them"))
    if args.account and args.participant:
        raise InputError(_("--account is for the hub's own costs; not with --participant"))
    participant = args.participant.strip() if args.participant else None
    return Charge(participant, args.account, given=bool(participant or args.hub),
                  charge_later=args.charge_later)  # fmt: skip


def _read(paths: list[str]) -> list[Source]:
    sources = []
    for index, name in enumerate(paths, start=1):
        label = _("file {index}", index=index) if len(paths) > 1 else _("the file")
        try:  # within a bound: a FIFO or /dev/zero would be read without end
            payload = read_bounded(Path(name), MAX_BYTES)
        except InputFileRefused as exc:
            raise InputError(
                _("{label}: {reason}; refused", label=label, reason=exc.reason)
            ) from None
        except OSError as exc:
            raise InputError(
                _(
                    "{label}: cannot read it ({reason})",
                    label=label,
                    reason=system_error(exc),
                )
            ) from None
        sources.append(Source(label, payload))
    return sources


def _print_planned(planned: list[Planned], dry_run: bool) -> None:
    for p in planned:
        s = p.summary
        who = shown(_("the hub")) if not s["participant"] else s["participant"]
        if s.get("charged_later"):
            who += shown(_(" (owed by them, recovered from their next client payments)"))
        if s["kind"] == "credit-note":
            what = _("supplier credit note {number} on invoice {invoice}", number=s["number"],
                     invoice=s["credits"]) if s["credits"] else _(
                "supplier credit note {number}", number=s["number"])  # fmt: skip
        else:
            what = _("supplier invoice {number}", number=s["number"])
        fields = {**s, "what": what, "who": who}
        if dry_run:
            say(_("{file}: would book {what} from {supplier} as {expense}: {amount} EUR (VAT "
                  "{vat}, recoverable {vat_recoverable}), charged to {who}",
                  **fields))  # fmt: skip
        else:
            say(_("{file}: booked {what} from {supplier} as {expense}: {amount} EUR (VAT {vat}, "
                  "recoverable {vat_recoverable}), charged to {who}", **fields))  # fmt: skip
        if s["due"] and s["kind"] == "invoice":
            if s["payment_ref"]:
                say(_("  to pay by {due}, reference {ref}", due=s["due"], ref=s["payment_ref"]))
            else:
                say(_("  to pay by {due}", due=s["due"]))
        for warning in p.warnings:
            say(_("  note: {warning}", warning=warning))


def cmd_purchase_import(args: argparse.Namespace) -> int:
    books = open_books(args)
    planned = import_purchases(
        books, _read(args.files), charge_of(args), validator=validator_for(args, books),
        day=args.date, dry_run=args.dry_run, check_text=roster_text_check(books),
    )  # fmt: skip
    if args.json:
        print_json([{**p.summary, "dry_run": args.dry_run} for p in planned])
    else:
        _print_planned(planned, args.dry_run)
    return 0


def cmd_purchase_list(args: argparse.Namespace) -> int:
    books = open_books(args)
    rows = select(purchase_statuses(books.load().entries, books.config, args.as_of), args.status)
    if args.participant:
        rows = [r for r in rows if r.record.participant == args.participant]
    if args.json:
        print_json([r.as_json() for r in rows])
        return 0
    if not rows:
        say(_("No supplier invoices match."))
        return 0
    due_word, left, hub = localised("due"), localised("left"), localised("hub")
    for r in rows:
        rec = r.record
        due = rec.due.isoformat() if rec.due else "-"
        print(
            f"{rec.expense}  {rec.issued.isoformat()}  {due_word} {due:10}  "
            f"{localised(r.status):11} {rec.amount:>10} EUR  {left} {r.owed:>10}  {rec.number}  "
            f"{rec.supplier}  {rec.participant or hub}"
        )
    return 0


def cmd_purchase_fetch(args: argparse.Namespace) -> int:
    books = open_books(args)
    ap = access_point(books.config, books.root)
    if ap is None:
        raise ConfigError(
            _(
                "no access point credentials ($COOPLEDGER_PEPPOL_API_KEY or a credentials file, "
                "see docs/peppol.md); download the documents from the access point and use "
                "'coopledger purchase import FILE…'"
            )
        )
    if not args.ids and not args.all:
        docs = waiting(books, ap)
        if args.json:
            print_json([
                {"id": d.id, "kind": d.kind, "number": d.number, "sender": d.sender,
                 "date": d.received.isoformat() if d.received else None}
                for d in docs
            ])  # fmt: skip
            return 0
        if not docs:
            say(_("Nothing waits at the access point."))
            return 0
        for d in docs:
            when = d.received.isoformat() if d.received else "-"
            print(f"{d.id}  {d.kind or '?':11}  {when}  {d.number}  {d.sender}")
        say(_("Book them with: coopledger purchase fetch ID… --hub | --participant CODE"))
        return 0
    results = fetch_and_import(
        books, ap, args.ids, charge_of(args), validator=validator_for(args, books),
        dry_run=args.dry_run, check_text=roster_text_check(books),
    )  # fmt: skip
    if args.json:
        print_json([
            {"id": r.received.id, "ok": not r.error, "error": r.error or None,
             **({"booked": r.planned.summary} if r.planned else {})}
            for r in results
        ])  # fmt: skip
    else:
        if not results:
            say(_("Nothing waits at the access point."))
        for r in results:
            if r.planned is not None:
                _print_planned([r.planned], args.dry_run)
            else:
                say(_("access-point document {id}: refused: {error}", id=r.received.id,
                      error=r.error))  # fmt: skip
    return 1 if any(r.error for r in results) else 0


# ---------------------------------------------------------------- the commands

group = Group("purchase", help=NOUNS["purchase"])

CHARGE = (
    click.option("--participant", metavar="CODE",
                 help=N_("a cost of this participant's activity")),
    click.option("--hub", is_flag=True, help=N_("a cost of the hub itself")),
    click.option("--account", metavar="ROLE", help=N_("the hub's expense account (default "
                 "services)")),
    click.option("--charge-later", is_flag=True,
                 help=N_("a participant's cost beyond what the hub holds for them: owed by them, "
                 "recovered from their next client payments (as 'expense add --charge-later')")),
    click.option("--rules", metavar="DIR", help=N_("the Peppol rules directory")),
    click.option("--no-validate", is_flag=True, help=N_("book without the official checks")),
    click.option("--dry-run", is_flag=True, help=N_("check and show, write nothing")),
)  # fmt: skip
command(
    group, "import", cmd_purchase_import,
    click.argument("files", nargs=-1, required=True, metavar="FILE.xml..."),
    *CHARGE,
    click.option("--date", type=DATE, help=N_("booking date (default: the document's date)")),
    help=N_("book supplier Peppol invoices and credit notes (UBL)"),
)  # fmt: skip
command(
    group, "list", cmd_purchase_list,
    click.option("--status", type=click.Choice(["open", "paid"]),
                 help=N_("only those open or paid")),
    click.option("--participant", metavar="CODE", help=N_("only this participant's")),
    click.option("--as-of", type=DATE, default=None, help=N_("date for 'overdue' (today)")),
    help=N_("supplier invoices and what is left to pay"),
)  # fmt: skip
command(
    group, "fetch", cmd_purchase_fetch,
    click.argument("ids", nargs=-1, metavar="ID...",),
    click.option("--all", "all", is_flag=True, help=N_("book every document waiting")),
    *CHARGE,
    help=N_("documents received at the access point: list or book"),
)  # fmt: skip
