"""Costs: of a participant's activity, or of the hub itself, with their receipts.

``coopledger expense add`` books (see ``docs/accounting-model.md``):

* a participant's cost paid by the hub: ``Couts K`` and the payment, and the cost is
  charged to what the hub holds for the participant (``held K / Quote-part -K``); when
  that would take the balance held below zero on any day from the cost's date on, it is
  refused — or, with ``--charge-later``, kept as what the participant owes the hub
  (``participant_owed K / Quote-part -K``), recovered from her next client payments;
* paid by the participant out of pocket: ``Couts K / Quote-part -K`` (balance unchanged);
* charged to a grant (``--grant``): the grant pays, the participant's balance is untouched;
* a cost of the hub itself: its own expense account (a role such as ``services`` or
  ``bank_fees``, or an account name).

Paid by bank, the cost is owed to the supplier (``suppliers``, link ``^exp-…``) until the
bank statement shows the debit, which reconciliation then settles, so the bank account is
only ever moved by imported statements. Paid in cash, it leaves ``cash`` at once, and is
refused beyond what the cash box holds on any day from its date on. VAT given
with ``--vat`` is recoverable only for a hub in the standard VAT regime; otherwise it is
part of the cost. A receipt (PDF, PNG or JPEG, checked by content, not by name) is cleaned
of its metadata (:mod:`ledger.privacy.receipts`), stored under ``documents/receipts/<year>/`` and
attached with a ``document`` entry; the description and the supplier pass the roster guard
(:mod:`ledger.privacy.guard`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from beancount.core import data

from ledger.books import Books
from ledger.config import ACCOUNT_RE, HubConfig
from ledger.dates import booking_date
from ledger.daybook import AFTER_COUNT, last_counts
from ledger.entries import (
    ZERO,
    clean_text,
    document_entry,
    id_link,
    next_id,
    parse_amount,
    posting,
    q2,
    require_open_account,
    transaction,
)
from ledger.errors import InputError, ParticipantError
from ledger.i18n import _, hub_lang
from ledger.money.batches import naming, read_batch, refuse_repeats
from ledger.money.grants import grants, release_entries, require_grant
from ledger.money.reconcile.state import State, check_cash
from ledger.participants import require_open_participant
from ledger.privacy.guard import TextGuard
from ledger.privacy.receipts import read_receipt
from ledger.privacy.receipts import receipt_type as receipt_type  # re-exported

PAID_FROM = ("bank", "cash", "participant")
RECEIPTS_DIR = "documents/receipts"
KIND = "expenses"


@dataclass(frozen=True)
class ExpenseRequest:
    """What ``expense add`` was asked to book."""

    amount: Decimal
    description: str
    participant: str | None = None
    supplier: str | None = None
    vat: Decimal = ZERO
    paid_from: str = "bank"
    account: str | None = None
    grant: str | None = None
    day: dt.date | None = None
    charge_later: bool = False  # a participant's cost: owed by her until her next payments


# ---------------------------------------------------------------- receipts
# Checked by content and cleaned of their metadata in :mod:`ledger.privacy.receipts`.


# ---------------------------------------------------------------- entries


def hub_account(config: HubConfig, value: str | None) -> str:
    """The hub's own expense account for ``--account`` (a role or an account name)."""
    value = (value or "services").strip()
    if value in config.accounts:
        if "{code}" in config.accounts[value].name:
            raise InputError(
                _("--account {value}: a participant's account; use --participant", value=value)
            )
        account = config.account(value)
    elif ACCOUNT_RE.match(value):
        account = value
    else:
        raise InputError(
            _(
                "--account: not an account role nor an account name "
                "(what was typed is not repeated)"
            )
        )
    if not account.startswith("Expenses:") or ":Participants:" in f":{account}:":
        raise InputError(_("--account: a cost of the hub goes to an Expenses: account"))
    return account


def charged_cost(config: HubConfig, req: ExpenseRequest) -> Decimal:
    """The cost itself: the amount paid less the VAT the hub recovers (standard regime)."""
    return req.amount - (req.vat if config.hub.vat_regime == "standard" else ZERO)


def expense_entry(
    config: HubConfig, req: ExpenseRequest, expense_id: str, day: dt.date,
    after_count: str | None = None,
) -> data.Transaction:  # fmt: skip
    """The transaction of a cost (see the module's docstring); paid in cash, after
    ``after_count``, the last count of the cash box booked that day, if any."""
    link = id_link(expense_id)
    cost = charged_cost(config, req)
    recoverable = req.amount - cost
    postings: list[data.Posting] = []
    code = req.participant
    if code:
        postings.append(posting(config.account("participant_costs", code), cost))
    else:
        postings.append(posting(hub_account(config, req.account), cost))
    if recoverable:
        postings.append(posting(config.account("vat_recoverable"), recoverable))
    if req.paid_from == "bank":
        postings.append(posting(config.account("suppliers"), -req.amount))
    elif req.paid_from == "cash":
        postings.append(posting(config.account("cash"), -req.amount))
    if code:
        share = config.account("participant_share", code)
        if req.paid_from == "participant":
            postings.append(posting(share, -cost))
            if recoverable:  # the hub recovers the VAT the participant advanced: owed to them
                postings.append(posting(config.account("participant_held", code), -recoverable))
        elif req.grant:
            pass  # the grant pays: nothing charged to the participant
        else:
            charged = "participant_owed" if req.charge_later else "participant_held"
            postings += [posting(config.account(charged, code), cost), posting(share, -cost)]
    elif req.paid_from == "participant":
        raise InputError(_("--paid-from participant needs --participant"))
    meta: dict[str, Any] = {
        "kind": "expense",
        "expense": expense_id,
        "participant": code,
        "paid-from": req.paid_from,
        "amount": req.amount,
        "supplier": req.supplier or None,
        "vat": req.vat or None,
        "grant": req.grant,
        "charged-later": True if req.charge_later else None,
        AFTER_COUNT: after_count if req.paid_from == "cash" else None,
    }
    # (grants read the description back after the first ": " of this narration)
    lang = hub_lang(config.invoicing.default_lang)
    who = _(" ({code})", code=code) if code else _(" (hub)")
    narration = _(
        "Cost {expense_id}{who}: {description}",
        expense_id=expense_id,
        who=who,
        description=req.description,
    ).shown(lang)
    return transaction(day, narration, postings, meta, {link})


def check_expense(state: State, req: ExpenseRequest, day: dt.date) -> None:
    """Refuse a cost the participant's balance or the cash box cannot bear on ``day``."""
    cost = charged_cost(state.config, req)
    code = req.participant
    if code and req.paid_from != "participant" and not req.grant and not req.charge_later:
        available = state.held_available(code, day)
        if cost > available:
            raise ParticipantError(
                _(
                    "cost refused: {cost} EUR would take the balance held for {code} below zero "
                    "(available from {day}: {available} EUR); give --charge-later "
                    "to charge it to their next client payments, or "
                    "book it --paid-from participant",
                    cost=cost,
                    code=code,
                    day=day.isoformat(),
                    available=q2(available),
                )
            )
    if req.paid_from == "cash":
        check_cash(state, req.amount, day, _("cost"))


EXPENSE_COLUMNS = (
    "amount", "description", "participant", "supplier", "vat", "paid_from", "account",
    "grant", "date", "charge_later", "receipt",
)  # fmt: skip


def read_expenses(books: Books, path: Path) -> list[tuple[str, ExpenseRequest, Path | None]]:
    """The costs of an ``expense add --from FILE`` (see :mod:`ledger.money.batches`): the
    columns are ``expense add``'s options (``paid_from``, ``charge_later``: true or false;
    ``receipt``: a file, relative to the batch file's folder)."""
    rows = read_batch(path, "expenses", EXPENSE_COLUMNS, ("amount", "description"),
                      TextGuard.for_books(books))  # fmt: skip
    out = []
    for row in rows:
        with naming(row.where):
            vat = row.text("vat")
            request = ExpenseRequest(
                amount=parse_amount(str(row.text("amount")), "amount"),
                description=str(row.text("description")),
                participant=row.text("participant"),
                supplier=row.text("supplier"),
                vat=parse_amount(vat, "vat", allow_zero=True) if vat else ZERO,
                paid_from=row.text("paid_from") or "bank",
                account=row.text("account"),
                grant=row.text("grant"),
                day=row.date(),
                charge_later=row.flag("charge_later"),
            )
        receipt = row.text("receipt")
        out.append((row.where, request, path.parent / receipt if receipt else None))
    return out


def book_expense(
    books: Books, req: ExpenseRequest, receipt: Path | None = None, today: dt.date | None = None
) -> dict[str, Any]:
    """Check and book a cost with its receipt; returns what was booked."""
    return book_expenses(books, [("", req, receipt)], today)[0]


def _checked(
    books: Books, guard: TextGuard, req: ExpenseRequest, today: dt.date | None
) -> tuple[ExpenseRequest, dt.date]:
    """What can be checked of a cost before the books are read: its options and texts."""
    config = books.config
    day = booking_date(req.day, today)
    if req.paid_from not in PAID_FROM:
        raise InputError(
            _("--paid-from must be one of {paid_from}", paid_from=", ".join(PAID_FROM))
        )
    if req.grant and req.paid_from == "participant":
        raise InputError(_("--grant: a cost the participant paid is not the grant's to pay"))
    if req.charge_later and (not req.participant or req.grant or req.paid_from == "participant"):
        raise InputError(
            _(
                "--charge-later is for a participant's cost paid by the hub (not with --grant "
                "or --paid-from participant)"
            )
        )
    if req.vat < 0 or req.vat >= req.amount:
        raise InputError(_("--vat must be less than the amount (VAT included in --amount)"))
    description = clean_text(req.description, "--description")
    if not description:
        raise InputError(_("--description is required (what was bought, e.g. 'ingredients')"))
    req = ExpenseRequest(
        **{**req.__dict__, "description": description,
           "supplier": clean_text(req.supplier, "--supplier", 80) or None}
    )  # fmt: skip
    if req.participant is None:
        hub_account(config, req.account)
    elif req.account:
        raise InputError(_("--account is for the hub's own costs; not with --participant"))
    guard.check_all([(req.description, "--description"), (req.supplier, "--supplier"),
                     (req.account, "--account")])  # fmt: skip
    return req, day


def book_expenses(
    books: Books, requests: Sequence[tuple[str, ExpenseRequest, Path | None]],
    today: dt.date | None = None,
) -> list[dict[str, Any]]:  # fmt: skip
    """Check and book costs with their receipts in one write, all of them or none;
    ``requests`` are ``(where, request, receipt)``: an error about one names its ``where``
    (a batch file's row). Each cost is checked against the books with the batch's earlier
    costs in them (the balance held, the cash box, a grant's remainder)."""
    config = books.config
    guard = TextGuard.for_books(books)
    prepared = []
    for where, req, receipt in requests:
        with naming(where):
            req, day = _checked(books, guard, req, today)
            payload, ftype = read_receipt(receipt, guard) if receipt is not None else (b"", "")
        prepared.append((where, req, day, payload, ftype))
    refuse_repeats(
        [(w, (r, d, hashlib.sha256(p).hexdigest())) for w, r, d, p, _t in prepared], _("cost")
    )
    out: list[dict[str, Any]] = []
    with books.transaction("expense: add") as tx:
        entries = tx.ledger.entries
        for where, req, day, _p, _t in prepared:  # a cost opens or closes nothing
            with naming(where):
                if req.grant:
                    require_grant(entries, req.grant)
                if req.participant:
                    require_open_participant(entries, config, req.participant, on=day)
                else:
                    require_open_account(
                        entries, hub_account(config, req.account), day, "--account"
                    )
        state = State.of(entries, config)  # the batch's costs are folded in as booked
        seqs: dict[int, int] = {}
        counts: dict[dt.date, str] | None = None
        new: list[data.Directive] = []
        for where, req, day, payload, ftype in prepared:
            cost = charged_cost(config, req)
            with naming(where):
                if req.grant:
                    grant = grants([*entries, *new], config)[req.grant]
                    if grant.restricted and cost > grant.remaining:
                        raise InputError(
                            _(
                                "grant {grant} is restricted and has {remaining} EUR left, "
                                "not {cost} EUR",
                                grant=req.grant,
                                remaining=grant.remaining,
                                cost=cost,
                            )
                        )
                check_expense(state, req, day)
            if day.year not in seqs:
                first = next_id(entries, "expense", "EXP", day.year)
                seqs[day.year] = int(first.rsplit("-", 1)[1]) - 1
            seqs[day.year] += 1
            expense_id = f"EXP-{day.year}-{seqs[day.year]:04d}"
            counted = None
            if req.paid_from == "cash":
                counts = last_counts(entries) if counts is None else counts  # a batch adds none
                counted = counts.get(day)
            entry = expense_entry(config, req, expense_id, day, counted)
            made: list[data.Directive] = [entry]
            if req.grant:
                made += release_entries([*entries, *new], config, req.grant, cost, day,
                                        expense_id)  # fmt: skip
            relpath = None
            if payload:
                relpath = f"{RECEIPTS_DIR}/{day.year}/{id_link(expense_id)}.{ftype}"
                tx.write_file(relpath, payload)
                made.append(
                    document_entry(
                        day, entry.postings[0].account, relpath, f"{day.year}/{KIND}.beancount",
                        id_link(expense_id), "receipt",
                    )
                )  # fmt: skip
            for item in made:
                state.add(item)
            new += made
            out.append({
                "expense": expense_id, "link": id_link(expense_id), "date": day,
                "participant": req.participant, "amount": req.amount,
                "paid-from": req.paid_from, "receipt": relpath,
            })  # fmt: skip
        tx.add_entries(new, kind=KIND)
        if len(out) == 1:
            who = f" ({out[0]['participant']})" if out[0]["participant"] else " (hub)"
            tx.message = f"expense: {out[0]['expense']}{who}"
        else:
            tx.message = (
                f"expense: {len(out)} costs ({out[0]['expense']} to {out[-1]['expense']})\n\n"
                + "\n".join(f"{e['expense']} ({e['participant'] or 'hub'})" for e in out)
            )
    return out
