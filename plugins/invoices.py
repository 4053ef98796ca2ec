"""Invoice invariants (filled in with the invoicing package's checks)."""

from __future__ import annotations

from typing import Any

from beancount.core import data

__plugins__ = ("check_invoices",)


def check_invoices(
    entries: list[data.Directive], options_map: dict[str, Any], config: str | None = None
) -> tuple[list[data.Directive], list[Any]]:
    try:
        from invoicing.plugin_checks import check_invoice_entries
    except ImportError:
        return entries, []
    return entries, list(check_invoice_entries(entries))
