"""Matching: every scored explanation of an open bank line (invoices by OGM, number,
amount, the client's account or name; payouts, costs, grants, refunds, cash transfers;
returned payments and payouts; batches), and the one certain enough to book alone."""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from stdnum.be import ogm_vcs

from ledger.entries import ZERO
from ledger.i18n import _
from ledger.money.reconcile.state import State, kept
from ledger.view import (
    BankLine,
    Invoice,
    Pending,
    Receipt,
    _norm_name,
)

CERTAIN = 80  # a match scoring at least this…
MARGIN = 30  # …and this much above the next candidate is booked without asking
MAX_SUBSET_INVOICES = 12
MAX_SUBSET_SIZE = 4
LATE_WINDOW_DAYS = 120
PAYOUT_WINDOW_DAYS = 45
PAYOUT_RETURN_WINDOW_DAYS = 90  # a bounced transfer comes back within this after its debit
EXPENSE_WINDOW_DAYS = (-15, 60)
OGM_TEXT_RE = re.compile(r"(?<!\d)(\d{3})\D{0,3}(\d{4})\D{0,3}(\d{5})(?!\d)")
TRANSFER_NEAR_DAYS = 3  # a withdrawal or deposit shows on the statement within a few days
TRANSFER_WINDOW_DAYS = 15


def ogms_in_text(text: str) -> list[str]:
    """Valid structured communications typed in a free communication."""
    found = []
    for match in OGM_TEXT_RE.finditer(text or ""):
        digits = "".join(match.groups())
        if ogm_vcs.is_valid(digits):
            found.append(digits)
    return found


def _mentions(text: str, token: str) -> bool:
    if not token or token not in text:  # the pattern needs it as a substring: cheaper first
        return False
    return _token_pattern(token).search(text) is not None


@functools.lru_cache(maxsize=1 << 16)
def _token_pattern(token: str) -> re.Pattern[str]:
    """A token standing alone (compiled once: a month's import asks of every open invoice
    for every line, more patterns than ``re``'s own cache keeps)."""
    return re.compile(r"(?<![0-9A-Za-z])" + re.escape(token) + r"(?![0-9A-Za-z])")


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
            out.append(Candidate(link, [(link, amount)], 200, [_("structured communication")]))
    name = _norm_name(line.counterparty)
    dues = state.open_dues()
    known: dict[str, bool] = {}  # client → the line's account or name is one of theirs
    for inv, due in dues:
        mentioned = _mentions(text, inv.number)
        if inv.client not in known:
            known[inv.client] = _identity(state, line, inv.client, name, 0, [])[0] > 0
        if not (mentioned or amount == due or known[inv.client]):
            continue  # at most 10 (the payment window): never a candidate
        score, reasons = 0, list[str]()
        if mentioned:
            score, reasons = score + 60, [*reasons, _("invoice number in the communication")]
        if amount == due:
            score, reasons = score + 40, [*reasons, _("amount equals what is due")]
        elif amount < due and score >= 60:
            score, reasons = score + 10, [*reasons, _("partial payment")]
        elif amount > due:
            score -= 30
        score, reasons = _identity(state, line, inv.client, name, score, reasons)
        score, reasons = _window(line.date, inv, score, reasons)
        if score >= 20:  # the payment window alone says nothing
            out.append(Candidate(inv.link, [(inv.link, amount)], score, reasons))
    out.extend(_several_invoices(state, line, dues, name, text))
    for pend in state.open_pending("grant"):
        score, reasons = 0, list[str]()
        if _mentions(text.lower(), pend.link[6:].lower()):
            score, reasons = 60, [_("grant reference in the communication")]
        if amount == pend.open:
            score, reasons = score + 40, [*reasons, _("amount equals the grant receivable")]
        if pend.iban and pend.iban == line.iban:
            score, reasons = score + 40, [*reasons, _("the funder's account")]
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
    reason = _("the references of all {count} details of the batch", count=len(line.details))
    return [Candidate("+".join(parts), list(parts.items()), 200, [reason])]


def _transfer_candidate(line: BankLine, pend: Pending) -> list[Candidate]:
    """A cash withdrawal (money out) or deposit (money in) recorded in the cash book."""
    if line.suspense != pend.open:
        return []
    reasons: list[str] = [_("amount of a cash withdrawal or deposit")]
    score = 40
    if _mentions(f"{line.communication} {line.end_to_end}", pend.link.upper()):
        score, reasons = score + 60, [*reasons, _("its id in the communication")]
    gap = (line.date - pend.date).days
    if abs(gap) <= TRANSFER_NEAR_DAYS:
        score, reasons = score + 40, [*reasons, _("within a few days of it")]
    elif -TRANSFER_NEAR_DAYS <= gap <= TRANSFER_WINDOW_DAYS:
        score, reasons = score + 10, [*reasons, _("soon after it")]
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
        reasons: list[str] = [_("amount of a payout debited earlier")]
        score = 40
        if line.end_to_end and line.end_to_end.lower() == pend.end_to_end.lower():
            score, reasons = score + 60, [*reasons, _("the payout's end-to-end reference")]
        elif pend.end_to_end and _mentions(line.communication, pend.end_to_end):
            score, reasons = score + 20, [*reasons, _("the payout's id in the communication")]
        if line.returned:
            score, reasons = score + 40, [*reasons, _("marked as an R-transaction by the bank")]
        if pend.iban_last4 and line.iban_last4 == pend.iban_last4:
            score, reasons = score + 20, [*reasons, _("last four IBAN digits")]
        if line.date <= pend.debited_on + dt.timedelta(days=PAYOUT_RETURN_WINDOW_DAYS):
            score, reasons = score + 10, [*reasons, _("soon after the debit")]
        elif score >= CERTAIN:
            score = CERTAIN - 1  # too late to be sure: a decision
        out.append(Candidate(pend.link, [(pend.link, line.suspense)], score, reasons))
    return out


def _identity(
    state: State, line: BankLine, client: str, name: str, score: int, reasons: list[str]
) -> tuple[int, list[str]]:
    if line.iban and line.iban in state.client_ibans.get(client, set()):
        return score + 40, [*reasons, _("account the client paid from before")]
    if name and name in state.client_names.get(client, set()):
        return score + 25, [*reasons, _("name the client paid under before")]
    return score, reasons


def _window(day: dt.date, inv: Invoice, score: int, reasons: list[str]) -> tuple[int, list[str]]:
    late = (inv.due or inv.date) + dt.timedelta(days=LATE_WINDOW_DAYS)
    if inv.date <= day <= late:
        return score + 10, [*reasons, _("within the invoice's payment window")]
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
            score, reasons = score + 60, [*reasons, _("the supplier's structured reference")]
        text = f"{line.communication} {line.end_to_end}".upper()
        if not structured and len(pend.reference) >= 4 and _mentions(text, pend.reference.upper()):
            score, reasons = score + 60, [*reasons, _("the supplier's payment reference")]
    if pend.iban_last4 and line.iban_last4 == pend.iban_last4:
        score, reasons = score + 20, [*reasons, _("the supplier's account")]
    return score, reasons


def subsets_summing(opens: Sequence[Decimal], target: Decimal) -> list[tuple[int, ...]]:
    """The combinations of 2 to MAX_SUBSET_SIZE of ``opens`` (as indices) that add up to
    ``target``, in the order ``itertools.combinations`` gives them, size by size.

    Each combination is a pair (its first two indices) and the rest: the pairs are summed
    once, and each rest looks up the pair it needs, instead of summing every combination
    for every line of a month (exact: amounts add without rounding)."""
    pairs, rests, (lowest, highest) = _pairs_and_rests(tuple(opens))
    if not lowest <= target <= highest:
        return []  # no combination reaches it (most lines of a month)
    by_size: list[list[tuple[int, ...]]] = [[] for _ in range(MAX_SUBSET_SIZE + 1)]
    for rest, summed in rests:
        for i, j in pairs.get(target - summed, ()):
            if not rest or j < rest[0]:
                by_size[len(rest) + 2].append((i, j, *rest))
    return [combo for found in by_size for combo in sorted(found)]


@functools.lru_cache(maxsize=256)
def _pairs_and_rests(opens: tuple[Decimal, ...]) -> tuple[
    dict[Decimal, list[tuple[int, int]]],
    list[tuple[tuple[int, ...], Decimal]],
    tuple[Decimal, Decimal],
]:  # fmt: skip
    """The pairs of ``opens`` by their sum, every rest (after the pair) with its sum, and
    the lowest and highest sum of a combination: a client's open invoices are the same for
    most lines of a month."""
    pairs: dict[Decimal, list[tuple[int, int]]] = defaultdict(list)
    for i, j in itertools.combinations(range(len(opens)), 2):
        pairs[opens[i] + opens[j]].append((i, j))
    rests = [
        (rest, sum((opens[k] for k in rest), ZERO))
        for size in range(2, min(MAX_SUBSET_SIZE, len(opens)) + 1)
        for rest in itertools.combinations(range(2, len(opens)), size - 2)
    ]
    ordered = sorted(opens)
    sizes = range(2, min(MAX_SUBSET_SIZE, len(opens)) + 1)
    if not sizes:
        return dict(pairs), rests, (Decimal(1), Decimal(0))  # nothing to reach
    lowest = min(sum(ordered[:size], ZERO) for size in sizes)
    highest = max(sum(ordered[-size:], ZERO) for size in sizes)
    return dict(pairs), rests, (lowest, highest)


def _several_invoices(
    state: State, line: BankLine, dues: list[tuple[Invoice, Decimal]], name: str, text: str
) -> list[Candidate]:
    """One payment for several invoices of one client (exact sum of what is due)."""
    out: list[Candidate] = []
    by_client = _by_client(state, dues)
    clients = dict.fromkeys(
        inv.client for inv, _due in dues if inv.client and inv.date <= line.date
    )
    for client in clients:
        invoices = [(inv, due) for inv, due in by_client[client] if inv.date <= line.date]
        if len(invoices) < 2:
            continue
        invoices = invoices[-MAX_SUBSET_INVOICES:]
        base, reasons = _identity(state, line, client, name, 0, [])
        for indices in subsets_summing([due for _inv, due in invoices], line.suspense):
            combo = [invoices[k] for k in indices]
            score = base + 35
            why = [
                *reasons,
                _("amount equals what {size} invoices of one client ask", size=len(combo)),
            ]
            if all(_mentions(text, inv.number) for inv, _due in combo):
                score, why = score + 60, [*why, _("invoice numbers in the communication")]
            target = "+".join(inv.link for inv, _due in combo)
            out.append(Candidate(target, [(inv.link, due) for inv, due in combo], score, why))
    return out


def _by_client(
    state: State, dues: list[tuple[Invoice, Decimal]]
) -> dict[str, list[tuple[Invoice, Decimal]]]:
    """The open invoices of each client in date and number order (a month's lines ask the
    same question of the same state)."""

    def group() -> dict[str, list[tuple[Invoice, Decimal]]]:
        groups: dict[str, list[tuple[Invoice, Decimal]]] = defaultdict(list)
        for inv, due in dues:
            if inv.client:
                groups[inv.client].append((inv, due))
        for invoices in groups.values():
            invoices.sort(key=lambda pair: (pair[0].date, pair[0].number))  # stable
        return dict(groups)

    return kept(state, "open invoices by client", group)


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
            score, reasons = 60, [_("end-to-end reference")]
        elif pend.kind == "expense" and _mentions(text, pend.link[4:]):
            score, reasons = 60, [_("cost reference in the communication")]
        if amount == pend.open:
            score, reasons = score + 40, [*reasons, _("amount equals what is due")]
        else:
            score -= 60
        if pend.kind == "payout":
            if pend.iban_last4 and last4 == pend.iban_last4:
                score, reasons = score + 40, [*reasons, _("last four IBAN digits")]
            if pend.date <= line.date <= pend.date + dt.timedelta(days=PAYOUT_WINDOW_DAYS):
                score, reasons = score + 10, [*reasons, _("after the payout order")]
        elif pend.kind == "expense":
            low, high = EXPENSE_WINDOW_DAYS
            start, end = (pend.date + dt.timedelta(days=d) for d in (low, high))
            if start <= line.date <= end:
                score, reasons = score + 10, [*reasons, _("near the cost's date")]
            supplier = _norm_name(pend.text)
            if supplier and supplier in _norm_name(line.counterparty):
                score, reasons = score + 30, [*reasons, _("supplier's name")]
            score, reasons = _supplier_payment(line, pend, score, reasons)
        elif pend.kind == "refund" and pend.credit_note:
            inv = state.invoices.get(pend.invoice)
            paid_from = state.client_ibans.get(inv.client, set()) if inv else set()
            if last4 and any(iban[-4:] == last4 for iban in paid_from):
                score, reasons = score + 50, [*reasons, _("account the client paid from")]
            if _mentions(line.communication, pend.credit_note):
                score, reasons = score + 60, [*reasons, _("credit note number in the text")]
            if line.date >= pend.date:
                score, reasons = score + 10, [*reasons, _("after the credit note")]
        elif pend.kind == "refund":
            origin = state.lines.get(f"bank-{pend.link[7:]}")
            origin = state.seen(origin) if origin is not None else None
            if origin is not None and origin.iban_last4 and origin.iban_last4 == last4:
                score, reasons = score + 50, [*reasons, _("account the overpayment came from")]
            if line.date >= pend.date:
                score, reasons = score + 10, [*reasons, _("after the overpayment")]
        if score > 0:
            out.append(Candidate(pend.link, [(pend.link, amount)], score, reasons))
    out.extend(_returned_payment_candidates(state, line))
    return out


def _returned_payment_candidates(state: State, line: BankLine) -> list[Candidate]:
    """An R-transaction (returned, recalled or reversed payment) undoes a receipt."""
    out = []
    returned, by_amount = kept(state, "receipts by amount", lambda: _receipts_by_amount(state))
    for receipt in by_amount.get(-line.suspense, ()):
        original = state.lines.get(receipt.bank_link)
        if receipt.amount != -line.suspense or original is None or receipt.date > line.date:
            continue
        original = state.seen(original)
        if receipt.amount <= 0 or receipt.bank_link[5:] in returned:
            continue
        reasons: list[str] = [_("amount of an earlier payment, returned")]
        score = 40
        if line.returned:
            score, reasons = score + 40, [*reasons, _("marked as an R-transaction by the bank")]
        if original.iban_last4 and original.iban_last4 == line.iban_last4:
            score, reasons = score + 30, [*reasons, _("same account")]
        if line.ogm and line.ogm == original.ogm:
            score, reasons = score + 40, [*reasons, _("same structured communication")]
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


def _receipts_by_amount(state: State) -> tuple[set[str], dict[Decimal, list[Receipt]]]:
    """The payments returned already, and the receipts by amount (in the books' order)."""
    by_amount: dict[Decimal, list[Receipt]] = defaultdict(list)
    for receipt in state.receipts:
        by_amount[receipt.amount].append(receipt)
    return {r.returns for r in state.receipts if r.returns}, dict(by_amount)


def decide(cands: list[Candidate]) -> Candidate | None:
    """The candidate to book without asking, if one is certain enough."""
    if not cands or cands[0].score < CERTAIN:
        return None
    if len(cands) > 1 and cands[0].score - cands[1].score < MARGIN:
        return None
    return cands[0]
