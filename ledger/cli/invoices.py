"""``coopledger client …`` and ``coopledger invoice …``: thin parsing over the invoicing
package. Errors are :class:`CoopledgerError` (one line on stderr, exit 1)."""

from __future__ import annotations

import argparse
from decimal import Decimal
from pathlib import Path
from typing import Any

from invoicing import numbering
from invoicing.clients import add_client, read_clients
from invoicing.issue import (
    CreditRequest,
    IssueRequest,
    issue_credit_note,
    issue_invoice,
    read_document,
)
from invoicing.lines import parse_line, read_invoice_file
from invoicing.models import Client, LineInput
from invoicing.ogm import format_ogm
from invoicing.status import FILTERS, invoice_statuses, select
from invoicing.validation import (
    DEFAULT_RULES_DIR,
    Validator,
    get_validator,
    resolve_rules_dir,
    rules_available,
)
from ledger.books import Books
from ledger.cli import purchases as purchases_cli
from ledger.cli.money import cmd_invoice_pay
from ledger.cli.peppol import send_issued
from ledger.cli.support import add_books_option, date_arg, lazy_command, open_books, print_json
from ledger.errors import CoopledgerError, InputError
from ledger.view.deliveries import current, delivery_json, delivery_text, describe_step

LANGS = ("fr", "nl", "en")


# ---------------------------------------------------------------- helpers


def _validator_for(args: argparse.Namespace, books: Books | None) -> Validator | None:
    """The Peppol validator from --rules or the hub's setting (an error if that directory
    lacks the rules), else the default rules when present, else None (no validation)."""
    if getattr(args, "no_validate", False):
        return None
    setting = books.config.invoicing.rules_dir if books else None
    explicit = bool(getattr(args, "rules", None) or setting)
    rules = resolve_rules_dir(getattr(args, "rules", None), setting, books.root if books else None)
    if not explicit and not rules_available(rules):
        return None
    return get_validator(rules)


def _lines(args: argparse.Namespace) -> list[LineInput]:
    return [parse_line(text, f"--line {i}") for i, text in enumerate(args.line or [], start=1)]


def _money(value: Any) -> str:
    return f"{Decimal(value):.2f} EUR"


def _no_ubl(client: Client) -> str:
    if client.is_business:
        return "none (foreign business without a Peppol id: PDF only)"
    return "none (client is a private person: PDF only)"


# ---------------------------------------------------------------- clients


def cmd_client_add(args: argparse.Namespace) -> int:
    books = open_books(args)
    client = add_client(
        books,
        {
            "name": args.name,
            "enterprise_number": args.enterprise_number,
            "vat_number": args.vat_number,
            "address": args.address,
            "country": args.country,
            "peppol_id": args.peppol_id,
            "email": args.email,
            "lang": args.lang,
        },
    )
    if args.json:
        print_json(client.model_dump())
        return 0
    if not client.is_business:
        kind = "private person (PDF)"
    elif client.endpoint() is None:
        kind = "business without a Peppol id (PDF only; give --peppol-id for an e-invoice)"
    else:
        kind = f"business (Peppol e-invoice to {':'.join(client.endpoint() or ())} + PDF)"
    print(f"Client added: {kind}")
    print(client.id)
    return 0


def cmd_client_list(args: argparse.Namespace) -> int:
    books = open_books(args)
    clients = read_clients(books)
    if args.json:
        print_json([{**c.model_dump(), "business": c.is_business} for c in clients.values()])
        return 0
    if not clients:
        print("No clients yet. Add one with: coopledger client add --name …")
        return 0
    for c in clients.values():
        ident = c.vat_number or c.enterprise_number or c.peppol_id or "-"
        kind = "business" if c.is_business else "person"
        print(f"{c.id}  {kind:8}  {c.country}  {ident:14}  {c.name}")
    return 0


# ---------------------------------------------------------------- invoices


def cmd_invoice_issue(args: argparse.Namespace) -> int:

    settings: dict[str, Any] = {}
    lines: list[LineInput] = []
    if args.from_file:
        parsed, lines = read_invoice_file(Path(args.from_file))
        settings = parsed.model_dump(exclude={"lines"}, exclude_none=True)
    lines += _lines(args)
    participant = args.participant or settings.get("participant")
    client = args.client or settings.get("client")
    if not participant:
        raise InputError("--participant CODE is required (or 'participant' in the --from file)")
    if not client:
        raise InputError("--client ID is required (or 'client' in the --from file)")
    books = open_books(args)
    request = IssueRequest(
        participant=participant.strip(),
        client=client.strip(),
        lines=lines,
        date=args.date or settings.get("date"),
        due=args.due or settings.get("due"),
        lang=args.lang or settings.get("lang"),
    )
    issued = issue_invoice(books, request, validator=_validator_for(args, books))
    out = issued.as_json()
    if args.send:
        if not args.json:
            _print_issued(issued, out)
        return send_issued(books, issued.document.number, out, args.json)
    if args.json:
        print_json(out)
        return 0
    _print_issued(issued, out)
    return 0


def _print_issued(issued: Any, out: dict[str, Any]) -> None:
    doc = issued.document
    print(f"Invoice {doc.number} issued ({doc.date.isoformat()}) to {doc.client.id}")
    if doc.ogm:
        print(f"Structured communication: {format_ogm(doc.ogm)}")
    print(f"Total excl. VAT: {_money(doc.totals.net)}")
    print(f"VAT: {_money(doc.totals.vat)}")
    print(f"Total: {_money(doc.totals.gross)}, due {out['due']}")
    print(f"PDF: {out['pdf']}")
    print(f"UBL: {out['ubl'] or _no_ubl(doc.client)}")


def cmd_invoice_credit(args: argparse.Namespace) -> int:

    books = open_books(args)
    request = CreditRequest(
        invoice=args.number, lines=_lines(args), date=args.date, reason=args.reason,
        lang=args.lang, recover_from_participant=args.recover_from_participant,
    )  # fmt: skip
    issued = issue_credit_note(books, request, validator=_validator_for(args, books))
    out = issued.as_json()
    if args.json:
        print_json(out)
        return 0
    doc = issued.document
    print(f"Credit note {doc.number} issued ({doc.date.isoformat()}) on invoice {out['invoice']}")
    print(f"Total excl. VAT: {_money(doc.totals.net)}")
    print(f"VAT: {_money(doc.totals.vat)}")
    print(f"Total credited: {_money(doc.totals.gross)}")
    print(f"PDF: {out['pdf']}")
    print(f"UBL: {out['ubl'] or _no_ubl(doc.client)}")
    return 0


def cmd_invoice_list(args: argparse.Namespace) -> int:

    books = open_books(args)
    ledger = books.load()
    rows = select(invoice_statuses(ledger.entries, books.config, args.as_of), args.status)
    if args.participant:
        rows = [r for r in rows if r.participant == args.participant]
    if args.client:
        rows = [r for r in rows if r.client == args.client.upper()]
    sent = current(ledger.entries)
    if args.json:
        print_json([
            {**r.as_json(), "delivery": delivery_json(sent.get(r.number), r.documents)}
            for r in rows
        ])  # fmt: skip
        return 0
    if not rows:
        print("No invoices match.")
        return 0
    for r in rows:
        print(
            f"{r.number:12} {r.date.isoformat()}  due {r.due.isoformat() if r.due else '-':10}  "
            f"{r.status:11} {r.total:>10} EUR  left {r.outstanding:>10}  {r.ogm}  "
            f"{r.participant}  {r.client}  {delivery_text(sent.get(r.number), r.documents)}"
        )
    return 0


def cmd_invoice_show(args: argparse.Namespace) -> int:

    books = open_books(args)
    ledger = books.load()
    number = args.number.strip()
    kind: Any = (
        "credit-note"
        if any(
            d.kind == "credit-note" and d.number == number
            for d in numbering.issued(ledger.entries)
        )
        else "invoice"
    )
    ref = numbering.find(ledger.entries, number, kind)
    doc = read_document(_DiskFiles(books.root), ref)
    status = None
    if kind == "invoice":
        status = next(
            (
                s
                for s in invoice_statuses(ledger.entries, books.config, args.as_of)
                if s.number == number
            ),
            None,
        )
    step = current(ledger.entries).get(number)
    if args.json:
        out: dict[str, Any] = doc.model_dump(mode="json")
        out["total"] = str(doc.totals.gross)
        out["delivery"] = step.as_json() if step else None
        if status is not None:
            out.update(
                {k: v for k, v in status.as_json().items() if k not in ("number", "date", "due")}
            )
        print_json(out)
        return 0
    title = "Invoice" if kind == "invoice" else "Credit note"
    print(f"{title} {doc.number}" + (f" — {status.status}" if status else ""))
    print(f"Date: {doc.date.isoformat()}" + (f"   due: {doc.due.isoformat()}" if doc.due else ""))
    if doc.reference:
        print(f"Corrects invoice {doc.reference.number} of {doc.reference.date.isoformat()}")
    if doc.reason:
        print(f"Reason: {doc.reason}")
    print(f"Client: {doc.client.id} {doc.client.name}")
    print(f"Participant: {doc.participant}")
    for line in doc.lines:
        print(
            f"  {line.description}  {line.quantity} × {line.unit_price}  "
            f"VAT {line.vat_rate}% ({line.category})  {line.net}"
        )
    t = doc.totals
    print(f"Total excl. VAT: {_money(t.net)}   VAT: {_money(t.vat)}   Total: {_money(t.gross)}")
    if doc.ogm:
        print(f"Structured communication: {format_ogm(doc.ogm)}")
    if status is not None:
        print(
            f"Credited: {_money(status.credited)}   Paid: {_money(status.paid)}   "
            f"Outstanding: {_money(status.outstanding)}"
        )
        if status.credit_notes:
            print(f"Credit notes: {', '.join(status.credit_notes)}")
        for path in status.documents:
            print(f"File: {path}")
    if step is not None:
        print("\n".join(describe_step(step)))
    return 0


class _DiskFiles:
    def __init__(self, root: Path) -> None:
        self.root = root

    def read_file(self, relpath: str) -> bytes | None:
        try:
            return (self.root / relpath).read_bytes()
        except FileNotFoundError:
            return None


def cmd_invoice_validate(args: argparse.Namespace) -> int:
    books: Books | None = None
    if not args.rules:
        try:
            books = open_books(args)
        except CoopledgerError:
            books = None  # no books here: the default rules directory
    rules = resolve_rules_dir(
        args.rules,
        books.config.invoicing.rules_dir if books else None,
        books.root if books else None,
    )
    if not rules_available(rules) and rules == DEFAULT_RULES_DIR and not args.rules:
        raise InputError(
            f"no Peppol rules found at {rules}; give --rules DIR (a directory with "
            "ubl-2.1-xsd/ and xslt/)"
        )
    validator = get_validator(rules)
    reports = [validator.validate_file(Path(f)) for f in args.files]
    if args.json:
        print_json(
            [
                {
                    "file": r.name,
                    "ok": r.ok,
                    "failures": [
                        {
                            "layer": f.layer,
                            "rule": f.rule,
                            "flag": f.flag or "fatal",
                            "text": f.text,
                            "location": f.location,
                        }
                        for f in r.failures
                    ],
                }
                for r in reports
            ]
        )
    else:
        for r in reports:
            verdict = "OK" if r.ok else "INVALID"
            extra = f", {len(r.warnings)} warning(s)" if r.warnings else ""
            print(f"{r.name}: {verdict} ({len(r.fatal)} fatal{extra})")
            for f in r.failures:
                print(f"  [{f.rule}] {f.flag or 'fatal'} ({f.layer}): {f.text}")
    return 0 if all(r.ok for r in reports) else 1


# ---------------------------------------------------------------- registration


def register(subparsers: Any) -> None:
    """Add ``client`` and ``invoice`` to coopledger's command tree."""
    client = subparsers.add_parser("client", help="the hub's clients (businesses and persons)")
    csub = client.add_subparsers(dest="action", metavar="ACTION", required=True)
    p = csub.add_parser("add", help="register a client; prints its id last")
    add_books_option(p)
    p.add_argument("--name", required=True)
    p.add_argument("--enterprise-number", help="Belgian enterprise number (KBO/BCE)")
    p.add_argument("--vat-number", help="VAT number with country prefix, e.g. BE0123456789")
    p.add_argument("--address", help='one line, e.g. "Rue Exemple 1, 1000 Bruxelles"')
    p.add_argument("--country", default="BE", metavar="CC", help="ISO country code (BE)")
    p.add_argument("--peppol-id", metavar="SCHEME:ID", help="e.g. 0208:0123456789")
    p.add_argument("--email")
    p.add_argument("--lang", choices=LANGS, help="language of the client's invoices")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_client_add)
    p = csub.add_parser("list", help="every client")
    add_books_option(p)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_client_list)

    inv = subparsers.add_parser("invoice", help="issue, credit, list, show, validate invoices")
    isub = inv.add_subparsers(dest="action", metavar="ACTION", required=True)

    p = isub.add_parser("issue", help="issue an invoice in the hub's name")
    add_books_option(p)
    p.add_argument("--participant", metavar="CODE")
    p.add_argument("--client", metavar="ID")
    p.add_argument(
        "--line",
        action="append",
        metavar="DESCRIPTION|QTY|UNIT_PRICE|VAT_RATE",
        help="one line; VAT rate in percent (repeat for more lines)",
    )
    p.add_argument("--from", dest="from_file", metavar="FILE", help="a TOML file of lines")
    p.add_argument("--date", type=date_arg)
    p.add_argument("--due", type=date_arg)
    p.add_argument("--lang", choices=LANGS)
    p.add_argument("--rules", metavar="DIR", help="Peppol rules directory to validate with")
    p.add_argument("--no-validate", action="store_true", help="skip the Peppol validation")
    p.add_argument("--send", action="store_true", help="then deliver it (see 'invoice send')")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_invoice_issue)

    p = isub.add_parser("credit", help="issue a credit note on an invoice")
    add_books_option(p)
    p.add_argument("number", metavar="NUMBER")
    p.add_argument("--line", action="append", metavar="DESCRIPTION|QTY|UNIT_PRICE|VAT_RATE")
    p.add_argument("--reason")
    p.add_argument("--date", type=date_arg)
    p.add_argument("--lang", choices=LANGS)
    p.add_argument(
        "--recover-from-participant",
        action="store_true",
        help="after a payout: book what the participant gives back as owed to the hub",
    )
    p.add_argument("--rules", metavar="DIR")
    p.add_argument("--no-validate", action="store_true")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_invoice_credit)

    p = isub.add_parser("pay", help="record an invoice paid in cash (--cash)")
    add_books_option(p)
    p.add_argument("number", metavar="NUMBER")
    p.add_argument("--cash", action="store_true", help="the client paid in cash")
    p.add_argument("--amount", help="what was received (default: what is still due)")
    p.add_argument("--date", type=date_arg)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_invoice_pay)

    p = isub.add_parser("list", help="invoices and their status, from the books")
    add_books_option(p)
    p.add_argument("--status", choices=sorted(_status_filters()))
    p.add_argument("--participant", metavar="CODE")
    p.add_argument("--client", metavar="ID")
    p.add_argument("--as-of", type=date_arg, default=None, help="date for 'overdue' (today)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_invoice_list)

    p = isub.add_parser("show", help="one invoice or credit note")
    add_books_option(p)
    p.add_argument("number", metavar="NUMBER")
    p.add_argument("--as-of", type=date_arg, default=None)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_invoice_show)

    p = isub.add_parser(
        "send", help="deliver invoices and credit notes: over Peppol, else the outbox, else PDF"
    )
    add_books_option(p)
    p.add_argument("numbers", nargs="*", metavar="NUMBER")
    p.add_argument("--pending", action="store_true", help="also all queued or not yet delivered")
    p.add_argument("--again", action="store_true", help="send a rejected document once more")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=lazy_command("ledger.cli.peppol", "cmd_invoice_send"))

    p = isub.add_parser("validate", help="check UBL files against XSD, CEN and Peppol rules")
    add_books_option(p)
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--rules", metavar="DIR")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_invoice_validate)

    purchases_cli.register(subparsers)


def _invoice_pay(args: argparse.Namespace) -> int:

    return cmd_invoice_pay(args)


def _status_filters() -> list[str]:

    return list(FILTERS)
