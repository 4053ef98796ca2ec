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
    vat_owed: bool | None = None, hub_bears: bool = False,
) -> list[data.Posting]:  # fmt: skip
    """The postings of an invoice (or, reversed, of a credit note) of ``net`` excl. VAT.
    ``vat_owed``: whether the VAT goes to the VAT account (by default, whether the hub's
    regime is the standard one today; a document issued under another regime says so).
    ``hub_bears`` (a credit note on the invoice of a participant closed since): the sales
    credited are the hub's own (``sales``, 70), and no share of hers is touched — her
    accounts are closed, and what she was paid for the credited part stays paid."""
    sign = Decimal(1) if kind == "invoice" else Decimal(-1)
    cur = config.currency
    hubs = hub_bears and kind == "credit-note"
    sales = config.account("sales") if hubs else config.account("participant_sales", participant)
    postings = [
        _posting(config.account("clients"), sign * (net + vat), cur),
        _posting(sales, -sign * net, cur),
    ]
    if vat_owed is None:
        vat_owed = config.hub.vat_regime == "standard"
    if vat_owed and vat != 0:
        postings.append(_posting(config.account("vat_payable"), -sign * vat, cur))
    if net != 0 and not hubs:
        postings += [
            _posting(config.account("participant_share", participant), sign * net, cur),
            _posting(config.account("participant_pending", participant), -sign * net, cur),
        ]
    return postings
