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
  counted (``custom "cash-count"``) at the time of each count: the movements of its day
  booked before it (see ``docs/reconciliation.md``, what a count asserts);
* **what a participant owes the hub** (``participant_owed``) is never below zero, and no
  payout leaves her holding less than she owes;
* **allocations add up**: an allocation, a credit reversal or a cash sale moves exactly its
  ``received-net`` and ``contribution``, at its rate (one without them is an error); each
  allocation allocates exactly what its bank line (or cash receipt) brought to that invoice;
* **the hub takes a participant's money only as an allocation's contribution**: no other
  entry posts to her contribution account, and what is held for her (``participant_held``
  debited, whatever the entry's ``kind``) never goes into the hub's own result, its own
  funds (equity) nor to another participant; it goes only where the accounting model
  sends it (an allow-list, :data:`HELD_TO_HUB`, :data:`HELD_TO_HERS`, :data:`HELD_TO_COST`):
  her payout (the payouts to execute, the cash box), what she owes the hub, back to her
  share of open invoices, an allocation's contribution, a cost charged to her (to the
  supplier up to the cost, or from the cash box) — never the suspense account, a
  receivable, the bank directly or an account with no role, from where a second entry
  could take it to the hub's income (the balances a close carries are exempt);
* **metadata and custom values of the wrong type** (a hand edit) are errors at their entry,
  never a crash of the plugin;
* **credits never exceed what was invoiced**, in total and excluding VAT, and no invoice
  is paid beyond what it asks nor credits its participant more net than it was issued for;
* **the hub bears a reversal only for a closed participant**: a credit note (and its
  reversal) with ``borne-by: "hub"`` is on the invoice of a participant closed before it;
* **a closed participant has no payout in transit**: each bank payout of hers was debited
  by the bank on or before her close (until then it may fail or come back);
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
from beancount.core.amount import Amount

from ledger.daybook import AFTER_COUNT, RESULT_ROLES
from ledger.i18n import _
from ledger.integrity.carried import CARRIED_KIND, is_carried_file
from ledger.view import BORNE_BY, CONTRIBUTION_FORGONE, HUB, PAYOUT_EXPORTED, SHARE_BORNE, View

__plugins__ = ("check_money",)

MoneyError = collections.namedtuple("MoneyError", "source message entry")

ZERO = Decimal("0")
CENT = Decimal("0.01")
WIDE = Context(prec=80)  # a quantize that never overflows on a 30-digit amount
SEAL_TYPE = "year-closed"
COUNT_TYPE = "cash-count"
CANCEL_KIND = "payout-cancel"  # ledger.money.payouts: a bank payout cancelled before export
ALLOCATING = ("payment", "credit-reversal")
# what an allocation's rule needs (``docs/accounting-model.md``, invariant 5)
RULE_KEYS = ("received-net", "contribution", "contribution-rate")
# amounts the money entries carry in metadata (the fold reads them): a number, or an error
NUMBER_KEYS = ("amount", "applied", "overpaid", "owed", "recovered", "refund-cancelled",
               "unapplied", "taken-back", "refund-due", "counted", SHARE_BORNE,
               CONTRIBUTION_FORGONE)  # fmt: skip
_NO_ROLE = ("", "")
_RESULT_ROOTS = ("Income", "Expenses")
# Where what is held for a participant may go (``docs/accounting-model.md``, invariant 5):
# her payout (in transit to the bank, or paid from the cash box), what she owes the hub
# (a recovery), back to her share of open invoices (a credit reversal, a payment returned),
# the contribution of an allocation (itself checked against its rate), and a cost charged
# to her, paid to the supplier (up to the cost) or from the cash box. Nowhere else: not the
# suspense account, a receivable, the bank directly, an account with no role.
HELD_TO_HUB = ("payouts_pending", "cash")
HELD_TO_HERS = ("participant_owed", "participant_pending", "participant_contribution")
HELD_TO_COST = "suppliers"


def _q2(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _dec(value: Any) -> Decimal:
    """A metadata amount, zero for anything else (reported as not a number, NUMBER_KEYS)."""
    if isinstance(value, Decimal) and value.is_finite():
        return value
    if isinstance(value, str) and value.strip():
        try:
            number = Decimal(value.strip())
        except ArithmeticError:
            return ZERO
        return number if number.is_finite() else ZERO
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
    errors += _cancels(view, walk)
    errors += _closed_in_transit(view, walk)
    errors += _borne_by_hub(view, walk)
    return entries, errors + walk.cents


def _error(entry: data.Directive, message: str) -> MoneyError:
    return MoneyError(entry.meta, message, entry)


# ---------------------------------------------------------------- one walk of the entries


@dataclass(frozen=True)
class _CashMove:
    """What one entry moved in the cash box, and what places it among the day's counts:
    its file and line, the count it is the difference of (``cash-difference``), the count
    it was booked after (``after-count``, on a payout or cost in cash, kept in other files)."""

    filename: str
    lineno: int
    amount: Decimal
    difference_of: str
    after: str

    @classmethod
    def of(cls, entry: data.Transaction, amount: Decimal) -> _CashMove:
        meta = entry.meta
        kind = meta.get("kind")
        return cls(
            str(meta.get("filename", "")),
            _lineno(meta),
            amount,
            str(meta.get("cash", "")) if kind == "cash-difference" else "",
            str(meta.get(AFTER_COUNT, "") or ""),
        )


def _lineno(meta: dict[str, Any]) -> int:
    value = meta.get("lineno", 0)
    return value if isinstance(value, int) else 0


def _counted(entry: data.Custom) -> Decimal | None:
    """The amount a ``cash-count`` says was counted (``None``: not a count, a hand edit)."""
    values = entry.values or []
    if len(values) < 2 or not isinstance(values[0].value, str):
        return None
    counted = values[1].value
    if (
        isinstance(counted, Amount)
        and isinstance(counted.number, Decimal)
        and counted.number.is_finite()
        and counted.currency == "EUR"
    ):
        return counted.number
    return None


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
    cancels: list[data.Transaction] = field(default_factory=list)  # payouts cancelled
    borne: list[data.Transaction] = field(default_factory=list)  # ``borne-by`` entries
    # by day: what credit reversals made each participant owe (recovered from her)
    recovered: dict[dt.date, dict[str, Decimal]] = field(
        default_factory=lambda: collections.defaultdict(lambda: collections.defaultdict(Decimal))
    )
    exported: set[str] = field(default_factory=set)  # payouts written to a pain.001 file
    # by day: what each entry moved in the cash box, and where it stands (for the counts)
    cash_moves: dict[dt.date, list[_CashMove]] = field(
        default_factory=lambda: collections.defaultdict(list)
    )

    def entry(self, entry: data.Directive) -> None:
        if isinstance(entry, data.Custom):
            if entry.type == COUNT_TYPE:
                if _counted(entry) is None:
                    self.errors.append(
                        _error(
                            entry,
                            _(
                                'not a count of the cash box: a "cash-count" gives its cash id '
                                "and the amount counted in EUR (e.g. 'CASH-2026-0009' "
                                "150.00 EUR)"
                            ),
                        )
                    )
                else:
                    self.counts[entry.date].append(entry)
            elif entry.type == SEAL_TYPE:
                self.seals[entry.date].append(entry)
            elif entry.type == PAYOUT_EXPORTED and entry.values:
                self.exported.add(str(entry.values[0].value).upper())
        elif isinstance(entry, data.Transaction):
            self.transaction(entry)

    def transaction(self, entry: data.Transaction) -> None:
        kind = str(entry.meta.get("kind", ""))
        if kind == CANCEL_KIND:
            self.cancels.append(entry)
        if entry.meta.get(BORNE_BY) is not None:
            self.borne.append(entry)
        result: dict[str, Decimal] = collections.defaultdict(Decimal)
        allocating = kind in (*ALLOCATING, "cash-sale")
        carried = kind == CARRIED_KIND and is_carried_file(entry.meta.get("filename"))
        moved: dict[str, Decimal] = collections.defaultdict(Decimal)  # role:code → sum
        held: dict[str, Decimal] = collections.defaultdict(Decimal)
        hub_result = ZERO  # what the entry moves on the hub's own income and charges
        hub_funds = ZERO  # what it moves on the hub's own funds (equity)
        codes: set[str] = set()  # the participants whose accounts it moves
        contributions: set[str] = set()
        touched: set[str] = set()  # the participants whose accounts an allocation moves
        cash = ZERO
        sub_cent = ""
        for p in entry.postings:
            units = p.units
            if units is None or not isinstance(units.number, Decimal):
                continue
            number = units.number
            role, code = self.roles.get(p.account, _NO_ROLE)
            if allocating:
                moved[f"{role}:{code}"] += number
                if code:
                    touched.add(code)
            if role in RESULT_ROLES and not (
                role == "participant_costs" and entry.meta.get("grant")
            ):
                result[code] += number
            elif role == "participant_contribution":
                contributions.add(code)
            elif role == "participant_held":
                held[code] += number
            elif not code and p.account.split(":", 1)[0] in _RESULT_ROOTS:
                hub_result += number
            elif not code and p.account.split(":", 1)[0] == "Equity":
                hub_funds += number
            if code:
                codes.add(code)
            if role == "cash":
                self.last_cash[entry.date] = entry
                cash += number
            elif role == "participant_owed":
                self.last_owed[entry.date][code] = entry
                if kind == "credit-reversal" and number > 0:
                    self.recovered[entry.date][code] += number
            if not sub_cent and _sub_cent(units):
                sub_cent = p.account
        if cash:
            self.cash_moves[entry.date].append(_CashMove.of(entry, cash))
        for key in NUMBER_KEYS:
            value = entry.meta.get(key)
            if value is not None and not (isinstance(value, Decimal) and value.is_finite()):
                self.errors.append(
                    _error(
                        entry,
                        _(
                            "metadata '{key}' of this entry is not a number (an amount in "
                            "EUR, e.g. 48.00)",
                            key=key,
                        ),
                    )
                )
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
        if not carried and contributions:
            self.contribution_outside(entry, allocating, contributions)
        if not carried and any(number > 0 for number in held.values()):
            reported = self.held_to_result(entry, held, hub_result)
            reported |= self.held_elsewhere(entry, held, hub_funds, codes)
            self.held_allowed(entry, held, reported)
        if kind == "payout":
            code = str(entry.meta.get("participant", ""))
            if code:
                self.payouts[entry.date].append((code, entry))
        if allocating:
            self.allocation_adds_up(entry, kind, moved, touched)
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

    def held_elsewhere(
        self, entry: data.Transaction, held: dict[str, Decimal], hub_funds: Decimal,
        codes: set[str],
    ) -> set[str]:  # fmt: skip
        """What is held for a participant never goes into the hub's own funds, nor to
        another participant: it is paid out to her, or pays what she owes or bears. The
        participants it reports."""
        reported: set[str] = set()
        for code, number in sorted(held.items()):
            if number <= 0:
                continue
            if hub_funds < 0:
                reported.add(code)
                self.errors.append(
                    _error(
                        entry,
                        _(
                            "participant {code}: this entry takes {amount} EUR held for them "
                            "into the hub's own funds (equity); what is held for a participant "
                            "is paid out to her, or pays what she owes or bears",
                            code=code,
                            amount=min(number, -hub_funds),
                        ),
                    )
                )
            others = sorted(codes - {code})
            if others:
                reported.add(code)
                self.errors.append(
                    _error(
                        entry,
                        _(
                            "participant {code}: this entry moves {amount} EUR held for them "
                            "to another participant ({others}); each one's money stays hers",
                            code=code,
                            amount=number,
                            others=", ".join(others),
                        ),
                    )
                )
        return reported

    def held_allowed(
        self, entry: data.Transaction, held: dict[str, Decimal], reported: set[str]
    ) -> None:
        """What an entry takes out of a participant's balance held goes only where the
        accounting model sends it (:data:`HELD_TO_HUB`, :data:`HELD_TO_HERS`, and a cost
        charged to her, :data:`HELD_TO_COST`): the credits of the entry on those accounts
        cover what it takes, else the money went somewhere else (the suspense account, a
        receivable, an account with no role), from where a second entry could take it to
        the hub. Her sales, share and costs add up to zero in the entry (the result
        identity, reported on its own), so they are no destination: a cost charged to her
        sends her money to whoever the cost is paid to, the supplier or the cash box.

        Only for the entries that debit a balance held (payouts, costs, recoveries,
        credits): their postings are read once more, the others not at all."""
        grant = bool(entry.meta.get("grant"))
        net: dict[str, Decimal] = collections.defaultdict(Decimal)
        for p in entry.postings:
            units = p.units
            if units is not None and isinstance(units.number, Decimal):
                net[p.account] += units.number
        for code, taken in sorted(held.items()):
            if taken <= 0 or code in reported:
                continue
            covered = costs = supplied = ZERO
            away = supplier = ""
            for account, number in net.items():
                role, owner = self.roles.get(account, _NO_ROLE)
                if role in RESULT_ROLES and not (grant and role == "participant_costs"):
                    if role == "participant_costs" and owner == code:
                        costs += number
                    continue  # her sales, share and costs add up to zero (result identity)
                if number >= 0:
                    continue
                if role in HELD_TO_HUB or (role in HELD_TO_HERS and owner == code):
                    covered -= number
                elif role == HELD_TO_COST:
                    supplied -= number
                    supplier = supplier or account
                elif not away and not (role == "participant_held" and owner == code):
                    away = account
            covered += min(supplied, max(costs, ZERO))  # to the supplier: her cost only
            if covered >= taken:
                continue
            if not away and supplied > max(costs, ZERO):
                away = supplier
            if not away:
                continue  # her sales, share and costs do not add up: reported as such
            self.errors.append(
                _error(
                    entry,
                    _(
                        "participant {code}: this entry takes {amount} EUR held for them to "
                        "{account}; what is held for a participant goes only to her payout "
                        "(payouts to execute, the cash box), to what she owes the hub, back "
                        "to her share of open invoices, to an allocation's contribution or "
                        "to a cost charged to her",
                        code=code,
                        amount=taken - covered,
                        account=away,
                    ),
                )
            )

    def contribution_outside(
        self, entry: data.Transaction, allocating: bool, contributions: set[str]
    ) -> None:
        """The hub takes a participant's money only as the contribution of an allocation
        (checked against its rate): never a contribution booked elsewhere."""
        own = str(entry.meta.get("participant", "") or "") if allocating else ""
        for code in sorted(contributions - {own} if own else contributions):
            self.errors.append(
                _error(
                    entry,
                    _(
                        "participant {code}: a contribution is booked only by the allocation "
                        "of money received for them (a payment, a credit reversal or a cash "
                        "sale, with its rate), not by this entry",
                        code=code,
                    ),
                )
            )

    def held_to_result(
        self, entry: data.Transaction, held: dict[str, Decimal], hub_result: Decimal
    ) -> set[str]:
        """Never what is held for a participant moved into the hub's own income (or out of
        its charges). The participants it reports."""
        reported: set[str] = set()
        if hub_result >= 0:
            return reported
        for code, number in sorted(held.items()):
            if number > 0:
                reported.add(code)
                self.errors.append(
                    _error(
                        entry,
                        _(
                            "participant {code}: this entry takes {amount} EUR held for them "
                            "into the hub's result; the hub takes a participant's money only "
                            "as the contribution of an allocation",
                            code=code,
                            amount=min(number, -hub_result),
                        ),
                    )
                )
        return reported

    def allocation_adds_up(
        self, entry: data.Transaction, kind: str, moved: dict[str, Decimal], touched: set[str]
    ) -> None:
        """An allocation moves what its metadata says, and its contribution is its rate.

        An allocation that moves a participant's accounts needs what the rule needs: its
        participant, ``received-net``, ``contribution`` and ``contribution-rate``, each a
        number (without them nothing could be checked: a hand edit that drops one is an
        error, not a pass)."""
        code = str(entry.meta.get("participant", "") or "")
        if not touched and "received-net" not in entry.meta:
            return  # nothing allocated to anyone (the hub's own invoice, an overpayment)
        if not code or (touched and code not in touched):
            self.errors.append(
                _error(
                    entry,
                    _(
                        "this {kind} entry moves participant accounts but its 'participant' "
                        "metadata does not name their participant",
                        kind=kind,
                    ),
                )
            )
            return
        figures: dict[str, Decimal] = {}
        for key in RULE_KEYS:
            value = entry.meta.get(key)
            if isinstance(value, Decimal) and value.is_finite():
                figures[key] = value
                continue
            self.errors.append(
                _error(
                    entry,
                    _(
                        "participant {code}: this {kind} entry has no number for '{key}' "
                        "(the contribution rule needs received-net, contribution and "
                        "contribution-rate)",
                        code=code,
                        kind=kind,
                        key=key,
                    ),
                )
            )
            return
        net, contribution = figures["received-net"], figures["contribution"]
        rate = figures["contribution-rate"]
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
        # What is taken back (a credit note's reversal, a payment returned) is at the rate
        # the invoice's payments were charged (a mean of them, rounded): never more than
        # what it takes back, nor the other way. A label in the metadata exempts nothing.
        if kind == "credit-reversal" or net < 0:
            if contribution * net < 0 or abs(contribution) > abs(net):
                self.errors.append(
                    _error(
                        entry,
                        _(
                            "participant {code}: a reversal takes back {contribution} EUR of "
                            "contribution on {net} EUR taken back: never more, nor the other way",
                            code=code,
                            contribution=contribution,
                            net=net,
                        ),
                    )
                )
        elif net > 0:
            expected = _q2(net * rate / 100)
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
        start = cash  # at the end of the day before
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
        counts = walk.counts.get(day)
        if counts:
            errors += _counts(counts, walk.cash_moves.get(day, []), start, when)
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
            # A credit note that recovers from her that day may come after the payout
            # (she was paid out, then the credit): that debt is no payout while owing.
            excused = walk.recovered.get(day, {}).get(code, ZERO)
            owing = owed[code] - excused
            if owing > 0 and held_then < owing:
                errors.append(
                    _error(
                        entry,
                        _(
                            "participant {code} is paid out while owing the hub {owed} EUR: "
                            "at the end of {day} only {held} EUR is held for them",
                            code=code,
                            owed=owing,
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


def _counts(
    counts: list[data.Custom], moves: list[_CashMove], start: Decimal, when: str
) -> list[Any]:
    """The counts of one day, each against the cash box at the time it was counted:
    ``start`` (the end of the day before) plus what the day's entries booked before it
    moved — in its file, the entries above it; its own difference (and those of the day's
    earlier counts); elsewhere (a payout or a cost in cash), every entry but those booked
    after it or a later count (``after-count``). See ``docs/reconciliation.md``."""
    ordered = sorted(counts, key=lambda c: (str(c.meta.get("filename", "")), _lineno(c.meta)))
    rank = {str(c.values[0].value): n for n, c in enumerate(ordered)}
    errors: list[Any] = []
    for n, count in enumerate(ordered):
        filename, lineno = str(count.meta.get("filename", "")), _lineno(count.meta)
        before = start
        for move in moves:
            if move.difference_of in rank:
                earlier = rank[move.difference_of] <= n
            elif move.filename == filename:
                earlier = move.lineno < lineno
            elif move.after in rank:
                earlier = rank[move.after] < n
            else:
                earlier = True
            if earlier:
                before += move.amount
        counted = _counted(count)
        if counted != before:
            errors.append(
                _error(
                    count,
                    _(
                        "the cash box was counted at {counted} EUR on {day}, but the books "
                        "say it held {balance} EUR at that count (book the difference with "
                        "'coopledger cash count')",
                        counted=counted,
                        day=when,
                        balance=before,
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


def _cancels(view: View, walk: _Walk) -> list[Any]:
    """A payout is cancelled only while the bank cannot pay it: a bank payout, never
    exported, never debited, cancelled once and for what it was (else the money would be
    back on her balance and paid by the bank too)."""
    out = []
    for entry in walk.cancels:
        links = sorted(lk for lk in entry.links or () if lk.startswith("po-"))
        pend = view.pending.get(links[0]) if len(links) == 1 else None
        ident = links[0].upper() if len(links) == 1 else "?"
        if pend is None or pend.kind != "payout" or not pend.iban_last4:
            problem = _("it cancels no bank payout of the books (one ^po- link to one)")
        elif ident in walk.exported:
            problem = _("{payout} was exported for the bank: the bank may pay it", payout=ident)
        elif pend.debited_by:
            problem = _("{payout} was debited by the bank", payout=ident)
        elif pend.open * pend.amount < 0:
            problem = _("it gives back more than {payout} took", payout=ident)
        else:
            continue
        out.append(_error(entry, _("a payout cancellation: {problem}", problem=problem)))
    return out


def _closed_in_transit(view: View, walk: _Walk) -> list[Any]:
    """A participant is closed only once the bank debited each of her bank payouts: until
    then a payout may fail or come back, and a closed participant receives nothing."""
    out = []
    for day in sorted(walk.payouts):
        for code, entry in walk.payouts[day]:
            closed = view.closed.get(code)
            if closed is None:
                continue
            for link in sorted(lk for lk in entry.links or () if lk.startswith("po-")):
                pend = view.pending.get(link)
                if pend is None or pend.kind != "payout" or pend.amount == ZERO:
                    continue  # a payout in cash
                if pend.open != ZERO:
                    when = _("is not debited by the bank")
                elif pend.debited_on is not None and pend.debited_on > closed:
                    debited = pend.debited_on.isoformat()
                    when = _("was debited by the bank only on {day}", day=debited)
                else:
                    continue
                out.append(
                    _error(
                        entry,
                        _(
                            "participant {code} is closed since {closed}, but payout {payout} "
                            "{when}: a participant is closed once their payouts are debited "
                            "(until then one may fail or come back)",
                            code=code,
                            closed=closed.isoformat(),
                            payout=link.upper(),
                            when=when,
                        ),
                    )
                )
    return out


def _borne_by_hub(view: View, walk: _Walk) -> list[Any]:
    """The hub bears the reversal of a participant's share (``borne-by: "hub"``) only on a
    credit note, and its reversal, of the invoice of a participant closed before it: an
    open participant gives back what she was credited (or owes it). What the reversal says
    she keeps and the hub gives up is never below zero."""
    out = []
    for entry in walk.borne:
        kind = str(entry.meta.get("kind", ""))
        code = str(entry.meta.get("participant", "") or "")
        closed = view.closed.get(code)
        if entry.meta.get(BORNE_BY) != HUB or kind not in ("credit-note", "credit-reversal"):
            problem = _('only a credit note and its reversal say borne-by: "hub"')
        elif closed is None or entry.date <= closed:
            problem = _(
                "participant {code} is not closed before {day}: the credit is taken back "
                "from them",
                code=code or "?",
                day=entry.date.isoformat(),
            )
        elif kind == "credit-reversal" and (
            _dec(entry.meta.get(SHARE_BORNE)) < 0 or _dec(entry.meta.get(CONTRIBUTION_FORGONE)) < 0
        ):
            problem = _("what it says the hub bears is below zero")
        else:
            continue
        out.append(_error(entry, _("a reversal borne by the hub: {problem}", problem=problem)))
    return out
