"""Review: what waits for a decision (open bank lines with their candidates) and the
receipts that could not be allocated by themselves."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from beancount.core import data

from importers.originals import originals_for
from ledger.books import Books
from ledger.config import HubConfig
from ledger.i18n import _
from ledger.keys import has_key
from ledger.money.reconcile.matching import Candidate, candidates
from ledger.money.reconcile.state import State, _line_ref, folded_with_originals
from ledger.view import (
    BankLine,
    BankOriginal,
)


@dataclass
class QueueItem:
    """A bank line in suspense that reconciliation could not settle by itself."""

    line: BankLine
    candidates: list[Candidate]

    def as_json(self) -> dict[str, Any]:
        line = self.line
        return {
            "ref": line.ref,
            "link": line.link,
            "date": line.date.isoformat(),
            "amount": str(line.amount),
            "open": str(line.suspense),
            "direction": "in" if line.suspense > 0 else "out",
            # Who paid the hub is on the statement already; who the hub paid may be a
            # participant, so only the last digits of that account are ever shown.
            "counterparty": line.counterparty if line.suspense > 0 else "",
            "iban-last4": line.iban_last4,
            "communication": line.communication if line.suspense > 0 else "",
            "ogm": line.ogm,
            "details": [{"amount": str(a), "ogm": o} for a, o, _ in line.details],
            "candidates": [c.as_json() for c in self.candidates[:5]],
        }


def review_queue(
    entries: Iterable[data.Directive], config: HubConfig,
    originals: Mapping[str, BankOriginal] | None = None,
) -> list[QueueItem]:  # fmt: skip
    """What waits for a decision: open bank lines with their scored candidates (the queue
    shows what the books keep; the bank's originals only help the scoring)."""
    return queue_of(State.of(entries, config, originals))


def queue_of(state: State) -> list[QueueItem]:
    """The review queue of a fold of the books."""
    return [QueueItem(line, candidates(state, line)) for line in state.open_lines()]


def queue_with_archives(books: Books, entries: list[data.Directive]) -> list[QueueItem]:
    """:func:`review_queue` with what the bank wrote in the archived statements of the
    window the open lines call for (:func:`importers.originals.load_originals`), in one
    fold of the books; without the key, the load's own fold (no archive can be read)."""
    if not has_key(books.config):
        return review_queue(entries, books.config)
    return queue_of(
        folded_with_originals(
            entries, books.config, lambda folded: originals_for(books, entries, folded)
        )
    )


def unallocated(entries: Iterable[data.Directive], config: HubConfig) -> list[dict[str, Any]]:
    """Receipts on invoices that could not be allocated by themselves (and why)."""
    state = State.of(entries, config)
    out = []
    for receipt in state.receipts:
        if (receipt.bank_link, receipt.inv_link) in state.allocated:
            continue
        inv = state.invoices.get(receipt.inv_link)
        code = inv.participant if inv else ""
        if inv is None:
            why = _("unknown invoice")
        elif code in state.closed and receipt.date > state.closed[code]:
            why = _("participant {code} is closed", code=code)
        else:
            why = _("undoing it would take the balance held for {code} below zero", code=code)
        out.append(
            {
                "bank-ref": _line_ref(state, receipt.bank_link[5:]),
                "invoice": receipt.inv_link[4:],
                "date": receipt.date.isoformat(),
                "amount": str(receipt.amount),
                "why": why,
            }
        )
    return out
