"""Commands: ``reconcile auto|list|assign|review``: bank lines against what they settle."""

from __future__ import annotations

import argparse
import sys
from decimal import Decimal
from typing import Any

import click

from importers.originals import load_originals
from ledger.cli.support import Group, command, open_books, print_json
from ledger.errors import CoopledgerError
from ledger.i18n import N_
from ledger.money.reconcile.booking import _booked_ref, run_assign, run_auto
from ledger.money.reconcile.review import review_queue, unallocated

# What ``assign`` accepts as TARGET (``booking._parse_target``), in the order it tries them.
TARGETS = (
    "an invoice: its number or inv-…; several joined by + when the line pays them all",
    "return:<invoice>: money going out that gives back a payment of that invoice",
    "po-…: a payout debited, or one the bank returned",
    "exp-…: a cost paid",
    "grant-…: a grant received",
    "refund-…: a refund paid to a client (credit note or overpayment)",
    "cash-…: a cash withdrawal or deposit ('cash withdraw', 'cash deposit')",
    "an account role of the chart (e.g. bank_fees) or an account name (Expenses:…)",
)
TARGETS_EPILOG = "TARGET is one of:\n\n\b\n" + "\n".join(f"  {t}" for t in TARGETS)
# The same, on one line, when review asks about a line.
TARGETS_HINT = (
    "targets: invoice number or inv-… (several: A+B), return:<invoice>, po-…, exp-…, "
    "grant-…, refund-…, cash-…, an account role (e.g. bank_fees) or an account name"
)


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
        print("  no candidate")
    print(f"  {TARGETS_HINT}")


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


def _with(args: argparse.Namespace, **flags: Any) -> argparse.Namespace:
    values = {"auto": False, "list": False, "assign": None, **vars(args), **flags}
    return argparse.Namespace(**values)


def cmd_reconcile_auto(args: argparse.Namespace) -> int:
    """``reconcile auto``: book every certain match, ask nothing."""
    return cmd_reconcile(_with(args, auto=True))


def cmd_reconcile_list(args: argparse.Namespace) -> int:
    """``reconcile list``: what waits for review, and receipts not allocated."""
    return cmd_reconcile(_with(args, list=True))


def cmd_reconcile_assign(args: argparse.Namespace) -> int:
    """``reconcile assign REF TARGET``: book one decision."""
    return cmd_reconcile(_with(args, assign=(args.ref, args.target)))


def cmd_reconcile_review(args: argparse.Namespace) -> int:
    """``reconcile review``: book every certain match, then ask about the rest."""
    return cmd_reconcile(_with(args))


# ---------------------------------------------------------------- the commands

group = Group("reconcile", help=N_("settle bank lines against invoices, payouts, costs"))

command(group, "auto", cmd_reconcile_auto, help=N_("book certain matches, ask nothing"))
command(group, "list", cmd_reconcile_list, help=N_("list what waits for review"))
command(
    group, "assign", cmd_reconcile_assign,
    click.argument("ref", metavar="REF"), click.argument("target", metavar="TARGET"),
    help=N_("decide one bank line: REF its bank reference, TARGET what it settles"),
    epilog=TARGETS_EPILOG,
)  # fmt: skip
command(
    group, "review", cmd_reconcile_review,
    help=N_("book certain matches, then ask about each line that waits"),
    epilog="For each line: the number of a candidate, a TARGET, s (or Enter) to skip, q to "
    "quit.\n\n" + TARGETS_EPILOG,
)  # fmt: skip
