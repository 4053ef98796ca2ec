"""The few facts reports take from feature modules, in one adapter.

Everything else a report shows is computed from the frames (:mod:`reports.frame`). What is
owed, paid or held per invoice, grant, payout or participant is already computed by the
money and invoicing features; reports ask for it here, so that when those facts move to one
fold of the books (``ledger/view.py``) only this module is re-pointed.

Nothing here returns a personal value: participants are codes; clients are businesses
identified by their VAT number (a private client has none and is never listed); the roster
is only opened by :func:`roster_identities`, for the fees slips, when the hub turned them on.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from beancount.core import data

from invoicing.clients import read_clients
from invoicing.issue import read_document
from invoicing.models import Document
from invoicing.numbering import issued
from invoicing.status import InvoiceStatus, invoice_statuses
from ledger.books import Books
from ledger.config import HubConfig
from ledger.errors import BooksError
from ledger.grants import Grant, grants
from ledger.participants import (
    ParticipantInfo,
    ParticipantSummary,
    require_participant,
    summarize_all,
)
from ledger.payouts import PendingPayout, pending_payouts
from ledger.reconcile import QueueItem, review_queue, unallocated
from ledger.roster import RosterEntry, decrypt_roster, has_key
from ledger.year_end import blockers

__all__ = [
    "DocumentVat",
    "Grant",
    "InvoiceStatus",
    "ParticipantInfo",
    "ParticipantSummary",
    "PendingPayout",
    "QueueItem",
    "all_grants",
    "client_vat_numbers",
    "close_blockers",
    "document_vat",
    "invoices",
    "key_at_hand",
    "participants",
    "payouts_in_transit",
    "require_participant",
    "roster_identities",
    "unallocated_receipts",
    "waiting_bank_lines",
]


def all_grants(entries: list[data.Directive], config: HubConfig) -> dict[str, Grant]:
    """Every grant and gift with what was charged to it and what is deferred."""
    return grants(entries, config)


def participants(
    entries: Iterable[data.Directive], config: HubConfig
) -> dict[str, ParticipantSummary]:
    """Each participant's balances and movements (codes only)."""
    return summarize_all(entries, config)


def invoices(
    entries: Iterable[data.Directive], config: HubConfig, today: dt.date
) -> list[InvoiceStatus]:
    """Every invoice's status as the books say on ``today``."""
    return invoice_statuses(entries, config, today)


def waiting_bank_lines(entries: Iterable[data.Directive], config: HubConfig) -> list[QueueItem]:
    """Bank lines in suspense waiting for a decision (the review queue)."""
    return review_queue(entries, config)


def unallocated_receipts(
    entries: Iterable[data.Directive], config: HubConfig
) -> list[dict[str, str]]:
    return unallocated(entries, config)


def payouts_in_transit(entries: list[data.Directive], config: HubConfig) -> list[PendingPayout]:
    """Bank payouts ordered and not yet debited (the IBAN's last four characters only)."""
    return pending_payouts(entries, config)


def close_blockers(
    entries: list[data.Directive], config: HubConfig, year: int, today: dt.date, errors: int
) -> list[str]:
    """What stops ``close-year YEAR`` (the same check close-year runs)."""
    return blockers(entries, config, year, today, errors)


@dataclass(frozen=True)
class DocumentVat:
    """An issued invoice or credit note as the VAT outputs need it."""

    kind: str  # invoice / credit-note
    number: str
    date: dt.date
    client: str
    client_vat: str | None  # BE0123456789 for a Belgian VAT-registered client
    groups: tuple[tuple[Decimal, Decimal, Decimal], ...]  # (rate, base, vat)


def document_vat(books: Books, entries: list[data.Directive]) -> list[DocumentVat]:
    """Every issued document's VAT breakdown per rate and its client's VAT number, read from
    the document's record beside its PDF and checked against its entry: the books are the
    authority, a record that says otherwise is refused with its path."""
    clients = config_clients(books)
    out = []
    for ref in issued(entries):
        doc: Document = read_document(_DiskReader(books.root), ref)
        net = sum((g.base for g in doc.totals.groups), Decimal(0))
        if net != doc.totals.net:
            raise BooksError(f"{ref.kind} {ref.number}: its record's VAT breakdown is not its net")
        vat_number = doc.client.vat_number
        if vat_number is None and doc.client.id in clients:
            vat_number = clients[doc.client.id]
        out.append(
            DocumentVat(
                kind=ref.kind,
                number=ref.number,
                date=ref.date,
                client=doc.client.id,
                client_vat=vat_number,
                groups=tuple((g.rate, g.base, g.vat) for g in doc.totals.groups),
            )
        )
    return out


class _DiskReader:
    def __init__(self, root: Path) -> None:
        self.root = root

    def read_file(self, relpath: str) -> bytes | None:
        try:
            return (self.root / relpath).read_bytes()
        except FileNotFoundError:
            return None


def config_clients(books: Books) -> dict[str, str]:
    """Client id → VAT number, for the clients that have one."""
    return {cid: c.vat_number for cid, c in read_clients(books).items() if c.vat_number}


def client_vat_numbers(books: Books) -> dict[str, str]:
    return config_clients(books)


def key_at_hand(config: HubConfig) -> bool:
    return has_key(config)


def roster_identities(books: Books) -> dict[str, RosterEntry]:
    """The roster, decrypted in memory (needs the hub key). Only the fees slips call this,
    and only when ``[fees_slips] enabled`` is set in ``hub.toml``."""
    path = books.root / books.config.roster.file
    roster = decrypt_roster(books.config, path.read_bytes() if path.exists() else None)
    return dict(roster.participants)
