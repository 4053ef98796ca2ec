"""The few facts reports take from the fold and the feature modules, in one adapter.

Everything else a report shows is computed from the frames (:mod:`reports.frame`). What is
owed, paid or held per invoice, participant or bank line comes from the one fold of the
books (:class:`ledger.view.View`, computed once per report: ``Frames.view``); what a
feature adds on top of it (a grant's charges, the payouts ordered, the review queue, what
blocks a close) from that feature's own function, so a report and the command that shows
the same fact never disagree.

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
from invoicing.i18n import kind_word
from invoicing.issue import read_document
from invoicing.models import Document
from invoicing.status import InvoiceStatus, statuses
from ledger.books import Books
from ledger.config import HubConfig
from ledger.errors import BooksError
from ledger.i18n import _
from ledger.keys import has_key
from ledger.money.grants import Grant, grants
from ledger.money.payouts import PendingPayout, pending_payouts
from ledger.money.reconcile import QueueItem, review_queue, unallocated
from ledger.money.year_end import blockers
from ledger.participants import require_participant
from ledger.roster import RosterEntry, read_roster
from ledger.view import ParticipantInfo, View

__all__ = [
    "DocumentVat",
    "Grant",
    "InvoiceStatus",
    "ParticipantInfo",
    "PendingPayout",
    "QueueItem",
    "RosterEntry",
    "all_grants",
    "client_vat_numbers",
    "close_blockers",
    "document_vat",
    "invoices",
    "key_at_hand",
    "payouts_in_transit",
    "require_participant",
    "roster_identities",
    "unallocated_receipts",
    "waiting_bank_lines",
]


def all_grants(entries: list[data.Directive], config: HubConfig) -> dict[str, Grant]:
    """Every grant and gift with what was charged to it and what is deferred."""
    return grants(entries, config)


def invoices(view: View, today: dt.date) -> list[InvoiceStatus]:
    """Every invoice's status in the fold ``view``, as of ``today``."""
    return statuses(view, today)


def waiting_bank_lines(entries: Iterable[data.Directive], config: HubConfig) -> list[QueueItem]:
    """Bank lines in suspense waiting for a decision (the review queue)."""
    return review_queue(entries, config)


def unallocated_receipts(
    entries: Iterable[data.Directive], config: HubConfig
) -> list[dict[str, str]]:
    """Receipts on invoices that could not be allocated by themselves (and why)."""
    return unallocated(entries, config)


def payouts_in_transit(entries: list[data.Directive], config: HubConfig) -> list[PendingPayout]:
    """Bank payouts ordered and not yet debited (the IBAN's last four characters only)."""
    return pending_payouts(entries, config)


def close_blockers(
    entries: list[data.Directive], config: HubConfig, year: int, today: dt.date, errors: int
) -> list[str]:
    """What stops ``year close YEAR`` (the same check closing runs)."""
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


def document_vat(books: Books, view: View) -> list[DocumentVat]:
    """Every issued document's VAT breakdown per rate and its client's VAT number, read from
    the document's record beside its PDF and checked against its entry: the books are the
    authority, a record that says otherwise is refused with its path."""
    clients = client_vat_numbers(books)
    out = []
    for ref in view.documents:
        doc: Document = read_document(_DiskReader(books.root), ref)
        net = sum((g.base for g in doc.totals.groups), Decimal(0))
        if net != doc.totals.net:
            raise BooksError(
                _(
                    "{kind} {number}: its record's VAT breakdown is not its net",
                    kind=kind_word(ref.kind),
                    number=ref.number,
                )
            )
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
    """The books' files as they are on disk (reports read; they never stage)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def read_file(self, relpath: str) -> bytes | None:
        try:
            return (self.root / relpath).read_bytes()
        except FileNotFoundError:
            return None


def client_vat_numbers(books: Books) -> dict[str, str]:
    """Client id → VAT number, for the clients that have one."""
    return {cid: c.vat_number for cid, c in read_clients(books).items() if c.vat_number}


def key_at_hand(config: HubConfig) -> bool:
    return has_key(config)


def roster_identities(books: Books) -> dict[str, RosterEntry]:
    """The roster, decrypted in memory (needs the hub key: each record is opened with its
    own data key). Only the fees slips call this, and only when ``[fees_slips] enabled``
    is set in ``hub.toml``."""
    return dict(read_roster(books).participants)
