"""Commands for money: ``reconcile``, ``expense``, ``payout``, ``cash``, ``grant``,
``contribution``, ``trial-balance``.

Thin argument parsing over :mod:`ledger.money.reconcile`, :mod:`ledger.money.expenses`,
:mod:`ledger.money.payouts`, :mod:`ledger.money.grants` and :mod:`ledger.money.contributions`;
every change
goes through the books' one write path, every user error is a one-line message.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

from importers.originals import load_originals
from ledger.cli.prompts import refuse_on_command_line
from ledger.cli.support import add_books_option, date_arg, open_books, print_json
from ledger.entries import ZERO, parse_amount
from ledger.errors import CoopledgerError, InputError
from ledger.money import cash
from ledger.money.cash import pay_invoice
from ledger.money.contributions import check_rate, set_rate
from ledger.money.expenses import ExpenseRequest, book_expense
from ledger.money.grants import add_grant, charge_grant, grants, report
from ledger.money.payouts import book_payout, export_pain001, pending_payouts, returned_payouts
from ledger.money.reconcile.booking import _booked_ref, run_assign, run_auto
from ledger.money.reconcile.review import review_queue, unallocated
from ledger.money.year_end import plan
from reports.trial_balance import by_code, render, trial_balance

# ---------------------------------------------------------------- reconcile


def _booked_summary(entries: list[Any]) -> dict[str, Any]:
    settlements = [e for e in entries if e.meta.get("kind") == "settlement"]
    payments = [e for e in entries if e.meta.get("kind") == "payment"]
    return {
        "settlements": len(settlements),
        "allocations": len(payments),
        "contributions": str(sum((Decimal(str(e.meta.get("contribution", 0))) for e in payments),
                                 Decimal("0.00"))),
        "entries": [
            {
                "date": e.date.isoformat(),
                "kind": e.meta.get("kind"),
                "narration": e.narration,
                "links": sorted(e.links or ()),
            }
            for e in entries
        ],
    }  # fmt: skip


def _print_item(index: int, total: int, item: Any) -> None:
    row = item.as_json()
    print(f"\n[{index}/{total}] bank line {row['ref']}  {row['date']}  {row['open']} EUR")
    if row["counterparty"] or row["iban-last4"]:
        account = f"  (account …{row['iban-last4']})" if row["iban-last4"] else ""
        print(f"  from/to: {row['counterparty'] or '—'}{account}")
    if row["communication"] or row["ogm"]:
        print(f"  communication: {row['communication'] or ''} {row['ogm'] or ''}".rstrip())
    for n, cand in enumerate(item.candidates[:5], start=1):
        print(f"  {n}) {cand.target}  score {cand.score}: {', '.join(cand.reasons)}")
    if not item.candidates:
        print("  no candidate: type an invoice number, po-…, exp-…, grant-…, or an account")


def walk_queue(books: Any, stdin: Any = None) -> int:
    """Ask about each waiting bank line in the terminal; returns how many were decided."""

    stdin = stdin or sys.stdin
    entries = books.load().entries
    originals = load_originals(books, entries)
    queue = review_queue(entries, books.config, originals)
    if not queue:
        print("Nothing waits for review.")
        return 0
    decided = 0
    for index, first in enumerate(queue, start=1):
        # Each decision may change the others' candidates (an invoice now paid): ask about
        # the line as the books stand now, and skip it if it was settled meanwhile.
        now = {q.line.link: q for q in review_queue(books.load().entries, books.config, originals)}
        item = now.get(first.line.link) if decided else first
        if item is None:
            continue
        _print_item(index, len(queue), item)
        while True:
            print("  choice [number / target / s = skip / q = quit]: ", end="", flush=True)
            answer = stdin.readline()
            if not answer:
                print()
                return decided
            answer = answer.strip()
            if answer in ("", "s"):
                break
            if answer == "q":
                return decided
            if answer.isdigit() and 1 <= int(answer) <= len(item.candidates[:5]):
                target = item.candidates[int(answer) - 1].target
            else:
                target = answer
            try:
                run_assign(books, item.line.ref, target)
            except CoopledgerError as exc:
                print(f"  refused: {exc.message}")
                continue
            decided += 1
            print(f"  booked: {item.line.ref}")
            break
    return decided


def cmd_reconcile(args: argparse.Namespace) -> int:

    books = open_books(args)
    if args.assign:
        new = run_assign(books, args.assign[0], args.assign[1])
        if args.json:
            print_json(_booked_summary(new))
        else:
            print(f"Booked {len(new)} entries for bank line {_booked_ref(new)}.")
        return 0
    if args.list:
        entries = books.load().entries
        originals = load_originals(books, entries)
        rows = [item.as_json() for item in review_queue(entries, books.config, originals)]
        stuck = unallocated(entries, books.config)
        if args.json:
            print_json({"queue": rows, "unallocated": stuck})
            return 0
        if not rows and not stuck:
            print("Nothing waits for review.")
        for row in rows:
            best = row["candidates"][0]["target"] if row["candidates"] else "—"
            print(f"{row['date']}  {row['ref']:<24} {row['open']:>11} EUR  best: {best}")
        for row in stuck:
            print(f"{row['date']}  {row['bank-ref']:<24} {row['amount']:>11} EUR  {row['why']}")
        return 0
    new = run_auto(books)
    entries = books.load().entries
    queue = review_queue(entries, books.config, load_originals(books, entries))
    if args.json:
        print_json({**_booked_summary(new), "queue": [q.as_json() for q in queue]})
        return 0
    summary = _booked_summary(new)
    print(
        f"Booked {summary['settlements']} settlement(s) and {summary['allocations']} "
        f"allocation(s) automatically; {len(queue)} bank line(s) wait for review."
    )
    if not args.auto and queue:
        decided = walk_queue(books)
        print(f"{decided} decision(s) booked.")
    return 0


# ---------------------------------------------------------------- expense


def cmd_expense_add(args: argparse.Namespace) -> int:

    books = open_books(args)
    req = ExpenseRequest(
        amount=parse_amount(args.amount, "--amount"),
        description=args.description,
        participant=args.participant,
        supplier=args.supplier,
        vat=parse_amount(args.vat, "--vat", allow_zero=True) if args.vat else ZERO,
        paid_from=args.paid_from,
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


# ---------------------------------------------------------------- payout


def cmd_payout(args: argparse.Namespace) -> int:
    if args.code == "export":
        return _payout_export(args)
    if args.code == "list":
        return _payout_list(args)

    if args.amount is None:
        raise InputError("usage: coopledger payout CODE AMOUNT --method bank|cash")
    _refuse_personal_options(args)
    books = open_books(args)
    booked = book_payout(books, args.code, args.amount, args.method, None, args.date)
    if args.json:
        print_json(booked)
        return 0
    print(f"Payout {booked['payout']} booked: {booked['amount']} EUR to {booked['participant']}")
    if booked["method"] == "bank":
        print(f"To the account ending …{booked['iban-last4']} (from the roster). Export it for "
              "the bank with: coopledger payout export --out FILE")  # fmt: skip
    else:
        print(f"Receipt to sign: {booked['receipt']}")
    return 0


def _payout_export(args: argparse.Namespace) -> int:

    if args.amount is not None:
        raise InputError("usage: coopledger payout export --out FILE")
    _refuse_personal_options(args)
    if not args.out:
        raise InputError("--out FILE is required (outside the books)")
    books = open_books(args)
    done = export_pain001(
        books,
        Path(args.out),
        {},
        {},
        since=args.since,
        execution=args.date,
        again=args.again,
    )
    total = sum((p.amount for p in done), ZERO)
    if args.json:
        print_json({"file": args.out, "payouts": [p.payout for p in done], "total": total})
    else:
        print(f"Wrote {len(done)} transfer(s), {total} EUR, to {args.out} (pain.001.001.03)")
    return 0


def _refuse_personal_options(args: argparse.Namespace) -> None:
    """An IBAN or a name as an argument would stay in the shell history (not repeated)."""
    for option in ("iban", "name"):
        if getattr(args, option, None):
            raise refuse_on_command_line(
                f"--{option}", "store the participant's payout account in the roster with "
                "'coopledger participant set-payee CODE'"
            )  # fmt: skip


def _payout_list(args: argparse.Namespace) -> int:

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
        print("No bank payout waits for its debit.")
    for p in back:
        print(
            f"{p.date}  {p.payout}  {p.participant}  {p.amount:>10} EUR  IBAN …{p.iban_last4}"
            f"  returned {p.returned} (bank line {p.returned_by}): back on the balance held"
        )
    for p in rows:
        sent = f"exported {p.exported}" if p.exported else "not exported yet"
        print(f"{p.date}  {p.payout}  {p.participant}  {p.amount:>10} EUR  IBAN …{p.iban_last4}"
              f"  {sent}")  # fmt: skip
    return 0


# ---------------------------------------------------------------- cash


def cmd_cash(args: argparse.Namespace) -> int:

    books = open_books(args)
    action = args.action
    if action == "book":
        rows = cash.cash_book(books.load().entries, books.config)
        if args.json:
            print_json(rows)
            return 0
        if not rows:
            print("The cash box has not moved yet.")
        for r in rows:
            amount = f"{r['amount']:>10}" if r["amount"] is not None else " " * 10
            print(
                f"{r['date']}  {r['id']:<15} {amount} {r['balance']:>11} EUR  {r['description']}"
            )
        return 0
    if args.amount is None:
        raise InputError(f"usage: coopledger cash {action} AMOUNT")
    if action == "sale":
        if not args.participant:
            raise InputError("--participant CODE is required for a cash sale")
        booked = cash.book_sale(books, args.participant, args.amount, args.description,
                                args.vat_rate, args.date)  # fmt: skip
        text = (
            f"Cash sale {booked['cash']} booked: {booked['amount']} EUR for "
            f"{booked['participant']} (contribution {booked['contribution']} EUR)"
        )
    elif action == "count":
        booked = cash.book_count(books, args.amount, args.date)
        diff = booked["difference"]
        text = f"Cash count {booked['cash']}: {booked['counted']} EUR counted" + (
            f", {abs(diff)} EUR {'short' if diff < 0 else 'over'} (booked)" if diff else
            ", as the books say"
        )  # fmt: skip
    else:
        booked = cash.book_transfer(books, action, args.amount, args.date)
        what = "withdrawn from the bank" if action == "withdraw" else "deposited at the bank"
        text = (f"Cash {booked['cash']}: {booked['amount']} EUR {what}; the statement's line is "
                f"matched to {booked['cash']}")  # fmt: skip
    if args.json:
        print_json(booked)
    else:
        print(text)
    return 0


def cmd_invoice_pay(args: argparse.Namespace) -> int:
    """``coopledger invoice pay NUMBER --cash`` (registered by ``ledger.cli.invoices``)."""

    if not args.cash:
        raise InputError(
            "invoice pay records money received in cash (--cash); bank payments come from "
            "the statement (coopledger import)"
        )
    books = open_books(args)
    booked = pay_invoice(books, args.number, args.amount, args.date)
    if args.json:
        print_json(booked)
    else:
        print(f"Invoice {booked['invoice']}: {booked['amount']} EUR received in cash "
              f"({booked['cash']})")  # fmt: skip
    return 0


# ---------------------------------------------------------------- year end


def show_year_end_plan(books: Any, year: int, as_json: bool) -> int:
    """``close-year YEAR --dry-run``: what closing would book and what blocks it."""

    ledger = books.load()
    found = plan(ledger.entries, books.config, year, dt.date.today(), len(ledger.errors))
    if as_json:
        print_json(found.as_json())
        return 0 if not found.blockers else 1
    print(f"Closing {year} would book {len(found.entries)} entry(ies):")
    for e in found.entries:
        print(f"  {e.date.isoformat()}  {e.narration}")
    if found.blockers:
        print(f"and is blocked by {len(found.blockers)} thing(s):")
        for line in found.blockers:
            print(f"  - {line}")
        return 1
    print("Nothing blocks it.")
    return 0


def cmd_trial_balance(args: argparse.Namespace) -> int:

    books = open_books(args)
    start, end = dt.date(args.year, 1, 1), dt.date(args.year, 12, 31)
    rows = trial_balance(books.load().entries, books.config, start, end)
    if args.by_code:
        rows = by_code(rows)
    if args.json:
        print_json([r.as_json() for r in rows])
    else:
        print(render(rows), end="")
    return 0


# ---------------------------------------------------------------- grant


def cmd_grant_add(args: argparse.Namespace) -> int:

    books = open_books(args)
    booked = add_grant(
        books, args.funder, args.amount, args.date, args.purpose, args.restricted, args.gift,
        args.funder_iban,
    )  # fmt: skip
    if args.json:
        print_json(booked)
    else:
        print(f"Grant {booked['grant']} booked: {booked['amount']} EUR on {booked['account']}")
    return 0


def cmd_grant_charge(args: argparse.Namespace) -> int:

    books = open_books(args)
    booked = charge_grant(books, args.grant, args.expense, args.amount, args.date)
    if args.json:
        print_json(booked)
    else:
        print(f"{booked['amount']} EUR of {booked['expense']} charged to {booked['grant']}")
    return 0


def cmd_grant_report(args: argparse.Namespace) -> int:

    books = open_books(args)
    grant = report(books.load().entries, books.config, args.grant)
    if args.json:
        print_json(grant.as_json())
        return 0
    row = grant.as_json()
    print(f"{row['kind'].capitalize()} {row['grant']} from {row['funder']} ({row['date']})")
    if row["purpose"]:
        print(f"  purpose: {row['purpose']}")
    print(f"  amount {row['amount']} EUR, received {row['received']} EUR"
          + (", restricted" if row["restricted"] else ""))  # fmt: skip
    for c in row["costs"]:
        who = f" ({c['participant']})" if c["participant"] else ""
        print(f"  {c['date']}  {c['expense']}  {c['amount']:>10} EUR  {c['description']}{who}")
    print(f"  paid for: {row['charged']} EUR; remaining: {row['remaining']} EUR")
    return 0


def cmd_grant_list(args: argparse.Namespace) -> int:

    books = open_books(args)
    found = grants(books.load().entries, books.config)
    rows = [g.as_json() for g in found.values()]
    if args.json:
        print_json(rows)
        return 0
    if not rows:
        print("No grants yet. Book one with: coopledger grant add FUNDER_ID --amount …")
    for r in rows:
        print(f"{r['date']}  {r['grant']:<32} {r['amount']:>10} EUR  charged {r['charged']}")
    return 0


# ---------------------------------------------------------------- contribution


def cmd_contribution_set_rate(args: argparse.Namespace) -> int:

    books = open_books(args)

    scope = set_rate(books, args.rate, args.since, args.participant)
    since = f" from {args.since.isoformat()}" if args.since else ""
    print(f"Contribution rate of the {scope} set to {check_rate(args.rate)}%{since}.")
    return 0


def cmd_contribution_show(args: argparse.Namespace) -> int:
    books = open_books(args)
    settings = books.config.contribution
    row = {
        "rate": settings.rate,
        "changes": [{"since": c.since, "rate": c.rate} for c in settings.changes],
        "participants": {
            code: [{"since": c.since, "rate": c.rate} for c in rates]
            for code, rates in settings.participants.items()
        },
    }
    if args.json:
        print_json(row)
        return 0
    print(f"Hub rate: {settings.rate}%")
    for c in settings.changes:
        print(f"  from {c.since}: {c.rate}%")
    for code, rates in settings.participants.items():
        for c in rates:
            print(f"  {code} from {c.since}: {c.rate}%")
    return 0


# ---------------------------------------------------------------- parser


def register(sub: Any) -> None:
    """Add the money commands to the ``coopledger`` argument parser."""
    p = sub.add_parser("reconcile", help="settle bank lines against invoices, payouts, costs")
    add_books_option(p)
    p.add_argument("--auto", action="store_true", help="book certain matches, ask nothing")
    p.add_argument("--list", action="store_true", help="list what waits for review")
    p.add_argument("--assign", nargs=2, metavar=("REF", "TARGET"), help="decide one bank line")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_reconcile)

    exp = sub.add_parser("expense", help="book costs with their receipts")
    esub = exp.add_subparsers(dest="action", metavar="ACTION", required=True)
    p = esub.add_parser("add", help="book a cost (of a participant's activity or of the hub)")
    add_books_option(p)
    p.add_argument("--participant", metavar="CODE")
    p.add_argument("--amount", required=True, help="paid, VAT included")
    p.add_argument("--description", required=True)
    p.add_argument("--supplier")
    p.add_argument("--vat", help="VAT included in --amount")
    p.add_argument("--receipt", metavar="FILE", help="PDF, PNG or JPEG")
    p.add_argument("--paid-from", choices=["bank", "cash", "participant"], default="bank")
    p.add_argument("--account", metavar="ROLE_OR_ACCOUNT", help="hub costs: where to book it")
    p.add_argument("--grant", metavar="ID", help="charge the cost to a grant")
    p.add_argument(
        "--charge-later",
        action="store_true",
        help="a participant's cost: owed by them, recovered from their next client payments",
    )
    p.add_argument("--date", type=date_arg)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_expense_add)

    p = sub.add_parser(
        "payout",
        help="pay a participant out (payout CODE AMOUNT), or 'payout export' / 'payout list'",
    )
    add_books_option(p)
    p.add_argument("code", metavar="CODE|export|list")
    p.add_argument("amount", nargs="?")
    p.add_argument("--method", choices=["bank", "cash"], default="bank")
    p.add_argument("--iban", action="append", help=argparse.SUPPRESS)  # refused: roster only
    p.add_argument("--name", action="append", help=argparse.SUPPRESS)
    p.add_argument("--date", type=date_arg, help="payout date, or export execution date")
    p.add_argument("--since", type=date_arg, help="export/list: payouts from this date")
    p.add_argument("--out", metavar="FILE", help="export: the pain.001 file (outside the books)")
    p.add_argument("--again", action="store_true", help="export: include payouts already exported")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_payout)

    ca = sub.add_parser("cash", help="the cash box: sales, withdrawals, deposits, counts")
    casub = ca.add_subparsers(dest="action", metavar="ACTION", required=True)
    for action, helptext in (
        ("sale", "a participant's sale paid in cash (cash sale AMOUNT --participant CODE)"),
        ("withdraw", "cash taken from the bank into the cash box"),
        ("deposit", "cash from the cash box put in at the bank"),
        ("count", "what the cash box holds at the end of the day; the difference is booked"),
        ("book", "the cash book: every movement and the balance after it"),
    ):
        p = casub.add_parser(action, help=helptext)
        add_books_option(p)
        if action != "book":
            p.add_argument("amount", nargs="?", metavar="AMOUNT")
            p.add_argument("--date", type=date_arg)
        if action == "sale":
            p.add_argument("--participant", metavar="CODE")
            p.add_argument("--description")
            p.add_argument("--vat-rate", help="standard VAT regime: the rate in percent")
        p.add_argument("--json", action="store_true")
        p.set_defaults(func=cmd_cash)

    p = sub.add_parser("trial-balance", help="the trial balance of a year, by PCMN code")
    add_books_option(p)
    p.add_argument("year", type=int)
    p.add_argument("--by-code", action="store_true", help="one line per PCMN code")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_trial_balance)

    gr = sub.add_parser("grant", help="grants and gifts, and what they paid for")
    gsub = gr.add_subparsers(dest="action", metavar="ACTION", required=True)
    p = gsub.add_parser("add", help="book a grant or gift from a funder")
    add_books_option(p)
    p.add_argument("funder", metavar="FUNDER_ID")
    p.add_argument("--amount", required=True)
    p.add_argument("--date", type=date_arg)
    p.add_argument("--purpose")
    p.add_argument("--restricted", action="store_true")
    p.add_argument("--gift", action="store_true")
    p.add_argument("--funder-iban", help="the funder organisation's account (helps matching)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_grant_add)
    p = gsub.add_parser("charge", help="charge a booked cost to a grant")
    add_books_option(p)
    p.add_argument("grant", metavar="ID")
    p.add_argument("expense", metavar="EXPENSE_ID")
    p.add_argument("--amount")
    p.add_argument("--date", type=date_arg)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_grant_charge)
    p = gsub.add_parser("report", help="what a grant paid for")
    add_books_option(p)
    p.add_argument("grant", metavar="ID")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_grant_report)
    p = gsub.add_parser("list", help="every grant")
    add_books_option(p)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_grant_list)

    co = sub.add_parser("contribution", help="the hub's contribution rule")
    csub = co.add_subparsers(dest="action", metavar="ACTION", required=True)
    p = csub.add_parser("set-rate", help="change the rate (hub-wide or for one participant)")
    add_books_option(p)
    p.add_argument("rate", metavar="RATE", help="percent, 0 to 100")
    p.add_argument("--since", type=date_arg, help="effective from this date")
    p.add_argument("--participant", metavar="CODE")
    p.set_defaults(func=cmd_contribution_set_rate)
    p = csub.add_parser("show", help="the rates in force")
    add_books_option(p)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_contribution_show)
