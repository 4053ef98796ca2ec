"""Money invariants of the accounting model, checked on every load in one pass.

The figures come from the books' one fold, :class:`ledger.view.View` (``View.of(entries)``
needs no configuration: it knows accounts by the ``role`` and ``participant`` metadata of
their ``open`` entries), and, on a load by coopledger, that fold is the load's own: every
reader after the plugins shares it (:func:`ledger.view.handing_over`). The plugin itself
only walks each entry once, for what is a rule of one entry (the result identity, an
allocation's figures, cents) and to know which entry to name: each error names the entry
that breaks the invariant (its file and line):

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

import bisect
import collections
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Context, Decimal
from typing import Any

from beancount.core import data

from ledger.daybook import RESULT_ROLES
from ledger.i18n import _
from ledger.view import View

__plugins__ = ("check_money",)

MoneyError = collections.namedtuple("MoneyError", "source message entry")

ZERO = Decimal("0")
CENT = Decimal("0.01")
WIDE = Context(prec=80)  # a quantize that never overflows on a 30-digit amount
SEAL_TYPE = "year-closed"
COUNT_TYPE = "cash-count"
ALLOCATING = ("payment", "credit-reversal")
_NO_ROLE = ("", "")


def _q2(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _dec(value: Any) -> Decimal:
    try:
        return Decimal(str(value)) if value not in (None, "") else ZERO
    except ArithmeticError:
        return ZERO


def check_money(
    entries: list[data.Directive], options_map: dict[str, Any], config: str | None = None
) -> tuple[list[data.Directive], list[Any]]:
    view = View.of(entries)
    walk = _Walk(view.register.roles)
    for entry in entries:
        walk.entry(entry)
    errors = walk.errors
    errors += _days(view, walk)
    errors += _invoices(view)
    errors += _allocations(view, walk.allocations)
    errors += _bank_lines(view)
    return entries, errors + walk.cents


def _error(entry: data.Directive, message: str) -> MoneyError:
    return MoneyError(entry.meta, message, entry)


# ---------------------------------------------------------------- one walk of the entries


@dataclass
class _Walk:
    """The rules of one entry, and which entry to name for what the fold finds."""

    roles: dict[str, tuple[str, str]]
    errors: list[Any] = field(default_factory=list)
    cents: list[Any] = field(default_factory=list)
    # by day: the last entry that moved the cash box, each participant's last entry that
    # moved what they owe, the payouts, the counts of the cash box and the closes
    last_cash: dict[dt.date, data.Transaction] = field(default_factory=dict)
    last_owed: dict[dt.date, dict[str, data.Transaction]] = field(
        default_factory=lambda: collections.defaultdict(dict)
    )
    payouts: dict[dt.date, list[tuple[str, data.Transaction]]] = field(
        default_factory=lambda: collections.defaultdict(list)
    )
    counts: dict[dt.date, list[data.Custom]] = field(
        default_factory=lambda: collections.defaultdict(list)
    )
    seals: dict[dt.date, list[data.Custom]] = field(
        default_factory=lambda: collections.defaultdict(list)
    )
    allocations: list[tuple[str, str, data.Transaction]] = field(default_factory=list)

    def entry(self, entry: data.Directive) -> None:
        if isinstance(entry, data.Custom):
            if entry.type == COUNT_TYPE:
                self.counts[entry.date].append(entry)
            elif entry.type == SEAL_TYPE:
                self.seals[entry.date].append(entry)
        elif isinstance(entry, data.Transaction):
            self.transaction(entry)

    def transaction(self, entry: data.Transaction) -> None:
        kind = str(entry.meta.get("kind", ""))
        result: dict[str, Decimal] = collections.defaultdict(Decimal)
        allocating = kind in (*ALLOCATING, "cash-sale")
        moved: dict[str, Decimal] = collections.defaultdict(Decimal)  # role:code → sum
        sub_cent = ""
        for p in entry.postings:
            units = p.units
            if units is None or units.number is None:
                continue
            number = units.number
            role, code = self.roles.get(p.account, _NO_ROLE)
            if allocating:
                moved[f"{role}:{code}"] += number
            if role in RESULT_ROLES and not (
                role == "participant_costs" and entry.meta.get("grant")
            ):
                result[code] += number
            if role == "cash":
                self.last_cash[entry.date] = entry
            elif role == "participant_owed":
                self.last_owed[entry.date][code] = entry
            if not sub_cent and _sub_cent(units):
                sub_cent = p.account
        for code, total in result.items():
            if total != 0:
                self.errors.append(
                    _error(
                        entry,
                        _(
                            "participant {code}: this entry puts {amount} EUR of their sales, "
                            "share or costs in the hub's result (sales, share and costs of a "
                            "participant add up to zero in every entry)",
                            code=code,
                            amount=-total,
                        ),
                    )
                )
        if kind == "payout":
            code = str(entry.meta.get("participant", ""))
            if code:
                self.payouts[entry.date].append((code, entry))
        if allocating:
            self.allocation_adds_up(entry, kind, moved)
        if kind == "payment":
            links = sorted(entry.links or ())
            money = [lk for lk in links if lk.startswith("bank-")] or [
                lk for lk in links if lk.startswith("cash-")
            ]
            invs = [lk for lk in links if lk.startswith("inv-")]
            if len(invs) == 1 and len(money) == 1:
                self.allocations.append((money[0], invs[0], entry))
        if sub_cent:
            self.cents.append(
                _error(
                    entry,
                    _(
                        "{account}: an amount with more than two decimals; a euro amount is "
                        "in cents",
                        account=sub_cent,
                    ),
                )
            )

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
            self.errors.append(
                _error(
                    entry,
                    _(
                        "participant {code}: the entry moves {moved} EUR received and "
                        "{booked} EUR of contribution, but says {net} and {contribution}",
                        code=code,
                        moved=moved_net,
                        booked=booked,
                        net=net,
                        contribution=contribution,
                    ),
                )
            )
            return
        rule = str(entry.meta.get("contribution-rule", ""))
        rate = entry.meta.get("contribution-rate")
        if rate is not None and not rule.startswith("reversal") and net > 0:
            expected = _q2(net * _dec(rate) / 100)
            if contribution != expected:
                self.errors.append(
                    _error(
                        entry,
                        _(
                            "participant {code}: a contribution of {contribution} EUR on "
                            "{net} EUR at {rate} % should be {expected} EUR",
                            code=code,
                            contribution=contribution,
                            net=net,
                            rate=rate,
                            expected=expected,
                        ),
                    )
                )


def _sub_cent(units: Any) -> bool:
    """No amount in euro has more than two decimals (a bank file's ``12,345``, a hand
    edit): a cent is the smallest amount the hub can pay, be paid or count."""
    number = units.number
    return (
        isinstance(number, Decimal)
        and units.currency == "EUR"
        and number.is_finite()
        and number.as_tuple().exponent < -2  # type: ignore[operator]
        and number != number.quantize(CENT, context=WIDE)
    )


# ---------------------------------------------------------------- the end of each day


def _by_day(moves: Iterable[tuple[dt.date, Decimal]]) -> dict[dt.date, Decimal]:
    out: dict[dt.date, Decimal] = collections.defaultdict(Decimal)
    for day, delta in moves:
        out[day] += delta
    return out


class _EndOfDay:
    """A daybook's balance at the end of any day (the fold's dated changes, summed once)."""

    def __init__(self, moves: Iterable[tuple[dt.date, Decimal]]) -> None:
        balance, self.days, self.balances = ZERO, [], []
        for day, delta in sorted(_by_day(moves).items()):
            balance += delta
            self.days.append(day)
            self.balances.append(balance)

    def at(self, day: dt.date) -> Decimal:
        index = bisect.bisect_right(self.days, day)
        return self.balances[index - 1] if index else ZERO


def _days(view: View, walk: _Walk) -> list[Any]:
    """At the end of each day: the cash box, what each participant owes, what a payout
    leaves them, the suspense account of a closed year (checked day by day as before:
    a balance found below zero is reported once, then counts from zero)."""
    errors: list[Any] = []
    cash_moves = _by_day(view.cash.moves.get("cash", ()))
    owed_moves: dict[dt.date, dict[str, Decimal]] = collections.defaultdict(dict)
    for code, moves in view.owed.moves.items():
        for day, delta in _by_day(moves).items():
            owed_moves[day][code] = delta
    held = {code: _EndOfDay(moves) for code, moves in view.held.moves.items()}
    suspense = _EndOfDay(view.suspended.moves.get("suspense", ()))
    cash = ZERO
    owed: dict[str, Decimal] = collections.defaultdict(Decimal)
    days = {*cash_moves, *owed_moves, *walk.last_cash, *walk.last_owed, *walk.payouts,
            *walk.counts, *walk.seals}  # fmt: skip
    for day in sorted(days):
        when = day.isoformat()
        cash += cash_moves.get(day, ZERO)
        last_cash = walk.last_cash.get(day)
        if cash < 0 and last_cash is not None:
            errors.append(
                _error(
                    last_cash,
                    _(
                        "the cash box would hold {balance} EUR at the end of {day}; it may "
                        "never be below zero (record the money put in it first)",
                        balance=cash,
                        day=when,
                    ),
                )
            )
            cash = ZERO  # report once, then keep checking
        for count in walk.counts.get(day, ()):
            counted = count.values[1].value.number if len(count.values) > 1 else None
            if counted is None or counted != cash:
                errors.append(
                    _error(
                        count,
                        _(
                            "the cash box was counted at {counted} EUR at the end of {day}, "
                            "but the books say {balance} EUR (book the difference with "
                            "'coopledger cash count')",
                            counted=counted,
                            day=when,
                            balance=cash,
                        ),
                    )
                )
        for code, delta in owed_moves.get(day, {}).items():
            owed[code] += delta
        for code, entry in walk.last_owed.get(day, {}).items():
            if owed[code] < 0:
                errors.append(
                    _error(
                        entry,
                        _(
                            "participant {code}: what they owe the hub would be {owed} EUR at "
                            "the end of {day}; more was recovered than they owed",
                            code=code,
                            owed=owed[code],
                            day=when,
                        ),
                    )
                )
                owed[code] = ZERO
        for code, entry in walk.payouts.get(day, ()):
            held_then = held[code].at(day) if code in held else ZERO
            if owed[code] > 0 and held_then < owed[code]:
                errors.append(
                    _error(
                        entry,
                        _(
                            "participant {code} is paid out while owing the hub {owed} EUR: "
                            "at the end of {day} only {held} EUR is held for them",
                            code=code,
                            owed=owed[code],
                            day=when,
                            held=held_then,
                        ),
                    )
                )
        for seal in walk.seals.get(day, ()):
            open_part = suspense.at(day)
            if open_part != 0:
                year = seal.values[0].value if seal.values else "?"
                errors.append(
                    _error(
                        seal,
                        _(
                            "the suspense account holds {balance} EUR at the close of {year}; "
                            "a year is closed only once every bank line is explained",
                            balance=open_part,
                            year=year,
                        ),
                    )
                )
    return errors


# ---------------------------------------------------------------- invoices and bank lines


def _date_line(item: Any) -> tuple[dt.date, int]:
    entry = item[0]
    return entry.date, int(entry.meta.get("lineno", 0) or 0)


def _bank_first(item: Any) -> tuple[dt.date, int, int]:
    entry = item[0]
    return entry.date, entry.meta.get("kind") != "bank", int(entry.meta.get("lineno", 0) or 0)


def _invoices(view: View) -> list[Any]:
    """Credits never exceed an invoice, nothing is applied beyond it, its participant's
    share still to be received stays between zero and its net."""
    errors: list[Any] = []
    for link, inv in view.invoices.items():
        if inv.entry is None:
            continue
        number = link[4:]
        total, net = inv.total, inv.net
        for note, credited_total, credited_net in sorted(inv.credits, key=_date_line):
            total -= credited_total
            net -= credited_net
            if total < 0 or net < 0:
                errors.append(
                    _error(
                        note,
                        _(
                            "credit notes on invoice {number} credit more than it was issued "
                            "for ({total} EUR, {net} EUR excl. VAT)",
                            number=number,
                            total=inv.total,
                            net=inv.net,
                        ),
                    )
                )
                break
        applied = ZERO
        for allocation, amount in sorted(inv.applications, key=_date_line):
            applied += amount
            if applied < 0:
                errors.append(
                    _error(
                        allocation,
                        _("invoice {number}: more was undone than was paid", number=number),
                    )
                )
                break
        asked = max(total, ZERO)
        if applied > asked:
            errors.append(
                _error(
                    inv.applications[-1][0] if inv.applications else inv.entry,
                    _(
                        "invoice {number}: {applied} EUR is applied to it, more than the "
                        "{asked} EUR it asks after credit notes",
                        number=number,
                        applied=applied,
                        asked=asked,
                    ),
                )
            )
        if inv.share_pending > 0 or -inv.share_pending > max(net, ZERO):
            errors.append(
                _error(
                    inv.entry,
                    _(
                        "invoice {number}: its participant's share still to be received is "
                        "{pending} EUR, outside 0 to {net} EUR (more net was credited to the "
                        "participant than the invoice is for, or less than nothing)",
                        number=number,
                        pending=-inv.share_pending,
                        net=max(net, ZERO),
                    ),
                )
            )
    return errors


def _allocations(view: View, allocations: list[tuple[str, str, data.Transaction]]) -> list[Any]:
    """Each allocation allocates exactly what its bank line (or cash receipt) brought."""
    received: dict[tuple[str, str], Decimal] = collections.defaultdict(Decimal)
    for receipt in view.receipts:
        received[(receipt.bank_link, receipt.inv_link)] += receipt.amount
    errors: list[Any] = []
    for money, inv, allocation in allocations:
        brought = received.get((money, inv))
        amount = _dec(allocation.meta.get("amount"))
        if brought is None or brought != amount:
            errors.append(
                _error(
                    allocation,
                    _(
                        "allocation of {amount} EUR on invoice {number}, but ^{link} brought "
                        "{brought} EUR to it",
                        amount=amount,
                        number=inv[4:],
                        link=money,
                        brought=brought or ZERO,
                    ),
                )
            )
    return errors


def _bank_lines(view: View) -> list[Any]:
    """What settlements take out of suspense for a line never exceeds the line."""
    errors: list[Any] = []
    for link, line in view.lines.items():
        amount, open_part = line.amount, ZERO
        # the bank entry first, then what settles it (same-day entries of other files come
        # in any order)
        for entry, number in sorted(line.moves, key=_bank_first):
            open_part -= number
            if (amount >= 0 and not ZERO <= open_part <= amount) or (
                amount < 0 and not amount <= open_part <= ZERO
            ):
                errors.append(
                    _error(
                        entry,
                        _(
                            "^{link} ({amount} EUR) is settled beyond its amount: the same "
                            "money would count twice",
                            link=link,
                            amount=amount,
                        ),
                    )
                )
                break
    return errors
