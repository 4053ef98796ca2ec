"""The one fold of the books: every fact the readers of the books share, computed once.

:class:`View` folds the entries (and the hub's chart, from ``hub.toml``) into what the
commands, the reports and the Fava pages ask about:

* **invoices** with their state: what each asked (incl. and excl. VAT), what credit notes
  took off, what was received and allocated, what is still open, the files attached;
* **issued documents** (invoices and credit notes) with their series and sequence;
* **bank lines** with their settlement: what of each still waits in the suspense account;
* **pending items**: payouts, costs, grants, refunds and cash transfers the bank should
  show, and what of each is still expected;
* **participants** with their balances (held, owed, share of open invoices) and every
  movement of the balance held;
* **the cash box**: its dated balance and every movement (the cash book).
* **the register** (:mod:`ledger.view.accounts`): each account's role and participant as
  its ``open`` entry declares them, each participant opened and closed when — what the
  invariant plugins, which have no ``hub.toml``, read from the fold.

Every reader asks it: ``invoice list``, ``participant show``, categorisation at import,
reconciliation, payouts, costs, the year end, the statement and the Fava page. The rules
that need no chart (which entry is an issued document, :func:`issued_ref`) are plain
functions of one entry, so the invariant plugins apply the very same rule; they read the
register the same way (:func:`ledger.view.accounts.register_of`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import re
import unicodedata
import weakref
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

from beancount.core import data

from ledger.daybook import PARTICIPANT_ROLES, Daybook
from ledger.ibans import normalize_iban
from ledger.view.accounts import Register

if TYPE_CHECKING:  # the settings' models (pydantic): the plugins fold without hub.toml
    from ledger.config import HubConfig

ZERO = Decimal("0")
DocKind = Literal["invoice", "credit-note"]
DOC_KINDS: tuple[DocKind, ...] = ("invoice", "credit-note")
# Entries that credit or debit an invoice's receivable without being money received.
NOT_RECEIPTS = ("payment", "invoice", "credit-note", "credit-reversal")
# Entries whose ``received-net`` is money clients paid for the activity (or took back).
RECEIVED_KINDS = ("payment", "credit-reversal", "cash-sale")
CASH_COUNT = "cash-count"
PAYOUT_EXPORTED = "payout-exported"  # custom: a bank payout written to a pain.001 file
# A credit note, and its reversal, on the invoice of a participant closed since: the hub
# bears the reversal of her share (``invoice credit --hub-bears``): metadata ``borne-by``.
BORNE_BY, HUB = "borne-by", "hub"
# On such a reversal: the net share she keeps (what she would have given back) and the
# contribution the hub gives up on it; the invoice counts them as taken back.
SHARE_BORNE, CONTRIBUTION_FORGONE = "share-borne", "contribution-forgone"
CASH_IDS = ("cash", "payout", "expense")  # the id a cash movement is known by


# ---------------------------------------------------------------- issued documents


@dataclass(frozen=True, slots=True)
class IssuedRef:
    """What the books say about one issued document."""

    kind: DocKind
    number: str
    series: str
    seq: int
    date: dt.date
    entry: data.Transaction


def link_safe(number: str) -> str:
    """A document number as it appears in a Beancount link (letters, digits, ``-_./``)."""
    return re.sub(r"[^A-Za-z0-9\-_./]", "-", number)


def number_of(entry: data.Transaction) -> str | None:
    """The document's own number: meta ``invoice`` of an invoice, ``credit-note`` of a note."""
    kind = entry.meta.get("kind")
    key = "invoice" if kind == "invoice" else "credit-note" if kind == "credit-note" else None
    value = entry.meta.get(key) if key else None
    return str(value) if value is not None else None


def payout_exports(entries: Iterable[data.Directive]) -> dict[str, tuple[dt.date, dt.date]]:
    """Each bank payout written to a pain.001 file (its id, upper case): the first and the
    last day it was (``payout export --again`` writes it again)."""
    out: dict[str, tuple[dt.date, dt.date]] = {}
    for e in entries:
        if isinstance(e, data.Custom) and e.type == PAYOUT_EXPORTED and e.values:
            ident = str(e.values[0].value).upper()
            first, last = out.get(ident, (e.date, e.date))
            out[ident] = (min(first, e.date), max(last, e.date))
    return out


def issued_ref(entry: data.Directive) -> IssuedRef | None:
    """The issued invoice or credit note an entry is (``None`` for any other entry, and for
    one with incomplete numbering metadata: the invoice plugin reports it)."""
    if not isinstance(entry, data.Transaction):
        return None
    kind = entry.meta.get("kind")
    if kind not in DOC_KINDS:
        return None
    number = number_of(entry)
    series = entry.meta.get("series")
    seq = entry.meta.get("seq")
    if number is None or series is None or not isinstance(seq, (int, Decimal)):
        return None
    if isinstance(seq, Decimal) and not seq.is_finite():
        return None  # (a hand edit: the invoice plugin reports its seq)
    return IssuedRef(kind, number, str(series), int(seq), entry.date, entry)


def issued_documents(entries: Iterable[data.Directive]) -> list[IssuedRef]:
    """Every invoice and credit note in the books, in the entries' order."""
    return [ref for ref in map(issued_ref, entries) if ref is not None]


@dataclass(frozen=True, slots=True)
class InvoiceRef:
    """An issued invoice as a bank payment finds it: by its structured communication."""

    link: str
    number: str
    ogm: str
    participant: str | None = None


def invoice_ref(entry: data.Directive) -> InvoiceRef | None:
    """The invoice an entry is (``kind: "invoice"`` with an ``^inv-`` link), with its OGM
    when it has a valid-looking one (12 digits; ``""`` otherwise)."""
    if not isinstance(entry, data.Transaction) or entry.meta.get("kind") != "invoice":
        return None
    links = sorted(lk for lk in entry.links or () if lk.startswith("inv-"))
    if not links:
        return None
    number = str(entry.meta.get("invoice") or links[0][4:])
    participant = entry.meta.get("participant")
    ogm = _digits(entry.meta.get("ogm")) or ""
    return InvoiceRef(links[0], number, ogm, str(participant) if participant else None)


def invoices_by_ogm(entries: Iterable[data.Directive]) -> dict[str, InvoiceRef]:
    """Issued invoices by their OGM (12 digits): what an import matches payments to."""
    return {ref.ogm: ref for ref in map(invoice_ref, entries) if ref is not None and ref.ogm}


# ---------------------------------------------------------------- participants


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


@dataclass(slots=True)
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
    # Money from a client (payment, cash sale, credit reversal): what the client paid for the
    # activity (excl. VAT) and the contribution taken from it (``amount`` is what is left).
    received: Decimal = ZERO
    contribution: Decimal = ZERO


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
    """A participant's accounts as ``hub.toml`` names them (what ``participant add`` opens)."""
    return {role: config.account(role, code) for role in PARTICIPANT_ROLES}


# ---------------------------------------------------------------- the cash box


@dataclass(frozen=True, slots=True)
class CashMove:
    """A movement of the cash box (``amount``) or a count of it (``amount`` None)."""

    date: dt.date
    id: str
    kind: str
    amount: Decimal | None
    counted: Decimal
    description: str


# ---------------------------------------------------------------- invoices, bank lines, pending


@dataclass(slots=True)
class Invoice:
    """An issued invoice and what has been received for it."""

    link: str
    number: str
    participant: str
    client: str
    date: dt.date
    due: dt.date | None
    ogm: str | None
    total: Decimal = ZERO  # T: what the client was asked (incl. VAT)
    net: Decimal = ZERO  # N: excl. VAT
    credited_total: Decimal = ZERO
    credited_net: Decimal = ZERO
    receivable: Decimal = ZERO  # the clients balance carrying this invoice's link
    applied: Decimal = ZERO  # Σ payments applied to it (allocations)
    applied_on: list[tuple[dt.date, Decimal]] = field(default_factory=list)  # each, dated
    received_net: Decimal = ZERO
    contributions: Decimal = ZERO
    # As ``invoice list`` reports it: every entry on its link but its credit notes (paid)…
    paid: Decimal = ZERO
    credited: Decimal = ZERO  # …and its credit notes (credited), from the clients account
    credit_notes: list[str] = field(default_factory=list)
    payments: list[dict[str, Any]] = field(default_factory=list)
    documents: list[str] = field(default_factory=list)  # files attached with its link
    issued: IssuedRef | None = None  # None: its numbering metadata is incomplete
    # What the invariants walk in date order (plugins.money): the invoice's entry, each
    # credit note with what it took off (incl. and excl. VAT), each payment or credit
    # reversal with what it applied, and the participant's share still to be received.
    entry: data.Transaction | None = field(default=None, repr=False, compare=False)
    credits: list[tuple[data.Transaction, Decimal, Decimal]] = field(
        default_factory=list, repr=False, compare=False
    )
    applications: list[tuple[data.Transaction, Decimal]] = field(
        default_factory=list, repr=False, compare=False
    )
    share_pending: Decimal = ZERO  # Σ participant_pending on entries of this invoice alone

    @property
    def effective_total(self) -> Decimal:
        return self.total - self.credited_total

    @property
    def effective_net(self) -> Decimal:
        return self.net - self.credited_net

    @property
    def open(self) -> Decimal:
        """What the client still owes on it (never below zero)."""
        return max(self.effective_total - self.applied, ZERO)


@dataclass(slots=True)
class BankLine:
    """A bank movement as imported, and what of it still waits in suspense."""

    link: str
    ref: str
    date: dt.date
    amount: Decimal
    account: str
    counterparty: str = ""
    iban: str = ""  # kept by the importer for money coming in only
    iban_last4: str = ""  # for money going out, only the last four characters are kept
    communication: str = ""
    ogm: str = ""
    end_to_end: str = ""
    returned: bool = False
    suspense: Decimal = ZERO  # open in suspense: positive = money in not yet explained
    to_suspense: Decimal = ZERO  # what its import put in suspense (zero: matched at import)
    settled_by: list[str] = field(default_factory=list)  # the links its settlements settled
    # A batch: (amount, OGM, end-to-end id) of each detail (``detail-<n>-…`` metadata).
    details: tuple[tuple[Decimal, str, str], ...] = ()
    # Every entry that moved the line in or out of suspense, with the amount it posted there
    # (the bank entry's own included): what the invariants walk (plugins.money).
    moves: list[tuple[data.Transaction, Decimal]] = field(
        default_factory=list, repr=False, compare=False
    )

    @property
    def is_open(self) -> bool:
        return self.suspense != ZERO


@dataclass(frozen=True)
class BankOriginal:
    """What the bank wrote about a movement and the books do not keep (the other party's
    name and account, the free communication: see ``importers/minimise.py``), decrypted in
    memory from the archived statement when the key is at hand. Candidate scoring reads
    it; nothing here writes or shows it."""

    counterparty: str = ""
    iban: str = ""
    communication: str = ""


@dataclass(slots=True)
class Receipt:
    """Money received (or returned, if negative) on an invoice, from one bank movement or
    one cash receipt (``bank_link`` is then its ``^cash-`` link)."""

    bank_link: str
    inv_link: str
    date: dt.date
    amount: Decimal
    returns: str = ""  # for a returned payment: the bank reference of the payment returned


@dataclass(slots=True)
class Pending:
    """Something the books expect the bank to show: a payout, a cost, a grant, a refund."""

    link: str
    kind: str  # payout | expense | grant | refund | transfer (bank ↔ cash)
    date: dt.date
    amount: Decimal  # expected bank amount, signed (negative = money out)
    open: Decimal = ZERO  # still expected, same sign as amount
    participant: str = ""
    iban_last4: str = ""
    end_to_end: str = ""
    text: str = ""  # words that may appear in the counterparty or communication
    iban: str = ""  # a counterparty IBAN it may come from / go to (never a participant's)
    reference: str = ""  # costs: the supplier's payment reference (supplier e-invoices)
    debited_by: str = ""  # payouts: the ^bank- link of the debit that settled it
    debited_on: dt.date | None = None
    returned_by: str = ""  # payouts: the ^bank- link of the credit that brought it back
    returned_on: dt.date | None = None
    invoice: str = ""  # refunds: the ^inv- link of the invoice credited or overpaid
    credit_note: str = ""  # refunds of a credit note: its number (none for an overpayment)


def _bank_and_invoice_links(entry: data.Transaction) -> tuple[list[str], list[str]]:
    """The money links (``^bank-``, else ``^cash-``) and the ``^inv-`` links of an entry."""
    links = sorted(entry.links or ())
    banks = [lk for lk in links if lk.startswith("bank-")]
    return (
        banks or [lk for lk in links if lk.startswith("cash-")],
        [lk for lk in links if lk.startswith("inv-")],
    )


_NO_ROLE = ("", "")
# Accounts a pending item's link is settled on, by role, and the prefix of those links.
TARGET_ROLES = (
    ("payouts_pending", "po-"), ("suppliers", "exp-"), ("grants_receivable", "grant-"),
    ("refunds_due", "refund-"), ("internal_transfers", "cash-"),
)  # fmt: skip


class _Chart(NamedTuple):
    clients: str
    suspense: str
    cash: str | None
    targets: dict[str, str]


@dataclass
class View:
    """The books folded once: invoices and their state, bank lines and their settlement,
    what is pending, participants and their balances, the cash box."""

    # The settings of the readers (commands read ``state.config``); the fold itself never
    # reads them: it knows every account by its role in the register.
    settings: HubConfig | None = None
    invoices: dict[str, Invoice] = field(default_factory=dict)
    by_ogm: dict[str, str] = field(default_factory=dict)
    lines: dict[str, BankLine] = field(default_factory=dict)
    receipts: list[Receipt] = field(default_factory=list)
    allocated: set[tuple[str, str]] = field(default_factory=set)
    pending: dict[str, Pending] = field(default_factory=dict)
    held: Daybook = field(default_factory=Daybook)  # per code: what the hub holds for them
    owed: Daybook = field(default_factory=Daybook)  # per code: what they owe the hub
    free: Daybook = field(default_factory=Daybook)  # per code: held − owed (may be paid out)
    cash: Daybook = field(default_factory=Daybook)  # key "cash": the cash box
    suspended: Daybook = field(default_factory=Daybook)  # key "suspense": the suspense account
    # Every account's postings, dated (by account): the balances the trial balance and the
    # year's summary read; ``padded`` holds what beancount's ``pad`` added (flag ``P``).
    balances: Daybook = field(default_factory=Daybook)
    padded: Daybook = field(default_factory=Daybook)
    closed: dict[str, dt.date] = field(default_factory=dict)
    client_ibans: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    client_names: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    settled_lines: set[str] = field(default_factory=set)
    originals: Mapping[str, BankOriginal] = field(default_factory=dict)  # by ^bank- link
    documents: list[IssuedRef] = field(default_factory=list)  # invoices and credit notes
    participants: dict[str, ParticipantSummary] = field(default_factory=dict)
    cash_moves: list[CashMove] = field(default_factory=list)
    # the chart as the ``open`` entries declare it: every account the fold knows, by role
    register: Register = field(default_factory=Register)
    _chart_of: int = field(default=-1, repr=False, compare=False)
    _chart_cache: Any = field(default=None, repr=False, compare=False)
    # Entries defined or folded so far, and the open invoices as of a count: asked for
    # every line of an import, recomputed only once an entry was folded since.
    _folded: int = field(default=0, repr=False, compare=False)
    _open_of: tuple[int, list[tuple[Invoice, Decimal]]] | None = field(
        default=None, repr=False, compare=False
    )

    @classmethod
    def of(
        cls, entries: Iterable[data.Directive], config: HubConfig | None = None,
        originals: Mapping[str, BankOriginal] | None = None,
    ) -> View:  # fmt: skip
        """Fold the books: the chart from their ``open`` entries (the register), what
        exists (invoices, bank lines, pending items), then every amount, so the order of
        files and lines never matters. ``config`` is only kept for the reader
        (``view.config``): the fold needs nothing but the entries, which is how the
        invariant plugins fold the very same view.

        The fold of a load is computed once: asked again for the same loaded entries (the
        list a load returned, unchanged), the same view is returned, so every reader of one
        load shares it — the plugins' fold included, handed over to the load's entries by
        :func:`handing_over`. A view someone folds more entries into (:meth:`add`) stops
        being shared."""
        if not originals:
            shared = _shared(entries)
            if shared is not None and (config is None or shared.settings in (None, config)):
                if config is not None:
                    shared.settings = config
                return shared
        state = cls(config, originals=originals or {})
        ordered = sorted(entries, key=data.entry_sortkey)
        for entry in ordered:  # the register first: each open, then each close
            if isinstance(entry, data.Open):
                state.register.add(entry)
        for entry in ordered:
            if isinstance(entry, data.Close):
                state.register.add(entry)
        for entry in ordered:
            state.define(entry)
        for entry in ordered:
            state.fold(entry)
        if not originals:
            _share(entries, state)
        return state

    @property
    def config(self) -> HubConfig:
        """The hub's settings, for the reader that folded (or shared) the view with them."""
        if self.settings is None:
            raise RuntimeError("this view was folded without the hub's settings")
        return self.settings

    def seen(self, line: BankLine) -> BankLine:
        """The line as scoring sees it: what the books keep, completed in memory by what
        the bank wrote (when the archive could be opened)."""
        original = self.originals.get(line.link)
        if original is None:
            return line
        iban = line.iban or original.iban
        return replace(
            line,
            counterparty=line.counterparty or original.counterparty,
            iban=iban,
            iban_last4=line.iban_last4 or iban[-4:],
            communication=f"{line.communication} {original.communication}".strip(),
        )

    # -- folding --------------------------------------------------------------------

    def add(self, entry: data.Directive) -> None:
        """Fold one more entry (one booked after everything already folded)."""
        for key, (_entries, _size_then, view) in list(_SHARED.items()):
            if view is self:
                del _SHARED[key]  # no longer the fold of that load
        if _HANDOVER and _HANDOVER[0][2] is self:
            _HANDOVER.clear()
        if isinstance(entry, data.Open | data.Close):
            self.register.add(entry)
        self.define(entry)
        self.fold(entry)

    def define(self, entry: data.Directive) -> None:
        """Register what an entry creates: a participant, an invoice or credit note, a bank
        line, a pending item (the register already knows the entry's accounts)."""
        self._folded += 1
        if isinstance(entry, data.Open):
            self._add_participant(entry)
            return
        if isinstance(entry, data.Close):
            code = self._code_of(entry.account, "participant_held")
            if code in self.participants:
                self.participants[code].info.closed = entry.date
            return
        if not isinstance(entry, data.Transaction):
            return
        kind = str(entry.meta.get("kind", ""))
        bank_links, inv_links = _bank_and_invoice_links(entry)
        ref = issued_ref(entry)
        if ref is not None:
            self.documents.append(ref)
        if kind == "invoice" and inv_links:
            self._add_invoice(entry, inv_links[0])
        if kind == "bank" and bank_links:
            self._add_bank_line(entry, bank_links[0])
        if kind in ("payout", "expense", "grant", "payment", "credit-reversal", "cash-transfer"):
            self._add_pending(entry, kind)

    def fold(self, entry: data.Directive) -> None:
        """Add what an entry moves: credit notes, allocations, every posting."""
        self._folded += 1
        if isinstance(entry, data.Close):
            code = self._code_of(entry.account, "participant_held")
            if code:
                self.closed[code] = entry.date
            return
        if isinstance(entry, data.Document):
            for link in entry.links or ():
                if link in self.invoices:
                    self.invoices[link].documents.append(entry.filename)
            return
        if isinstance(entry, data.Custom) and entry.type == CASH_COUNT:
            if len(entry.values) < 2 or not hasattr(entry.values[1].value, "number"):
                return  # not a count (plugins.money reports it)
            self.cash_moves.append(
                CashMove(
                    entry.date,
                    str(entry.values[0].value),
                    "count",
                    None,
                    entry.values[1].value.number,
                    "counted",
                )
            )
            return
        if not isinstance(entry, data.Transaction):
            return
        kind = str(entry.meta.get("kind", ""))
        bank_links, inv_links = _bank_and_invoice_links(entry)
        posts = self._posts(entry)
        book = self.padded if entry.flag == "P" else self.balances
        for account, number, _role, _code in posts:
            book.add(account, entry.date, number)
        self._fold_invoice_status(entry, kind, posts)
        self._fold_participants(entry, kind, posts)
        if kind == "credit-note" and inv_links:
            self._add_credit_note(entry, inv_links[0])
        if kind == "payment" and bank_links and inv_links:
            self._add_allocation(entry, bank_links[0], inv_links[0])
        if kind == "credit-reversal" and inv_links:
            self._add_credit_reversal(entry, inv_links[0])
        if kind in ("payment", "credit-reversal") and len(inv_links) == 1:
            inv = self.invoices.get(inv_links[0])
            if inv is not None:
                inv.applications.append((entry, _dec(entry.meta.get("applied"))))
        self._fold_postings(entry, kind, bank_links, inv_links, posts)

    def _add_participant(self, entry: data.Open) -> None:
        """A participant exists from the ``open`` of its held account (codes only)."""
        if entry.meta.get("role") != "participant_held":
            return
        code = str(entry.meta.get("participant", ""))
        if not code:
            return
        info = ParticipantInfo(
            code=code,
            opened=entry.date,
            activity=str(entry.meta.get("activity", "")),
            accounts=self.register.participant_accounts(code, PARTICIPANT_ROLES),
        )
        self.participants[code] = ParticipantSummary(info=info)

    def _posts(self, entry: data.Transaction) -> list[tuple[str, Decimal, str, str]]:
        """Each posting with an amount: (account, number, its role, its participant)."""
        roles = self.register.roles
        return [
            (p.account, p.units.number, *roles.get(p.account, _NO_ROLE))
            for p in entry.postings
            if p.units is not None and p.units.number is not None
        ]

    def _chart(self) -> _Chart:
        """The accounts the fold asks about by role (looked up once per new ``open``)."""
        if self._chart_of != len(self.register.roles):
            reg = self.register
            self._chart_cache = _Chart(
                reg.account("clients"),
                reg.account("suspense"),
                reg.account("cash") or None,
                {
                    account: prefix
                    for role, prefix in TARGET_ROLES
                    if (account := reg.account(role))
                },
            )
            self._chart_of = len(reg.roles)
        return self._chart_cache

    def _fold_invoice_status(
        self, entry: data.Transaction, kind: str, posts: list[tuple[str, Decimal, str, str]]
    ) -> None:
        """What the clients account says was paid and credited on each invoice's link."""
        if kind == "invoice" or not entry.links:
            return
        clients = self._chart().clients
        for link in entry.links:
            inv = self.invoices.get(link)
            if inv is None:
                continue
            amount = -sum((n for account, n, _r, _c in posts if account == clients), ZERO)
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

    def _fold_participants(
        self, entry: data.Transaction, kind: str, posts: list[tuple[str, Decimal, str, str]]
    ) -> None:
        """Each participant's figures and the movements of the balance held for them."""
        held_delta: dict[str, Decimal] = {}
        owed_delta: dict[str, Decimal] = {}
        for _account, number, role, code in posts:
            summary = self.participants.get(code) if code else None
            if summary is None:
                continue
            if role == "participant_held":
                held_delta[code] = held_delta.get(code, ZERO) - number
                if kind in ("payout", "payout-cancel"):  # a cancellation takes it back
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
        received_by, received, contribution = "", ZERO, ZERO
        if kind in RECEIVED_KINDS:
            code = str(entry.meta.get("participant", ""))
            if entry.meta.get("received-net") is not None and code in self.participants:
                received_by, received = code, _dec(entry.meta.get("received-net"))
                contribution = _dec(entry.meta.get("contribution"))
                self.participants[code].received += received
        for code in sorted(set(held_delta) | set(owed_delta)):
            summary = self.participants[code]
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
                        received=received if code == received_by else ZERO,
                        contribution=contribution if code == received_by else ZERO,
                    )
                )

    def _add_invoice(self, entry: data.Transaction, link: str) -> None:
        code = str(entry.meta.get("participant", ""))
        sales = self.register.account("participant_sales", code) if code else None
        clients = self.register.account("clients")
        ref = invoice_ref(entry)
        inv = Invoice(
            link=link,
            number=ref.number if ref is not None else link[4:],
            participant=code,
            client=str(entry.meta.get("client", "")),
            date=entry.date,
            due=_as_date(entry.meta.get("due")),
            ogm=_digits(entry.meta.get("ogm")),
        )
        for p in _numbered(entry):
            if p.account == clients:
                inv.total += p.units.number
            elif p.account == sales:
                inv.net -= p.units.number
        inv.issued = issued_ref(entry)
        inv.entry = entry
        self.invoices[link] = inv
        if inv.ogm:
            self.by_ogm[inv.ogm] = link

    def _add_credit_note(self, entry: data.Transaction, link: str) -> None:
        inv = self.invoices.get(link)
        if inv is None:
            return
        sales = (
            self.register.account("sales")
            if entry.meta.get(BORNE_BY) == HUB
            else self.register.account("participant_sales", inv.participant)
        )
        clients = self.register.account("clients")
        total = net = ZERO
        for p in _numbered(entry):
            if p.account == clients:
                total -= p.units.number
            elif p.account == sales:
                net += p.units.number
        inv.credited_total += total
        inv.credited_net += net
        inv.credits.append((entry, total, net))

    def _add_bank_line(self, entry: data.Transaction, link: str) -> None:
        banks = self.register.accounts("bank")
        amount = sum((p.units.number for p in _numbered(entry) if p.account in banks), ZERO)
        if link in self.lines:  # the same line booked twice: the bank moved twice
            self.lines[link].amount += amount
            return
        account = next((p.account for p in entry.postings if p.account in banks), "")
        meta = entry.meta
        self.lines[link] = BankLine(
            link=link,
            ref=str(meta.get("bank-ref", link[5:])),
            date=entry.date,
            amount=amount,
            account=account,
            counterparty=str(meta.get("counterparty", "") or ""),
            iban=_iban(meta.get("counterparty-iban")),
            iban_last4=str(meta.get("counterparty-iban-last4", "") or "")
            or _iban(meta.get("counterparty-iban"))[-4:],
            communication=str(meta.get("communication") or meta.get("references") or ""),
            ogm=_digits(meta.get("ogm")) or "",
            end_to_end=str(meta.get("end-to-end-id", "") or ""),
            returned=bool(meta.get("r-transaction") or meta.get("reversal")),
            details=_batch_details(meta),
        )

    def _add_allocation(self, entry: data.Transaction, bank_link: str, inv_link: str) -> None:
        self.allocated.add((bank_link, inv_link))
        inv = self.invoices.get(inv_link)
        if inv is None:
            return
        inv.applied += _dec(entry.meta.get("applied"))
        inv.applied_on.append((entry.date, _dec(entry.meta.get("applied"))))
        inv.received_net += _dec(entry.meta.get("received-net"))
        inv.contributions += _dec(entry.meta.get("contribution"))

    def _add_credit_reversal(self, entry: data.Transaction, inv_link: str) -> None:
        inv = self.invoices.get(inv_link)
        if inv is None:
            return
        inv.applied += _dec(entry.meta.get("applied"))
        inv.received_net += _dec(entry.meta.get("received-net"))
        inv.contributions += _dec(entry.meta.get("contribution"))
        if entry.meta.get(BORNE_BY) == HUB:  # taken back, by the hub instead of her
            forgone = _dec(entry.meta.get(CONTRIBUTION_FORGONE))
            inv.received_net -= _dec(entry.meta.get(SHARE_BORNE)) + forgone
            inv.contributions -= forgone

    def _add_pending(self, entry: data.Transaction, kind: str) -> None:
        meta = entry.meta
        wanted = {
            "payout": ("po", "payout"), "expense": ("exp", "expense"),
            "grant": ("grant", "grant"), "payment": ("refund", "refund"),
            "credit-reversal": ("refund", "refund"), "cash-transfer": ("cash", "transfer"),
        }[kind]  # fmt: skip
        for link in sorted(entry.links or ()):
            prefix = link.split("-", 1)[0]
            if prefix != wanted[0] or link in self.pending:
                continue
            _, inv_links = _bank_and_invoice_links(entry)
            self.pending[link] = Pending(
                link=link,
                kind=wanted[1],
                # the invoice credited, or overpaid: ``cash refund INVOICE`` finds either
                invoice=inv_links[0] if inv_links else "",
                credit_note=str(meta.get("credit-note", "") or "")
                if kind == "credit-reversal"
                else "",
                date=entry.date,
                amount=ZERO,
                participant=str(meta.get("participant", "") or ""),
                iban_last4=str(meta.get("iban-last4", "") or ""),
                end_to_end=str(meta.get("end-to-end-id", "") or ""),
                text=" ".join(
                    str(meta.get(k, "") or "")
                    for k in ("payout", "expense", "grant", "supplier", "funder")
                ),
                iban=_iban(meta.get("funder-iban")),
                reference=str(meta.get("payment-ref", "") or ""),
            )
            if meta.get("supplier-iban") and not self.pending[link].iban_last4:
                self.pending[link].iban_last4 = _iban(meta.get("supplier-iban"))[-4:]

    def _fold_postings(
        self, entry: data.Transaction, kind: str, bank_links: list[str], inv_links: list[str],
        posts: list[tuple[str, Decimal, str, str]],
    ) -> None:  # fmt: skip
        clients, suspense, cash, target_accounts = self._chart()
        clients_sum = ZERO
        cash_moved = ZERO
        for account, number, role, code in posts:
            if account == clients:
                clients_sum += number
                if len(inv_links) == 1 and inv_links[0] in self.invoices:
                    self.invoices[inv_links[0]].receivable += number
            elif account == suspense:
                self.suspended.add("suspense", entry.date, number)
                line = self.lines.get(bank_links[0]) if len(bank_links) == 1 else None
                if line is not None:
                    line.moves.append((entry, number))
                    line.suspense -= number
                    if kind == "bank":
                        line.to_suspense -= number
                    elif kind == "settlement":
                        line.settled_by.extend(
                            lk for lk in sorted(entry.links or ()) if lk != bank_links[0]
                        )
            elif account in target_accounts:
                prefix = target_accounts[account]
                for link in entry.links or ():
                    if link.startswith(prefix) and link in self.pending:
                        pend = self.pending[link]
                        # Same sign as the bank movement expected: a liability credited
                        # (payout, cost, refund) waits for money out, a receivable for money in.
                        pend.open += number
                        if pend.amount == ZERO:
                            pend.amount = number
                        elif pend.kind == "payout" and len(bank_links) == 1 and number > 0:
                            pend.debited_by, pend.debited_on = bank_links[0], entry.date
            elif account == cash:
                self.cash.add("cash", entry.date, number)
                cash_moved += number
            elif not code:
                continue
            elif role == "participant_held":
                self.held.add(code, entry.date, -number)
                self.free.add(code, entry.date, -number)
            elif role == "participant_owed":
                self.owed.add(code, entry.date, number)
                self.free.add(code, entry.date, -number)
            elif role == "participant_pending" and len(inv_links) == 1:
                inv = self.invoices.get(inv_links[0])
                if inv is not None:
                    inv.share_pending += number
        if cash_moved != ZERO:
            ident = next((str(entry.meta[k]) for k in CASH_IDS if k in entry.meta), "")
            self.cash_moves.append(
                CashMove(entry.date, ident, kind, cash_moved, ZERO, entry.narration or "")
            )
        if kind == "settlement" and entry.meta.get("returned") and len(bank_links) == 1:
            for link in entry.links or ():
                payout = self.pending.get(link)
                if payout is not None and payout.kind == "payout":
                    payout.returned_by, payout.returned_on = bank_links[0], entry.date
        if (
            kind not in NOT_RECEIPTS
            and len(bank_links) == 1
            and len(inv_links) == 1
            and clients_sum != ZERO
        ):
            self.receipts.append(
                Receipt(
                    bank_links[0], inv_links[0], entry.date, -clients_sum,
                    str(entry.meta.get("returns", "") or ""),
                )
            )  # fmt: skip
            self._learn_client(bank_links[0], inv_links[0])
            if kind == "settlement":
                self.settled_lines.add(bank_links[0])

    def _code_of(self, account: str, role: str) -> str:
        """The participant whose account of ``role`` ``account`` is (``""``: none)."""
        owner_role, code = self.register.roles.get(account, ("", ""))
        return code if owner_role == role else ""

    def _learn_client(self, bank_link: str, inv_link: str) -> None:
        line, inv = self.lines.get(bank_link), self.invoices.get(inv_link)
        if line is None or inv is None or not inv.client or line.amount <= 0:
            return
        line = self.seen(line)
        if line.iban:
            self.client_ibans[inv.client].add(line.iban)
        if line.counterparty:
            self.client_names[inv.client].add(_norm_name(line.counterparty))

    # -- questions ------------------------------------------------------------------

    def held_available(self, code: str, on: dt.date) -> Decimal:
        """The least balance held for ``code`` at the end of any day from ``on`` on: what
        may be taken from the participant on that date without ever going below zero."""
        return self.held.available(code, on)

    def payable(self, code: str, on: dt.date) -> Decimal:
        """What may be paid out to ``code`` on ``on``: held, less what they owe the hub, on
        every day from ``on`` on (nobody is paid money they owe)."""
        return min(self.held.available(code, on), self.free.available(code, on))

    def cash_available(self, on: dt.date) -> Decimal:
        """What may leave the cash box on ``on`` without any day from then on ending below
        zero."""
        return self.cash.available("cash", on)

    def owed_by(self, code: str, on: dt.date | None = None) -> Decimal:
        """What ``code`` owes the hub at the end of ``on`` (charged later, credits)."""
        return self.owed.balance(code, on)

    @property
    def generation(self) -> int:
        """How many entries the view has defined or folded: what a reader computed from it
        holds while this number has not changed."""
        return self._folded

    def open_invoices(self) -> list[Invoice]:
        return [inv for inv, _due in self.open_dues()]

    def open_dues(self) -> list[tuple[Invoice, Decimal]]:
        """The open invoices, each with what it still asks (:attr:`Invoice.open`)."""
        if self._open_of is None or self._open_of[0] != self._folded:
            dues = [(inv, due) for inv in self.invoices.values() if (due := inv.open) > 0]
            self._open_of = (self._folded, dues)
        return list(self._open_of[1])

    def open_lines(self) -> list[BankLine]:
        return sorted((ln for ln in self.lines.values() if ln.is_open), key=_line_key)

    def returnable_payouts(self) -> list[Pending]:
        """Bank payouts debited and not brought back yet (a credit may return them)."""
        return [
            p for p in self.pending.values()
            if p.kind == "payout" and p.debited_by and p.open == ZERO and not p.returned_by
        ]  # fmt: skip

    def refunds_due(self, inv_link: str) -> list[Pending]:
        """The refunds still owed to the client of an invoice (its credit notes paid, its
        overpayments), oldest first."""
        return sorted(
            (p for p in self.pending.values()
             if p.kind == "refund" and p.invoice == inv_link and p.open < 0),
            key=lambda p: (p.date, p.link),
        )  # fmt: skip

    def open_pending(self, kind: str | None = None) -> list[Pending]:
        return [
            p for p in self.pending.values() if p.open != ZERO and (kind is None or p.kind == kind)
        ]

    def account_balance(
        self, account: str, on: dt.date | None = None, *, padding: bool = True
    ) -> Decimal:
        """An account's balance at the end of ``on`` (of everything when ``None``), with
        what ``pad`` entries added unless ``padding`` is false."""
        balance = self.balances.balance(account, on)
        return balance + self.padded.balance(account, on) if padding else balance

    def account_moves(self, account: str) -> list[tuple[dt.date, Decimal]]:
        """Every posting on ``account`` (padding included), dated, in the books' order."""
        return [*self.balances.moves.get(account, ()), *self.padded.moves.get(account, ())]

    def accounts_moved(self) -> set[str]:
        """Every account with a posting."""
        return {*self.balances.moves, *self.padded.moves}

    def cash_book(self) -> list[CashMove]:
        """Every movement of the cash box with the balance after it, in date order (a count
        closes its day: after the day's movements; its balance is what was counted)."""
        out, balance = [], ZERO
        for move in sorted(self.cash_moves, key=lambda m: (m.date, m.amount is None)):
            if move.amount is not None:
                balance += move.amount
                move = replace(move, counted=balance)
            out.append(move)
        return out


# The fold of each live load, by the identity of its entries list (see View.of).
_SHARED: dict[int, tuple[weakref.ref[Any], int, View]] = {}
# While a loader runs the plugins (:func:`handing_over`): the fold a plugin asked for, over
# the plugins' own list of the entries, until the load's final list takes it over.
_HANDOVER: list[tuple[list[data.Directive], int, View]] = []
_COLLECTING: list[bool] = []


def _shared(entries: Iterable[data.Directive]) -> View | None:
    """The fold already computed for exactly this list of entries, if any."""
    if not isinstance(entries, list):
        return None
    shared = _SHARED.get(id(entries))
    if shared is not None and shared[0]() is entries and shared[1] == len(entries):
        return shared[2]
    if _HANDOVER and _HANDOVER[0][0] is entries and _HANDOVER[0][1] == len(entries):
        return _HANDOVER[0][2]
    return None


def _share(entries: Iterable[data.Directive], view: View) -> None:
    """Share ``view`` as the fold of ``entries``: a load's own list (ledger.loader.Entries)
    while it lives (the view never keeps a load's entries alive), or the plugins' list
    while a loader runs them."""
    if not isinstance(entries, list):
        return
    if hasattr(entries, "__weakref__"):
        key = id(entries)

        def forget(_ref: object, k: int = key) -> None:
            _SHARED.pop(k, None)

        _SHARED[key] = (weakref.ref(entries, forget), len(entries), view)
    elif _COLLECTING:
        _HANDOVER[:] = [(entries, len(entries), view)]


@contextlib.contextmanager
def handing_over() -> Iterator[Callable[[list[data.Directive]], None]]:
    """Around a loader's plugins and validation: the fold a plugin computes
    (``View.of(entries)`` in :mod:`plugins.money`) becomes the fold of the load, so one
    load folds its books once. Call the function it gives with the load's final list: if
    it holds the very entries the plugin folded (beancount's last steps copy the list;
    a failed ``balance`` is replaced, and the fold reads no balance), the view is shared
    with it. Nothing is kept once the block ends."""

    def hand_over(final: list[data.Directive]) -> None:
        if not _HANDOVER:
            return
        folded, size, view = _HANDOVER[0]
        if size == len(folded) == len(final) and all(
            a is b or (type(a) is data.Balance and type(b) is data.Balance)
            for a, b in zip(folded, final, strict=True)
        ):
            _share(final, view)

    _COLLECTING.append(True)
    try:
        yield hand_over
    finally:
        _COLLECTING.pop()
        if not _COLLECTING:
            _HANDOVER.clear()


def _line_key(line: BankLine) -> tuple[dt.date, str]:
    return (line.date, line.ref)


# ---------------------------------------------------------------- small helpers


def _numbered(entry: data.Transaction) -> Iterable[Any]:
    for p in entry.postings:
        if p.units is not None and p.units.number is not None:
            yield p


def _dec(value: Any) -> Decimal:
    """A metadata amount; anything else (a hand edit gave it another type) counts as zero
    here, and ``plugins.money`` reports it at its entry."""
    if isinstance(value, bool) or not isinstance(value, (Decimal, int, str)):
        return ZERO
    try:
        number = Decimal(value) if isinstance(value, (Decimal, int)) else Decimal(value.strip())
    except ArithmeticError:
        return ZERO
    return number if number.is_finite() else ZERO


def _as_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return None
    return None


def _digits(value: Any) -> str | None:
    if not value:
        return None
    digits = re.sub(r"\D", "", str(value))
    return digits if len(digits) == 12 else None


def _iban(value: Any) -> str:
    return _normal_iban(str(value)) if value else ""


@functools.lru_cache(maxsize=1 << 12)
def _normal_iban(text: str) -> str:
    """A counterparty's IBAN as the fold compares it (the same few accounts come back on
    every movement of theirs: validated once)."""
    try:
        return normalize_iban(text)
    except ValueError:
        return re.sub(r"\s", "", text).upper()


def _batch_details(meta: dict[str, Any]) -> tuple[tuple[Decimal, str, str], ...]:
    """The details of a batch entry as the importer records them: ``details: N`` and, for
    each, ``detail-<n>-amount``, ``-ogm``, ``-end-to-end-id`` (none if one lacks its amount)."""
    count = meta.get("details")
    if not isinstance(count, int | Decimal) or not 0 < count <= 10_000 or count != int(count):
        return ()
    out = []
    for n in range(1, int(count) + 1):
        amount = meta.get(f"detail-{n}-amount")
        if not isinstance(amount, int | Decimal):
            return ()
        ogm = _digits(meta.get(f"detail-{n}-ogm")) or ""
        out.append((Decimal(amount), ogm, str(meta.get(f"detail-{n}-end-to-end-id", "") or "")))
    return tuple(out)


def _norm_name(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    words = re.findall(r"[a-z0-9]+", ascii_text)
    noise = {"sprl", "srl", "sa", "nv", "bv", "bvba", "asbl", "vzw", "mr", "mme", "m", "the"}
    return " ".join(w for w in words if w not in noise)
