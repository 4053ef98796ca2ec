"""The folds of the books as coopledger computed them before ``ledger.view`` (frozen
copies from before issue 11, kept as an oracle).

Each reader once re-derived the same facts from the entries — issued documents
(``invoicing.numbering``), invoice status (``invoicing.status``), participants and their
balances (``ledger.participants``), invoices by OGM (``importers.categorise``), the cash
book (``ledger.money.cash``), and the money plugin's own fold (``plugins.money``: invoices'
credits and applications, bank lines' settlement, cash, held, owed, suspense).
``tests/money/test_money_view.py`` checks that the one fold gives exactly what
each of them gave, on the demo and on generated books. Test code only: nothing imports it
but that test.
"""

from __future__ import annotations

import collections
import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Context, Decimal
from typing import Any

from beancount.core import data

from ledger.config import HubConfig
from ledger.dates import today as calendar_today
from ledger.daybook import PARTICIPANT_ROLES, RESULT_ROLES

ZERO = Decimal("0")
KINDS = ("invoice", "credit-note")
COUNT = "cash-count"


def link_safe(number: str) -> str:
    return re.sub(r"[^A-Za-z0-9\-_./]", "-", number)


# ---------------------------------------------------------------- from invoicing/numbering.py


@dataclass(frozen=True)
class IssuedRef:
    """What the books say about one issued document."""

    kind: str
    number: str
    series: str
    seq: int
    date: dt.date
    entry: data.Transaction


def number_of(entry: data.Transaction) -> str | None:
    """The document's own number: meta ``invoice`` of an invoice, ``credit-note`` of a note."""
    kind = entry.meta.get("kind")
    key = "invoice" if kind == "invoice" else "credit-note" if kind == "credit-note" else None
    value = entry.meta.get(key) if key else None
    return str(value) if value is not None else None


def issued(entries: Iterable[data.Directive]) -> list[IssuedRef]:
    """Every invoice and credit note in the books (entries with incomplete metadata are
    skipped here; the invoice plugin reports them)."""
    out = []
    for entry in entries:
        if not isinstance(entry, data.Transaction):
            continue
        kind = entry.meta.get("kind")
        if kind not in KINDS:
            continue
        number = number_of(entry)
        series = entry.meta.get("series")
        seq = entry.meta.get("seq")
        if number is None or series is None or not isinstance(seq, (int, Decimal)):
            continue
        out.append(IssuedRef(kind, number, str(series), int(seq), entry.date, entry))
    return out


# ---------------------------------------------------------------- from invoicing/status.py


@dataclass
class InvoiceStatus:
    """An invoice as the books see it today."""

    number: str
    date: dt.date
    due: dt.date | None
    ogm: str
    participant: str
    client: str
    total: Decimal
    credited: Decimal = ZERO
    paid: Decimal = ZERO
    status: str = "open"
    credit_notes: list[str] = field(default_factory=list)
    payments: list[dict[str, Any]] = field(default_factory=list)
    documents: list[str] = field(default_factory=list)

    @property
    def outstanding(self) -> Decimal:
        return self.total - self.credited - self.paid

    def as_json(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "date": self.date.isoformat(),
            "due": self.due.isoformat() if self.due else None,
            "status": self.status,
            "currency": "EUR",
            "total": _cents(self.total),
            "credited": _cents(self.credited),
            "paid": _cents(self.paid),
            "outstanding": _cents(self.outstanding),
            "ogm": self.ogm,
            "participant": self.participant,
            "client": self.client,
            "credit_notes": self.credit_notes,
            "payments": self.payments,
            "documents": self.documents,
        }


def _cents(value: Decimal) -> str:
    return f"{value:.2f}"


def _clients_amount(entry: data.Transaction, clients: str) -> Decimal:
    return sum(
        (
            p.units.number
            for p in entry.postings
            if p.account == clients and p.units is not None and p.units.number is not None
        ),
        ZERO,
    )


def invoice_statuses(
    entries: Iterable[data.Directive], config: HubConfig, today: dt.date | None = None
) -> list[InvoiceStatus]:
    """Every invoice with what was credited and paid, in number order per series."""
    today = calendar_today(today)
    entries = list(entries)
    clients = config.account("clients")
    by_link: dict[str, InvoiceStatus] = {}
    for ref in issued(entries):
        if ref.kind != "invoice":
            continue
        meta = ref.entry.meta
        due = meta.get("due")
        by_link[f"inv-{link_safe(ref.number)}"] = InvoiceStatus(
            number=ref.number,
            date=ref.date,
            due=due if isinstance(due, dt.date) else None,
            ogm=str(meta.get("ogm", "")),
            participant=str(meta.get("participant", "")),
            client=str(meta.get("client", "")),
            total=_clients_amount(ref.entry, clients),
        )
    for entry in entries:
        if isinstance(entry, data.Document):
            for link in entry.links or ():
                if link in by_link:
                    by_link[link].documents.append(entry.filename)
            continue
        if not isinstance(entry, data.Transaction) or not entry.links:
            continue
        kind = entry.meta.get("kind")
        if kind == "invoice":
            continue
        for link in entry.links:
            inv = by_link.get(link)
            if inv is None:
                continue
            amount = -_clients_amount(entry, clients)
            if amount == 0:
                continue
            if kind == "credit-note":
                inv.credited += amount
                inv.credit_notes.append(str(entry.meta.get("credit-note", "")))
            else:
                inv.paid += amount
                inv.payments.append(
                    {"date": entry.date.isoformat(), "amount": str(amount), "kind": kind or ""}
                )
    for inv in by_link.values():
        inv.status = _status(inv, today)
    return sorted(by_link.values(), key=lambda i: (i.date.year, i.date, i.number))


def _status(inv: InvoiceStatus, today: dt.date) -> str:
    if inv.outstanding <= 0:
        return "paid" if inv.paid > 0 else "credited"
    if inv.due is not None and today > inv.due:
        return "overdue"
    return "partly-paid" if inv.paid > 0 else "open"


# ---------------------------------------------------------------- from ledger/participants/


RECEIVED_KINDS = ("payment", "credit-reversal", "cash-sale")


@dataclass
class ParticipantInfo:
    code: str
    opened: dt.date
    closed: dt.date | None = None
    activity: str = ""
    accounts: dict[str, str] = field(default_factory=dict)

    @property
    def status(self) -> str:
        return "closed" if self.closed else "open"

    def is_open_on(self, day: dt.date) -> bool:
        return self.opened <= day and (self.closed is None or day <= self.closed)


@dataclass
class Movement:
    """One change of the balance held for a participant."""

    date: dt.date
    kind: str
    description: str
    amount: Decimal  # positive: the hub holds more for the participant
    balance: Decimal
    links: list[str] = field(default_factory=list)
    owed: Decimal = ZERO  # change of what the participant owes the hub (positive: owes more)
    owed_balance: Decimal = ZERO


@dataclass
class ParticipantSummary:
    info: ParticipantInfo
    balance: Decimal = ZERO  # what the hub holds for (owes) the participant
    sales: Decimal = ZERO  # invoiced for the activity, excl. VAT, net of credit notes
    received: Decimal = ZERO  # what clients actually paid (excl. VAT) for the activity
    contribution: Decimal = ZERO  # the hub's contribution taken
    costs: Decimal = ZERO  # costs of the activity, whoever paid them
    costs_charged: Decimal = ZERO  # the part of them charged to them (now or later)
    payouts: Decimal = ZERO  # paid out to the participant
    pending: Decimal = ZERO  # their share of invoices not paid yet (not theirs to take yet)
    owed: Decimal = ZERO  # what they owe the hub, recovered from their next client payments
    movements: list[Movement] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        info = self.info
        return {
            "code": info.code,
            "status": info.status,
            "activity": info.activity,
            "opened": info.opened.isoformat(),
            "closed": info.closed.isoformat() if info.closed else None,
            "currency": "EUR",
            "balance": str(self.balance),
            "sales": str(self.sales),
            "received": str(self.received),
            "contribution": str(self.contribution),
            "costs": str(self.costs),
            "costs_charged": str(self.costs_charged),
            "payouts": str(self.payouts),
            "pending": str(self.pending),
            "owed": str(self.owed),
            "accounts": info.accounts,
            "movements": [
                {
                    "date": m.date.isoformat(),
                    "kind": m.kind,
                    "description": m.description,
                    "amount": str(m.amount),
                    "balance": str(m.balance),
                    "owed": str(m.owed),
                    "owed_balance": str(m.owed_balance),
                    "links": m.links,
                }
                for m in self.movements
            ],
        }


def participant_accounts(config: HubConfig, code: str) -> dict[str, str]:
    return {role: config.account(role, code) for role in PARTICIPANT_ROLES}


def find_participants(
    entries: Iterable[data.Directive], config: HubConfig
) -> dict[str, ParticipantInfo]:
    """Every participant the books know, from the ``open``/``close`` of its held account."""
    found: dict[str, ParticipantInfo] = {}
    held_names: dict[str, str] = {}
    for entry in entries:
        if isinstance(entry, data.Open) and entry.meta.get("role") == "participant_held":
            code = str(entry.meta.get("participant", ""))
            if not code:
                continue
            found[code] = ParticipantInfo(
                code=code,
                opened=entry.date,
                activity=str(entry.meta.get("activity", "")),
                accounts=participant_accounts(config, code),
            )
            held_names[entry.account] = code
        elif isinstance(entry, data.Close) and entry.account in held_names:
            found[held_names[entry.account]].closed = entry.date
    return found


def summarize_all(
    entries: Iterable[data.Directive], config: HubConfig
) -> dict[str, ParticipantSummary]:
    """Every participant's balances and movements, in one pass over the entries."""
    entries = list(entries)
    summaries = {
        code: ParticipantSummary(info=info)
        for code, info in find_participants(entries, config).items()
    }
    # account -> (code, role) of every participant account
    roles = {
        account: (code, role)
        for code, summary in summaries.items()
        for role, account in summary.info.accounts.items()
    }
    for entry in entries:
        if not isinstance(entry, data.Transaction):
            continue
        kind = str(entry.meta.get("kind", ""))
        held_delta: dict[str, Decimal] = {}
        owed_delta: dict[str, Decimal] = {}
        for posting in entry.postings:
            if posting.units is None or posting.units.number is None:
                continue
            owner = roles.get(posting.account)
            if owner is None:
                continue
            code, role = owner
            summary, number = summaries[code], posting.units.number
            if role == "participant_held":
                held_delta[code] = held_delta.get(code, ZERO) - number
                if kind == "payout":
                    summary.payouts += number
            elif role == "participant_sales":
                summary.sales -= number
            elif role == "participant_contribution":
                summary.contribution -= number
            elif role == "participant_costs":
                summary.costs += number
            elif role == "participant_pending":
                summary.pending -= number
            elif role == "participant_owed":
                owed_delta[code] = owed_delta.get(code, ZERO) + number
        if kind in RECEIVED_KINDS:
            received = entry.meta.get("received-net")
            code = str(entry.meta.get("participant", ""))
            if received is not None and code in summaries:
                summaries[code].received += Decimal(str(received))
        for code in sorted(set(held_delta) | set(owed_delta)):
            summary = summaries[code]
            delta, owed = held_delta.get(code, ZERO), owed_delta.get(code, ZERO)
            if kind == "expense":
                summary.costs_charged += owed - delta
            elif kind == "settlement" and entry.meta.get("returned"):
                summary.payouts -= delta  # a bank payout that came back
            if delta != ZERO or owed != ZERO:
                summary.balance += delta
                summary.owed += owed
                summary.movements.append(
                    Movement(
                        date=entry.date,
                        kind=kind or "other",
                        description=entry.narration or "",
                        amount=delta,
                        balance=summary.balance,
                        links=sorted(entry.links or ()),
                        owed=owed,
                        owed_balance=summary.owed,
                    )
                )
    return summaries


def _unpaid_invoices(entries: Iterable[data.Directive], config: HubConfig, code: str) -> list[str]:
    """Invoices of the participant whose receivable is not settled (by link)."""
    clients = config.account("clients")
    invoice_links: dict[str, str] = {}
    balances: dict[str, Decimal] = {}
    entries = list(entries)
    for entry in entries:
        if (
            isinstance(entry, data.Transaction)
            and entry.meta.get("kind") == "invoice"
            and entry.meta.get("participant") == code
        ):
            for link in entry.links or ():
                if link.startswith("inv-"):
                    invoice_links[link] = str(entry.meta.get("invoice", link[4:]))
    for entry in entries:
        if not isinstance(entry, data.Transaction):
            continue
        for link in (entry.links or set()) & set(invoice_links):
            for posting in entry.postings:
                if posting.account == clients and posting.units and posting.units.number:
                    balances[link] = balances.get(link, ZERO) + posting.units.number
    return sorted(invoice_links[lk] for lk, bal in balances.items() if bal != ZERO)


# ---------------------------------------------------------------- from importers/categorise.py


@dataclass(frozen=True)
class InvoiceRef:
    """An issued invoice as the books record it (``kind: "invoice"``)."""

    link: str
    number: str
    ogm: str
    participant: str | None = None


def issued_invoices(entries: Iterable[data.Directive]) -> dict[str, InvoiceRef]:
    """Issued invoices by their OGM (12 digits)."""
    out: dict[str, InvoiceRef] = {}
    for entry in entries:
        if not isinstance(entry, data.Transaction) or entry.meta.get("kind") != "invoice":
            continue
        ogm = re.sub(r"\D", "", str(entry.meta.get("ogm") or ""))
        links = sorted(lk for lk in entry.links or () if lk.startswith("inv-"))
        if len(ogm) != 12 or not links:
            continue
        number = str(entry.meta.get("invoice") or links[0][4:])
        participant = entry.meta.get("participant")
        out[ogm] = InvoiceRef(links[0], number, ogm, str(participant) if participant else None)
    return out


# ---------------------------------------------------------------- from ledger/money/cash.py


def cash_book(entries: list[data.Directive], config: HubConfig) -> list[dict[str, Any]]:
    """Every movement of the cash box with the balance after it, in date order."""
    cash = config.account("cash")
    rows: list[dict[str, Any]] = []
    balance = ZERO
    # a count closes its day: after the day's movements
    for entry in sorted(entries, key=lambda e: (e.date, isinstance(e, data.Custom))):
        if isinstance(entry, data.Custom) and entry.type == COUNT:
            rows.append(
                {"date": entry.date, "id": str(entry.values[0].value), "kind": "count",
                 "amount": None, "balance": entry.values[1].value.number,
                 "description": "counted"}
            )  # fmt: skip
            continue
        if not isinstance(entry, data.Transaction):
            continue
        moved = sum(
            (p.units.number for p in entry.postings
             if p.account == cash and p.units is not None and p.units.number is not None),
            ZERO,
        )  # fmt: skip
        if moved == ZERO:
            continue
        balance += moved
        keys = ("cash", "payout", "expense")
        ident = next((str(entry.meta[k]) for k in keys if k in entry.meta), "")
        rows.append(
            {"date": entry.date, "id": ident, "kind": str(entry.meta.get("kind", "")),
             "amount": moved, "balance": balance, "description": entry.narration or ""}
        )  # fmt: skip
    return rows


# ---------------------------------------------------------------- plugins.participants
# (before it read the register of ledger.view.accounts)


def plugin_participant_accounts(
    entries: list[data.Directive],
) -> tuple[dict[str, str], dict[str, str], dict[str, dt.date], dict[str, dt.date]]:
    """account → code, code → held account, code → open date, code → close date."""
    account_code: dict[str, str] = {}
    held: dict[str, str] = {}
    opened: dict[str, dt.date] = {}
    closed: dict[str, dt.date] = {}
    for entry in entries:
        if isinstance(entry, data.Open) and "participant" in entry.meta:
            code = str(entry.meta["participant"])
            account_code[entry.account] = code
            if entry.meta.get("role") == "participant_held":
                held[code] = entry.account
                opened[code] = entry.date
    for entry in entries:
        if isinstance(entry, data.Close) and entry.account in account_code:
            code = account_code[entry.account]
            if held.get(code) == entry.account:
                closed[code] = entry.date
    return account_code, held, opened, closed


# ---------------------------------------------------------------- plugins.money


# The money plugin's own fold, as it was before it read the View (invoices' totals, net,
# credits and applied amounts, bank lines' settlement, held and owed, cash and suspense):
# its figures and its errors are compared with the View's and the plugin's now.
MONEY_ZERO = ZERO
CENT = Decimal("0.01")
WIDE = Context(prec=80)
SEAL_TYPE = "year-closed"
COUNT_TYPE = "cash-count"
ALLOCATING = ("payment", "credit-reversal")
MoneyError = collections.namedtuple("MoneyError", "source message entry")


def _q2(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _dec(value: Any) -> Decimal:
    try:
        return Decimal(str(value)) if value not in (None, "") else ZERO
    except ArithmeticError:
        return ZERO


@dataclass
class _MoneyInvoice:
    entry: data.Transaction | None = None
    total: Decimal = ZERO
    net: Decimal = ZERO
    credits: list[tuple[data.Transaction, Decimal, Decimal]] = field(default_factory=list)
    applied: list[tuple[data.Transaction, Decimal]] = field(default_factory=list)
    pending: Decimal = ZERO


@dataclass
class MoneyFold:
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
    invoices: dict[str, _MoneyInvoice] = field(
        default_factory=lambda: collections.defaultdict(_MoneyInvoice)
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
            for note, credited_total, credited_net in sorted(record.credits, key=_money_date_line):
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
            for allocation, amount in sorted(record.applied, key=_money_date_line):
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
            for entry, number in sorted(moves, key=_money_bank_first):
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


def _money_bank_first(item: Any) -> tuple[dt.date, int, int]:
    entry = item[0]
    return entry.date, entry.meta.get("kind") != "bank", int(entry.meta.get("lineno", 0) or 0)


def _money_date_line(item: Any) -> tuple[dt.date, int]:
    entry = item[0]
    return entry.date, int(entry.meta.get("lineno", 0) or 0)


def money_plugin_check(
    entries: list[data.Directive], options_map: dict[str, Any], config: str | None = None
) -> tuple[list[data.Directive], list[Any]]:
    fold = money_plugin_fold(entries)
    return entries, fold.errors + _sub_cent(entries)


def money_plugin_fold(entries: list[data.Directive]) -> MoneyFold:
    """What plugins.money folded itself, entry by entry, before it read the View."""
    fold = MoneyFold(roles=former_register_roles(entries))
    for entry in entries:
        fold.fold(entry)
    fold.finish()
    return fold


def former_register_roles(entries: Iterable[data.Directive]) -> dict[str, tuple[str, str]]:
    return {
        e.account: (str(e.meta.get("role", "") or ""), str(e.meta.get("participant", "") or ""))
        for e in entries
        if isinstance(e, data.Open) and (e.meta or {}).get("role")
    }


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


# ---------------------------------------------------------------- balances of two readers


def summarize_year_figures(
    entries: Iterable[data.Directive], config: HubConfig, year: int
) -> tuple[Decimal, ...]:
    """``ledger.money.closing.summarize_year``'s own sums: income, expenses, held,
    receivables, suspense."""
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    held_prefix = config.account("participant_held", "X").rsplit(":", 1)[0] + ":"
    clients, suspense = config.account("clients"), config.account("suspense")
    income = expenses = held = receivables = waiting = ZERO
    for entry in entries:
        if not isinstance(entry, data.Transaction) or entry.date > end or entry.flag == "P":
            continue
        for posting in entry.postings:
            if posting.units is None or posting.units.number is None:
                continue
            number = posting.units.number
            root = posting.account.split(":", 1)[0]
            if entry.date >= start and root == "Income":
                income -= number
            elif entry.date >= start and root == "Expenses":
                expenses += number
            if posting.account.startswith(held_prefix):
                held -= number
            elif posting.account == clients:
                receivables += number
            elif posting.account == suspense:
                waiting += number
    return income, expenses, held, receivables, waiting


def trial_balance_sums(
    frames: Any, start: dt.date, end: dt.date
) -> tuple[dict[str, Decimal], dict[str, Decimal], dict[str, Decimal]]:
    """``reports.trial_balance.account_balances``'s own sums over the postings frame:
    opening (income and charges into the retained result), debits, credits."""
    retained = frames.config.account("retained_result")
    opening: dict[str, Decimal] = collections.defaultdict(lambda: ZERO)
    for values in frames.before(start).itertuples(index=False):
        target = values.account if values.root in ("Assets", "Liabilities", "Equity") else retained
        opening[target] += values.amount
    debit: dict[str, Decimal] = collections.defaultdict(lambda: ZERO)
    credit: dict[str, Decimal] = collections.defaultdict(lambda: ZERO)
    for values in frames.between(start, end).itertuples(index=False):
        if values.amount >= 0:
            debit[values.account] += values.amount
        else:
            credit[values.account] -= values.amount
    return dict(opening), dict(debit), dict(credit)
