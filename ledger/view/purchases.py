"""Supplier documents as the books record them, and what is left to pay on each.

A supplier document booked by ``purchase import`` is a cost entry (``kind: "expense"``,
built by :func:`ledger.money.expenses.expense_entry`) carrying ``purchase: "invoice"`` or
``"credit-note"`` and the document's identity (``supplier-id``, ``supplier-doc``,
``document-sha256``…). A credit note carries its invoice's ``^exp-`` link, so what is
owed to the supplier for an invoice is the balance of ``suppliers`` on that link: the
invoice, its credit notes, and the bank debits reconciliation settled against it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from beancount.core import data

from ledger import dates

if TYPE_CHECKING:
    from ledger.config import HubConfig

ZERO = Decimal("0")
STATUSES = ("open", "partly-paid", "overdue", "paid", "credited", "refund-due")
FILTERS = {
    "open": frozenset({"open", "partly-paid", "overdue", "refund-due"}),
    "paid": frozenset({"paid", "credited"}),
}


@dataclass
class PurchaseRecord:
    """One supplier invoice or credit note in the books."""

    link: str  # ^exp-… (a credit note: its invoice's)
    expense: str  # EXP-… of this entry
    kind: str  # invoice | credit-note
    supplier_id: str
    supplier_vat: str
    supplier: str
    number: str
    credits: str  # a credit note: the invoice number it corrects
    date: dt.date
    issued: dt.date
    due: dt.date | None
    amount: Decimal
    vat: Decimal
    participant: str
    sha256: str
    provider_id: str
    payment_ref: str
    entry: data.Transaction

    def same_supplier(self, endpoint_key: str, vat: str) -> bool:
        return bool(
            (endpoint_key and self.supplier_id.lower() == endpoint_key)
            or (vat and self.supplier_vat and self.supplier_vat.upper() == vat.upper())
        )


def _date(value: Any) -> dt.date | None:
    return value if isinstance(value, dt.date) else None


def _dec(value: Any) -> Decimal:
    return Decimal(str(value)) if value not in (None, "") else ZERO


def purchase_records(entries: Iterable[data.Directive]) -> list[PurchaseRecord]:
    """Every supplier document booked, in date order."""
    out = []
    for entry in entries:
        if not isinstance(entry, data.Transaction):
            continue
        meta = entry.meta or {}
        if meta.get("kind") != "expense" or meta.get("purchase") not in ("invoice", "credit-note"):
            continue
        links = sorted(lk for lk in entry.links or () if lk.startswith("exp-"))
        out.append(
            PurchaseRecord(
                link=links[0] if links else "",
                expense=str(meta.get("expense", "")),
                kind=str(meta["purchase"]),
                supplier_id=str(meta.get("supplier-id", "") or ""),
                supplier_vat=str(meta.get("supplier-vat", "") or ""),
                supplier=str(meta.get("supplier", "") or ""),
                number=str(meta.get("supplier-doc", "") or ""),
                credits=str(meta.get("credits", "") or ""),
                date=entry.date,
                issued=_date(meta.get("issued")) or entry.date,
                due=_date(meta.get("due")),
                amount=abs(_dec(meta.get("amount"))),
                vat=abs(_dec(meta.get("vat"))),
                participant=str(meta.get("participant", "") or ""),
                sha256=str(meta.get("document-sha256", "") or ""),
                provider_id=str(meta.get("access-point-id", "") or ""),
                payment_ref=str(meta.get("payment-ref", "") or ""),
                entry=entry,
            )
        )
    return sorted(out, key=lambda r: (r.date, r.expense))


@dataclass
class PurchaseStatus:
    """A supplier invoice and what is left to pay on it."""

    record: PurchaseRecord
    credited: Decimal = ZERO
    paid: Decimal = ZERO
    owed: Decimal = ZERO  # still to pay (negative: the supplier owes the hub)
    status: str = "open"
    credit_notes: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        r = self.record
        return {
            "expense": r.expense,
            "link": r.link,
            "supplier": r.supplier,
            "supplier_id": r.supplier_id or None,
            "number": r.number,
            "issued": r.issued.isoformat(),
            "booked": r.date.isoformat(),
            "due": r.due.isoformat() if r.due else None,
            "status": self.status,
            "currency": "EUR",
            "total": f"{r.amount:.2f}",
            "vat": f"{r.vat:.2f}",
            "credited": f"{self.credited:.2f}",
            "paid": f"{self.paid:.2f}",
            "outstanding": f"{self.owed:.2f}",
            "participant": r.participant or None,
            "payment_ref": r.payment_ref or None,
            "credit_notes": self.credit_notes,
        }


def purchase_statuses(
    entries: Iterable[data.Directive], config: HubConfig, today: dt.date | None = None
) -> list[PurchaseStatus]:
    """Every supplier invoice with its credit notes and payments."""
    entries = list(entries)
    today = dates.today(today)
    suppliers = config.account("suppliers")
    records = purchase_records(entries)
    by_link = {r.link: PurchaseStatus(r) for r in records if r.kind == "invoice"}
    for r in records:
        if r.kind == "credit-note" and r.link in by_link:
            by_link[r.link].credited += r.amount
            by_link[r.link].credit_notes.append(r.number)
    for entry in entries:
        if not isinstance(entry, data.Transaction) or not entry.links:
            continue
        for link in entry.links:
            status = by_link.get(link)
            if status is None:
                continue
            for p in entry.postings:
                if p.account == suppliers and p.units is not None and p.units.number is not None:
                    status.owed -= p.units.number
    for s in by_link.values():
        s.paid = s.record.amount - s.credited - s.owed
        s.status = _status(s, today)
    return sorted(by_link.values(), key=lambda s: (s.record.date, s.record.expense))


def _status(s: PurchaseStatus, today: dt.date) -> str:
    if s.owed < 0:
        return "refund-due"
    if s.owed == 0:
        return "paid" if s.paid > 0 else "credited"
    if s.record.due is not None and today > s.record.due:
        return "overdue"
    return "partly-paid" if s.paid > 0 else "open"


def select(statuses: Iterable[PurchaseStatus], wanted: str | None) -> list[PurchaseStatus]:
    if not wanted:
        return list(statuses)
    return [s for s in statuses if s.status in FILTERS[wanted]]
