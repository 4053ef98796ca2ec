"""Each invoice's status, derived from the books alone.

An invoice's receivable is the sum of the postings to the clients account that carry its
link ``^inv-<number>``: the invoice itself, its credit notes, and payments (whatever books
them: bank import, reconciliation…). Status:

* ``paid``: nothing left to pay and something was paid;
* ``credited``: nothing left to pay, all of it cancelled by credit notes;
* ``overdue``: something left to pay after the due date;
* ``partly-paid``: something paid, something left, not yet due;
* ``open``: nothing paid yet, not yet due.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from beancount.core import data

from invoicing import numbering
from invoicing.models import link_safe
from ledger.config import HubConfig

ZERO = Decimal("0")
STATUSES = ("open", "partly-paid", "overdue", "paid", "credited")
# What --status selects: "open" means not settled yet, "paid" means settled.
FILTERS: dict[str, frozenset[str]] = {
    "open": frozenset({"open", "partly-paid", "overdue"}),
    "unpaid": frozenset({"open", "partly-paid", "overdue"}),
    "partly-paid": frozenset({"partly-paid"}),
    "overdue": frozenset({"overdue"}),
    "paid": frozenset({"paid", "credited"}),
    "credited": frozenset({"credited"}),
}


@dataclass
class InvoiceStatus:
    """An invoice as the books see it today."""

    number: str
    date: dt.date
    due: dt.date | None
    ogm: str
    participant: str
    client: str
    total: Decimal
    credited: Decimal = ZERO
    paid: Decimal = ZERO
    status: str = "open"
    credit_notes: list[str] = field(default_factory=list)
    payments: list[dict[str, Any]] = field(default_factory=list)
    documents: list[str] = field(default_factory=list)

    @property
    def outstanding(self) -> Decimal:
        return self.total - self.credited - self.paid

    def as_json(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "date": self.date.isoformat(),
            "due": self.due.isoformat() if self.due else None,
            "status": self.status,
            "currency": "EUR",
            "total": _cents(self.total),
            "credited": _cents(self.credited),
            "paid": _cents(self.paid),
            "outstanding": _cents(self.outstanding),
            "ogm": self.ogm,
            "participant": self.participant,
            "client": self.client,
            "credit_notes": self.credit_notes,
            "payments": self.payments,
            "documents": self.documents,
        }


def _cents(value: Decimal) -> str:
    return f"{value:.2f}"


def _clients_amount(entry: data.Transaction, clients: str) -> Decimal:
    return sum(
        (
            p.units.number
            for p in entry.postings
            if p.account == clients and p.units is not None and p.units.number is not None
        ),
        ZERO,
    )


def invoice_statuses(
    entries: Iterable[data.Directive], config: HubConfig, today: dt.date | None = None
) -> list[InvoiceStatus]:
    """Every invoice with what was credited and paid, in number order per series."""
    today = today or dt.date.today()
    entries = list(entries)
    clients = config.account("clients")
    by_link: dict[str, InvoiceStatus] = {}
    for ref in numbering.issued(entries):
        if ref.kind != "invoice":
            continue
        meta = ref.entry.meta
        due = meta.get("due")
        by_link[f"inv-{link_safe(ref.number)}"] = InvoiceStatus(
            number=ref.number,
            date=ref.date,
            due=due if isinstance(due, dt.date) else None,
            ogm=str(meta.get("ogm", "")),
            participant=str(meta.get("participant", "")),
            client=str(meta.get("client", "")),
            total=_clients_amount(ref.entry, clients),
        )
    for entry in entries:
        if isinstance(entry, data.Document):
            for link in entry.links or ():
                if link in by_link:
                    by_link[link].documents.append(entry.filename)
            continue
        if not isinstance(entry, data.Transaction) or not entry.links:
            continue
        kind = entry.meta.get("kind")
        if kind == "invoice":
            continue
        for link in entry.links:
            inv = by_link.get(link)
            if inv is None:
                continue
            amount = -_clients_amount(entry, clients)
            if amount == 0:
                continue
            if kind == "credit-note":
                inv.credited += amount
                inv.credit_notes.append(str(entry.meta.get("credit-note", "")))
            else:
                inv.paid += amount
                inv.payments.append(
                    {"date": entry.date.isoformat(), "amount": str(amount), "kind": kind or ""}
                )
    for inv in by_link.values():
        inv.status = _status(inv, today)
    return sorted(by_link.values(), key=lambda i: (i.date.year, i.date, i.number))


def _status(inv: InvoiceStatus, today: dt.date) -> str:
    if inv.outstanding <= 0:
        return "paid" if inv.paid > 0 else "credited"
    if inv.due is not None and today > inv.due:
        return "overdue"
    return "partly-paid" if inv.paid > 0 else "open"


def select(statuses: Iterable[InvoiceStatus], wanted: str | None) -> list[InvoiceStatus]:
    """The invoices matching ``--status`` (see :data:`FILTERS`)."""
    if not wanted:
        return list(statuses)
    allowed = FILTERS[wanted]
    return [s for s in statuses if s.status in allowed]
