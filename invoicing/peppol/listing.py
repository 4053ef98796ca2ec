"""Credit notes and credited invoices as ``invoice list``, ``invoice show`` and
``invoice send`` see them: every issued credit note with its delivery (the fold's
delivery records, :mod:`ledger.view.deliveries`), and the invoices their credit notes
cancel whole (not sent again without ``--even-if-credited``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from beancount.core import data

from invoicing import numbering
from invoicing.status import invoice_statuses
from ledger.config import HubConfig
from ledger.i18n import _
from ledger.view.deliveries import Delivery, current, delivery_json, delivery_text


@dataclass(frozen=True)
class CreditNoteRow:
    """An issued credit note as ``invoice list`` shows it, with its delivery."""

    number: str
    date: dt.date
    invoice: str
    total: Decimal
    participant: str
    client: str
    documents: tuple[str, ...]
    step: Delivery | None

    def as_json(self) -> dict[str, Any]:
        return {
            "kind": "credit-note",
            "number": self.number,
            "date": self.date.isoformat(),
            "invoice": self.invoice,
            "currency": "EUR",
            "total": f"{self.total:.2f}",
            "participant": self.participant,
            "client": self.client,
            "documents": list(self.documents),
            "delivery": delivery_json(self.step, self.documents, self.number),
        }

    def text(self) -> str:
        return _(
            "{number:12} {date}  credit note on {invoice:12} "
            "{total:>10.2f} EUR  {participant}  {client}  "
            "{delivery_text}",
            number=self.number,
            date=self.date.isoformat(),
            invoice=self.invoice,
            total=self.total,
            participant=self.participant,
            client=self.client,
            delivery_text=delivery_text(self.step, self.documents),
        )


def credit_note_rows(entries: Iterable[data.Directive], clients: str) -> list[CreditNoteRow]:
    """Every issued credit note, with its total (on ``clients``) and its delivery."""
    entries = list(entries)
    steps = current(entries)
    files: dict[str, list[str]] = {}
    for entry in entries:
        if isinstance(entry, data.Document):
            for link in entry.links or ():
                if link.startswith("cn-"):
                    files.setdefault(link, []).append(entry.filename)
    rows = []
    for ref in numbering.issued(entries):
        if ref.kind != "credit-note":
            continue
        meta = ref.entry.meta
        total = -sum(
            (p.units.number for p in ref.entry.postings
             if p.account == clients and p.units is not None and p.units.number is not None),
            Decimal(0),
        )  # fmt: skip
        link = next((lk for lk in ref.entry.links if lk.startswith("cn-")), "")
        rows.append(CreditNoteRow(
            ref.number, ref.date, str(meta.get("invoice", "")), total,
            str(meta.get("participant", "")), str(meta.get("client", "")),
            tuple(files.get(link, ())), steps.get(ref.number),
        ))  # fmt: skip
    return rows


def credited_in_full(entries: Iterable[data.Directive], config: HubConfig) -> dict[str, list[str]]:
    """The invoices their credit notes cancel whole (number → the credit notes)."""
    return {
        s.number: s.credit_notes
        for s in invoice_statuses(entries, config)
        if s.credited > 0 and s.credited >= s.total
    }
