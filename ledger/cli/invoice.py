"""Commands: ``invoice issue|credit|pay|list|show|send|validate``."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import click

from invoicing import numbering
from invoicing.issue import (
    CreditRequest,
    IssueRequest,
    issue_credit_note,
    issue_invoice,
    issue_invoices,
    read_document,
)
from invoicing.lines import parse_line, read_invoice_batch
from invoicing.models import Client, LineInput, link_safe
from invoicing.ogm import format_ogm
from invoicing.peppol.factory import access_point
from invoicing.peppol.listing import CreditNoteRow, credit_note_rows, credited_in_full
from invoicing.peppol.send import Outcome, pending_numbers, send_documents
from invoicing.status import FILTERS, invoice_statuses, select
from invoicing.validation import (
    DEFAULT_RULES_DIR,
    Validator,
    get_validator,
    resolve_rules_dir,
    rules_available,
)
from ledger.audit.verify import check_documents
from ledger.books import (
    Books,
)
from ledger.cli.support import (
    AMOUNT,
    DATE,
    Group,
    command,
    localised,
    open_books,
    print_json,
    say,
)
from ledger.errors import CoopledgerError, InputError
from ledger.i18n import N_, _, shown
from ledger.loader import carried_until
from ledger.money.cash import pay_invoice
from ledger.view import View
from ledger.view.deliveries import current, delivery_json, delivery_text, describe_step

LANGS = ("fr", "nl", "en")
# an invoice's status, as ``invoice list`` and ``invoice show`` print it
STATUS_WORDS = (N_("open"), N_("partly-paid"), N_("overdue"), N_("paid"), N_("credited"))
LIST_WORDS = (N_("due"), N_("left"), N_("INVALID"))


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
        return _("none (foreign business without a Peppol id: PDF only)")
    return _("none (client is a private person: PDF only)")


def cmd_invoice_issue(args: argparse.Namespace) -> int:

    batch: list[tuple[Any, list[LineInput]]] = (
        list(read_invoice_batch(Path(args.from_file))) if args.from_file else [(None, [])]
    )
    many = len(batch) > 1
    requests = [_issue_request(args, parsed, lines, many) for parsed, lines in batch]
    books = open_books(args)
    if len(requests) > 1:
        return _issue_batch(args, books, requests)
    issued = issue_invoice(books, requests[0], validator=_validator_for(args, books))
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


def _issue_request(
    args: argparse.Namespace, parsed: Any, file_lines: list[LineInput], many: bool
) -> IssueRequest:
    """One invoice: the command's options over what the --from file says, or, for a
    batch, each invoice of the file completed by the options (defaults for all)."""
    settings: dict[str, Any] = (
        parsed.model_dump(exclude={"lines"}, exclude_none=True) if parsed else {}
    )
    first, then = (settings, vars(args)) if many else (vars(args), settings)
    participant = first.get("participant") or then.get("participant")
    client = first.get("client") or then.get("client")
    if not participant:
        raise InputError(_("--participant CODE is required (or 'participant' in the --from file)"))
    if not client:
        raise InputError(_("--client ID is required (or 'client' in the --from file)"))
    return IssueRequest(
        participant=participant.strip(),
        client=client.strip(),
        lines=[*file_lines, *_lines(args)],
        date=first.get("date") or then.get("date"),
        due=first.get("due") or then.get("due"),
        lang=first.get("lang") or then.get("lang"),
    )


def _issue_batch(args: argparse.Namespace, books: Books, requests: list[IssueRequest]) -> int:
    if args.send:
        raise InputError(_("--send takes one invoice; send a batch with 'invoice send --pending'"))
    issued = issue_invoices(books, requests, validator=_validator_for(args, books))
    if args.json:
        print_json({"issued": [i.as_json() for i in issued]})
        return 0
    for item in sorted(issued, key=lambda i: i.document.seq):
        doc = item.document
        say(_("Invoice {number} issued ({date}) to {client}, {total}", number=doc.number,
              date=doc.date.isoformat(), client=doc.client.id,
              total=_money(doc.totals.gross)))  # fmt: skip
    say(_("{count} invoices issued in one write", count=len(issued)))
    return 0


def _print_issued(issued: Any, out: dict[str, Any]) -> None:
    doc = issued.document
    say(_("Invoice {number} issued ({date}) to {client}", number=doc.number,
          date=doc.date.isoformat(), client=doc.client.id))  # fmt: skip
    if doc.ogm:
        say(_("Structured communication: {ogm}", ogm=format_ogm(doc.ogm)))
    say(_("Total excl. VAT: {amount}", amount=_money(doc.totals.net)))
    say(_("VAT: {amount}", amount=_money(doc.totals.vat)))
    say(_("Total: {amount}, due {due}", amount=_money(doc.totals.gross), due=out["due"]))
    say(_("PDF: {path}", path=out["pdf"]))
    say(_("UBL: {path}", path=out["ubl"] or _no_ubl(doc.client)))


def cmd_invoice_credit(args: argparse.Namespace) -> int:

    books = open_books(args)
    request = CreditRequest(
        invoice=args.number, lines=_lines(args), date=args.date, reason=args.reason,
        lang=args.lang, recover_from_participant=args.recover_from_participant,
        hub_bears=args.hub_bears,
    )  # fmt: skip
    issued = issue_credit_note(books, request, validator=_validator_for(args, books))
    out = issued.as_json()
    if args.json:
        print_json(out)
        return 0
    doc = issued.document
    say(_("Credit note {number} issued ({date}) on invoice {invoice}", number=doc.number,
          date=doc.date.isoformat(), invoice=out["invoice"]))  # fmt: skip
    say(_("Total excl. VAT: {amount}", amount=_money(doc.totals.net)))
    say(_("VAT: {amount}", amount=_money(doc.totals.vat)))
    say(_("Total credited: {amount}", amount=_money(doc.totals.gross)))
    say(_("PDF: {path}", path=out["pdf"]))
    say(_("UBL: {path}", path=out["ubl"] or _no_ubl(doc.client)))
    return 0


def cmd_invoice_list(args: argparse.Namespace) -> int:

    books = open_books(args)
    ledger = books.load(full_history=args.all_years)  # the closed years' invoices too
    rows = select(invoice_statuses(ledger.entries, books.config, args.as_of), args.status)
    if args.participant:
        rows = [r for r in rows if r.participant == args.participant]
    if args.client:
        rows = [r for r in rows if r.client == args.client.upper()]
    sent = current(ledger.entries)
    credited = credited_in_full(ledger.entries, books.config)
    # each credit note under the invoice it credits, with its own delivery (the rows stay
    # one per invoice: what reads them counts invoices)
    notes: dict[str, list[CreditNoteRow]] = {}
    for c in credit_note_rows(ledger.entries, books.config.account("clients")):
        notes.setdefault(c.invoice, []).append(c)
    if args.json:
        print_json([
            {**r.as_json(), "delivery": delivery_json(
                sent.get(r.number), r.documents, r.number, credited.get(r.number, ())),
             "credit_note_details": [c.as_json() for c in notes.get(r.number, ())]}
            for r in rows
        ])  # fmt: skip
        return 0
    if not rows:
        say(_("No invoices match."))
        return 0
    due, left = localised("due"), localised("left")
    for r in rows:
        print(
            f"{r.number:12} {r.date.isoformat()}  {due} {r.due.isoformat() if r.due else '-':10}  "
            f"{localised(r.status):11} {r.total:>10} EUR  {left} {r.outstanding:>10}  {r.ogm}  "
            f"{r.participant}  {r.client}  {delivery_text(sent.get(r.number), r.documents)}"
        )
        for c in notes.get(r.number, ()):
            print(f"  {shown(c.text())}")
    return 0


def _issued_number(ledger: Any, number: str) -> bool:
    return any(d.number == number for d in numbering.issued(ledger.entries))


def cmd_invoice_show(args: argparse.Namespace) -> int:

    books = open_books(args)
    ledger = books.load()
    number = args.number.strip()
    if not _issued_number(ledger, number) and carried_until(books.main_file) is not None:
        # a document of a closed year, settled there: the live books only carry what the
        # open years still need, the full history has them all (an auditor's question)
        ledger = books.load(full_history=True)
    kind: Any = (
        "credit-note"
        if any(
            d.kind == "credit-note" and d.number == number
            for d in numbering.issued(ledger.entries)
        )
        else "invoice"
    )
    ref = numbering.find(ledger.entries, number, kind)
    # what is shown is what was issued: a document edited since is named, not read
    for found in check_documents(books, ledger):
        if not found.ok and found.where and Path(found.where).stem == ref.number:
            raise InputError(
                _(
                    "{problem}: it no longer holds what was issued; restore it "
                    "(git checkout -- FILE) before showing it",
                    problem=found.message,
                )
            )
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
    # what the client is owed back (a credit note on a paid invoice, an overpayment), with
    # the refund id 'cash refund' and 'reconcile assign' take
    refunds = (
        View.of(ledger.entries, books.config).refunds_due(f"inv-{link_safe(ref.number)}")
        if kind == "invoice"
        else []
    )
    if args.json:
        out: dict[str, Any] = doc.model_dump(mode="json")
        out["total"] = str(doc.totals.gross)
        out["delivery"] = (
            step.as_json(credited_in_full(ledger.entries, books.config).get(number, ()))
            if step
            else None
        )
        if status is not None:
            out.update(
                {k: v for k, v in status.as_json().items() if k not in ("number", "date", "due")}
            )
            out["refunds_due"] = [
                {
                    "refund": p.link,
                    "amount": f"{-p.open:.2f}",
                    "credit_note": p.credit_note or None,
                }
                for p in refunds
            ]
        print_json(out)
        return 0
    title = _("Invoice {number}", number=doc.number)
    if kind != "invoice":
        title = _("Credit note {number}", number=doc.number)
    say(shown(title) + (f" — {localised(status.status)}" if status else ""))
    if doc.due:
        say(_("Date: {date}   due: {due}", date=doc.date.isoformat(), due=doc.due.isoformat()))
    else:
        say(_("Date: {date}", date=doc.date.isoformat()))
    if doc.reference:
        say(_("Corrects invoice {number} of {date}", number=doc.reference.number,
              date=doc.reference.date.isoformat()))  # fmt: skip
    if doc.reason:
        say(_("Reason: {reason}", reason=doc.reason))
    say(_("Client: {id} {name}", id=doc.client.id, name=doc.client.name))
    say(_("Participant: {code}", code=doc.participant))
    for line in doc.lines:
        say(_("  {description}  {quantity} × {price}  VAT {rate}% ({category})  {net}",
              description=line.description, quantity=line.quantity, price=line.unit_price,
              rate=line.vat_rate, category=line.category, net=line.net))  # fmt: skip
    t = doc.totals
    say(_("Total excl. VAT: {net}   VAT: {vat}   Total: {gross}", net=_money(t.net),
          vat=_money(t.vat), gross=_money(t.gross)))  # fmt: skip
    if doc.ogm:
        say(_("Structured communication: {ogm}", ogm=format_ogm(doc.ogm)))
    if status is not None:
        say(_("Credited: {credited}   Paid: {paid}   Outstanding: {outstanding}",
              credited=_money(status.credited), paid=_money(status.paid),
              outstanding=_money(status.outstanding)))  # fmt: skip
        if status.credit_notes:
            say(_("Credit notes: {numbers}", numbers=", ".join(status.credit_notes)))
        for p in refunds:
            say(_("Refund due to the client: {amount} ({refund}: 'coopledger cash refund "
                  "{refund}' or the bank)", amount=_money(-p.open), refund=p.link))  # fmt: skip
        for path in status.documents:
            say(_("File: {path}", path=path))
    if step is not None:
        steps = describe_step(step, credited_in_full(ledger.entries, books.config).get(number, ()))
        print("\n".join(shown(line) for line in steps))
    return 0


class _DiskFiles:
    def __init__(self, root: Path) -> None:
        self.root = root

    def read_file(self, relpath: str) -> bytes | None:
        try:
            return (self.root / relpath).read_bytes()
        except FileNotFoundError:
            return None


# How grave a failed rule is (the Peppol rules' own flags), in the user's language.
FLAGS = {"fatal": N_("fatal"), "error": N_("error"), "warning": N_("warning")}


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
            _(
                "no Peppol rules found at {path}; give --rules DIR (a directory with "
                "ubl-2.1-xsd/ and xslt/)",
                path=str(rules),
            )
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
            verdict = "OK" if r.ok else localised("INVALID")
            if r.warnings:
                say(_("{file}: {verdict} ({fatal} fatal, {warnings} warning(s))", file=r.name,
                      verdict=verdict, fatal=len(r.fatal), warnings=len(r.warnings)))  # fmt: skip
            else:
                say(_("{file}: {verdict} ({fatal} fatal)", file=r.name, verdict=verdict,
                      fatal=len(r.fatal)))  # fmt: skip
            for f in r.failures:
                flag = localised(FLAGS.get(f.flag or "fatal", f.flag))
                print(f"  [{f.rule}] {flag} ({f.layer}): {shown(f.text)}")
    return 0 if all(r.ok for r in reports) else 1


def cmd_invoice_pay(args: argparse.Namespace) -> int:
    """``coopledger invoice pay NUMBER --cash`` (registered by ``ledger.cli.invoices``)."""

    if not args.cash:
        raise InputError(
            _(
                "invoice pay records money received in cash (--cash); bank payments come from "
                "the statement (coopledger import)"
            )
        )
    books = open_books(args)
    booked = pay_invoice(books, args.number, args.amount, args.date)
    if args.json:
        print_json(booked)
    else:
        say(_("Invoice {invoice}: {amount} EUR received in cash ({cash})", **booked))
    return 0


def send(
    books: Books, numbers: Sequence[str], *, again: bool = False, even_if_credited: bool = False
) -> list[Outcome]:
    """Send through the configured access point, or to the outbox when there is none."""
    return send_documents(books, numbers, access_point(books.config, books.root), again=again,
                          even_if_credited=even_if_credited)  # fmt: skip


def print_outcomes(outcomes: Sequence[Outcome], as_json: bool) -> int:
    """Each outcome; one that failed on one line, with what to do."""
    if as_json:
        print_json([o.as_json() for o in outcomes])
    else:
        for o in outcomes:
            if not o.ok:
                if o.action:
                    say(_("{message}; what to do: {action}", message=o.message, action=o.action))
                else:
                    say(o.message)
                continue
            say(o.message)
            if o.action and o.status in ("not-on-peppol", "pdf-only"):
                say(_("  what to do: {action}", action=o.action))
    return 0 if all(o.ok for o in outcomes) else 1


def send_issued(books: Books, number: str, issued: dict[str, Any], as_json: bool) -> int:
    """``invoice issue --send``: the invoice is issued; now deliver it. The command did
    what it must (exit 0) even when the delivery failed: the invoice is issued (issuing
    it again would make a second one) and waits in the outbox; what is printed says so
    and what to do (``invoice send`` tries again, never twice)."""
    [outcome] = send(books, [number])
    if as_json:
        print_json({**issued, "delivery": outcome.as_json()})
        return 0
    print_outcomes([outcome], False)
    return 0


def cmd_invoice_send(args: argparse.Namespace) -> int:
    books = open_books(args)
    numbers = list(args.numbers or [])
    if args.pending:
        numbers += [n for n in pending_numbers(books) if n not in numbers]
    if not numbers:
        if args.pending:
            say(_("Nothing waits to be sent."))
            return 0
        raise InputError(_("give the NUMBER of an invoice or credit note, or --pending"))
    outcomes = send(books, numbers, again=args.again, even_if_credited=args.even_if_credited)
    return print_outcomes(outcomes, args.json)


# ---------------------------------------------------------------- the commands

group = Group("invoice", help=N_("issue, credit, pay, list, show, send, validate invoices"))

LINE = click.option("--line", multiple=True, metavar="DESCRIPTION|QTY|UNIT_PRICE|VAT_RATE",
                    help=N_("one line; VAT rate in percent (repeat for more lines)"))  # fmt: skip
command(
    group, "issue", cmd_invoice_issue,
    click.option("--participant", metavar="CODE", help=N_("the participant whose work it bills")),
    click.option("--client", metavar="ID",
                 help=N_("the client billed (its id from 'client add')")),
    LINE,
    click.option("--from", "from_file", metavar="FILE",
                 help=N_("a TOML file (one invoice, or many as [[invoices]]) or a CSV file of "
                 "invoice lines: many invoices are issued in one write, all or none")),
    click.option("--date", type=DATE, help=N_("date of issue (default: today)")),
    click.option("--due", type=DATE, help=N_("due date (default: the hub's payment terms)")),
    click.option("--lang", type=click.Choice(LANGS),
                 help=N_("language of the invoice (default: the client's, else the hub's)")),
    click.option("--rules", metavar="DIR", help=N_("Peppol rules directory to validate with")),
    click.option("--no-validate", is_flag=True, help=N_("skip the Peppol validation")),
    click.option("--send", is_flag=True, help=N_("then deliver it (see 'invoice send')")),
    help=N_("issue an invoice in the hub's name"),
)  # fmt: skip
command(
    group, "credit", cmd_invoice_credit,
    click.argument("number", metavar="NUMBER"),
    LINE,
    click.option("--reason", help=N_("why the invoice is credited, printed on the credit note")),
    click.option("--date", type=DATE, help=N_("date of issue (default: today)")),
    click.option("--lang", type=click.Choice(LANGS),
                 help=N_("language of the credit note (default: the invoice's)")),
    click.option("--recover-from-participant", is_flag=True,
                 help=N_("after a payout: book what the participant gives back as owed to the "
                 "hub")),
    click.option("--hub-bears", is_flag=True,
                 help=N_("the participant is closed: the hub bears the reversal of their "
                 "share (its own sales reduced)")),
    click.option("--rules", metavar="DIR", help=N_("Peppol rules directory to validate with")),
    click.option("--no-validate", is_flag=True, help=N_("skip the Peppol validation")),
    help=N_("issue a credit note on an invoice"),
)  # fmt: skip
command(
    group, "pay", cmd_invoice_pay,
    click.argument("number", metavar="NUMBER"),
    click.option("--cash", is_flag=True, help=N_("the client paid in cash")),
    click.option("--amount", type=AMOUNT,
                 help=N_("what was received (default: what is still due)")),
    click.option("--date", type=DATE, help=N_("date it was paid (default: today)")),
    help=N_("record an invoice paid in cash (--cash)"),
)  # fmt: skip
command(
    group, "list", cmd_invoice_list,
    click.option("--status", type=click.Choice(sorted(FILTERS)),
                 help=N_("only invoices in this status")),
    click.option("--participant", metavar="CODE", help=N_("only this participant's")),
    click.option("--client", metavar="ID", help=N_("only this client's")),
    click.option("--as-of", type=DATE, default=None, help=N_("date for 'overdue' (today)")),
    click.option("--all-years", is_flag=True,
                 help=N_("also the invoices of the closed years (reads the full history)")),
    help=N_("invoices and their status, from the books"),
)  # fmt: skip
command(
    group, "show", cmd_invoice_show,
    click.argument("number", metavar="NUMBER"),
    click.option("--as-of", type=DATE, default=None, help=N_("date for 'overdue' (today)")),
    help=N_("one invoice or credit note"),
)  # fmt: skip
command(
    group, "send", cmd_invoice_send,
    click.argument("numbers", nargs=-1, metavar="NUMBER..."),
    click.option("--pending", is_flag=True, help=N_("also all queued or not yet delivered")),
    click.option("--again", is_flag=True, help=N_("send a rejected document once more")),
    click.option("--even-if-credited", is_flag=True,
                 help=N_("with --again: send an invoice its credit notes cancel whole")),
    help=N_("deliver invoices and credit notes: over Peppol, else the outbox, else PDF"),
)  # fmt: skip
command(
    group, "validate", cmd_invoice_validate,
    click.argument("files", nargs=-1, required=True, metavar="FILE..."),
    click.option("--rules", metavar="DIR",
                 help=N_("Peppol rules directory (default: the books' setting, else "
                 "../shared/peppol-validation)")),
    help=N_("check UBL files against XSD, CEN and Peppol rules"),
)  # fmt: skip
