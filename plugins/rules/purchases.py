"""Invariants of supplier documents and of delivery records, checked on every load
(run by ``plugins.invoices``; pure functions over the entries).

Supplier documents (costs with ``purchase`` metadata):

* each carries ``supplier-doc``, ``document-sha256``, a supplier identity
  (``supplier-id`` or ``supplier-vat``) and exactly one ``^exp-`` link;
* no document is booked twice: neither the same file (its SHA-256) nor the same number of
  the same kind from the same supplier;
* a credit note carries the link of a supplier invoice of the same supplier, names it in
  ``credits``, and the credit notes of an invoice never add up to more than the invoice.

Delivery records (``custom "peppol-delivery"``): each names an issued invoice or credit
note by number and link, with a known status and route.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any, NamedTuple

from beancount.core import data

from ledger.i18n import _
from ledger.view import issued_documents, link_safe
from ledger.view.deliveries import DELIVERY_TYPE, ROUTES, STATUSES
from ledger.view.purchases import purchase_records
from plugins.rules.invoices import KIND_WORDS


class CheckError(NamedTuple):
    source: dict[str, Any]
    message: str
    entry: Any


def check_purchases(entries: Iterable[data.Directive]) -> list[CheckError]:
    entries = list(entries)
    errors: list[CheckError] = []
    records = purchase_records(entries)
    by_sha: dict[str, Any] = {}
    by_number: dict[tuple[str, str, str], Any] = {}
    invoices = {r.link: r for r in records if r.kind == "invoice"}
    credited: dict[str, Decimal] = {}

    def error(r: Any, message: str) -> None:
        errors.append(CheckError(r.entry.meta, message, r.entry))

    for r in records:
        links = [lk for lk in r.entry.links or () if lk.startswith("exp-")]
        missing = [
            k for k, v in (("supplier-doc", r.number), ("document-sha256", r.sha256)) if not v
        ]
        if not (r.supplier_id or r.supplier_vat):
            missing.append("supplier-id")
        if missing or len(links) != 1:
            error(
                r,
                _(
                    "supplier document {expense}: missing {links}",
                    expense=r.expense,
                    links=", ".join(missing) or _("its one ^exp- link"),
                ),
            )
            continue
        first = by_sha.get(r.sha256)
        if first is not None:
            error(
                r,
                _(
                    "supplier document {expense}: the same file as {first} is booked twice",
                    expense=r.expense,
                    first=first.expense,
                ),
            )
        by_sha.setdefault(r.sha256, r)
        for who in filter(None, (r.supplier_id.lower(), r.supplier_vat.upper())):
            key = (who, r.kind, r.number)
            other = by_number.get(key)
            if other is not None and other is not r:
                error(
                    r,
                    _(
                        "supplier {kind} {number} is booked twice ({other} and {expense})",
                        kind=KIND_WORDS.get(r.kind, r.kind),
                        number=r.number,
                        other=other.expense,
                        expense=r.expense,
                    ),
                )
                break
            by_number[key] = r
        if r.kind == "credit-note":
            inv = invoices.get(r.link)
            if (
                inv is None
                or inv.number != r.credits
                or not (inv.same_supplier(r.supplier_id.lower(), r.supplier_vat))
            ):
                error(
                    r,
                    _(
                        "supplier credit note {number} ({expense}) does not carry the link "
                        "of its invoice {invoice}",
                        number=r.number,
                        expense=r.expense,
                        invoice=r.credits or "?",
                    ),
                )
                continue
            credited[r.link] = credited.get(r.link, Decimal(0)) + r.amount
            if credited[r.link] > inv.amount:
                error(
                    r,
                    _(
                        "supplier credit notes on {expense} credit more than the invoice "
                        "({amount} EUR)",
                        expense=inv.expense,
                        amount=inv.amount,
                    ),
                )
    return errors


def check_deliveries(entries: Iterable[data.Directive]) -> list[CheckError]:
    entries = list(entries)
    issued = {r.number: r for r in issued_documents(entries)}
    errors = []
    for entry in entries:
        if not isinstance(entry, data.Custom) or entry.type != DELIVERY_TYPE:
            continue
        values = [v.value for v in entry.values]
        meta = entry.meta or {}
        if len(values) < 2 or not all(isinstance(v, str) for v in values[:2]):
            errors.append(
                CheckError(
                    meta, _("peppol-delivery: needs the document number and its status"), entry
                )
            )
            continue
        number, status = str(values[0]), str(values[1])
        ref = issued.get(number)
        if ref is None:
            errors.append(
                CheckError(
                    meta, _("peppol-delivery: no issued document {number}", number=number), entry
                )
            )
            continue
        prefix = "inv-" if ref.kind == "invoice" else "cn-"
        if meta.get("document") != prefix + link_safe(number):
            errors.append(
                CheckError(
                    meta,
                    _(
                        "peppol-delivery of {number}: document must be {prefix}",
                        number=number,
                        prefix=prefix + link_safe(number),
                    ),
                    entry,
                )
            )
        if status not in STATUSES or meta.get("route") not in ROUTES:
            errors.append(
                CheckError(
                    meta,
                    _("peppol-delivery of {number}: unknown status or route", number=number),
                    entry,
                )
            )
    return errors
