"""Booking: the entries reconciliation appends — allocations of money received on an
invoice, credit reversals, settlements of bank lines out of suspense — automatically
(:func:`reconcile_new_entries`, :func:`run_auto`) or as decided (:func:`assign`,
:func:`run_assign`), through the books' one write path."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from beancount.core import data

from importers.originals import load_originals, originals_for
from ledger.books import Books
from ledger.config import ACCOUNT_RE, HubConfig
from ledger.entries import ZERO, posting, q2, require_open_account, transaction
from ledger.errors import InputError, ParticipantError
from ledger.i18n import N_, _, hub_lang
from ledger.money.contributions import contribution_for
from ledger.money.recall import with_recalled
from ledger.money.reconcile.matching import (
    Candidate,
    _returned_payment_candidates,
    candidates,
    decide,
)
from ledger.money.reconcile.state import (
    TARGET_PREFIXES,
    State,
    _line_ref,
    find_line,
    folded_with_originals,
    kept,
)
from ledger.view import (
    BORNE_BY,
    CONTRIBUTION_FORGONE,
    HUB,
    SHARE_BORNE,
    BankLine,
    BankOriginal,
    Invoice,
    Pending,
    Receipt,
    _dec,
)


def allocation_entries(
    state: State, recover: str = "", until: tuple[dt.date, str] | None = None,
    strict: bool = False, waiting: Mapping[str, tuple[dt.date, str]] | None = None,
) -> list[data.Transaction]:  # fmt: skip
    """Allocations (``kind: "payment"``) for every receipt that has none yet, in bank
    order; with ``until``, only those of the movements up to that one (``strict``: before
    it; see :func:`_bank_order`); ``waiting`` (invoice link → bank order of a return of it
    left for review) keeps the later receipts of that invoice for after the decision. For
    the bank line ``recover`` (a return the treasurer assigned),
    what the returned payment takes back beyond the balance held is booked as owed to the
    hub (see :func:`allocate`)."""
    out: list[data.Transaction] = []
    # only the receipts without an allocation are put in order (a hub's receipts of every
    # year are allocated but those of the last statements; this runs for each bank line)
    todo = kept(state, "receipts to allocate", lambda: [
        r for r in state.receipts if (r.bank_link, r.inv_link) not in state.allocated
    ])  # fmt: skip
    for receipt in sorted(todo, key=lambda r: (*_bank_order(state, r), r.inv_link)):
        key = (receipt.bank_link, receipt.inv_link)
        if key in state.allocated:
            continue
        where = _bank_order(state, receipt)
        if until is not None and (where > until or (strict and where == until)):
            continue
        if waiting and receipt.inv_link in waiting and where > waiting[receipt.inv_link]:
            continue
        inv = state.invoices.get(receipt.inv_link)
        if inv is None:
            continue
        entry = allocate(state, inv, receipt, bool(recover) and receipt.bank_link == recover)
        if entry is None:
            continue
        out.append(entry)
        state.add(entry)
    return out


def _cumulative_net(inv: Invoice, paid: Decimal) -> Decimal:
    return _cumulative(paid, inv.effective_net, inv.effective_total)


def _cumulative(paid: Decimal, net: Decimal, total: Decimal) -> Decimal:
    """The net (excl. VAT) of ``paid`` of an invoice of ``net`` and ``total``."""
    if total <= 0:
        return ZERO
    return q2(min(max(paid, ZERO), total) * net / total)


def credit_reversal(
    state: State, inv_link: str, credit_total: Decimal, credit_net: Decimal, day: dt.date,
    credit_number: str, credit_link: str, recover: bool = False, hub_bears: bool = False,
) -> data.Transaction | None:  # fmt: skip
    """What a credit note takes back for the part of the invoice already paid.

    After the credit the invoice asks ``T' = T − credited`` and the client has paid ``A``:
    what was paid beyond ``T'`` is owed back to the client (``refunds_due``, link
    ``^refund-<credit note>``), and the participant keeps the net of what stays applied,
    computed as for a payment (``R' = A' × N' / T'``). What she was credited beyond it
    (``d = R − R'``) goes back to the share of open invoices, and its contribution,
    pro rata of what was taken on the invoice, back to her. It is taken from the balance
    held; when she was paid out meanwhile, the credit is refused unless ``recover``, which
    books the rest as what she owes the hub, recovered from her next client payments.
    With ``hub_bears`` (her participant is closed: she holds and receives nothing), nothing
    is taken from her: ``d − c`` stays hers (``share-borne``) and ``c`` the hub gives up
    (``contribution-forgone``) — the hub bears them, its own sales reduced by the credit
    note — and the entry books only what is owed back to the client.
    Everything comes from the ledger's entries (the state), never from documents.
    """
    cfg = state.config
    inv = state.invoices[inv_link]
    total_after = inv.effective_total - credit_total
    net_after = inv.effective_net - credit_net
    applied_after = min(inv.applied, max(total_after, ZERO))
    refund = inv.applied - applied_after
    taken_net = inv.received_net - _cumulative(applied_after, net_after, total_after)
    if taken_net == ZERO and refund == ZERO:
        return None
    code = inv.participant
    rate = inv.contributions / inv.received_net if inv.received_net else ZERO
    contribution = q2(taken_net * rate)
    back = taken_net - contribution  # what she gives back (negative: she gets more)
    meta: dict[str, Any] = {
        "kind": "credit-reversal",
        "participant": code or None,
        "invoice": inv.number,
        "credit-note": credit_number,
        # (ZERO − x, not −x: no "-0.00" in the books)
        "applied": ZERO - refund,
        "received-net": ZERO - taken_net,
        "contribution-rate": q2(rate * 100),
        "contribution-rule": f"reversal at the rate taken on {inv.link}",
        "contribution": ZERO - contribution,
    }
    postings: list[Any] = []
    if hub_bears:
        meta.update(
            {
                BORNE_BY: HUB,
                "received-net": q2(ZERO),  # nothing moves on her accounts …
                "contribution": q2(ZERO),
                SHARE_BORNE: back,  # … what she would have given back, the hub bears
                CONTRIBUTION_FORGONE: contribution,
            }
        )
    elif code and taken_net != ZERO:
        owed = ZERO
        if back > 0:
            available = max(state.held_available(code, day), ZERO)
            if back > available:
                if not recover:
                    raise ParticipantError(
                        _(
                            "credit refused: {back} EUR was credited to {code} for the part of "
                            "invoice {number} already paid, but only {available} EUR is held "
                            "for them from {day} on, beyond what they owe the hub "
                            "(paid out or owed since); give "
                            "--recover-from-participant to book the rest as owed to the hub "
                            "(recovered from their next client payments), or credit less",
                            back=back,
                            code=code,
                            number=inv.number,
                            available=available,
                            day=day.isoformat(),
                        )
                    )
                owed = back - available
        meta["taken-back"] = back
        postings += share_received(cfg, code, -taken_net, -contribution)
        if owed:
            meta["owed"] = owed
            postings += [
                posting(cfg.account("participant_held", code), -owed),
                posting(cfg.account("participant_owed", code), owed),
            ]
    links = {inv.link, credit_link}
    if refund > 0:
        meta["refund-due"] = refund
        links.add(f"refund-{credit_link.removeprefix('cn-')}")
        postings += [
            posting(cfg.account("clients"), refund),
            posting(cfg.account("refunds_due"), -refund),
        ]
    lang = hub_lang(cfg.invoicing.default_lang)
    narration = (
        _(
            "Credit note {credit_number} on invoice {number}",
            credit_number=credit_number,
            number=inv.number,
        ).shown(lang)
        + (f" ({code})" if code else "")
        + _(": what was paid for the credited part").shown(lang)
        + (
            _(", the participant's share of it ({share} EUR) borne by the hub", share=back).shown(
                lang
            )
            if hub_bears and back != ZERO
            else ""
        )
        + (
            _(", {refund} EUR to refund to the client", refund=refund).shown(lang)
            if refund > 0
            else ""
        )
    )
    return transaction(day, narration, postings, meta, links)


def allocate(
    state: State, inv: Invoice, receipt: Receipt, recover: bool = False
) -> data.Transaction | None:
    """The allocation of one receipt on its invoice (``None`` when it must wait).

    The net received moves from the share of open invoices (``participant_pending``) to the
    balance held, less the contribution at the rate of the day the money was received;
    what the participant owes the hub is then recovered from it. A returned payment undoes
    what it returns, at the rate taken on that invoice; when she was paid out meanwhile it
    waits for review, unless ``recover`` (the treasurer assigned the return): then, as for
    ``invoice credit --recover-from-participant``, what the balance held cannot give back
    is booked as owed to the hub (``participant_owed``), recovered from her next payments.
    """
    cfg = state.config
    code = inv.participant
    amount = receipt.amount
    # A returned payment (negative) undoes at most what was applied.
    # (what was applied by the day of the return: a later payment allocated first in the
    # same pass is not what the bank gave back)
    applied_then = sum((a for day, a in inv.applied_on if day <= receipt.date), ZERO)
    applied = min(amount, inv.open) if amount > 0 else max(amount, -min(inv.applied, applied_then))
    excess = amount - applied
    net = _cumulative_net(inv, inv.applied + applied) - _cumulative_net(inv, inv.applied)
    meta: dict[str, Any] = {
        "kind": "payment",
        "participant": code or None,
        "invoice": inv.number,
        **_money_ref(state, receipt.bank_link),
        "amount": amount,
        "applied": applied,
    }
    postings: list[data.Posting] = []
    links = {receipt.bank_link, inv.link}
    owed = ZERO
    if net != ZERO and code:
        if code in state.closed and receipt.date > state.closed[code]:
            return None  # a closed participant receives nothing: left for review
        if net > 0:
            contrib = contribution_for(cfg, code, receipt.date, net)
            meta.update(contrib.meta())
            c_amount = contrib.amount
        else:
            taken = inv.contributions / inv.received_net if inv.received_net else ZERO
            c_amount = q2(net * taken)
            meta.update(
                {
                    "received-net": net,
                    "contribution-rate": q2(taken * 100),
                    "contribution-rule": f"reversal at the rate taken on {inv.link}",
                    "contribution": c_amount,
                }
            )
            owed_back = -(net - c_amount)
            available = max(state.held_available(code, receipt.date), ZERO)
            if owed_back > available:
                if not recover:
                    return None  # would take the balance below zero: left for review
                owed = owed_back - available
        postings += share_received(cfg, code, net, c_amount)
        if net > 0:
            postings += recovery(state, code, receipt.date, net - c_amount, meta)
        elif owed:
            meta["owed"] = owed
            postings += [
                posting(cfg.account("participant_held", code), -owed),
                posting(cfg.account("participant_owed", code), owed),
            ]
    if excess > 0:
        refund_link = f"refund-{receipt.bank_link.removeprefix('bank-')}"
        links.add(refund_link)
        meta["overpaid"] = excess
        postings += [
            posting(cfg.account("clients"), excess),
            posting(cfg.account("refunds_due"), -excess),
        ]
    elif excess < 0:
        # Returned more than was applied: first what the hub still owed back to the client
        # (on the payment returned, or on a credit note of the invoice: the bank gave the
        # money back instead of the hub), then the rest stays on the receivable (the client
        # owes it).
        left = -excess
        for refund in _refunds_a_return_cancels(state, inv, receipt):
            undo = min(left, -refund.open)
            if undo <= 0:
                continue
            links.add(refund.link)
            meta["refund-cancelled"] = _dec(meta.get("refund-cancelled")) + undo
            postings += [
                posting(cfg.account("clients"), -undo),
                posting(cfg.account("refunds_due"), undo),
            ]
            left -= undo
        if left != ZERO:
            meta["unapplied"] = -left
    if not postings:
        if applied == ZERO:
            return None
        # Applied but nothing to allocate (a cent of VAT: zero net): record the application
        # alone, with the contribution rule's figures (all zero) the plugin checks.
        if code and "received-net" not in meta:
            meta.update(contribution_for(cfg, code, receipt.date, ZERO).meta())
    lang = hub_lang(cfg.invoicing.default_lang)
    what = (
        N_("Returned payment on invoice {number}")
        if amount < 0
        else N_("Payment on invoice {number}")
    )
    narration = _(what, number=inv.number).shown(lang) + (f" ({code})" if code else "")
    if excess > 0:
        narration += _(": {excess} EUR over what was due, to refund", excess=excess).shown(lang)
    entry = transaction(receipt.date, narration, postings, meta, links)
    return entry


def _money_ref(state: State, link: str) -> dict[str, str]:
    """The metadata naming where money came from: the bank's reference, or a cash id."""
    if link.startswith("cash-"):
        return {"cash": link.upper()}
    return {"bank-ref": _line_ref(state, link[5:])}  # the bank's, as on the line


def _refunds_a_return_cancels(state: State, inv: Invoice, receipt: Receipt) -> list[Pending]:
    """Refunds still due that a returned payment makes moot: the overpayment of the payment
    it returns first, then those of the invoice's credit notes."""
    out = []
    own = state.pending.get(f"refund-{receipt.returns}") if receipt.returns else None
    if own is not None and own.open < 0:
        out.append(own)
    out += sorted(
        (p for p in state.pending.values()
         if p.kind == "refund" and p.credit_note and p.invoice == inv.link and p.open < 0),
        key=lambda p: (p.date, p.link),
    )  # fmt: skip
    return out


def share_received(cfg: HubConfig, code: str, net: Decimal, contribution: Decimal) -> list[Any]:
    """``net`` of a participant's sales received: from the share of open invoices to the
    balance held, less the hub's contribution (signed: negative undoes)."""
    held = cfg.account("participant_held", code)
    out = [posting(cfg.account("participant_pending", code), net), posting(held, -net)]
    if contribution != ZERO:
        out += [
            posting(held, contribution),
            posting(cfg.account("participant_contribution", code), -contribution),
        ]
    return out


def recovery(
    state: State, code: str, day: dt.date, gain: Decimal, meta: dict[str, Any]
) -> list[Any]:
    """What ``code`` owes the hub, recovered from ``gain`` just added to the balance held
    (as much of it as the balance and the debt allow on every day from ``day`` on)."""
    owed = state.owed.available(code, day)
    room = state.held.available(code, day) + gain
    taken = min(owed, room)
    if taken <= 0:
        return []
    meta["recovered"] = taken
    cfg = state.config
    return [
        posting(cfg.account("participant_held", code), taken),
        posting(cfg.account("participant_owed", code), -taken),
    ]


def settlement_entries(
    state: State, line: BankLine, parts: list[tuple[str, Decimal]], how: str, returns: str = ""
) -> list[data.Transaction]:
    """Move a bank line out of suspense onto what it settles (dated at the bank date)."""
    cfg = state.config
    suspense = cfg.account("suspense")
    total = sum((a for _, a in parts), ZERO)
    if total != line.suspense:
        raise InputError(
            _(
                "bank line {ref}: the parts settle {total} EUR but {suspense} EUR is open",
                ref=line.ref,
                total=total,
                suspense=line.suspense,
            )
        )
    out = []
    for link, amount in parts:
        account, narration, extra = _target(state, link, amount)
        meta = {"kind": "settlement", **extra, "bank-ref": line.ref, "matched-by": how}
        if returns:
            meta["returns"] = returns
        entry = transaction(
            line.date,
            narration,
            [posting(suspense, amount), posting(account, -amount)],
            meta,
            {line.link, link} if link.startswith(TARGET_PREFIXES) else {line.link},
        )
        out.append(entry)
    return out


def _target(state: State, link: str, amount: Decimal) -> tuple[str, str, dict[str, Any]]:
    cfg = state.config
    lang = hub_lang(cfg.invoicing.default_lang)
    if link.startswith("inv-"):
        inv = state.invoices[link]
        what = (
            N_("Returned payment for invoice {number}, out of suspense")
            if amount < 0
            else N_("Payment for invoice {number}, out of suspense")
        )
        return (
            cfg.account("clients"),
            _(what, number=inv.number).shown(lang),
            {"invoice": inv.number, "participant": inv.participant or None},
        )
    pend = state.pending.get(link)
    if pend is not None and pend.kind == "payout" and amount > 0:
        # Money coming back for a payout: it bounced. The participant gets it back.
        return (
            cfg.account("participant_held", pend.participant),
            _(
                "Payout {payout} returned by the bank, back on the balance held",
                payout=link.upper(),
            ).shown(lang),
            {
                "participant": pend.participant,
                "payout": link.upper(),
                "returned": True,
                "returns": _line_ref(state, pend.debited_by[5:]),
            },
        )
    if pend is not None:
        said = {
            "payout": _("Payout {payout} debited", payout=link.upper()),
            "expense": _("Cost {expense} paid", expense=link.upper()),
            "grant": _("Grant {grant} received", grant=link[6:]),
            "refund": _(
                "Credit note {credit_note} refunded to the client", credit_note=pend.credit_note
            )
            if pend.credit_note
            else _("Overpayment of bank line {ref} refunded", ref=_line_ref(state, link[7:])),
            "transfer": _("Cash withdrawal {cash} on the bank statement", cash=link.upper())
            if amount < 0
            else _("Cash deposit {cash} on the bank statement", cash=link.upper()),
        }[pend.kind]
        narration = said.shown(lang)
        account = {
            "payout": cfg.account("payouts_pending"),
            "expense": cfg.account("suppliers"),
            "grant": cfg.account("grants_receivable"),
            "refund": cfg.account("refunds_due"),
            "transfer": cfg.account("internal_transfers"),
        }[pend.kind]
        meta: dict[str, Any] = {}
        if pend.participant:
            meta["participant"] = pend.participant
        return account, narration, meta
    return link, _("Bank line assigned to an account").shown(lang), {}


def book_candidate(
    state: State, line: BankLine, cand: Candidate, how: str
) -> list[data.Transaction]:
    """Settlement entries for a chosen candidate, folded into the state."""
    parts = cand.parts
    if cand.target.startswith("return:"):
        parts = [(cand.parts[0][0], line.suspense)]
    entries = settlement_entries(state, line, parts, how, cand.returns)
    for entry in entries:
        state.add(entry)
    return entries


def _bank_order(state: State, receipt: Receipt) -> tuple[dt.date, str]:
    """Where a receipt stands in bank order: its movement's date and reference (a cash
    receipt, its date and link)."""
    line = state.lines.get(receipt.bank_link)
    return (line.date, line.ref) if line is not None else (receipt.date, receipt.bank_link)


def auto_entries(state: State) -> list[data.Transaction]:
    """Every entry reconciliation books by itself on this state (folded into it).

    Movements are applied in bank order (date, then reference): a line in suspense is
    decided on what the movements before it did, so a returned payment undoes the payment
    it returns (the invoice reopens) before the client's new payment, later on the same
    statement, is allocated — as if the two had come in two files."""
    out: list[data.Transaction] = []
    # A return certain but left for review (she was paid out meanwhile): the later
    # receipts of its invoice wait for the decision, as they would behind it in bank order.
    waiting: dict[str, tuple[dt.date, str]] = {}
    for _round in range(5):  # a line settled may make another one certain: go round again
        booked = len(out)
        for line in state.open_lines():
            here = (line.date, line.ref)
            out.extend(allocation_entries(state, until=here, strict=True, waiting=waiting))
            if not line.is_open:
                continue
            cand = decide(candidates(state, line))
            if cand is None:
                continue
            if cand.target.startswith("return:") and not _can_undo(state, cand, line):
                inv_link = cand.parts[0][0]
                waiting[inv_link] = min(waiting.get(inv_link, here), here)
                continue
            out.extend(book_candidate(state, line, cand, "auto"))
            out.extend(allocation_entries(state, until=here, waiting=waiting))
        out.extend(allocation_entries(state, waiting=waiting))
        if len(out) == booked:
            break
    return out


def _can_undo(state: State, cand: Candidate, line: BankLine) -> bool:
    inv = state.invoices.get(cand.parts[0][0])
    if inv is None or not inv.participant:
        return True
    receipt = Receipt(line.link, inv.link, line.date, line.suspense, cand.returns)
    return allocate(state, inv, receipt) is not None


def reconcile_new_entries(
    existing_entries: Iterable[data.Directive], config: HubConfig,
    originals: Mapping[str, BankOriginal] | None = None,
) -> list[data.Directive]:  # fmt: skip
    """The settlements and allocations that the books call for, booked automatically.

    ``existing_entries`` are the books' entries including what the caller is about to add
    (e.g. an import's new bank entries); the result is what to add on top, nothing when
    everything is already reconciled. Call it inside the transaction that writes them and
    add the result with ``tx.add_entries(result, kind="payments")``.
    """
    state = State.of(existing_entries, config, originals)
    return list(auto_entries(state))


def reconcile_with_archives(
    books: Books, entries: list[data.Directive], new: Iterable[data.Directive] = (),
    originals: Mapping[str, BankOriginal] | None = None,
) -> list[data.Directive]:  # fmt: skip
    """:func:`reconcile_new_entries` over ``entries`` and ``new`` (about to be added) with
    what the bank wrote: the archived statements of the window the lines open call for
    (:func:`importers.originals.load_originals`), and ``originals`` (this import's files,
    which win) — in one fold of the books."""
    state = folded_with_originals(
        [*entries, *new], books.config,
        lambda folded: {**originals_for(books, entries, folded), **(originals or {})},
    )  # fmt: skip
    return list(auto_entries(state))


def assign(
    entries: Iterable[data.Directive], config: HubConfig, ref: str, target: str,
    originals: Mapping[str, BankOriginal] | None = None,
) -> list[data.Directive]:  # fmt: skip
    """Settle one bank line as decided: TARGET is an invoice (or several, joined by
    ``+`` or ``,``), ``po-…``, ``exp-…``, ``grant-…``, ``refund-…``, ``return:inv-…``, an
    account role of the chart (``bank_fees``, ``gifts``…) or an account name."""
    entries = list(entries)
    state = State.of(entries, config, originals)
    line = find_line(state, ref)
    parts = _parse_target(state, line, target)
    for account, _amount in parts:
        if not account.startswith(TARGET_PREFIXES):  # an account name or role typed
            require_open_account(entries, account, line.date, "TARGET")
    returns = _returned_origin(state, line, parts[0][0]) if target.startswith("return:") else ""
    out: list[data.Directive] = list(settlement_entries(state, line, parts, "decision", returns))
    for entry in out:
        state.add(entry)
    out.extend(
        allocation_entries(state, recover=line.link if target.startswith("return:") else "")
    )
    if target.startswith("return:") and not any(
        isinstance(e, data.Transaction) and e.meta.get("kind") == "payment" for e in out
    ):
        raise InputError(
            _(
                "bank line {ref}: undoing that payment would take the participant's "
                "balance below zero; assign it to an account instead",
                ref=line.ref,
            )
        )
    return out


def _returned_origin(state: State, line: BankLine, inv_link: str) -> str:
    """The payment a returned one undoes: the latest of that amount on that invoice."""
    for cand in _returned_payment_candidates(state, line):
        if cand.parts[0][0] == inv_link:
            return cand.returns
    return ""


def _parse_target(state: State, line: BankLine, target: str) -> list[tuple[str, Decimal]]:
    cfg = state.config
    target = target.strip()
    if target.startswith("return:"):
        if line.suspense > 0:
            raise InputError(
                _("bank line {ref} is money coming in; it returns no payment", ref=line.ref)
            )
        link = _invoice_link(state, target[7:])
        return [(link, line.suspense)]
    names = [t for t in re.split(r"[+,]", target) if t.strip()]
    if names and all(_looks_like_invoice(state, n) for n in names):
        links = [_invoice_link(state, n) for n in names]
        if line.suspense < 0:
            raise InputError(
                _("bank line {ref} is money going out; it pays no invoice", ref=line.ref)
            )
        if len(links) == 1:
            return [(links[0], line.suspense)]
        dues = [state.invoices[lk].open for lk in links]
        if sum(dues, ZERO) != line.suspense:
            raise InputError(
                _(
                    "bank line {ref}: {suspense} EUR does not equal what the invoices "
                    "still ask ({sum} EUR); assign it to one invoice at a time",
                    ref=line.ref,
                    suspense=line.suspense,
                    sum=sum(dues, ZERO),
                )
            )
        return list(zip(links, dues, strict=True))
    lowered = target.lower()
    pend = state.pending.get(lowered if lowered.startswith(("po-", "cash-")) else target)
    if pend is not None and pend.kind == "payout" and line.suspense > 0:
        return [(pend.link, _returned_payout_amount(state, line, pend))]
    if pend is not None:
        if pend.open == ZERO:
            raise InputError(
                _("{target} is already settled; nothing is matched twice", target=target)
            )
        if (pend.open > 0) != (line.suspense > 0):
            raise InputError(
                _("bank line {ref} goes the other way than {target}", ref=line.ref, target=target)
            )
        if pend.kind == "grant" and line.suspense > pend.open:
            raise InputError(
                _(
                    "bank line {ref}: {suspense} EUR is more than the {open} EUR "
                    "still expected on {target}",
                    ref=line.ref,
                    suspense=line.suspense,
                    open=pend.open,
                    target=target,
                )
            )
        if pend.kind != "grant" and pend.open != line.suspense:
            raise InputError(
                _(
                    "bank line {ref}: {suspense} EUR is not the {open} EUR expected on {target}",
                    ref=line.ref,
                    suspense=line.suspense,
                    open=pend.open,
                    target=target,
                )
            )
        return [(pend.link, line.suspense)]
    account = _account_of(cfg, target)
    return [(account, line.suspense)]


def _returned_payout_amount(state: State, line: BankLine, pend: Pending) -> Decimal:
    """A credit assigned to a bank payout: it brings that payout back (checked)."""
    name = pend.link.upper()
    if pend.returned_by:
        raise InputError(
            _(
                "{name} was already returned by bank line {line_ref}; nothing is matched twice",
                name=name,
                line_ref=_line_ref(state, pend.returned_by[5:]),
            )
        )
    if not pend.debited_by or pend.debited_on is None:
        raise InputError(
            _(
                "{name} has not been debited yet: a credit cannot return it (cancel the order "
                "at the bank instead)",
                name=name,
            )
        )
    if line.date < pend.debited_on:
        raise InputError(
            _(
                "bank line {ref} is dated before the debit of {name} "
                "({debited_on}); it cannot return it",
                ref=line.ref,
                name=name,
                debited_on=pend.debited_on.isoformat(),
            )
        )
    if line.suspense != -pend.amount:
        raise InputError(
            _(
                "bank line {ref}: {suspense} EUR is not the {value} EUR of "
                "{name}; assign it to an account instead",
                ref=line.ref,
                suspense=line.suspense,
                value=-pend.amount,
                name=name,
            )
        )
    if pend.participant in state.closed:
        raise InputError(
            _(
                "{name}: participant {participant} is closed and receives nothing; "
                "assign the line to an account instead",
                name=name,
                participant=pend.participant,
            )
        )
    return line.suspense


def _looks_like_invoice(state: State, name: str) -> bool:
    name = name.strip()
    return name.startswith("inv-") or name in {i.number for i in state.invoices.values()}


def _invoice_link(state: State, name: str) -> str:
    name = name.strip()
    link = name if name.startswith("inv-") else f"inv-{name}"
    if link not in state.invoices:
        shown = name if re.fullmatch(r"[A-Za-z]{0,4}-?[0-9][0-9\-/]*", name) else "(not repeated)"
        raise InputError(_("no invoice {shown} in the books", shown=shown))
    return link


def _account_of(config: HubConfig, target: str) -> str:
    """The account a bank line is assigned to by hand (a role of the chart or a name)."""

    if target in config.accounts and "{code}" not in config.accounts[target].name:
        account = config.account(target)
    elif ACCOUNT_RE.match(target):
        account = target
    else:
        raise InputError(
            _(
                "unknown target (not repeated: it may be a name): give an invoice number, po-…, "
                "exp-…, grant-…, refund-…, cash-…, return:<invoice>, an account role (e.g. "
                "bank_fees) or an account name"
            )
        )
    if account == config.account("cash"):
        raise InputError(
            _(
                "{account}: record the cash movement with 'coopledger cash withdraw' or 'cash "
                "deposit' (dated when the cash box changed), then "
                "assign the line to its cash-… id",
                account=account,
            )
        )
    # Accounts settled by their links (invoices, payouts, costs, grants, refunds) are reached
    # through their targets, so that what is open stays computable; a participant's money
    # only through an invoice or a payout.
    held = _participant_account(config, account, "participant_held")
    if held:
        raise InputError(
            _(
                "{account}: a bank line cannot be assigned to the balance held for {held}; it "
                "changes only through an invoice or a payout (po-… "
                "gives back a payout that bounced)",
                account=account,
                held=held,
            )
        )
    income = _participant_account(config, account, "participant_sales") or (
        _participant_account(config, account, "participant_contribution")
    )
    if income:
        raise InputError(
            _(
                "{account}: a bank line cannot be assigned to a participant's income; it is "
                "booked only through {income}'s invoices (assign the invoice instead)",
                account=account,
                income=income,
            )
        )
    forbidden = (
        *(config.account(role) for role in (
            "suspense", "clients", "payouts_pending", "suppliers", "refunds_due",
            "grants_receivable", "deferred_income",
        )),
        *(b.account for b in config.bank_accounts),
    )  # fmt: skip
    if account in forbidden or re.search(r"(^|:)P-[0-9A-Z]{6}(:|$)", account):
        raise InputError(
            _(
                "{account}: a bank line cannot be assigned to that account (use an invoice, "
                "a payout, a cost or a grant as target)",
                account=account,
            )
        )
    return account


def _participant_account(config: HubConfig, account: str, role: str) -> str:
    """The participant code if ``account`` is that participant's account of ``role``."""
    template = config.accounts[role].name
    prefix, _, suffix = template.partition("{code}")
    if account.startswith(prefix) and account.endswith(suffix) and len(account) > len(prefix):
        return account[len(prefix) : len(account) - len(suffix) if suffix else None]
    return ""


# ---------------------------------------------------------------- through the write path


def run_auto(books: Books) -> list[Any]:
    """Book every certain match; returns the entries booked."""
    with books.transaction("reconcile: automatic matches") as tx:
        entries = tx.ledger.entries
        new = reconcile_with_archives(books, entries)
        if new:
            tx.add_entries(new, kind="payments")
            tx.message = f"reconcile: {len(new)} entries booked automatically"
    return new


def run_assign(books: Books, ref: str, target: str) -> list[Any]:
    """Book one decision."""
    with books.transaction("reconcile: assign a bank line") as tx:
        # an invoice settled in a closed year (a returned payment, a second payment) is
        # recalled into the live books first
        entries = with_recalled(tx, _invoice_names(target))
        new = assign(entries, books.config, ref, target, load_originals(books, entries))
        tx.message = f"reconcile: assign {_booked_ref(new)} to {_targets(new)}"
        tx.add_entries(new, kind="payments")
    return new


INVOICE_LIKE = re.compile(r"[A-Za-z]{0,4}-?[0-9][0-9\-/]*")


def _invoice_names(target: str) -> list[str]:
    """What in TARGET may name an invoice (``return:NUMBER``, ``inv-…``, a number): only
    those send a write to the full history when the live books do not hold them."""
    names = [n.strip() for n in re.split(r"[+,]", target.strip()) if n.strip()]
    return [
        n for n in names
        if n.startswith(("return:", "inv-"))
        or (not n.lower().startswith(TARGET_PREFIXES) and INVOICE_LIKE.fullmatch(n))
    ]  # fmt: skip


def _booked_ref(new: list[Any]) -> str:
    """The bank reference as the books have it (what was typed is not repeated)."""
    refs = [str(e.meta.get("bank-ref")) for e in new if e.meta.get("bank-ref")]
    return refs[0] if refs else "a bank line"


def _targets(new: list[Any]) -> str:
    """What the bank line was assigned to, from the entries booked (never the typed text)."""
    links = sorted({lk for e in new for lk in e.links or () if not lk.startswith("bank-")})
    if links:
        return "+".join(links)
    accounts = sorted({p.account for e in new for p in e.postings[1:]})
    return ", ".join(accounts) or "an account"
