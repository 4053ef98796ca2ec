"""The postings an issued document books, and where its files live: what the entries of
an issue (:mod:`invoicing.entries`) and the check of an issued entry against its record
(:mod:`invoicing.integrity`, on every ``books check``) share, without the document model
(pydantic, stdnum) that only an issue needs."""

from __future__ import annotations

from decimal import Decimal

from beancount.core import data
from beancount.core.amount import Amount

from ledger.config import HubConfig

DOCUMENTS_DIR = "documents/invoices"


def _posting(account: str, number: Decimal, currency: str) -> data.Posting:
    return data.Posting(account, Amount(number, currency), None, None, None, None)


def document_postings(
    config: HubConfig, kind: str, participant: str, net: Decimal, vat: Decimal,
    vat_owed: bool | None = None,
) -> list[data.Posting]:  # fmt: skip
    """The postings of an invoice (or, reversed, of a credit note) of ``net`` excl. VAT.
    ``vat_owed``: whether the VAT goes to the VAT account (by default, whether the hub's
    regime is the standard one today; a document issued under another regime says so)."""
    sign = Decimal(1) if kind == "invoice" else Decimal(-1)
    cur = config.currency
    postings = [
        _posting(config.account("clients"), sign * (net + vat), cur),
        _posting(config.account("participant_sales", participant), -sign * net, cur),
    ]
    if vat_owed is None:
        vat_owed = config.hub.vat_regime == "standard"
    if vat_owed and vat != 0:
        postings.append(_posting(config.account("vat_payable"), -sign * vat, cur))
    if net != 0:
        postings += [
            _posting(config.account("participant_share", participant), sign * net, cur),
            _posting(config.account("participant_pending", participant), -sign * net, cur),
        ]
    return postings
