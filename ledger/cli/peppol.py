"""``coopledger invoice send`` and ``invoice issue --send``: thin over
:mod:`invoicing.peppol.send` (the arguments are in :mod:`ledger.cli.invoices`)."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Any

from invoicing.peppol.factory import access_point
from invoicing.peppol.send import Outcome, pending_numbers, send_documents
from ledger.books import Books
from ledger.cli.support import open_books, print_json
from ledger.errors import InputError


def send(books: Books, numbers: Sequence[str], *, again: bool = False) -> list[Outcome]:
    """Send through the configured access point, or to the outbox when there is none."""
    return send_documents(books, numbers, access_point(books.config, books.root), again=again)


def print_outcomes(outcomes: Sequence[Outcome], as_json: bool) -> int:
    if as_json:
        print_json([o.as_json() for o in outcomes])
    else:
        for o in outcomes:
            print(o.message)
            if o.action and (not o.ok or o.status in ("not-on-peppol", "pdf-only", "rejected")):
                print(f"  what to do: {o.action}")
    return 0 if all(o.ok for o in outcomes) else 1


def send_issued(books: Books, number: str, issued: dict[str, Any], as_json: bool) -> int:
    """``invoice issue --send``: the invoice is issued; now deliver it. Exit 1 when it
    could not be delivered (the invoice stays issued; ``invoice send`` tries again)."""
    [outcome] = send(books, [number])
    if as_json:
        print_json({**issued, "delivery": outcome.as_json()})
        return 0 if outcome.ok else 1
    return print_outcomes([outcome], False)


def cmd_invoice_send(args: argparse.Namespace) -> int:
    books = open_books(args)
    numbers = list(args.numbers or [])
    if args.pending:
        numbers += [n for n in pending_numbers(books) if n not in numbers]
    if not numbers:
        if args.pending:
            print("Nothing waits to be sent.")
            return 0
        raise InputError("give the NUMBER of an invoice or credit note, or --pending")
    return print_outcomes(send(books, numbers, again=args.again), args.json)
