"""Property tests: across any sequence of invoices, payments (by structured communication,
by text, anonymous, returned), costs, payouts and their debits, with reconciliation run at
any point, the invariants of ``docs/accounting-model.md`` hold.

Invariants checked (numbers as in ``docs/reconciliation.md``):

I1  every transaction balances;
I2  no participant's held balance is below zero at the end of any day, and nothing is
    posted to a participant outside its open period (``plugins.participants`` finds
    nothing);
I3  held(P) = Σ net received − Σ contributions − Σ costs charged − Σ payouts of P;
I4  receivables = Σ invoices − Σ credit notes − Σ payments applied (+ what a client owes
    back when a payment is returned after its overpayment was refunded);
I5  the hub's result = Σ contributions + Σ sales not yet received + grants and other
    income − the hub's own costs;
I6  bank + cash + receivables + suspense + VAT recoverable − (held for participants +
    payouts pending + suppliers + refunds due + VAT payable) = the hub's result;
I7  reconciliation never settles a payment twice: no bank line is settled beyond its
    amount, no (bank line, invoice) pair is allocated twice, and running it again books
    nothing;
I8  no invoice receives more net than it was issued for.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from decimal import Decimal
from typing import Any

from beancount.core import data
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from money_builders import CLIENT_IBANS, CODES, PAYEE_IBAN, bank_entry, invoice_entry, make_config
from money_builders import open_all as opening

from ledger.contributions import ZERO
from ledger.expenses import ExpenseRequest, charged_cost, expense_entry
from ledger.payouts import payout_entry
from ledger.reconcile import State, reconcile_new_entries
from plugins.participants import check_participants

CONFIG = make_config(regime="standard")
START = dt.date(2026, 1, 1)

ops = st.one_of(
    st.tuples(st.just("invoice"), st.integers(0, 2), st.integers(0, 2),
              st.integers(100, 50_000), st.sampled_from(["0", "21"])),
    st.tuples(st.just("pay"), st.integers(0, 30),
              st.sampled_from(["0.3", "0.5", "1", "1", "1.2"]),
              st.sampled_from(["ogm", "text", "anon", "suspense-ogm"])),
    st.tuples(st.just("return"), st.integers(0, 30)),
    st.tuples(st.just("cost"), st.integers(0, 3), st.integers(100, 20_000),
              st.sampled_from(["bank", "cash", "participant"])),
    st.tuples(st.just("payout"), st.integers(0, 2), st.integers(100, 30_000),
              st.sampled_from(["bank", "cash"])),
    st.tuples(st.just("debit"), st.integers(0, 10)),
    st.tuples(st.just("reconcile"),),
)  # fmt: skip


class World:
    """The books in memory and what the generator has done to them."""

    def __init__(self) -> None:
        self.entries: list[data.Directive] = opening(CONFIG, START)
        self.day = START + dt.timedelta(days=10)
        self.invoices: list[data.Transaction] = []
        self.received: list[tuple[str, Decimal, str]] = []  # bank ref, amount, iban
        self.payouts: list[data.Transaction] = []
        self.seq = Counter[str]()

    def next_day(self) -> dt.date:
        self.day += dt.timedelta(days=1)
        return self.day

    def ref(self, prefix: str) -> str:
        self.seq[prefix] += 1
        return f"{prefix}{self.seq[prefix]:04d}"

    def apply(self, op: tuple[Any, ...]) -> None:
        getattr(self, f"op_{op[0]}")(*op[1:])

    def op_invoice(self, code: int, client: int, cents: int, vat: str) -> None:
        net = Decimal(cents) / 100
        tax = (net * Decimal(vat) / 100).quantize(Decimal("0.01"))
        self.seq["inv"] += 1
        entry = invoice_entry(
            CONFIG, self.seq["inv"], CODES[code], f"C000{client + 1}", self.next_day(), net, tax
        )
        self.invoices.append(entry)
        self.entries.append(entry)

    def op_pay(self, index: int, fraction: str, route: str) -> None:
        if not self.invoices:
            return
        inv = self.invoices[index % len(self.invoices)]
        total = inv.postings[0].units.number
        amount = (total * Decimal(fraction)).quantize(Decimal("0.01"))
        if amount <= 0:
            return
        client = int(str(inv.meta["client"])[-1]) - 1
        iban = CLIENT_IBANS[client]
        ref = self.ref("B")
        kw: dict[str, Any] = {"counterparty": f"Client {client}", "iban": iban}
        if route == "ogm":
            kw.update(invoice=inv.meta["invoice"], ogm=inv.meta["ogm"])
        elif route == "suspense-ogm":
            kw["ogm"] = inv.meta["ogm"]
        elif route == "text":
            kw["communication"] = f"facture {inv.meta['invoice']}"
        self.entries.append(bank_entry(CONFIG, ref, self.next_day(), amount, **kw))
        self.received.append((ref, amount, iban))

    def op_return(self, index: int) -> None:
        if not self.received:
            return
        ref, amount, iban = self.received.pop(index % len(self.received))
        self.entries.append(
            bank_entry(CONFIG, self.ref("R"), self.next_day(), -amount, iban=iban,
                       communication=f"retour {ref}", extra={"r-transaction": "R-RETURN"})
        )  # fmt: skip

    def op_cost(self, who: int, cents: int, paid_from: str) -> None:
        code = CODES[who] if who < len(CODES) else None
        day = self.next_day()
        req = ExpenseRequest(
            amount=Decimal(cents) / 100, description="fournitures", participant=code,
            paid_from=paid_from if code else "cash", day=day,
        )  # fmt: skip
        if code and req.paid_from != "participant":
            available = State.of(self.entries, CONFIG).held_available(code, day)
            if charged_cost(CONFIG, req) > available:
                return  # `expense add` refuses it
        self.seq["exp"] += 1
        self.entries.append(expense_entry(CONFIG, req, f"EXP-2026-{self.seq['exp']:04d}", day))

    def op_payout(self, who: int, cents: int, method: str) -> None:
        code, day, amount = CODES[who], self.next_day(), Decimal(cents) / 100
        if amount > State.of(self.entries, CONFIG).held_available(code, day):
            return  # `payout` refuses it
        self.seq["po"] += 1
        entry = payout_entry(
            CONFIG, f"PO-2026-{self.seq['po']:04d}", code, amount, day, method,
            PAYEE_IBAN if method == "bank" else None,
        )  # fmt: skip
        self.entries.append(entry)
        if method == "bank":
            self.payouts.append(entry)

    def op_debit(self, index: int) -> None:
        if not self.payouts:
            return
        po = self.payouts.pop(index % len(self.payouts))
        self.entries.append(
            bank_entry(CONFIG, self.ref("D"), self.next_day(), -po.meta["amount"],
                       iban=PAYEE_IBAN, communication=str(po.meta["payout"]))
        )  # fmt: skip

    def op_reconcile(self) -> None:
        self.entries.extend(reconcile_new_entries(self.entries, CONFIG))


# ---------------------------------------------------------------- invariants


def balances(entries: list[data.Directive]) -> dict[str, Decimal]:
    out: dict[str, Decimal] = defaultdict(Decimal)
    for e in entries:
        if isinstance(e, data.Transaction):
            for p in e.postings:
                out[p.account] += p.units.number
    return out


def txns(entries: list[data.Directive], kind: str) -> list[data.Transaction]:
    return [e for e in entries if isinstance(e, data.Transaction) and e.meta.get("kind") == kind]


def meta_sum(entries: list[data.Transaction], key: str, code: str | None = None) -> Decimal:
    return sum(
        (Decimal(str(e.meta.get(key, 0))) for e in entries
         if code is None or e.meta.get("participant") == code),
        ZERO,
    )  # fmt: skip


def check_invariants(entries: list[data.Directive], reconciled: bool) -> None:
    cfg = CONFIG
    bal = balances(entries)
    # I1
    for e in entries:
        if isinstance(e, data.Transaction):
            assert sum((p.units.number for p in e.postings), ZERO) == 0, e
    # I2
    _, errors = check_participants(sorted(entries, key=data.entry_sortkey), {})
    assert errors == [], errors[0].message
    payments = txns(entries, "payment")
    expenses = txns(entries, "expense")
    payouts = txns(entries, "payout")
    # I3
    for code in CODES:
        charged = sum(
            (charged_cost(cfg, ExpenseRequest(amount=e.meta["amount"], description="x",
                                               vat=e.meta.get("vat") or ZERO))
             for e in expenses
             if e.meta.get("participant") == code and e.meta["paid-from"] != "participant"),
            ZERO,
        )  # fmt: skip
        held = -bal[cfg.account("participant_held", code)]
        assert held == (
            meta_sum(payments, "received-net", code) - meta_sum(payments, "contribution", code)
            - charged - meta_sum(payouts, "amount", code)
        )  # fmt: skip
    invoices = txns(entries, "invoice")
    totals = sum((i.postings[0].units.number for i in invoices), ZERO)
    if reconciled:
        # I4 (every receipt posted to receivables is allocated once reconciled)
        # (a payment returned after its overpayment was refunded leaves the client owing
        # that part: booked as "unapplied", it stays on the receivable)
        assert bal[cfg.account("clients")] == (
            totals - meta_sum(payments, "applied") - meta_sum(payments, "unapplied")
        )
        # I7: running it again books nothing
        assert reconcile_new_entries(entries, cfg) == []
    # I5
    income = -sum((v for a, v in bal.items() if a.startswith("Income:")), ZERO)
    costs = sum((v for a, v in bal.items() if a.startswith("Expenses:")), ZERO)
    nets = sum((-i.postings[1].units.number for i in invoices), ZERO)
    hub_costs = sum(
        (p.units.number for e in expenses if not e.meta.get("participant") for p in e.postings
         if p.account.startswith("Expenses:")),
        ZERO,
    )  # fmt: skip
    result = income - costs
    assert result == (
        meta_sum(payments, "contribution") + nets - meta_sum(payments, "received-net") - hub_costs
    )
    # I6
    assets = sum(
        bal[a] for a in (cfg.main_bank.account, cfg.account("cash"), cfg.account("clients"),
                         cfg.account("suspense"), cfg.account("vat_recoverable"),
                         cfg.account("grants_receivable"))
    )  # fmt: skip
    liabilities = -sum((v for a, v in bal.items() if a.startswith("Liabilities:")), ZERO)
    assert assets - liabilities == result
    # I7: no bank line settled beyond its amount; no pair allocated twice
    state = State.of(entries, cfg)
    for line in state.lines.values():
        if line.amount >= 0:
            assert ZERO <= line.suspense <= line.amount or line.suspense == 0
        else:
            assert line.amount <= line.suspense <= ZERO
    pairs = Counter(
        (sorted(lk for lk in e.links if lk.startswith("bank-"))[0],
         sorted(lk for lk in e.links if lk.startswith("inv-"))[0])
        for e in payments
    )  # fmt: skip
    assert all(n == 1 for n in pairs.values())
    # I8
    for inv in state.invoices.values():
        assert inv.received_net <= inv.effective_net
        assert inv.applied <= inv.effective_total


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(ops, min_size=3, max_size=40))
def test_invariants_hold_across_any_sequence(sequence: list[tuple[Any, ...]]) -> None:
    world = World()
    for op in sequence:
        world.apply(op)
        check_invariants(world.entries, reconciled=op[0] == "reconcile")
    world.op_reconcile()
    check_invariants(world.entries, reconciled=True)


@settings(max_examples=30, deadline=None)
@given(
    st.lists(st.integers(1, 10_000), min_size=1, max_size=6),
    st.integers(100, 100_000),
    st.sampled_from(["0", "6", "21"]),
)
def test_partial_payments_add_up_to_the_net_exactly(
    parts: list[int], cents: int, vat: str
) -> None:
    """However an invoice is paid in pieces, the net received adds up to its net."""
    net = Decimal(cents) / 100
    tax = (net * Decimal(vat) / 100).quantize(Decimal("0.01"))
    inv = invoice_entry(CONFIG, 1, CODES[0], "C0001", START, net, tax)
    entries: list[data.Directive] = [*opening(CONFIG, START), inv]
    total = net + tax
    weights = sum(parts)
    amounts = [(total * p / weights).quantize(Decimal("0.01")) for p in parts]
    amounts[-1] = total - sum(amounts[:-1])
    for n, amount in enumerate(a for a in amounts if a != 0):
        entries.append(
            bank_entry(CONFIG, f"P{n}", START + dt.timedelta(days=n + 1), amount,
                       invoice=str(inv.meta["invoice"]), ogm=str(inv.meta["ogm"]))
        )  # fmt: skip
    entries.extend(reconcile_new_entries(entries, CONFIG))
    payments = txns(entries, "payment")
    assert meta_sum(payments, "received-net") == net
    assert meta_sum(payments, "applied") == total
    check_invariants(entries, reconciled=True)
