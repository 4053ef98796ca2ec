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

from ledger import dates
from ledger.config import HubConfig
from ledger.view import View

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


def invoice_statuses(
    entries: Iterable[data.Directive], config: HubConfig, today: dt.date | None = None
) -> list[InvoiceStatus]:
    """Every invoice with what was credited and paid, in number order per series."""
    return statuses(View.of(entries, config), dates.today(today))


def statuses(view: View, today: dt.date) -> list[InvoiceStatus]:
    """The status of every issued invoice of the books' fold."""
    out = []
    for inv in view.invoices.values():
        if inv.issued is None:
            continue
        meta = inv.issued.entry.meta
        due = meta.get("due")
        status = InvoiceStatus(
            number=inv.issued.number,
            date=inv.issued.date,
            due=due if isinstance(due, dt.date) else None,
            ogm=str(meta.get("ogm", "")),
            participant=str(meta.get("participant", "")),
            client=str(meta.get("client", "")),
            total=inv.total,
            credited=inv.credited,
            paid=inv.paid,
            credit_notes=list(inv.credit_notes),
            payments=list(inv.payments),
            documents=list(inv.documents),
        )
        status.status = _status(status, today)
        out.append(status)
    return sorted(out, key=lambda i: (i.date.year, i.date, i.number))


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
