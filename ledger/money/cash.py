"""The cash box: sales and invoice payments in cash, withdrawals and deposits, counts.

Every movement of the cash box that is not a payout (``PO-…``) or a cost (``EXP-…``) gets
an id of the cash book, ``CASH-<year>-<n>`` (link ``^cash-…``). Entries (see
``docs/accounting-model.md``):

* a **cash sale** (``kind: "cash-sale"``): the money is received at once, so the sale, the
  participant's share, the contribution (rate of the day) and what she owes the hub are
  booked together: ``cash T / Ventes -N / TVA -V / Quote-part N / held -(N − c) /
  Contribution -c``;
* an invoice **paid in cash** (``kind: "cash-receipt"``, links ``^cash-…`` and ``^inv-…``):
  ``cash A / clients -A``, then its allocation exactly as for a bank payment;
* a **withdrawal** from the bank into the cash box (``kind: "cash-transfer"``):
  ``cash A / internal_transfers -A``; the statement's debit is matched to it (``cash-…``),
  so the bank only moves with statements; a **deposit** is the reverse;
* a **count** (``custom "cash-count"`` with the amount counted at the time it is booked: the
  movements of its day booked before it, ``docs/reconciliation.md``) and,
  when the books say otherwise, the difference (``kind: "cash-difference"``) to
  ``cash_shortfall`` (64) or ``cash_surplus`` (74). ``plugins.money`` checks on every load
  that the cash box held exactly what was counted.

Nothing may take the cash box below zero on any day from its date on.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from beancount.core import data
from beancount.core.amount import Amount
from beancount.parser.grammar import ValueType

from ledger.books import Books
from ledger.config import HubConfig
from ledger.dates import booking_date
from ledger.entries import (
    ZERO,
    clean_text,
    id_link,
    next_id,
    parse_amount,
    parse_rate,
    posting,
    q2,
    transaction,
)
from ledger.errors import InputError, typed
from ledger.i18n import _, hub_lang
from ledger.money.contributions import contribution_for
from ledger.money.recall import with_recalled
from ledger.money.reconcile.booking import allocation_entries, recovery
from ledger.money.reconcile.state import State, check_cash
from ledger.participants import require_open_participant
from ledger.privacy.guard import TextGuard
from ledger.view import View

KIND = "cash"
COUNT = "cash-count"


def new_cash_id(entries: list[data.Directive], day: dt.date) -> str:
    """The next id of the cash book (``CASH-<year>-<n>``)."""
    return next_id(entries, "cash", "CASH", day.year)


# ---------------------------------------------------------------- entries (pure)


def sale_entry(
    state: State, cash_id: str, code: str, amount: Decimal, day: dt.date, description: str,
    vat_rate: Decimal | None = None,
) -> data.Transaction:  # fmt: skip
    """A participant's sale paid in cash on the spot (see the module's docstring)."""
    cfg = state.config
    standard = cfg.hub.vat_regime == "standard"
    if vat_rate is not None and vat_rate != 0 and not standard:
        raise InputError(
            _(
                "--vat-rate {vat_rate}: the hub's VAT regime is {vat_regime}, it charges no VAT",
                vat_rate=vat_rate,
                vat_regime=cfg.hub.vat_regime,
            )
        )
    if standard and vat_rate is None:
        raise InputError(_("--vat-rate is required: the hub charges VAT (e.g. --vat-rate 21)"))
    rate = vat_rate or ZERO
    vat = q2(amount * rate / (100 + rate)) if standard else ZERO
    net = amount - vat
    contrib = contribution_for(cfg, code, day, net)
    held = cfg.account("participant_held", code)
    meta: dict[str, Any] = {
        "kind": "cash-sale",
        "cash": cash_id,
        "participant": code,
        "amount": amount,
        "vat-rate": rate if standard else None,
        "vat": vat if standard else None,
        **contrib.meta(),
    }
    postings = [
        posting(cfg.account("cash"), amount),
        posting(cfg.account("participant_sales", code), -net),
    ]
    if vat:
        postings.append(posting(cfg.account("vat_payable"), -vat))
    postings += [posting(cfg.account("participant_share", code), net), posting(held, -net)]
    if contrib.amount:
        postings += [
            posting(held, contrib.amount),
            posting(cfg.account("participant_contribution", code), -contrib.amount),
        ]
    postings += recovery(state, code, day, net - contrib.amount, meta)
    narration = _(
        "Cash sale {cash_id} ({code}): {description}",
        cash_id=cash_id,
        code=code,
        description=description,
    ).shown(hub_lang(cfg.invoicing.default_lang))
    return transaction(day, narration, postings, meta, {id_link(cash_id)})


def receipt_entries(
    state: State, cash_id: str, inv_link: str, amount: Decimal | None, day: dt.date
) -> list[data.Transaction]:
    """An invoice paid in cash: the receipt and its allocation (folded into ``state``)."""
    cfg = state.config
    inv = state.invoices.get(inv_link)
    if inv is None:
        raise InputError(_("no invoice {inv_link} in the books", inv_link=inv_link[4:]))
    if inv.open <= 0:
        raise InputError(_("invoice {number} has nothing left to pay", number=inv.number))
    amount = inv.open if amount is None else amount
    if amount > inv.open:
        raise InputError(
            _(
                "{amount} EUR is more than the {open} EUR still due on invoice {number}",
                amount=amount,
                open=inv.open,
                number=inv.number,
            )
        )
    if day < inv.date:
        raise InputError(
            _("--date {day} is before invoice {number}", day=day.isoformat(), number=inv.number)
        )
    meta = {
        "kind": "cash-receipt",
        "cash": cash_id,
        "invoice": inv.number,
        "participant": inv.participant or None,
        "amount": amount,
    }
    receipt = transaction(
        day,
        _("Invoice {number} paid in cash ({cash_id})", number=inv.number, cash_id=cash_id).shown(
            hub_lang(cfg.invoicing.default_lang)
        ),
        [posting(cfg.account("cash"), amount), posting(cfg.account("clients"), -amount)],
        meta,
        {id_link(cash_id), inv_link},
    )
    state.add(receipt)
    allocations = allocation_entries(state)
    if not any(_links_to(a, inv_link) for a in allocations) and inv.participant:
        raise InputError(
            _(
                "invoice {number}: the payment cannot be credited to its participant",
                number=inv.number,
            )
        )
    return [receipt, *allocations]


def _links_to(entry: data.Transaction, link: str) -> bool:
    return link in (entry.links or ())


def transfer_entry(
    state: State, cash_id: str, amount: Decimal, day: dt.date, direction: str
) -> data.Transaction:
    """Cash taken from the bank into the cash box (``withdraw``) or put back (``deposit``)."""
    cfg = state.config
    sign = Decimal(1) if direction == "withdraw" else Decimal(-1)
    if direction == "deposit":
        check_cash(state, amount, day, _("deposit"))
    what = _("withdrawn from the bank") if direction == "withdraw" else _("deposited at the bank")
    return transaction(
        day,
        _("Cash {cash_id}: {amount} EUR {what}", cash_id=cash_id, amount=amount, what=what).shown(
            hub_lang(cfg.invoicing.default_lang)
        ),
        [
            posting(cfg.account("cash"), sign * amount),
            posting(cfg.account("internal_transfers"), -sign * amount),
        ],
        {"kind": "cash-transfer", "cash": cash_id, "direction": direction, "amount": amount},
        {id_link(cash_id)},
    )


def count_entries(
    state: State, cash_id: str, counted: Decimal, day: dt.date
) -> list[data.Directive]:
    """A count of the cash box on ``day``, now: the difference with what the books say at
    this point (everything booked so far up to that day; what is booked later that day is
    after the count, as ``plugins.money`` checks it)."""
    cfg = state.config
    books_say = state.cash.balance("cash", day)
    difference = counted - books_say
    if difference < 0:
        check_cash(state, -difference, day, _("cash count"))
    meta = data.new_metadata(
        "<coopledger>",
        0,
        {"kind": "cash-count", "cash": cash_id, "books": books_say, "difference": difference},
    )
    out: list[data.Directive] = [
        data.Custom(
            meta, day, COUNT, [ValueType(cash_id, str), ValueType(Amount(counted, "EUR"), Amount)]
        )
    ]
    if difference:
        other = cfg.account("cash_shortfall" if difference < 0 else "cash_surplus")
        what = _("short") if difference < 0 else _("over")
        out.append(
            transaction(
                day,
                _(
                    "Cash count {cash_id}: {difference} EUR {what} (counted {counted} EUR, "
                    "the books said {books_say} EUR)",
                    cash_id=cash_id,
                    difference=abs(difference),
                    what=what,
                    counted=counted,
                    books_say=books_say,
                ).shown(hub_lang(cfg.invoicing.default_lang)),
                [posting(cfg.account("cash"), difference), posting(other, -difference)],
                {"kind": "cash-difference", "cash": cash_id, "counted": counted},
                {id_link(cash_id)},
            )
        )
    return out


def refund_entry(
    state: State, cash_id: str, number: str, amount: Decimal | None, day: dt.date
) -> data.Transaction:
    """Money owed back to a client (a credit note on an invoice paid, an overpayment) paid
    back from the cash box: the refund due is settled, the cash box never below zero."""
    wanted = number.strip()
    found = [
        p for p in state.pending.values()
        if p.kind == "refund" and p.open < 0
        and wanted in (
            p.credit_note, p.link, p.link.upper(),
            state.invoices[p.invoice].number if p.invoice in state.invoices else "",
        )
    ]  # fmt: skip
    if not found:
        raise InputError(
            _(
                "nothing is due to refund for {number} (give the credit note or invoice "
                "number, or a refund id: 'coopledger invoice show INVOICE' lists the "
                "refunds due on an invoice)",
                number=typed(number),
            )
        )
    if len(found) > 1:
        raise InputError(
            _(
                "{count} refunds are due for {number}: give the credit note number "
                "or the refund id ({ids})",
                count=len(found),
                number=typed(number),
                ids=", ".join(sorted(p.link for p in found)),
            )
        )
    (pend,) = found
    if day < pend.date:  # nothing is refunded before it is due
        raise InputError(
            _(
                "--date {day} is before the refund was due ({due_on}, {link}): a refund is "
                "paid once it is due",
                day=day.isoformat(),
                due_on=pend.date.isoformat(),
                link=pend.link,
            )
        )
    due = -pend.open
    amount = due if amount is None else amount
    if amount > due:
        raise InputError(
            _(
                "AMOUNT: {amount} EUR is more than the {due} EUR due on {link}",
                amount=amount,
                due=due,
                link=pend.link,
            )
        )
    check_cash(state, amount, day, _("cash refund"))
    cfg = state.config
    what = (
        _("credit note {credit_note}", credit_note=pend.credit_note)
        if pend.credit_note
        else pend.link.upper()
    )
    return transaction(
        day,
        _(
            "Cash {cash_id}: {amount} EUR refunded to the client in cash ({what})",
            cash_id=cash_id,
            amount=amount,
            what=what,
        ).shown(hub_lang(cfg.invoicing.default_lang)),
        [posting(cfg.account("refunds_due"), amount), posting(cfg.account("cash"), -amount)],
        {"kind": "cash-refund", "cash": cash_id, "refund": pend.link.upper(), "amount": amount},
        {id_link(cash_id), pend.link},
    )


def book_refund(
    books: Books, number: str, amount_text: str | None = None, day: dt.date | None = None,
    today: dt.date | None = None,
) -> dict[str, Any]:  # fmt: skip
    """``coopledger cash refund NUMBER``: a refund due to a client paid from the cash box."""
    amount = parse_amount(amount_text) if amount_text is not None else None
    day = booking_date(day, today)
    with books.transaction("cash: refund") as tx:
        entries = tx.ledger.entries
        cash_id = new_cash_id(entries, day)
        entry = refund_entry(State.of(entries, books.config), cash_id, number, amount, day)
        tx.add_entries([entry], kind=KIND)
        tx.message = f"cash: refund {cash_id}"
    return {"cash": cash_id, "refund": entry.meta["refund"], "amount": entry.meta["amount"],
            "date": day}  # fmt: skip


def cash_book(entries: list[data.Directive], config: HubConfig) -> list[dict[str, Any]]:
    """Every movement of the cash box with the balance after it, in date order."""
    return [
        {"date": m.date, "id": m.id, "kind": m.kind, "amount": m.amount, "balance": m.counted,
         "description": m.description}
        for m in View.of(entries, config).cash_book()
    ]  # fmt: skip


# ---------------------------------------------------------------- commands (write path)


def book_sale(
    books: Books, code: str, amount_text: str, description: str | None,
    vat_rate: str | None = None, day: dt.date | None = None, today: dt.date | None = None,
) -> dict[str, Any]:  # fmt: skip
    """``coopledger cash sale CODE AMOUNT``."""
    amount = parse_amount(amount_text)
    what = clean_text(description, "--description") or _("sold in cash").shown(
        hub_lang(books.config.invoicing.default_lang)
    )  # the books' words are the hub's language
    TextGuard.for_books(books).check(what, "--description")  # it enters the books
    rate = _rate(vat_rate)
    day = booking_date(day, today)
    with books.transaction("cash: sale") as tx:
        entries = tx.ledger.entries
        require_open_participant(entries, books.config, code, on=day)
        cash_id = new_cash_id(entries, day)
        entry = sale_entry(State.of(entries, books.config), cash_id, code, amount, day, what, rate)
        tx.add_entries([entry], kind=KIND)
        tx.message = f"cash: sale {cash_id} ({code})"
    return {"cash": cash_id, "participant": code, "amount": amount, "date": day,
            "contribution": entry.meta["contribution"]}  # fmt: skip


def _rate(text: str | Decimal | None) -> Decimal | None:
    if text is None:
        return None
    rate = parse_rate(text, "--vat-rate")
    if rate not in (Decimal(0), Decimal(6), Decimal(12), Decimal(21)):
        raise InputError(_("--vat-rate: Belgian rates are 0, 6, 12 and 21"))
    return rate


def pay_invoice(
    books: Books, number: str, amount_text: str | None = None, day: dt.date | None = None,
    today: dt.date | None = None,
) -> dict[str, Any]:  # fmt: skip
    """``coopledger invoice pay NUMBER --cash``: money received in cash for an invoice."""
    amount = parse_amount(amount_text) if amount_text is not None else None
    day = booking_date(day, today)
    with books.transaction(f"cash: invoice {number} paid in cash") as tx:
        entries = with_recalled(tx, [number])  # an invoice settled in a closed year too
        state = State.of(entries, books.config)
        link = next((i.link for i in state.invoices.values() if i.number == number.strip()), "")
        if not link:
            raise InputError(
                _("unknown invoice {number} (see 'coopledger invoice list')", number=typed(number))
            )
        cash_id = new_cash_id(entries, day)
        new = receipt_entries(state, cash_id, link, amount, day)
        tx.add_entries(new, kind=KIND)
        tx.message = f"cash: invoice {number} paid in cash ({cash_id})"
    return {"cash": cash_id, "invoice": number.strip(), "amount": new[0].meta["amount"],
            "date": day}  # fmt: skip


def book_transfer(
    books: Books, direction: str, amount_text: str, day: dt.date | None = None,
    today: dt.date | None = None,
) -> dict[str, Any]:  # fmt: skip
    """``coopledger cash withdraw|deposit AMOUNT``."""
    amount = parse_amount(amount_text)
    day = booking_date(day, today)
    with books.transaction(f"cash: {direction}") as tx:
        entries = tx.ledger.entries
        cash_id = new_cash_id(entries, day)
        entry = transfer_entry(State.of(entries, books.config), cash_id, amount, day, direction)
        tx.add_entries([entry], kind=KIND)
        tx.message = f"cash: {direction} {cash_id}"
    return {"cash": cash_id, "direction": direction, "amount": amount, "date": day}


def book_count(
    books: Books, counted_text: str, day: dt.date | None = None, today: dt.date | None = None
) -> dict[str, Any]:
    """``coopledger cash count AMOUNT``: what the cash box holds now (on ``day``)."""
    counted = parse_amount(counted_text, "counted amount", allow_zero=True)
    day = booking_date(day, today)
    with books.transaction("cash: count") as tx:
        entries = tx.ledger.entries
        cash_id = new_cash_id(entries, day)
        new = count_entries(State.of(entries, books.config), cash_id, counted, day)
        tx.add_entries(new, kind=KIND)
        tx.message = f"cash: count {cash_id}"
    meta = new[0].meta
    return {"cash": cash_id, "date": day, "counted": counted, "books": meta["books"],
            "difference": meta["difference"]}  # fmt: skip
