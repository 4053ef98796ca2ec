"""Invoice invariants, checked on every load.

Numbers are gapless and in date order within each series, never used twice, and every
credit note refers to an invoice that exists. The rules live with the invoicing code
(:mod:`invoicing.plugin_checks`) so that issuing and checking cannot disagree.
"""

from __future__ import annotations

from typing import Any

from beancount.core import data

from invoicing.plugin_checks import check_invoice_entries

__plugins__ = ("check_invoices",)


def check_invoices(
    entries: list[data.Directive], options_map: dict[str, Any], config: str | None = None
) -> tuple[list[data.Directive], list[Any]]:
    return entries, list(check_invoice_entries(entries))
