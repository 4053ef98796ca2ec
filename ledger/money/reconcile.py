"""Reconciliation: settle what the bank statement shows against what the books expect.

Import writes facts (``kind: "bank"`` entries); reconciliation *appends* settlement
entries and never edits an old one. Everything here is a pure function of the entries and
the hub's configuration; the commands in :mod:`ledger.cli.money` write what it returns
through the one write path, and ``coopledger import`` calls :func:`reconcile_new_entries`
inside its own transaction.

What is matched, and the entries booked (see ``docs/reconciliation.md``):

* a client's payment already posted to ``clients`` with an ``^inv-`` link (OGM matched at
  import, or an invoice paid in cash, ``^cash-``) → the **allocation**
  (``kind: "payment"``): the net received moves from the participant's share of open
  invoices (accrued when the invoice was issued) to the balance held, the hub's
  contribution by rule goes to its income, what she owes the hub is recovered from it,
  any excess over what the invoice still asks goes to ``refunds_due``; a partial payment is
  allocated in proportion;
* a credit note on an invoice already paid → its **credit reversal**
  (:func:`credit_reversal`, ``kind: "credit-reversal"``, booked with the credit note): what
  the participant was credited for the credited part taken back, the client owed the rest;
* a movement in **suspense**: by OGM (structured or typed in the free communication), else
  scored on amount, counterparty IBAN or name seen on the client's earlier payments,
  invoice number in the text, and date window; one payment may settle several invoices of
  one client. A certain match books a **settlement** (suspense → target, dated at the bank
  date) and, for invoices, its allocation; anything less waits in the review queue;
* money going out: ordered payouts (``payouts_pending``, by end-to-end reference, else
  amount + last four IBAN digits), costs paid by bank (``suppliers``), refunds of
  overpayments and of credit notes (``refunds_due``), cash withdrawals
  (``internal_transfers``, ``^cash-``), and returned payments (R-transactions), which undo
  the allocation of the payment they return;
* money coming from a funder: a grant receivable (``grants_receivable``); cash deposited.

Identity: every settlement entry carries exactly one ``^bank-`` link (the movement it
settles) and one target link (``^inv-``, ``^po-``, ``^exp-``, ``^grant-``, ``^refund-``);
an allocation carries the ``^bank-`` and ``^inv-`` links of the receipt it allocates.
What is open is always recomputed from these links, so running reconciliation again books
nothing new, and a bank line is never settled twice.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from beancount.core import data
from stdnum.be import ogm_vcs

from ledger.config import HubConfig
from ledger.errors import InputError, ParticipantError
from ledger.money.contributions import ZERO, contribution_for, posting, q2, transaction
from ledger.view import (
    BankLine,
    BankOriginal,
    Invoice,
    Pending,
    Receipt,
    _dec,
    _norm_name,
)
from ledger.view import View as State

CERTAIN = 80  # a match scoring at least this…
MARGIN = 30  # …and this much above the next candidate is booked without asking
MAX_SUBSET_INVOICES = 12
MAX_SUBSET_SIZE = 4
LATE_WINDOW_DAYS = 120
PAYOUT_WINDOW_DAYS = 45
PAYOUT_RETURN_WINDOW_DAYS = 90  # a bounced transfer comes back within this after its debit
EXPENSE_WINDOW_DAYS = (-15, 60)
OGM_TEXT_RE = re.compile(r"(?<!\d)(\d{3})\D{0,3}(\d{4})\D{0,3}(\d{5})(?!\d)")
TARGET_PREFIXES = ("inv-", "po-", "exp-", "grant-", "refund-", "cash-")
TRANSFER_NEAR_DAYS = 3  # a withdrawal or deposit shows on the statement within a few days
TRANSFER_WINDOW_DAYS = 15
# Entries that credit or debit an invoice's receivable without being money received.
NOT_RECEIPTS = ("payment", "invoice", "credit-note", "credit-reversal")


# ---------------------------------------------------------------- the state of the books
# What reconciliation knows of the books is the books' one fold (:class:`ledger.view.View`).


def check_cash(state: State, amount: Decimal, day: dt.date, what: str) -> None:
    """Refuse taking ``amount`` from the cash box on ``day`` if some day from then on would
    end below zero (the cash box is never negative)."""
    available = state.cash_available(day)
    if amount > available:
        raise InputError(
            f"{what} refused: {amount} EUR in cash, but the cash box holds only "
            f"{q2(max(available, ZERO))} EUR from {day.isoformat()} on (record the money put "
            "in it first, e.g. 'coopledger cash withdraw')"
        )


def ogms_in_text(text: str) -> list[str]:
    """Valid structured communications typed in a free communication."""
    found = []
    for match in OGM_TEXT_RE.finditer(text or ""):
        digits = "".join(match.groups())
        if ogm_vcs.is_valid(digits):
            found.append(digits)
    return found


def _mentions(text: str, token: str) -> bool:
    if not token:
        return False
    return re.search(r"(?<![0-9A-Za-z])" + re.escape(token) + r"(?![0-9A-Za-z])", text) is not None


# ---------------------------------------------------------------- allocations


def allocation_entries(state: State) -> list[data.Transaction]:
    """Allocations (``kind: "payment"``) for every receipt that has none yet."""
    out: list[data.Transaction] = []
    for receipt in sorted(state.receipts, key=lambda r: (r.date, r.bank_link, r.inv_link)):
        key = (receipt.bank_link, receipt.inv_link)
        if key in state.allocated:
            continue
        inv = state.invoices.get(receipt.inv_link)
        if inv is None:
            continue
        entry = allocate(state, inv, receipt)
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
    credit_number: str, credit_link: str, recover: bool = False,
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
    if code and taken_net != ZERO:
        owed = ZERO
        if back > 0:
            available = max(state.held_available(code, day), ZERO)
            if back > available:
                if not recover:
                    raise ParticipantError(
                        f"credit refused: {back} EUR was credited to {code} for the part of "
                        f"invoice {inv.number} already paid, but only {available} EUR is held "
                        f"for them from {day.isoformat()} on (paid out since); give "
                        "--recover-from-participant to book the rest as owed to the hub "
                        "(recovered from their next client payments), or credit less"
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
    narration = (
        f"Credit note {credit_number} on invoice {inv.number}"
        + (f" ({code})" if code else "")
        + ": what was paid for the credited part"
        + (f", {refund} EUR to refund to the client" if refund > 0 else "")
    )
    return transaction(day, narration, postings, meta, links)


def allocate(state: State, inv: Invoice, receipt: Receipt) -> data.Transaction | None:
    """The allocation of one receipt on its invoice (``None`` when it must wait).

    The net received moves from the share of open invoices (``participant_pending``) to the
    balance held, less the contribution at the rate of the day the money was received;
    what the participant owes the hub is then recovered from it. A returned payment undoes
    what it returns, at the rate taken on that invoice.
    """
    cfg = state.config
    code = inv.participant
    amount = receipt.amount
    # A returned payment (negative) undoes at most what was applied.
    applied = min(amount, inv.open) if amount > 0 else max(amount, -inv.applied)
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
            available = state.held_available(code, receipt.date)
            if owed_back > available:
                return None  # would take the balance below zero: left for review
        postings += share_received(cfg, code, net, c_amount)
        if net > 0:
            postings += recovery(state, code, receipt.date, net - c_amount, meta)
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
        # Fully applied but nothing to allocate (zero net): record the application alone.
        meta.setdefault("received-net", ZERO)
    what = "returned payment" if amount < 0 else "payment"
    narration = f"{what.capitalize()} on invoice {inv.number}" + (f" ({code})" if code else "")
    if excess > 0:
        narration += f": {excess} EUR over what was due, to refund"
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
         if p.kind == "refund" and p.invoice == inv.link and p.open < 0),
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


# ---------------------------------------------------------------- candidates for a bank line


@dataclass
class Candidate:
    """One way to explain a bank line: what it settles, and how sure we are."""

    target: str  # human form: "inv-2026-0007", "inv-2026-0007+inv-2026-0009", "po-…"
    parts: list[tuple[str, Decimal]]  # (target link, amount of the line settling it)
    score: int
    reasons: list[str]
    returns: str = ""  # a returned payment: the bank reference of the payment it undoes

    def as_json(self) -> dict[str, Any]:
        return {
            "target": self.target,
            "score": self.score,
            "reasons": self.reasons,
            "parts": [{"link": lk, "amount": str(a)} for lk, a in self.parts],
        }


def candidates(state: State, line: BankLine) -> list[Candidate]:
    """Every scored explanation of an open bank line, best first."""
    line = state.seen(line)
    if line.suspense > 0:
        found = _incoming_candidates(state, line)
    else:
        found = _outgoing_candidates(state, line)
    found.extend(_batch_candidates(state, line))
    best: dict[str, Candidate] = {}
    for cand in found:
        if cand.target not in best or cand.score > best[cand.target].score:
            best[cand.target] = cand
    return sorted(best.values(), key=lambda c: (-c.score, c.target))


def _incoming_candidates(state: State, line: BankLine) -> list[Candidate]:
    amount = line.suspense
    text = f"{line.communication} {line.counterparty}"
    out: list[Candidate] = []
    ogms = ([line.ogm] if line.ogm else []) + ogms_in_text(line.communication)
    for digits in ogms:
        link = state.by_ogm.get(digits)
        if link is not None:
            out.append(Candidate(link, [(link, amount)], 200, ["structured communication"]))
    name = _norm_name(line.counterparty)
    open_invoices = state.open_invoices()
    for inv in open_invoices:
        score, reasons = 0, list[str]()
        if _mentions(text, inv.number):
            score, reasons = score + 60, [*reasons, "invoice number in the communication"]
        if amount == inv.open:
            score, reasons = score + 40, [*reasons, "amount equals what is due"]
        elif amount < inv.open and score >= 60:
            score, reasons = score + 10, [*reasons, "partial payment"]
        elif amount > inv.open:
            score -= 30
        score, reasons = _identity(state, line, inv.client, name, score, reasons)
        score, reasons = _window(line.date, inv, score, reasons)
        if score >= 20:  # the payment window alone says nothing
            out.append(Candidate(inv.link, [(inv.link, amount)], score, reasons))
    out.extend(_several_invoices(state, line, open_invoices, name, text))
    for pend in state.open_pending("grant"):
        score, reasons = 0, list[str]()
        if _mentions(text.lower(), pend.link[6:].lower()):
            score, reasons = 60, ["grant reference in the communication"]
        if amount == pend.open:
            score, reasons = score + 40, [*reasons, "amount equals the grant receivable"]
        if pend.iban and pend.iban == line.iban:
            score, reasons = score + 40, [*reasons, "the funder's account"]
        if score >= 40:
            out.append(Candidate(pend.link, [(pend.link, amount)], score, reasons))
    out.extend(_returned_payout_candidates(state, line))
    for pend in state.open_pending("transfer"):
        if pend.open > 0:
            out.extend(_transfer_candidate(line, pend))
    return out


def _batch_candidates(state: State, line: BankLine) -> list[Candidate]:
    """A batch entry settles what each of its details pays: an issued invoice by its OGM
    (money in), an ordered payout by its end-to-end reference and amount (money out).
    Certain only when every detail finds its target and the details add up to what is
    open on the line; several details for one invoice are one part."""
    if not line.details or sum((a for a, _, _ in line.details), ZERO) != line.suspense:
        return []
    parts: dict[str, Decimal] = {}
    payouts = state.open_pending("payout")
    for amount, ogm, end_to_end in line.details:
        link = state.by_ogm.get(ogm) if amount > 0 and ogm else None
        if amount < 0 and end_to_end:
            link = next(
                (p.link for p in payouts
                 if p.end_to_end.lower() == end_to_end.lower() and p.open == amount),
                None,
            )  # fmt: skip
        if link is None:
            return []
        parts[link] = parts.get(link, ZERO) + amount
    reason = f"the references of all {len(line.details)} details of the batch"
    return [Candidate("+".join(parts), list(parts.items()), 200, [reason])]


def _transfer_candidate(line: BankLine, pend: Pending) -> list[Candidate]:
    """A cash withdrawal (money out) or deposit (money in) recorded in the cash book."""
    if line.suspense != pend.open:
        return []
    score, reasons = 40, ["amount of a cash withdrawal or deposit"]
    if _mentions(f"{line.communication} {line.end_to_end}", pend.link.upper()):
        score, reasons = score + 60, [*reasons, "its id in the communication"]
    gap = (line.date - pend.date).days
    if abs(gap) <= TRANSFER_NEAR_DAYS:
        score, reasons = score + 40, [*reasons, "within a few days of it"]
    elif -TRANSFER_NEAR_DAYS <= gap <= TRANSFER_WINDOW_DAYS:
        score, reasons = score + 10, [*reasons, "soon after it"]
    return [Candidate(pend.link, [(pend.link, line.suspense)], score, reasons)]


def _returned_payout_candidates(state: State, line: BankLine) -> list[Candidate]:
    """A bank payout that bounced: money back, of its amount, after its debit.

    Certain (90 or more) only with the bank's R-transaction mark or the payout's own
    end-to-end reference, the exact amount and a date within the window after the debit;
    the amount alone (40) is only a suggestion."""
    out = []
    for pend in state.returnable_payouts():
        if line.suspense != -pend.amount or pend.debited_on is None:
            continue
        if line.date < pend.debited_on or pend.participant in state.closed:
            continue
        score, reasons = 40, ["amount of a payout debited earlier"]
        if line.end_to_end and line.end_to_end.lower() == pend.end_to_end.lower():
            score, reasons = score + 60, [*reasons, "the payout's end-to-end reference"]
        elif pend.end_to_end and _mentions(line.communication, pend.end_to_end):
            score, reasons = score + 20, [*reasons, "the payout's id in the communication"]
        if line.returned:
            score, reasons = score + 40, [*reasons, "marked as an R-transaction by the bank"]
        if pend.iban_last4 and line.iban_last4 == pend.iban_last4:
            score, reasons = score + 20, [*reasons, "last four IBAN digits"]
        if line.date <= pend.debited_on + dt.timedelta(days=PAYOUT_RETURN_WINDOW_DAYS):
            score, reasons = score + 10, [*reasons, "soon after the debit"]
        elif score >= CERTAIN:
            score = CERTAIN - 1  # too late to be sure: a decision
        out.append(Candidate(pend.link, [(pend.link, line.suspense)], score, reasons))
    return out


def _identity(
    state: State, line: BankLine, client: str, name: str, score: int, reasons: list[str]
) -> tuple[int, list[str]]:
    if line.iban and line.iban in state.client_ibans.get(client, set()):
        return score + 40, [*reasons, "account the client paid from before"]
    if name and name in state.client_names.get(client, set()):
        return score + 25, [*reasons, "name the client paid under before"]
    return score, reasons


def _window(day: dt.date, inv: Invoice, score: int, reasons: list[str]) -> tuple[int, list[str]]:
    late = (inv.due or inv.date) + dt.timedelta(days=LATE_WINDOW_DAYS)
    if inv.date <= day <= late:
        return score + 10, [*reasons, "within the invoice's payment window"]
    if day < inv.date:
        return score - 50, reasons
    return score, reasons


def _supplier_payment(
    line: BankLine, pend: Pending, score: int, reasons: list[str]
) -> tuple[int, list[str]]:
    """A supplier e-invoice paid as it asked: its payment reference (an OGM or another
    reference) in the debit's communication, and the supplier's account."""
    if pend.reference and not any("reference" in r for r in reasons):  # not counted twice
        digits = re.sub(r"\D", "", pend.reference)
        structured = len(digits) == 12 and ogm_vcs.is_valid(digits)
        if structured and digits in [line.ogm, *ogms_in_text(line.communication)]:
            score, reasons = score + 60, [*reasons, "the supplier's structured reference"]
        text = f"{line.communication} {line.end_to_end}".upper()
        if not structured and len(pend.reference) >= 4 and _mentions(text, pend.reference.upper()):
            score, reasons = score + 60, [*reasons, "the supplier's payment reference"]
    if pend.iban_last4 and line.iban_last4 == pend.iban_last4:
        score, reasons = score + 20, [*reasons, "the supplier's account"]
    return score, reasons


def _several_invoices(
    state: State, line: BankLine, open_invoices: list[Invoice], name: str, text: str
) -> list[Candidate]:
    """One payment for several invoices of one client (exact sum of what is due)."""
    out: list[Candidate] = []
    by_client: dict[str, list[Invoice]] = defaultdict(list)
    for inv in open_invoices:
        if inv.client and inv.date <= line.date:
            by_client[inv.client].append(inv)
    for client, invoices in by_client.items():
        if len(invoices) < 2:
            continue
        invoices = sorted(invoices, key=lambda i: (i.date, i.number))[-MAX_SUBSET_INVOICES:]
        base, reasons = _identity(state, line, client, name, 0, [])
        for size in range(2, min(MAX_SUBSET_SIZE, len(invoices)) + 1):
            for combo in itertools.combinations(invoices, size):
                if sum((i.open for i in combo), ZERO) != line.suspense:
                    continue
                score = base + 35
                why = [*reasons, f"amount equals what {size} invoices of one client ask"]
                if all(_mentions(text, i.number) for i in combo):
                    score, why = score + 60, [*why, "invoice numbers in the communication"]
                target = "+".join(i.link for i in combo)
                out.append(Candidate(target, [(i.link, i.open) for i in combo], score, why))
    return out


def _outgoing_candidates(state: State, line: BankLine) -> list[Candidate]:
    amount = line.suspense  # negative
    text = f"{line.communication} {line.end_to_end}"
    last4 = line.iban_last4
    out: list[Candidate] = []
    for pend in state.open_pending():
        if pend.kind == "grant" or pend.open > 0:
            continue
        if pend.kind == "transfer":
            out.extend(_transfer_candidate(line, pend))
            continue
        score, reasons = 0, list[str]()
        if pend.end_to_end and (
            line.end_to_end == pend.end_to_end or _mentions(text, pend.end_to_end)
        ):
            score, reasons = 60, ["end-to-end reference"]
        elif pend.kind == "expense" and _mentions(text, pend.link[4:]):
            score, reasons = 60, ["cost reference in the communication"]
        if amount == pend.open:
            score, reasons = score + 40, [*reasons, "amount equals what is due"]
        else:
            score -= 60
        if pend.kind == "payout":
            if pend.iban_last4 and last4 == pend.iban_last4:
                score, reasons = score + 40, [*reasons, "last four IBAN digits"]
            if pend.date <= line.date <= pend.date + dt.timedelta(days=PAYOUT_WINDOW_DAYS):
                score, reasons = score + 10, [*reasons, "after the payout order"]
        elif pend.kind == "expense":
            low, high = EXPENSE_WINDOW_DAYS
            start, end = (pend.date + dt.timedelta(days=d) for d in (low, high))
            if start <= line.date <= end:
                score, reasons = score + 10, [*reasons, "near the cost's date"]
            supplier = _norm_name(pend.text)
            if supplier and supplier in _norm_name(line.counterparty):
                score, reasons = score + 30, [*reasons, "supplier's name"]
            score, reasons = _supplier_payment(line, pend, score, reasons)
        elif pend.kind == "refund" and pend.invoice:
            inv = state.invoices.get(pend.invoice)
            paid_from = state.client_ibans.get(inv.client, set()) if inv else set()
            if last4 and any(iban[-4:] == last4 for iban in paid_from):
                score, reasons = score + 50, [*reasons, "account the client paid from"]
            if _mentions(line.communication, pend.credit_note):
                score, reasons = score + 60, [*reasons, "credit note number in the text"]
            if line.date >= pend.date:
                score, reasons = score + 10, [*reasons, "after the credit note"]
        elif pend.kind == "refund":
            origin = state.lines.get(f"bank-{pend.link[7:]}")
            origin = state.seen(origin) if origin is not None else None
            if origin is not None and origin.iban_last4 and origin.iban_last4 == last4:
                score, reasons = score + 50, [*reasons, "account the overpayment came from"]
            if line.date >= pend.date:
                score, reasons = score + 10, [*reasons, "after the overpayment"]
        if score > 0:
            out.append(Candidate(pend.link, [(pend.link, amount)], score, reasons))
    out.extend(_returned_payment_candidates(state, line))
    return out


def _returned_payment_candidates(state: State, line: BankLine) -> list[Candidate]:
    """An R-transaction (returned, recalled or reversed payment) undoes a receipt."""
    out = []
    returned = {r.returns for r in state.receipts if r.returns}
    for receipt in state.receipts:
        original = state.lines.get(receipt.bank_link)
        if receipt.amount != -line.suspense or original is None or receipt.date > line.date:
            continue
        original = state.seen(original)
        if receipt.amount <= 0 or receipt.bank_link[5:] in returned:
            continue
        score, reasons = 40, ["amount of an earlier payment, returned"]
        if line.returned:
            score, reasons = score + 40, [*reasons, "marked as an R-transaction by the bank"]
        if original.iban_last4 and original.iban_last4 == line.iban_last4:
            score, reasons = score + 30, [*reasons, "same account"]
        if line.ogm and line.ogm == original.ogm:
            score, reasons = score + 40, [*reasons, "same structured communication"]
        out.append(
            Candidate(
                f"return:{receipt.inv_link}",
                [(receipt.inv_link, line.suspense)],
                score,
                reasons,
                returns=receipt.bank_link[5:],
            )
        )
    return out


def decide(cands: list[Candidate]) -> Candidate | None:
    """The candidate to book without asking, if one is certain enough."""
    if not cands or cands[0].score < CERTAIN:
        return None
    if len(cands) > 1 and cands[0].score - cands[1].score < MARGIN:
        return None
    return cands[0]


# ---------------------------------------------------------------- settlement entries


def settlement_entries(
    state: State, line: BankLine, parts: list[tuple[str, Decimal]], how: str, returns: str = ""
) -> list[data.Transaction]:
    """Move a bank line out of suspense onto what it settles (dated at the bank date)."""
    cfg = state.config
    suspense = cfg.account("suspense")
    total = sum((a for _, a in parts), ZERO)
    if total != line.suspense:
        raise InputError(
            f"bank line {line.ref}: the parts settle {total} EUR but {line.suspense} EUR is open"
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
    if link.startswith("inv-"):
        inv = state.invoices[link]
        what = "Returned payment" if amount < 0 else "Payment"
        return (
            cfg.account("clients"),
            f"{what} for invoice {inv.number}, out of suspense",
            {"invoice": inv.number, "participant": inv.participant or None},
        )
    pend = state.pending.get(link)
    if pend is not None and pend.kind == "payout" and amount > 0:
        # Money coming back for a payout: it bounced. The participant gets it back.
        return (
            cfg.account("participant_held", pend.participant),
            f"Payout {link.upper()} returned by the bank, back on the balance held",
            {
                "participant": pend.participant,
                "payout": link.upper(),
                "returned": True,
                "returns": _line_ref(state, pend.debited_by[5:]),
            },
        )
    if pend is not None:
        narration = {
            "payout": f"Payout {link.upper()} debited",
            "expense": f"Cost {link.upper()} paid",
            "grant": f"Grant {link[6:]} received",
            "refund": f"Credit note {pend.credit_note} refunded to the client"
            if pend.credit_note
            else f"Overpayment of bank line {_line_ref(state, link[7:])} refunded",
            "transfer": f"Cash {'withdrawal' if amount < 0 else 'deposit'} {link.upper()} "
            "on the bank statement",
        }[pend.kind]
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
    return link, "Bank line assigned to an account", {}


def _line_ref(state: State, link_id: str) -> str:
    line = state.lines.get(f"bank-{link_id}")
    return line.ref if line is not None else link_id


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


# ---------------------------------------------------------------- the public functions


def auto_entries(state: State) -> list[data.Transaction]:
    """Every entry reconciliation books by itself on this state (folded into it)."""
    out: list[data.Transaction] = []
    out.extend(allocation_entries(state))
    for _ in range(5):  # a line settled may make another one certain: go round again
        booked = len(out)
        for line in state.open_lines():
            cand = decide(candidates(state, line))
            if cand is None:
                continue
            if cand.target.startswith("return:") and not _can_undo(state, cand, line):
                continue
            out.extend(book_candidate(state, line, cand, "auto"))
            out.extend(allocation_entries(state))
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


@dataclass
class QueueItem:
    """A bank line in suspense that reconciliation could not settle by itself."""

    line: BankLine
    candidates: list[Candidate]

    def as_json(self) -> dict[str, Any]:
        line = self.line
        return {
            "ref": line.ref,
            "link": line.link,
            "date": line.date.isoformat(),
            "amount": str(line.amount),
            "open": str(line.suspense),
            "direction": "in" if line.suspense > 0 else "out",
            # Who paid the hub is on the statement already; who the hub paid may be a
            # participant, so only the last digits of that account are ever shown.
            "counterparty": line.counterparty if line.suspense > 0 else "",
            "iban-last4": line.iban_last4,
            "communication": line.communication if line.suspense > 0 else "",
            "ogm": line.ogm,
            "details": [{"amount": str(a), "ogm": o} for a, o, _ in line.details],
            "candidates": [c.as_json() for c in self.candidates[:5]],
        }


def review_queue(
    entries: Iterable[data.Directive], config: HubConfig,
    originals: Mapping[str, BankOriginal] | None = None,
) -> list[QueueItem]:  # fmt: skip
    """What waits for a decision: open bank lines with their scored candidates (the queue
    shows what the books keep; the bank's originals only help the scoring)."""
    state = State.of(entries, config, originals)
    return [QueueItem(line, candidates(state, line)) for line in state.open_lines()]


def find_line(state: State, ref: str) -> BankLine:
    """The bank line with this reference (``bank-ref`` or ``^bank-`` link)."""
    ref = ref.strip().removeprefix("^")
    line = state.lines.get(ref) or next((ln for ln in state.lines.values() if ln.ref == ref), None)
    if line is None:
        raise InputError(
            "no bank line with that reference in the books (give its bank-ref or ^bank- link)"
        )
    if not line.is_open:
        raise InputError(f"bank line {line.ref} is already settled; nothing is matched twice")
    return line


def assign(
    entries: Iterable[data.Directive], config: HubConfig, ref: str, target: str,
    originals: Mapping[str, BankOriginal] | None = None,
) -> list[data.Directive]:  # fmt: skip
    """Settle one bank line as decided: TARGET is an invoice (or several, joined by
    ``+`` or ``,``), ``po-…``, ``exp-…``, ``grant-…``, ``refund-…``, ``return:inv-…``, an
    account role of the chart (``bank_fees``, ``gifts``…) or an account name."""
    state = State.of(entries, config, originals)
    line = find_line(state, ref)
    parts = _parse_target(state, line, target)
    returns = _returned_origin(state, line, parts[0][0]) if target.startswith("return:") else ""
    out: list[data.Directive] = list(settlement_entries(state, line, parts, "decision", returns))
    for entry in out:
        state.add(entry)
    out.extend(allocation_entries(state))
    if target.startswith("return:") and not any(
        isinstance(e, data.Transaction) and e.meta.get("kind") == "payment" for e in out
    ):
        raise InputError(
            f"bank line {line.ref}: undoing that payment would take the participant's "
            "balance below zero; assign it to an account instead"
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
            raise InputError(f"bank line {line.ref} is money coming in; it returns no payment")
        link = _invoice_link(state, target[7:])
        return [(link, line.suspense)]
    names = [t for t in re.split(r"[+,]", target) if t.strip()]
    if names and all(_looks_like_invoice(state, n) for n in names):
        links = [_invoice_link(state, n) for n in names]
        if line.suspense < 0:
            raise InputError(f"bank line {line.ref} is money going out; it pays no invoice")
        if len(links) == 1:
            return [(links[0], line.suspense)]
        dues = [state.invoices[lk].open for lk in links]
        if sum(dues, ZERO) != line.suspense:
            raise InputError(
                f"bank line {line.ref}: {line.suspense} EUR does not equal what the invoices "
                f"still ask ({sum(dues, ZERO)} EUR); assign it to one invoice at a time"
            )
        return list(zip(links, dues, strict=True))
    lowered = target.lower()
    pend = state.pending.get(lowered if lowered.startswith(("po-", "cash-")) else target)
    if pend is not None and pend.kind == "payout" and line.suspense > 0:
        return [(pend.link, _returned_payout_amount(state, line, pend))]
    if pend is not None:
        if pend.open == ZERO:
            raise InputError(f"{target} is already settled; nothing is matched twice")
        if (pend.open > 0) != (line.suspense > 0):
            raise InputError(f"bank line {line.ref} goes the other way than {target}")
        if pend.kind == "grant" and line.suspense > pend.open:
            raise InputError(
                f"bank line {line.ref}: {line.suspense} EUR is more than the {pend.open} EUR "
                f"still expected on {target}"
            )
        if pend.kind != "grant" and pend.open != line.suspense:
            raise InputError(
                f"bank line {line.ref}: {line.suspense} EUR is not the "
                f"{pend.open} EUR expected on {target}"
            )
        return [(pend.link, line.suspense)]
    account = _account_of(cfg, target)
    return [(account, line.suspense)]


def _returned_payout_amount(state: State, line: BankLine, pend: Pending) -> Decimal:
    """A credit assigned to a bank payout: it brings that payout back (checked)."""
    name = pend.link.upper()
    if pend.returned_by:
        raise InputError(
            f"{name} was already returned by bank line "
            f"{_line_ref(state, pend.returned_by[5:])}; nothing is matched twice"
        )
    if not pend.debited_by or pend.debited_on is None:
        raise InputError(
            f"{name} has not been debited yet: a credit cannot return it (cancel the order "
            "at the bank instead)"
        )
    if line.date < pend.debited_on:
        raise InputError(
            f"bank line {line.ref} is dated before the debit of {name} "
            f"({pend.debited_on.isoformat()}); it cannot return it"
        )
    if line.suspense != -pend.amount:
        raise InputError(
            f"bank line {line.ref}: {line.suspense} EUR is not the {-pend.amount} EUR of "
            f"{name}; assign it to an account instead"
        )
    if pend.participant in state.closed:
        raise InputError(
            f"{name}: participant {pend.participant} is closed and receives nothing; "
            "assign the line to an account instead"
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
        raise InputError(f"no invoice {shown} in the books")
    return link


def _account_of(config: HubConfig, target: str) -> str:
    """The account a bank line is assigned to by hand (a role of the chart or a name)."""
    from ledger.config import ACCOUNT_RE

    if target in config.accounts and "{code}" not in config.accounts[target].name:
        account = config.account(target)
    elif ACCOUNT_RE.match(target):
        account = target
    else:
        raise InputError(
            "unknown target (not repeated: it may be a name): give an invoice number, po-…, "
            "exp-…, grant-…, refund-…, cash-…, return:<invoice>, an account role (e.g. "
            "bank_fees) or an account name"
        )
    if account == config.account("cash"):
        raise InputError(
            f"{account}: record the cash movement with 'coopledger cash withdraw' or 'cash "
            "deposit' (dated when the cash box changed), then assign the line to its cash-… id"
        )
    # Accounts settled by their links (invoices, payouts, costs, grants, refunds) are reached
    # through their targets, so that what is open stays computable; a participant's money
    # only through an invoice or a payout.
    held = _participant_account(config, account, "participant_held")
    if held:
        raise InputError(
            f"{account}: a bank line cannot be assigned to the balance held for {held}; it "
            "changes only through an invoice or a payout (po-… gives back a payout that bounced)"
        )
    income = _participant_account(config, account, "participant_sales") or (
        _participant_account(config, account, "participant_contribution")
    )
    if income:
        raise InputError(
            f"{account}: a bank line cannot be assigned to a participant's income; it is "
            f"booked only through {income}'s invoices (assign the invoice instead)"
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
            f"{account}: a bank line cannot be assigned to that account (use an invoice, "
            "a payout, a cost or a grant as target)"
        )
    return account


def _participant_account(config: HubConfig, account: str, role: str) -> str:
    """The participant code if ``account`` is that participant's account of ``role``."""
    template = config.accounts[role].name
    prefix, _, suffix = template.partition("{code}")
    if account.startswith(prefix) and account.endswith(suffix) and len(account) > len(prefix):
        return account[len(prefix) : len(account) - len(suffix) if suffix else None]
    return ""


def unallocated(entries: Iterable[data.Directive], config: HubConfig) -> list[dict[str, Any]]:
    """Receipts on invoices that could not be allocated by themselves (and why)."""
    state = State.of(entries, config)
    out = []
    for receipt in state.receipts:
        if (receipt.bank_link, receipt.inv_link) in state.allocated:
            continue
        inv = state.invoices.get(receipt.inv_link)
        code = inv.participant if inv else ""
        if inv is None:
            why = "unknown invoice"
        elif code in state.closed and receipt.date > state.closed[code]:
            why = f"participant {code} is closed"
        else:
            why = f"undoing it would take the balance held for {code} below zero"
        out.append(
            {
                "bank-ref": _line_ref(state, receipt.bank_link[5:]),
                "invoice": receipt.inv_link[4:],
                "date": receipt.date.isoformat(),
                "amount": str(receipt.amount),
                "why": why,
            }
        )
    return out
