"""The words of invoices and credit notes, from the one catalogue (:mod:`ledger.i18n`).

:data:`LABEL_TEXTS` names, in the source language (English), each text an invoice prints;
:func:`label` gives it in the document's language. Dates, amounts and the register's
name are written by :mod:`ledger.i18n`.
"""

from __future__ import annotations

import functools

from ledger.i18n import LANGS, Message, _, translate

LABEL_TEXTS: dict[str, str] = {
    "invoice": "INVOICE",
    "credit-note": "CREDIT NOTE",
    "number": "Number",
    "date": "Invoice date",
    "credit_date": "Date",
    "due": "Due date",
    "client": "Client",
    "client_id": "Client ref.",
    "enterprise": "Enterprise number",
    "vat_number": "VAT number",
    "description": "Description",
    "quantity": "Quantity",
    "unit_price": "Unit price excl. VAT",
    "rate": "VAT",
    "net": "Amount excl. VAT",
    "breakdown": "VAT breakdown",
    "base": "Taxable amount",
    "vat": "VAT",
    "total_net": "Total excl. VAT",
    "total_vat": "Total VAT",
    "total_gross": "Total incl. VAT",
    "to_pay": "Amount due",
    "to_credit": "Amount credited",
    "payment": "Payment",
    "refund": "To be refunded",
    "refund_text": "Nothing to pay. If this invoice was already paid, the amount credited "
    "will be refunded to the account it was paid from; otherwise it is taken off what is "
    "still due.",
    "payment_text": "Please transfer the amount before the due date to the account below "
    "with the structured communication.",
    "iban": "IBAN",
    "bic": "BIC",
    "ogm": "Structured communication",
    "qr": "Scan with your banking app",
    "refers_to": "Credit note for invoice {number} of {date}",
    "reason": "Reason",
    "seat": "Registered office",
    "legal_form": "Legal form",
    "issuer": "Document issued by {name}, who is the supplier.",
}


@functools.cache
def labels(lang: str) -> dict[str, str]:
    """Every label in ``lang``, read from its catalogue when a document first needs it
    (a process that writes no invoice reads no catalogue for it)."""
    if lang not in LANGS:
        raise KeyError(lang)
    return {key: translate(lang, text, "invoice") for key, text in LABEL_TEXTS.items()}


# A document's kind as a message names it (``invoice INV-2026-000001: …``).
KIND_WORDS = {"invoice": _("invoice"), "credit-note": _("credit-note")}


def kind_word(kind: str) -> Message | str:
    """``invoice`` or ``credit-note`` as a message names it, shown in the user's language."""
    return KIND_WORDS.get(kind, kind)


def label(lang: str, key: str, **fields: str) -> str:
    """A label in ``lang``, with ``{fields}`` filled in."""
    text = labels(lang)[key]
    return text.format(**fields) if fields else text
