"""Commands: ``reconcile auto|list|assign|review``: bank lines against what they settle."""

from __future__ import annotations

import argparse
import sys
from decimal import Decimal
from typing import Any

import click

from importers.originals import load_originals
from ledger.cli import NOUNS
from ledger.cli.support import Group, command, localised, open_books, print_json, say
from ledger.errors import CoopledgerError
from ledger.i18n import N_, _, shown
from ledger.money.reconcile.booking import _booked_ref, run_assign, run_auto
from ledger.money.reconcile.review import queue_with_archives, review_queue, unallocated

# What ``assign`` accepts as TARGET (``booking._parse_target``), in the order it tries them.
TARGETS = (
    N_("an invoice: its number or inv-…; several joined by + when the line pays them all"),
    N_("return:<invoice>: money going out that gives back a payment of that invoice"),
    N_("po-…: a payout debited, or one the bank returned"),
    N_("exp-…: a cost paid"),
    N_("grant-…: a grant received"),
    N_("refund-…: a refund paid to a client (credit note or overpayment)"),
    N_("cash-…: a cash withdrawal or deposit ('cash withdraw', 'cash deposit')"),
    N_("an account role of the chart (e.g. bank_fees) or an account name (Expenses:…)"),
)
# (the epilog is translated line by line: see ledger.cli.support.Localised.format_epilog)
TARGETS_EPILOG = N_("TARGET is one of:") + "\n\n\b\n" + "\n".join(f"  {t}" for t in TARGETS)
# The same, on one line, when review asks about a line.
TARGETS_HINT = N_(
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
    say()
    say(_("[{index}/{total}] bank line {ref}  {date}  {amount} EUR", index=index, total=total,
          ref=row["ref"], date=row["date"], amount=row["open"]))  # fmt: skip
    if row["counterparty"] or row["iban-last4"]:
        account = (
            shown(_("  (account …{last4})", last4=row["iban-last4"])) if row["iban-last4"] else ""
        )
        say(_("  from/to: {counterparty}{account}", counterparty=row["counterparty"] or "—",
              account=account))  # fmt: skip
    if row["communication"] or row["ogm"]:
        text = f"{row['communication'] or ''} {row['ogm'] or ''}".rstrip()
        say(_("  communication: {text}", text=text))
    for n, cand in enumerate(item.candidates[:5], start=1):
        reasons = ", ".join(shown(r) for r in cand.reasons)
        say(_("  {n}) {target}  score {score}: {reasons}", n=n, target=cand.target,
              score=cand.score, reasons=reasons))  # fmt: skip
    if not item.candidates:
        say(_("  no candidate"))
    print(f"  {localised(TARGETS_HINT)}")


def walk_queue(books: Any, stdin: Any = None) -> int:
    """Ask about each waiting bank line in the terminal; returns how many were decided."""

    stdin = stdin or sys.stdin
    entries = books.load().entries
    originals = load_originals(books, entries)
    queue = review_queue(entries, books.config, originals)
    if not queue:
        say(_("Nothing waits for review."))
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
            print(
                shown(_("  choice [number / target / s = skip / q = quit]: ")), end="", flush=True
            )
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
                say(_("  refused: {message}", message=exc.message))
                continue
            decided += 1
            say(_("  booked: {ref}", ref=item.line.ref))
            break
    return decided


def cmd_reconcile(args: argparse.Namespace) -> int:

    books = open_books(args)
    if args.assign:
        new = run_assign(books, args.assign[0], args.assign[1])
        if args.json:
            print_json(_booked_summary(new))
        else:
            say(
                _(
                    "Booked {count} entries for bank line {ref}.",
                    count=len(new),
                    ref=_booked_ref(new),
                )
            )
        return 0
    if args.list:
        entries = books.load().entries
        rows = [item.as_json() for item in queue_with_archives(books, entries)]
        stuck = unallocated(entries, books.config)
        if args.json:
            print_json({"queue": rows, "unallocated": stuck})
            return 0
        if not rows and not stuck:
            say(_("Nothing waits for review."))
        for row in rows:
            best = row["candidates"][0]["target"] if row["candidates"] else "—"
            say(_("{date}  {ref:<24} {amount:>11} EUR  best: {best}", date=row["date"],
                  ref=row["ref"], amount=row["open"], best=best))  # fmt: skip
        for row in stuck:
            print(f"{row['date']}  {row['bank-ref']:<24} {row['amount']:>11} EUR  "
                  f"{shown(row['why'])}")  # fmt: skip
        return 0
    new = run_auto(books)
    entries = books.load().entries
    queue = queue_with_archives(books, entries)
    if args.json:
        print_json({**_booked_summary(new), "queue": [q.as_json() for q in queue]})
        return 0
    summary = _booked_summary(new)
    say(_("Booked {settlements} settlement(s) and {allocations} allocation(s) automatically; "
          "{count} bank line(s) wait for review.", settlements=summary["settlements"],
          allocations=summary["allocations"], count=len(queue)))  # fmt: skip
    if not args.auto and queue:
        decided = walk_queue(books)
        say(_("{count} decision(s) booked.", count=decided))
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

group = Group("reconcile", help=NOUNS["reconcile"])

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
    epilog=N_("For each line: the number of a candidate, a TARGET, s (or Enter) to skip, q to "
              "quit.") + "\n\n" + TARGETS_EPILOG,
)  # fmt: skip
