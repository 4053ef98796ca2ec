"""Amounts of a document: line nets, VAT per rate on the total, rounding.

Rounding follows the Belgian rule for e-invoices and EN 16931: each line's net amount is
quantity × unit price rounded to the cent; the VAT of each rate is computed once on the sum
of that rate's line nets and rounded to the cent, half up.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

from invoicing import vat
from invoicing.models import Line, LineInput, Totals, VatGroup
from ledger.config import HubConfig
from ledger.entries import MAX_AMOUNT
from ledger.errors import InputError
from ledger.i18n import _
from ledger.i18n import fmt_rate as fmt_rate  # re-exported

CENT = Decimal("0.01")


def money(value: Decimal) -> Decimal:
    """``value`` rounded to the cent, half up."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def check_rates(config: HubConfig, lines: Sequence[LineInput]) -> None:
    """Refuse a VAT rate the hub's regime does not allow (InputError naming the line)."""
    allowed = vat.allowed_rates(config)
    regime = config.hub.vat_regime
    for i, line in enumerate(lines, start=1):
        if line.vat_rate in allowed:
            continue
        if regime != "standard":
            reason = "art. 44" if regime == "exempt" else "franchise, art. 56bis"
            raise InputError(
                _(
                    "line {i}: VAT rate {rate} % on a VAT-{regime} hub "
                    "({reason}): the hub charges no VAT, use rate 0",
                    i=i,
                    rate=fmt_rate(line.vat_rate),
                    regime=regime,
                    reason=reason,
                )
            )
        raise InputError(
            _(
                "line {i}: unknown VAT rate {rate} % for the standard regime (allowed: {allowed})",
                i=i,
                rate=fmt_rate(line.vat_rate),
                allowed=", ".join(fmt_rate(r) for r in allowed),
            )
        )


def compute(
    config: HubConfig, inputs: Sequence[LineInput], *, credit: bool = False
) -> tuple[tuple[Line, ...], Totals]:
    """Lines with their nets and categories, and the document's totals. An invoice's net
    and total must be positive; a credit note's are checked against the invoice it
    corrects (``invoicing.issue``: a credit of the rest may have a net of zero)."""
    if not inputs:
        raise InputError(_("an invoice needs at least one line (--line or --from)"))
    check_rates(config, inputs)
    lines = tuple(
        Line(
            description=i.description,
            quantity=i.quantity,
            unit_price=i.unit_price,
            vat_rate=i.vat_rate,
            category=vat.category(config, i.vat_rate),
            net=money(i.quantity * i.unit_price),
        )
        for i in inputs
    )
    groups: dict[tuple[str, Decimal], Decimal] = {}
    for line in lines:
        key = (line.category, line.vat_rate.normalize())
        groups[key] = groups.get(key, Decimal("0")) + line.net
    vat_groups = tuple(
        VatGroup(category=cat, rate=rate, base=base, vat=money(base * rate / 100))
        for (cat, rate), base in sorted(groups.items(), key=lambda kv: (-kv[0][1], kv[0][0]))
    )
    net = sum((g.base for g in vat_groups), Decimal("0"))
    tax = sum((g.vat for g in vat_groups), Decimal("0"))
    totals = Totals(net=money(net), vat=money(tax), gross=money(net + tax), groups=vat_groups)
    if totals.gross > MAX_AMOUNT:
        raise InputError(
            _(
                "the lines come to more than {max_amount} {currency}, the most one "
                "invoice may ask: check the quantities and prices",
                max_amount=MAX_AMOUNT,
                currency=config.currency,
            )
        )
    if credit:
        return lines, totals
    if totals.net <= 0:
        raise InputError(
            _(
                "the total excl. VAT must be positive (got {net} {currency}); "
                "to cancel or reduce an invoice, issue a credit note",
                net=totals.net,
                currency=config.currency,
            )
        )
    if totals.gross <= 0:
        raise InputError(
            _(
                "the total must be positive (got {gross} {currency}); "
                "to cancel or reduce an invoice, issue a credit note",
                gross=totals.gross,
                currency=config.currency,
            )
        )
    return lines, totals
