"""Invoice invariants, checked on every load.

Numbers are gapless and in date order within each series, never used twice, and every
credit note refers to an invoice that exists; supplier documents are booked once and a
supplier credit note offsets an invoice of its supplier; delivery records name issued
documents. The rules live with the invoicing code (:mod:`plugins.rules.invoices`,
:mod:`plugins.rules.purchases`) so that issuing and checking cannot disagree.
"""

from __future__ import annotations

from typing import Any

from beancount.core import data

from plugins.rules.invoices import check_invoice_entries
from plugins.rules.purchases import check_deliveries, check_purchases

__plugins__ = ("check_invoices",)


def check_invoices(
    entries: list[data.Directive], options_map: dict[str, Any], config: str | None = None
) -> tuple[list[data.Directive], list[Any]]:
    errors: list[Any] = list(check_invoice_entries(entries))
    errors += check_purchases(entries)
    errors += check_deliveries(entries)
    return entries, errors
