"""The Invoices page in Fava: every invoice and credit note, its status, its delivery and
its files, and a page for each invoice.

Statuses are those of ``invoice list`` (:func:`invoicing.status.statuses` on the books'
fold), on the last day of Fava's period: open, partly paid, paid, overdue (with the days
since the due date) or credited. The delivery is the latest recorded step of
:mod:`ledger.view.deliveries` (Peppol, the outbox or the PDF route). Clients are shown by
their reference (``C0003``), participants by their code.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from fava.ext import extension_endpoint
from flask import Response, request

from invoicing.status import InvoiceStatus, statuses
from ledger.view import View
from ledger.view.deliveries import Delivery, current, delivery_json, history
from reports import fava_page
from reports.fava_page import F_, INVOICE_STATUS_TEXTS, ZERO, FileLink, Scope, documents_by_link

DELIVERY_TEXTS = {
    "queued": F_("queued"), "sent": F_("sent"), "delivered": F_("delivered"),
    "rejected": F_("rejected"), "not-on-peppol": F_("client not on Peppol"),
    "pdf-only": F_("PDF only"), "unsent": F_("not sent yet"),
}  # fmt: skip
PAYMENT_TEXTS = {
    "payment": F_("bank payment"), "settlement": F_("bank payment (reconciled)"),
    "cash-sale": F_("cash"), "credit-reversal": F_("credit note after payment"),
    "other": F_("other"),
}  # fmt: skip
ROUTE_TEXTS = {"peppol": F_("Peppol"), "outbox": F_("outbox"), "pdf": F_("PDF")}


@dataclass
class Row:
    """An invoice or a credit note as the page lists it."""

    kind: str  # invoice | credit-note
    number: str
    date: dt.date
    client: str
    participant: str
    total: Decimal  # what the client was asked (a credit note: what it takes off)
    outstanding: Decimal = ZERO
    status: str = ""
    due: dt.date | None = None
    days_overdue: int = 0
    invoice: str = ""  # a credit note: the invoice it corrects
    delivery: str = ""
    files: list[FileLink] = field(default_factory=list)


class Invoices(fava_page.CoopPage):
    """Every invoice and credit note, and a page for each invoice."""

    title = F_("Invoices")

    def data(self) -> dict[str, Any]:
        scope = self.scope()
        if self.hub is None:
            return {"scope": scope, "rows": [], "totals": {}}
        view = self.view(scope.end)
        rows = [r for r in self.rows(view, scope) if scope.in_period(r.date)]
        invoices = [r for r in rows if r.kind == "invoice"]
        totals = {
            "count": len(invoices),
            "credit_notes": len(rows) - len(invoices),
            "total": sum((r.total for r in invoices), ZERO),
            "outstanding": sum((r.outstanding for r in invoices), ZERO),
            "overdue": sum(1 for r in invoices if r.status == "overdue"),
        }
        return {"scope": scope, "rows": rows, "totals": totals}

    def rows(self, view: View, scope: Scope) -> list[Row]:
        """Every invoice (with its status on the period's last day) and credit note that
        Fava's account and advanced filters keep, in date and number order."""
        on = scope.as_of(self.today())
        sent = current(self.entries())
        files = self.files()
        out = []
        for s in statuses(view, on):
            links = [f"inv-{s.number}"]
            if not scope.keeps(links=links, code=s.participant, accounts=self._accounts(s)):
                continue
            out.append(
                Row(
                    kind="invoice", number=s.number, date=s.date, client=s.client,
                    participant=s.participant, total=s.total, outstanding=s.outstanding,
                    status=s.status, due=s.due,
                    days_overdue=(on - s.due).days if s.status == "overdue" and s.due else 0,
                    delivery=self.delivery(sent.get(s.number), files.get(f"inv-{s.number}", [])),
                    files=files.get(f"inv-{s.number}", []),
                )
            )  # fmt: skip
        for doc in view.documents:
            if doc.kind != "credit-note":
                continue
            meta = doc.entry.meta
            invoice = str(meta.get("invoice", "") or "")
            code = str(meta.get("participant", "") or "")
            links = sorted(doc.entry.links or ())
            if not scope.keeps(links=links, code=code):
                continue
            clients = self.hub.account("clients") if self.hub else ""
            amount = -sum(
                (p.units.number for p in doc.entry.postings
                 if p.account == clients and p.units is not None and p.units.number is not None),
                ZERO,
            )  # fmt: skip
            own = files.get(f"cn-{doc.number}", [])
            out.append(
                Row(
                    kind="credit-note", number=doc.number, date=doc.date,
                    client=str(meta.get("client", "") or ""), participant=code, total=amount,
                    status="credit-note", invoice=invoice,
                    delivery=self.delivery(sent.get(doc.number), own), files=own,
                )
            )  # fmt: skip
        return sorted(out, key=lambda r: (r.date, r.kind != "invoice", r.number))

    def _accounts(self, status: InvoiceStatus) -> list[str]:
        if self.hub is None or not status.participant:
            return []
        return [self.hub.account("participant_sales", status.participant)]

    def files(self) -> dict[str, list[FileLink]]:
        """Each document's own files: an invoice's (not its credit notes', which carry its
        link too), a credit note's."""
        docs = documents_by_link(self.entries())
        credit = {d.filename for lk, found in docs.items() if lk.startswith("cn-") for d in found}
        out: dict[str, list[FileLink]] = {}
        for link, found in docs.items():
            if link.startswith("cn-"):
                out[link] = [FileLink.of(d) for d in found]
            elif link.startswith("inv-"):
                out[link] = [FileLink.of(d) for d in found if d.filename not in credit]
        return out

    def delivery(self, step: Delivery | None, files: list[FileLink]) -> str:
        info = delivery_json(step, [f.filename for f in files])
        route = self.t(ROUTE_TEXTS.get(str(info["route"]), str(info["route"])))
        status = self.t(DELIVERY_TEXTS.get(str(info["status"]), str(info["status"])))
        return f"{route}: {status}"

    def status(self, row: Row) -> str:
        if row.kind == "credit-note":
            return self.t("credit note on {invoice}", invoice=row.invoice)
        text = self.t(INVOICE_STATUS_TEXTS[row.status])
        if row.days_overdue:
            return self.t("{status}, {days} days", status=text, days=row.days_overdue)
        return text

    # -- one invoice ---------------------------------------------------------------------

    @extension_endpoint("invoice")  # type: ignore[arg-type]  # Fava types it for its own
    def invoice(self) -> Response:
        """``…/extension/Invoices/invoice?number=2025-0007``: one invoice (404 if the books
        have none of that number)."""
        number = request.args.get("number", "").strip()
        if self.hub is None:
            return self.not_found(self.t("hub.toml could not be read: {error}",
                                         error=self.hub_error))  # fmt: skip
        scope = self.scope()
        view = self.view(scope.end)
        row = next((r for r in self.rows(view, Scope(scope.begin, scope.end))
                    if r.kind == "invoice" and r.number == number), None)  # fmt: skip
        if row is None:  # what was asked is not repeated: it may be anything
            return self.not_found(self.t("These books have no invoice of that number."))
        inv = view.invoices[f"inv-{number}"]
        notes = [r for r in self.rows(view, Scope(scope.begin, scope.end))
                 if r.kind == "credit-note" and r.invoice == number]  # fmt: skip
        steps = history(self.entries()).get(number, [])
        return self.render_page(
            "Invoice.html", self.t("Invoice {number}", number=number), row=row, inv=inv,
            notes=notes, steps=steps, scope=scope,
        )  # fmt: skip

    def payment_kind(self, kind: str) -> str:
        return self.t(PAYMENT_TEXTS.get(kind, PAYMENT_TEXTS["other"]))

    def step(self, step: Delivery) -> str:
        route = self.t(ROUTE_TEXTS.get(step.route, step.route))
        return f"{route}: {self.t(DELIVERY_TEXTS.get(step.status, step.status))}"

    def amount(self, value: str) -> str:
        return self.money(Decimal(value))
