"""Commands: ``participant add|list|show|statement|close|set-payee|purge``."""

from __future__ import annotations

import argparse
from decimal import Decimal
from typing import Any

import click

from ledger import dates
from ledger.books import (
    Books,
    atomic_write,
)
from ledger.cli import NOUNS
from ledger.cli.prompts import ask, refuse_on_command_line
from ledger.cli.support import DATE, Group, command, localised, open_books, print_json, say
from ledger.errors import InputError
from ledger.i18n import N_, _, shown
from ledger.keys import (
    has_key,
)
from ledger.loader import needs_history
from ledger.outputs import outside_books
from ledger.participants import (
    add_participant,
    close_participant,
    require_participant,
    summarize,
    summarize_all,
)
from ledger.participants.payees import check_payee_iban, set_payee
from ledger.participants.retention import purge, retentions
from ledger.progress import Progress
from ledger.roster import DETAIL_FIELDS, Payee, read_roster
from ledger.view import ParticipantSummary
from reports.period import default_folder

ROSTER_FILE_KEYS = ("alias", *DETAIL_FIELDS, "payee_iban", "payee_name")
# words shown from the books' values: a participant's status, why a record was purged
SHOWN_VALUES = (N_("open"), N_("closed"), N_("retention"), N_("court order"))
# the headings of the tables
HEADINGS = (
    N_("code"), N_("status"), N_("opened"), N_("balance"), N_("activity"), N_("date"),
    N_("kind"), N_("amount"), N_("description"), N_("last entry"), N_("keep until"),
    N_("roster record"), N_("while open"),
)  # fmt: skip
PAYEE_FIELDS = (
    ("iban", N_("Payout IBAN")),
    ("name", N_("Account holder's name (as on the account)")),
)


def cmd_participant_add(args: argparse.Namespace) -> int:
    if args.alias is not None:
        raise refuse_on_command_line(
            "--alias", _("type it when asked, or give it with --from-file (alias = …)")
        )
    books = open_books(args)
    values = ask([("alias", N_("Alias (Enter for none)"))], args.from_file, ROSTER_FILE_KEYS)
    alias = values.pop("alias", None)
    iban, name = values.pop("payee_iban", None), values.pop("payee_name", None)
    payee = None
    if iban or name:
        if not (iban and name):
            raise InputError(_("--from-file: payee_iban and payee_name go together"))
        payee = Payee(iban=check_payee_iban(iban), name=" ".join(name.split()))
    code = add_participant(
        books, alias=alias, activity=args.activity or "", day=args.date, details=values,
        payee=payee,
    )  # fmt: skip
    say(_("Participant opened. Keep the code; who she is stays only in the encrypted roster."))
    print(code)
    return 0


def cmd_participant_list(args: argparse.Namespace) -> int:

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
    if args.retention:
        return print_retention(books, ledger.entries, rows, args.json)
    if args.json:
        print_json(rows)
        return 0
    if not rows:
        say(_("No participants yet. Add one with: coopledger participant add"))
        return 0
    code, status, opened = localised("code"), localised("status"), localised("opened")
    balance, activity = localised("balance"), localised("activity")
    print(f"{code:<10} {status:<7} {opened:<11} {balance:>12}  {activity}")
    for row in rows:
        print(
            f"{row['code']:<10} {localised(row['status']):<7} {row['opened']:<11} "
            f"{row['balance']:>12}  {row['activity']}"
        )
    return 0


def _summary(books: Books, code: str) -> ParticipantSummary:
    """A participant's figures over her whole time at the hub: the live books carry only the
    balances of the closed years (what she was paid, what clients paid for her work are
    flows, not balances), so a participant who was there before the last close is read
    from the full history."""
    ledger = books.load()
    info = require_participant(ledger.entries, books.config, code)
    if needs_history(books.main_file, info.opened):
        ledger = books.load(full_history=True)
    return summarize(ledger.entries, books.config, code)


def cmd_participant_show(args: argparse.Namespace) -> int:

    books = open_books(args)
    summary = _summary(books, args.code)
    result = summary.as_json()
    if has_key(books.config) and not args.pseudonymous:
        roster = read_roster(books)
        entry = roster.participants.get(args.code)
        result["alias"] = entry.alias if entry else None
        if args.code in roster.purged:
            result["roster"] = f"purged on {roster.purged[args.code].on.isoformat()}"
    if args.json:
        print_json(result)
        return 0
    say(_("Participant {code} ({status})", code=result["code"], status=_(result["status"])))
    if result.get("alias"):
        say(_("  alias (from the encrypted roster): {alias}", alias=result["alias"]))
    if result.get("roster"):
        say(_("  roster record: {record}", record=result["roster"]))
    if result["activity"]:
        say(_("  activity:     {activity}", activity=result["activity"]))
    if result["closed"]:
        say(_("  opened:       {opened}, closed {closed}", **result))
    else:
        say(_("  opened:       {opened}", opened=result["opened"]))
    rows = [(key, localised(label)) for key, label in (
        ("sales", N_("invoiced (excl. VAT)")),
        ("received", N_("received from clients")),
        ("contribution", N_("hub contribution")),
        ("costs", N_("costs of the activity")),
        ("costs_charged", N_("  of which charged to them")),
        ("payouts", N_("paid out")),
        ("balance", N_("held for them now")),
        ("pending", N_("share of unpaid invoices")),
        ("owed", N_("owed to the hub")),
    )]  # fmt: skip
    width = max(24, *(len(label) for _key, label in rows))  # a translation may be longer
    for key, label in rows:
        print(f"  {label:<{width}} {Decimal(result[key]):>12,.2f} EUR")
    if summary.movements:
        date, kind, amount = localised("date"), localised("kind"), localised("amount")
        balance, description = localised("balance"), localised("description")
        print(f"\n  {date:<10}  {kind:<12} {amount:>9} {balance:>12}  {description}")
        for m in summary.movements:
            owed = shown(_(" (owed to the hub {owed})", owed=f"{m.owed:+,.2f}")) if m.owed else ""
            kind_text = localised(MOVEMENT_KINDS.get(m.kind, m.kind))
            print(
                f"  {m.date.isoformat()}  {kind_text:<12} {m.amount:>9,.2f} "
                f"{m.balance:>12,.2f}  {m.description}{owed}"
            )
    return 0


# The kind of a movement of the balance held (``participant show``), short for its column.
MOVEMENT_KINDS = {
    "payment": N_("payment"),
    "cash-sale": N_("cash sale"),
    "credit-reversal": N_("credit reversal"),
    "expense": N_("cost"),
    "payout": N_("payout"),
    "settlement": N_("returned payout"),
    "payout-cancel": N_("cancelled payout"),
    "contribution": N_("contribution"),
    "carried": N_("carried"),
    "other": N_("other"),
}


def cmd_participant_statement(args: argparse.Namespace) -> int:
    from reports.statement import render_statement

    books = open_books(args)
    summary = _summary(books, args.code)
    if args.start and args.end and args.end < args.start:
        raise InputError(_("--to is before --from"))
    # by default in the current folder, or the hub's reports folder when that lies inside
    # the books (as a report: the treasurer works from inside them)
    default = default_folder(books.root, books.config.id) / (
        f"statement-{args.code}-{dates.today().isoformat()}.pdf"
    )
    out = outside_books(books.root, args.out or default, "--out", _("it names a participant"))
    lang = args.lang or books.config.invoicing.default_lang
    with Progress(N_("statement")):  # (the place is checked first: nothing rendered for naught)
        pdf = render_statement(summary, books.config, lang, args.start, args.end)
    atomic_write(out, pdf)
    say(_("Statement of {code} written to {path}", code=args.code, path=str(out)))
    return 0


def cmd_participant_close(args: argparse.Namespace) -> int:

    books = open_books(args)
    info = close_participant(books, args.code, args.date)
    assert info.closed is not None
    say(_("Participant {code} closed on {date}", code=info.code, date=info.closed.isoformat()))
    return 0


def print_retention(
    books: Any, entries: list[Any], rows: list[dict[str, Any]], as_json: bool
) -> int:
    """``participant list --retention``: until when each roster record must be kept."""
    found = retentions(entries, books.config)
    roster = read_roster(books) if has_key(books.config) else None
    for row in rows:
        ret = found[row["code"]]
        row["last_entry"] = ret.last_entry.isoformat()
        row["retention_until"] = ret.until.isoformat() if ret.until else None
        if roster is None:
            row["roster"] = _("unknown (no key at hand)")
        elif row["code"] in roster.purged:
            row["roster"] = _("purged {date}", date=roster.purged[row["code"]].on.isoformat())
        else:
            row["roster"] = _("kept") if row["code"] in roster.participants else _("none")
    if as_json:
        print_json(rows)
        return 0
    code, status, last = localised("code"), localised("status"), localised("last entry")
    until, record = localised("keep until"), localised("roster record")
    print(f"{code:<10} {status:<7} {last:<11} {until:<11}  {record}")
    for row in rows:
        until = row["retention_until"] or localised("while open")
        print(f"{row['code']:<10} {localised(row['status']):<7} {row['last_entry']:<11} "
              f"{until:<11}  {shown(row['roster'])}")  # fmt: skip
    say(
        _(
            "Records are kept until the end of the 10th year after the financial year of the "
            "last entry (docs/security.md); 'participant purge CODE' erases one after that."
        )
    )
    return 0


def cmd_set_payee(args: argparse.Namespace) -> int:
    books = open_books(args)
    values = ask(PAYEE_FIELDS, args.from_file)
    payee = set_payee(books, args.code, values.get("iban"), values.get("name"))
    say(
        _(
            "Payout account of {code} stored in the encrypted roster (IBAN ending …{last4}); "
            "bank payouts and 'payout export' take it from there.",
            code=args.code,
            last4=payee.iban[-4:],
        )
    )
    return 0


def cmd_purge(args: argparse.Namespace) -> int:
    books = open_books(args)
    done = purge(books, args.code, today=args.today, court_order=args.court_order)
    say(
        _(
            "The roster record of {code} is erased for good ({reason}): its data key is "
            "destroyed, no version of the roster can be read for it any more. Her code stays "
            "in the books.",
            code=args.code,
            reason=_(done.reason.replace("-", " ")),
        )
    )
    say(
        _(
            "Also destroy every backup of the data-key file made before today, and read "
            "docs/security.md for what a purge does not reach (archived bank statements)."
        )
    )
    return 0


# ---------------------------------------------------------------- the commands

group = Group("participant", help=NOUNS["participant"])

command(
    group, "add", cmd_participant_add,
    # refused: see cmd_participant_add
    click.option("--alias", hidden=True, help=N_("refused: asked, or read from --from-file")),
    click.option("--from-file", metavar="FILE", help=N_(
                 "who she is, 'key = value' lines ('-': stdin): alias, name, first_name, "
                 "last_name, phone, email, address, birth_date, birth_place, nationality, "
                 "document_number, emergency_contact, notes, payee_iban, payee_name; without it "
                 "the alias is asked without echo")),
    click.option("--activity", help=N_("a short category, e.g. catering")),
    click.option("--date", type=DATE, help=N_("date she joins (default: today)")),
    help=N_("open a participant under a new random code"),
)  # fmt: skip
command(
    group, "list", cmd_participant_list,
    click.option("--retention", is_flag=True, help=N_("until when each record is kept")),
    help=N_("every participant with status and balance"),
)  # fmt: skip
command(
    group, "show", cmd_participant_show,
    click.argument("code"),
    click.option("--pseudonymous", is_flag=True, help=N_("never show the alias")),
    help=N_("a participant's balances and movements"),
)  # fmt: skip
command(
    group, "statement", cmd_participant_statement,
    click.argument("code"),
    click.option("--lang", type=click.Choice(["fr", "nl", "en"]),
                 help=N_("language of the statement (default: the hub's, default_lang)")),
    click.option("--from", "start", type=DATE, help=N_("first day (default: the beginning)")),
    click.option("--to", "end", type=DATE, help=N_("last day (default: today)")),
    click.option("--out", help=N_("PDF file (default: statement-CODE-DATE.pdf, in the current "
                 "folder or, from inside the books, the hub's reports folder)")),
    help=N_("a PDF statement a participant can read"),
)  # fmt: skip
command(
    group, "close", cmd_participant_close,
    click.argument("code"),
    click.option("--date", type=DATE, help=N_("date she leaves (default: today)")),
    help=N_("close a participant (nothing may be held for them)"),
)  # fmt: skip
command(
    group, "set-payee", cmd_set_payee,
    click.argument("code"),
    click.option("--from-file", metavar="FILE", help=N_("'iban = …' and 'name = …' lines ('-': "
                 "stdin); without it they are asked without echo")),
    help=N_("store a participant's payout IBAN and name (roster)"),
)  # fmt: skip
command(
    group, "purge", cmd_purge,
    click.argument("code"),
    click.option("--court-order", metavar="REF", help=N_("purge before the retention date")),
    click.option("--today", type=DATE, default=None, hidden=True,
                 help=N_("the day taken as today (tests)")),
    help=N_("erase a participant's roster record for good"),
)  # fmt: skip
