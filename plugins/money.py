"""Money invariants of the accounting model, checked on every load in one pass.

Accounts are known by the ``role`` (and ``participant``) metadata of their ``open``
entries, as ``coopledger init`` and ``participant add`` write them: the fold's register
(:func:`ledger.view.accounts.register_of`, the one :class:`ledger.view.View` keeps), so the
plugin needs no configuration. Each error names the entry that breaks the invariant (its
file and line):

* **the result identity**: in every entry, a participant's sales, share and costs add up to
  zero (costs a grant pays excepted: they are the hub's own), so the hub's result is
  exactly its contributions plus its own income minus its own costs at every date — it
  never holds a participant's money, paid or not;
* **the cash box** is never below zero at the end of a day, and holds exactly what was
  counted (``custom "cash-count"``) at the end of the day of a count;
* **what a participant owes the hub** (``participant_owed``) is never below zero, and no
  payout leaves her holding less than she owes;
* **allocations add up**: an allocation, a credit reversal or a cash sale moves exactly its
  ``received-net`` and ``contribution``, at its rate; each allocation allocates exactly
  what its bank line (or cash receipt) brought to that invoice;
* **credits never exceed what was invoiced**, in total and excluding VAT, and no invoice
  is paid beyond what it asks nor credits its participant more net than it was issued for;
* **a bank line is settled at most once**: what settlements take out of suspense for a
  line never exceeds the line;
* **the suspense account is empty** at the end of a closed year (``custom "year-closed"``);
* **cents**: no euro amount of a posting has more than two decimals.
"""

from __future__ import annotations

import collections
import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Context, Decimal
from typing import Any

from beancount.core import data

from ledger.daybook import RESULT_ROLES
from ledger.view.accounts import register_of

__plugins__ = ("check_money",)

MoneyError = collections.namedtuple("MoneyError", "source message entry")

ZERO = Decimal("0")
CENT = Decimal("0.01")
WIDE = Context(prec=80)  # a quantize that never overflows on a 30-digit amount
SEAL_TYPE = "year-closed"
COUNT_TYPE = "cash-count"
NOT_RECEIPTS = ("payment", "invoice", "credit-note", "credit-reversal")
ALLOCATING = ("payment", "credit-reversal")


def _q2(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _dec(value: Any) -> Decimal:
    try:
        return Decimal(str(value)) if value not in (None, "") else ZERO
    except ArithmeticError:
        return ZERO


@dataclass
class _Invoice:
    entry: data.Transaction | None = None
    total: Decimal = ZERO
    net: Decimal = ZERO
    credits: list[tuple[data.Transaction, Decimal, Decimal]] = field(default_factory=list)
    applied: list[tuple[data.Transaction, Decimal]] = field(default_factory=list)
    pending: Decimal = ZERO


@dataclass
class _Fold:
    """Everything the checks need, folded entry by entry."""

    roles: dict[str, tuple[str, str]] = field(default_factory=dict)
    errors: list[Any] = field(default_factory=list)
    cash: Decimal = ZERO
    suspense: Decimal = ZERO
    held: dict[str, Decimal] = field(default_factory=lambda: collections.defaultdict(Decimal))
    owed: dict[str, Decimal] = field(default_factory=lambda: collections.defaultdict(Decimal))
    # what happened today, checked at the end of the day
    day: dt.date | None = None
    last_cash: data.Transaction | None = None
    last_owed: dict[str, data.Transaction] = field(default_factory=dict)
    payouts: list[tuple[str, data.Transaction]] = field(default_factory=list)
    counts: list[data.Custom] = field(default_factory=list)
    seals: list[data.Custom] = field(default_factory=list)
    # checked once everything is folded (entries of one day come in any file order)
    invoices: dict[str, _Invoice] = field(
        default_factory=lambda: collections.defaultdict(_Invoice)
    )
    lines: dict[str, Decimal] = field(default_factory=dict)  # bank link → amount
    settled: dict[str, list[tuple[data.Transaction, Decimal]]] = field(
        default_factory=lambda: collections.defaultdict(list)
    )
    receipts: dict[tuple[str, str], Decimal] = field(
        default_factory=lambda: collections.defaultdict(Decimal)
    )
    allocations: list[tuple[str, str, data.Transaction]] = field(default_factory=list)

    def error(self, entry: data.Directive, message: str) -> None:
        self.errors.append(MoneyError(entry.meta, message, entry))

    # -- the day ----------------------------------------------------------------------

    def end_of_day(self) -> None:
        if self.day is None:
            return
        day = self.day.isoformat()
        if self.cash < 0 and self.last_cash is not None:
            self.error(
                self.last_cash,
                f"the cash box would hold {self.cash} EUR at the end of {day}; it may never "
                "be below zero (record the money put in it first)",
            )
            self.cash = ZERO  # report once, then keep checking
        for count in self.counts:
            counted = count.values[1].value.number if len(count.values) > 1 else None
            if counted is None or counted != self.cash:
                self.error(
                    count,
                    f"the cash box was counted at {counted} EUR at the end of {day}, but the "
                    f"books say {self.cash} EUR (book the difference with 'coopledger cash "
                    "count')",
                )
        for code, entry in self.last_owed.items():
            if self.owed[code] < 0:
                self.error(
                    entry,
                    f"participant {code}: what they owe the hub would be {self.owed[code]} "
                    f"EUR at the end of {day}; more was recovered than they owed",
                )
                self.owed[code] = ZERO
        for code, entry in self.payouts:
            if self.owed[code] > 0 and self.held[code] < self.owed[code]:
                self.error(
                    entry,
                    f"participant {code} is paid out while owing the hub {self.owed[code]} "
                    f"EUR: at the end of {day} only {self.held[code]} EUR is held for them",
                )
        for seal in self.seals:
            if self.suspense != 0:
                year = seal.values[0].value if seal.values else "?"
                self.error(
                    seal,
                    f"the suspense account holds {self.suspense} EUR at the close of {year}; "
                    "a year is closed only once every bank line is explained",
                )
        self.last_cash, self.last_owed = None, {}
        self.payouts, self.counts, self.seals = [], [], []

    # -- one entry --------------------------------------------------------------------

    def fold(self, entry: data.Directive) -> None:
        if self.day != entry.date:
            self.end_of_day()
            self.day = entry.date
        if isinstance(entry, data.Custom):
            if entry.type == COUNT_TYPE:
                self.counts.append(entry)
            elif entry.type == SEAL_TYPE:
                self.seals.append(entry)
        elif isinstance(entry, data.Transaction):
            self.transaction(entry)

    def transaction(self, entry: data.Transaction) -> None:
        kind = str(entry.meta.get("kind", ""))
        links = sorted(entry.links or ())
        banks = [lk for lk in links if lk.startswith("bank-")]
        money = banks or [lk for lk in links if lk.startswith("cash-")]
        invs = [lk for lk in links if lk.startswith("inv-")]
        inv = invs[0] if len(invs) == 1 else None
        result: dict[str, Decimal] = collections.defaultdict(Decimal)
        moved: dict[str, Decimal] = collections.defaultdict(Decimal)  # role:code → sum
        clients = ZERO
        for p in entry.postings:
            if p.units is None or p.units.number is None:
                continue
            number = p.units.number
            role, code = self.roles.get(p.account, ("", ""))
            moved[f"{role}:{code}"] += number
            funded = role == "participant_costs" and entry.meta.get("grant")
            if role in RESULT_ROLES and not funded:
                result[code] += number
            if role == "cash":
                self.cash += number
                self.last_cash = entry
            elif role == "suspense":
                self.suspense += number
                if len(banks) == 1:
                    self.settled[banks[0]].append((entry, number))
            elif role == "participant_held":
                self.held[code] -= number
            elif role == "participant_owed":
                self.owed[code] += number
                self.last_owed[code] = entry
            elif role == "clients":
                clients += number
            elif role == "bank" and kind == "bank" and len(banks) == 1:
                self.lines[banks[0]] = self.lines.get(banks[0], ZERO) + number
            if role == "participant_pending" and inv is not None:
                self.invoices[inv].pending += number
        for code, total in result.items():
            if total != 0:
                self.error(
                    entry,
                    f"participant {code}: this entry puts {-total} EUR of their sales, share or "
                    "costs in the hub's result (sales, share and costs of a participant add up "
                    "to zero in every entry)",
                )
        if kind == "payout":
            code = str(entry.meta.get("participant", ""))
            if code:
                self.payouts.append((code, entry))
        if kind in (*ALLOCATING, "cash-sale"):
            self.allocation_adds_up(entry, kind, moved)
        if inv is None:
            return
        record = self.invoices[inv]
        if kind == "invoice":
            record.entry, record.total = entry, clients
            record.net = -moved.get(f"participant_sales:{entry.meta.get('participant', '')}", ZERO)
        elif kind == "credit-note":
            sales = -moved.get(f"participant_sales:{entry.meta.get('participant', '')}", ZERO)
            record.credits.append((entry, -clients, -sales))
        elif kind in ALLOCATING:
            record.applied.append((entry, _dec(entry.meta.get("applied"))))
            if kind == "payment" and len(money) == 1:
                self.allocations.append((money[0], inv, entry))
        elif clients != 0 and len(money) == 1:
            self.receipts[(money[0], inv)] -= clients

    def allocation_adds_up(
        self, entry: data.Transaction, kind: str, moved: dict[str, Decimal]
    ) -> None:
        """An allocation moves what its metadata says, and its contribution is its rate."""
        code = str(entry.meta.get("participant", "") or "")
        if not code or "received-net" not in entry.meta:
            return
        net = _dec(entry.meta.get("received-net"))
        contribution = _dec(entry.meta.get("contribution"))
        moved_net = (
            moved.get(f"participant_share:{code}", ZERO)
            if kind == "cash-sale"
            else moved.get(f"participant_pending:{code}", ZERO)
        )
        booked = -moved.get(f"participant_contribution:{code}", ZERO)
        if moved_net != net or booked != contribution:
            self.error(
                entry,
                f"participant {code}: the entry moves {moved_net} EUR received and {booked} EUR "
                f"of contribution, but says {net} and {contribution}",
            )
            return
        rule = str(entry.meta.get("contribution-rule", ""))
        rate = entry.meta.get("contribution-rate")
        if rate is not None and not rule.startswith("reversal") and net > 0:
            expected = _q2(net * _dec(rate) / 100)
            if contribution != expected:
                self.error(
                    entry,
                    f"participant {code}: a contribution of {contribution} EUR on {net} EUR "
                    f"at {rate} % should be {expected} EUR",
                )

    # -- once everything is folded ---------------------------------------------------

    def finish(self) -> None:
        self.end_of_day()
        for link, record in self.invoices.items():
            if record.entry is None:
                continue
            total, net = record.total, record.net
            for note, credited_total, credited_net in sorted(record.credits, key=_date_line):
                total -= credited_total
                net -= credited_net
                if total < 0 or net < 0:
                    self.error(
                        note,
                        f"credit notes on invoice {link[4:]} credit more than it was issued "
                        f"for ({record.total} EUR, {record.net} EUR excl. VAT)",
                    )
                    break
            applied = ZERO
            for allocation, amount in sorted(record.applied, key=_date_line):
                applied += amount
                if applied < 0:
                    self.error(allocation, f"invoice {link[4:]}: more was undone than was paid")
                    break
            if applied > max(total, ZERO):
                self.error(
                    record.applied[-1][0] if record.applied else record.entry,
                    f"invoice {link[4:]}: {applied} EUR is applied to it, more than the "
                    f"{max(total, ZERO)} EUR it asks after credit notes",
                )
            if record.pending > 0 or -record.pending > max(net, ZERO):
                self.error(
                    record.entry,
                    f"invoice {link[4:]}: its participant's share still to be received is "
                    f"{-record.pending} EUR, outside 0 to {max(net, ZERO)} EUR (more net was "
                    "credited to the participant than the invoice is for, or less than nothing)",
                )
        for money, inv, allocation in self.allocations:
            received = self.receipts.get((money, inv))
            amount = _dec(allocation.meta.get("amount"))
            if received is None or received != amount:
                self.error(
                    allocation,
                    f"allocation of {amount} EUR on invoice {inv[4:]}, but ^{money} brought "
                    f"{received or ZERO} EUR to it",
                )
        for link, moves in self.settled.items():
            if link not in self.lines:
                continue
            amount = self.lines[link]
            open_part = ZERO
            # the bank entry first, then what settles it (same-day entries of other files
            # come in any order)
            for entry, number in sorted(moves, key=_bank_first):
                open_part -= number
                if (amount >= 0 and not ZERO <= open_part <= amount) or (
                    amount < 0 and not amount <= open_part <= ZERO
                ):
                    self.error(
                        entry,
                        f"^{link} ({amount} EUR) is settled beyond its amount: the same money "
                        "would count twice",
                    )
                    break


def _bank_first(item: Any) -> tuple[dt.date, int, int]:
    entry = item[0]
    return entry.date, entry.meta.get("kind") != "bank", int(entry.meta.get("lineno", 0) or 0)


def _date_line(item: Any) -> tuple[dt.date, int]:
    entry = item[0]
    return entry.date, int(entry.meta.get("lineno", 0) or 0)


def check_money(
    entries: list[data.Directive], options_map: dict[str, Any], config: str | None = None
) -> tuple[list[data.Directive], list[Any]]:
    fold = _Fold(roles=register_of(entries).roles)
    for entry in entries:
        fold.fold(entry)
    fold.finish()
    return entries, fold.errors + _sub_cent(entries)


def _sub_cent(entries: list[data.Directive]) -> list[MoneyError]:
    """No amount in euro has more than two decimals (a bank file's ``12,345``, a hand
    edit): a cent is the smallest amount the hub can pay, be paid or count."""
    out = []
    for entry in entries:
        if not isinstance(entry, data.Transaction):
            continue
        for post in entry.postings:
            units = post.units
            number = getattr(units, "number", None)
            if units is None:
                continue
            if (
                isinstance(number, Decimal)
                and units.currency == "EUR"
                and number.is_finite()
                and number.as_tuple().exponent < -2  # type: ignore[operator]
                and number != number.quantize(CENT, context=WIDE)
            ):
                out.append(
                    MoneyError(
                        entry.meta,
                        f"{post.account}: an amount with more than two decimals; a euro "
                        "amount is in cents",
                        entry,
                    )
                )
                break
    return out
