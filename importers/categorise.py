"""Where a bank movement goes: a pure function of the movement, the settings and the books.

:func:`categorise` decides, for one movement, the other side of its booking:

1. a structured communication (OGM) — given as such, or typed ``+++…+++`` in the free
   text — that belongs to an issued invoice: the clients receivable, with the invoice's
   ``^inv-`` link (the entry the accounting model calls "client payment"). A batch (a
   movement with details) stays one booking: reconciliation settles the invoices its
   details pay from the suspense account;
2. the first ``[[import_rules]]`` of ``hub.toml`` that matches (counterparty IBAN, or a
   text contained in the communication or the counterparty's name);
3. otherwise the suspense account, flagged ``!`` for review. Reconciliation
   (:mod:`ledger.money.reconcile`) later settles what it can from there.

Reconciliation extends this by settling suspense lines; nothing here writes anything.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from beancount.core import data

from importers.model import Movement
from importers.settings import ImportSettings, Rule
from importers.text import iban_or_none, ogm_in_text
from ledger.i18n import _
from ledger.view import InvoiceRef, invoices_by_ogm

HOW_INVOICE = "invoice"
HOW_RULE = "rule"
HOW_SUSPENSE = "suspense"


@dataclass(frozen=True)
class Booking:
    """One transaction's worth of a movement: amount on the bank, and the other side."""

    amount: Decimal
    account: str
    flag: str
    narration: str
    how: str
    links: frozenset[str] = frozenset()
    meta: Mapping[str, Any] = field(default_factory=dict)
    part: str | None = None  # the detail this booking is, when a movement is split
    ogm: str | None = None

    @property
    def matched(self) -> bool:
        return self.how != HOW_SUSPENSE


def issued_invoices(entries: Iterable[data.Directive]) -> dict[str, InvoiceRef]:
    """Issued invoices by their OGM (12 digits), from the books' one rule."""
    return invoices_by_ogm(entries)


def _invoice_booking(
    amount: Decimal, invoice: InvoiceRef, settings: ImportSettings, part: str | None = None
) -> Booking:
    meta: dict[str, Any] = {"invoice": invoice.number}
    if invoice.participant:
        meta["participant"] = invoice.participant
    return Booking(
        amount=amount,
        account=settings.clients,
        flag="*",
        narration=_("Payment for invoice {number}", number=invoice.number).shown(settings.lang),
        how=HOW_INVOICE,
        links=frozenset({invoice.link}),
        meta=meta,
        part=part,
        ogm=invoice.ogm,
    )


def movement_ogm(movement: Movement) -> str | None:
    """The movement's OGM: structured, else written ``+++…+++`` in the communication."""
    return movement.ogm or ogm_in_text(movement.communication)


def matching_rule(movement: Movement, rules: Iterable[Rule]) -> Rule | None:
    """The first rule that matches the movement, if any."""
    iban = iban_or_none(movement.counterparty_account)
    text = f"{movement.communication} {movement.counterparty_name or ''}".casefold()
    for rule in rules:
        if rule.counterparty_iban and iban and rule.counterparty_iban == iban:
            return rule
        if rule.contains and rule.contains.casefold() in text:
            return rule
    return None


def categorise(
    movement: Movement, settings: ImportSettings, invoices: Mapping[str, InvoiceRef]
) -> tuple[Booking, ...]:
    """The bookings of one movement (one: a batch is settled detail by detail later)."""
    ogm = movement_ogm(movement)
    invoice = invoices.get(ogm) if ogm else None
    if invoice is not None and movement.amount > 0:
        return (_invoice_booking(movement.amount, invoice, settings),)
    rule = matching_rule(movement, settings.rules)
    if rule is not None:
        return (
            Booking(
                amount=movement.amount,
                account=rule.account,
                flag="*",
                narration=rule.narration
                or _("Bank movement to {account} (import rule)", account=rule.account).shown(
                    settings.lang
                ),
                how=HOW_RULE,
                ogm=movement.ogm,
            ),
        )
    narration = _("Money in, to review") if movement.amount > 0 else _("Money out, to review")
    return (
        Booking(
            amount=movement.amount,
            account=settings.suspense,
            flag="!",
            narration=narration.shown(settings.lang),
            how=HOW_SUSPENSE,
            ogm=movement.ogm,
        ),
    )
