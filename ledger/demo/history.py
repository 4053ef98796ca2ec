"""Past years of a scalable demo hub, generated as text (``demo build --years N``).

A hub ten years old has tens of thousands of entries; replaying them command by command
would take hours. The past years are therefore *generated*: the same entries the real
commands book (invoices with their PDF, UBL and JSON record from the real renderers and
entry builders, client payments matched by their OGM with the participant's share and the
hub's contribution at the rate of the day, payouts ordered and debited, the workspace's
rent, bank fees, a yearly gift), written through the books' write path (one transaction a
year, checked by every plugin on the reload) and closed with the real ``year close``. The
last year is then played through the real commands (``ledger.demo``).

Everything is drawn from one ``random.Random(seed)`` in a fixed order (participants in the
order they were opened, never by their random code), so the same seed gives the same
books but for the participants' codes, the hub's id and the keys.
"""

from __future__ import annotations

import datetime as dt
import os
import random
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from beancount.core import data

from invoicing import numbering
from invoicing.clients import Client
from invoicing.entries import ENTRIES_KIND, build_entries, document_paths
from invoicing.entries import entries_file as books_file_of
from invoicing.issue import render_files
from invoicing.models import Document, LineInput
from invoicing.ogm import make_ogm
from invoicing.parallel import mapped
from invoicing.totals import compute
from ledger.books import Books
from ledger.config import HubConfig
from ledger.i18n import _, hub_lang
from ledger.integrity.chain import stamp_documents
from ledger.money.contributions import contribution_for

ZERO = Decimal("0")


def _number(posting: data.Posting) -> Decimal:
    """A generated posting's amount (every posting here has one)."""
    assert posting.units is not None and isinstance(posting.units.number, Decimal)
    return posting.units.number


CENT = Decimal("0.01")
RENT = Decimal("450.00")
FEES = Decimal("7.50")
GIFT = Decimal("2500.00")
LANDLORD = "Propriétaire Démo SPRL"
DONOR = "Fondation Imaginaire (démo)"


@dataclass(frozen=True)
class DemoParticipant:
    """A participant of the demo, in the order they were opened."""

    code: str
    activity: str
    opened: dt.date


@dataclass
class _Open:
    """An invoice not paid yet when its year ends (paid early the next year)."""

    number: str
    link: str
    ogm: str
    participant: str
    client: Client
    total: Decimal


@dataclass
class History:
    """What the generator carries from one year to the next."""

    held: dict[str, Decimal] = field(default_factory=lambda: defaultdict(Decimal))
    bank: Decimal = ZERO
    unpaid: list[_Open] = field(default_factory=list)
    payouts: int = 0


def _q(value: Decimal) -> Decimal:
    return value.quantize(CENT)


def _hex(rng: random.Random) -> str:
    return f"{rng.getrandbits(48):012x}"


def _txn(
    day: dt.date, narration: str, meta: dict[str, Any], postings: Sequence[tuple[str, Decimal]],
    links: Sequence[str] = (), flag: str = "*",
) -> data.Transaction:  # fmt: skip
    return data.Transaction(
        data.new_metadata("<coopledger>", 0, meta),
        day,
        flag,
        None,
        narration,
        frozenset(),
        frozenset(links),
        [data.Posting(a, data.Amount(n, "EUR"), None, None, None, None) for a, n in postings],
    )


class _Year:
    """The entries and documents of one generated year."""

    def __init__(
        self, config: HubConfig, rng: random.Random, year: int, history: History,
        lines_for: Callable[[random.Random, str], list[LineInput]],
    ) -> None:  # fmt: skip
        self.config = config
        self.rng = rng
        self.year = year
        self.history = history
        self.lines_for = lines_for
        self.entries: dict[str, list[data.Directive]] = defaultdict(list)
        self.docs: list[Document] = []
        self.statement = 0
        self.bank_account = config.main_bank.account
        self.lang = hub_lang(config.invoicing.default_lang)  # its narrations' language

    def account(self, role: str, code: str | None = None) -> str:
        return self.config.account(role, code)

    # -- the bank ----------------------------------------------------------------------

    def bank_line(
        self, day: dt.date, amount: Decimal, narration: str, other: str,
        meta: dict[str, Any], links: Sequence[str] = (),
    ) -> None:  # fmt: skip
        self.statement += 1
        link = f"bank-{_hex(self.rng)}"
        full = {"kind": "bank", "bank-ref": f"{day:%Y%m%d}-{self.statement:03d}-0001", **meta}
        self.entries["bank"].append(
            _txn(
                day,
                narration,
                full,
                [(self.bank_account, amount), (other, -amount)],
                [link, *links],
            )
        )
        self.history.bank += amount

    def month_end_balances(self) -> None:
        """A balance assertion on the first day of each month, as statements give."""
        changes: dict[dt.date, Decimal] = defaultdict(Decimal)
        for entry in self.entries["bank"]:
            assert isinstance(entry, data.Transaction)
            changes[entry.date] += _number(entry.postings[0])
        start = self.history.bank - sum(changes.values(), ZERO)
        for month in range(2, 14):
            first = dt.date(self.year + month // 13, (month - 1) % 12 + 1, 1)
            upto = start + sum((v for d, v in changes.items() if d < first), ZERO)
            if first.year == self.year:
                self.entries["bank"].append(
                    data.Balance(
                        data.new_metadata("<coopledger>", 0, {"kind": "bank"}),
                        first, self.bank_account, data.Amount(upto, "EUR"), None, None,
                    )
                )  # fmt: skip

    # -- invoices and their payments ---------------------------------------------------

    def invoices(
        self, participants: Sequence[DemoParticipant], clients: Sequence[Client], per_month: float
    ) -> None:
        rng = self.rng
        planned: list[tuple[dt.date, DemoParticipant, Client]] = []
        for p in participants:
            for month in range(1, 13):
                count = int(per_month) + (1 if rng.random() < per_month % 1 else 0)
                for _n in range(count):
                    day = dt.date(self.year, month, rng.randint(1, 28))
                    if day > p.opened:
                        planned.append((day, p, rng.choice(list(clients))))
        planned.sort(key=lambda item: item[0])
        for seq, (day, p, client) in enumerate(planned, start=1):
            lines, totals = compute(self.config, self.lines_for(rng, p.activity))
            number = numbering.format_number(self.config, "invoice", self.year, seq)
            doc = Document(
                kind="invoice", number=number, series=str(self.year), seq=seq, date=day,
                due=day + dt.timedelta(days=self.config.invoicing.payment_terms_days),
                lang=client.lang or self.config.invoicing.default_lang, participant=p.code,
                client=client, lines=lines, totals=totals, ogm=make_ogm(self.year, seq),
            )  # fmt: skip
            self.docs.append(doc)
            roll = rng.random()
            if roll < 0.93:
                paid = day + dt.timedelta(days=rng.randint(2, 45))
                if paid.year == self.year:
                    self.payment(paid, doc.number, doc.link, doc.ogm or "", p.code, client,
                                 totals.gross)  # fmt: skip
                else:
                    self.history.unpaid.append(
                        _Open(doc.number, doc.link, doc.ogm or "", p.code, client, totals.gross)
                    )
            # else: never paid (the demo's year end shows open invoices)

    def payment(
        self, day: dt.date, number: str, link: str, ogm: str, code: str, client: Client,
        amount: Decimal,
    ) -> None:  # fmt: skip
        meta: dict[str, Any] = {"ogm": ogm, "invoice": number, "participant": code}
        if client.is_business:
            meta = {"counterparty": client.name, **meta}
        else:
            meta = {"counterparty-iban-last4": f"{self.rng.randint(0, 9999):04d}", **meta}
        self.bank_line(day, amount, f"Payment for invoice {number}", self.account("clients"),
                       meta, [link])  # fmt: skip
        bank_link = next(
            lk
            for lk in getattr(self.entries["bank"][-1], "links", None) or ()
            if lk.startswith("bank-")
        )
        contribution = contribution_for(self.config, code, day, amount)
        pending, held = (
            self.account("participant_pending", code),
            self.account("participant_held", code),
        )
        pay_meta: dict[str, Any] = {
            "kind": "payment", "participant": code, "invoice": number,
            "bank-ref": self.entries["bank"][-1].meta["bank-ref"], "amount": amount,
            "applied": amount, **contribution.meta(),
        }  # fmt: skip
        self.entries["payments"].append(
            _txn(
                day,
                _("Payment on invoice {number}", number=number).shown(self.lang) + f" ({code})",
                pay_meta,
                [
                    (pending, amount),
                    (held, -amount),
                    (held, contribution.amount),
                    (self.account("participant_contribution", code), -contribution.amount),
                ],
                [bank_link, link],
            )
        )
        self.history.held[code] += amount - contribution.amount

    def late_payments(self, unpaid: list[_Open]) -> None:
        """Invoices of the year before, paid in January."""
        for inv in unpaid:
            day = dt.date(self.year, 1, self.rng.randint(3, 25))
            self.payment(day, inv.number, inv.link, inv.ogm, inv.participant, inv.client,
                         inv.total)  # fmt: skip

    # -- payouts, costs, gifts ---------------------------------------------------------

    def payouts(self, participants: Sequence[DemoParticipant]) -> None:
        """Each quarter, most of what is held for a participant is paid out by bank."""
        rng = self.rng
        for month in (3, 6, 9, 12):
            day = dt.date(self.year, month, 28)
            for p in participants:
                held = self._held_on(p.code, day)
                amount = _q(held * Decimal("0.7"))
                if amount < Decimal("20"):
                    continue
                self.history.payouts += 1
                ident = f"PO-{self.year}-{self.history.payouts:04d}"
                link = f"po-{self.year}-{self.history.payouts:04d}"
                last4 = f"{rng.randint(0, 9999):04d}"
                meta: dict[str, Any] = {
                    "kind": "payout", "payout": ident, "participant": p.code, "method": "bank",
                    "amount": amount, "iban-last4": last4, "end-to-end-id": ident,
                }  # fmt: skip
                self.entries["payouts"].append(
                    _txn(
                        day,
                        _(
                            "Payout {payout_id} to {code}, by bank transfer (ordered)",
                            payout_id=ident,
                            code=p.code,
                        ).shown(self.lang),
                        meta,
                        [
                            (self.account("participant_held", p.code), amount),
                            (self.account("payouts_pending"), -amount),
                        ],
                        [link],
                    )
                )
                self.history.held[p.code] -= amount
                debit = day + dt.timedelta(days=2)
                if debit.year != self.year:
                    debit = dt.date(self.year, 12, 31)
                self.bank_line(debit, -amount, f"Payout {ident} debited",
                               self.account("payouts_pending"),
                               {"participant": p.code, "counterparty-iban-last4": last4},
                               [link])  # fmt: skip

    def _held_on(self, code: str, day: dt.date) -> Decimal:
        """What is held for ``code`` at the end of ``day`` (entries generated so far)."""
        held = self.account("participant_held", code)
        start = self.history.held[code] - sum(
            (-_number(p) for kind in ("payments", "payouts") for e in self.entries[kind]
             if isinstance(e, data.Transaction) for p in e.postings if p.account == held),
            ZERO,
        )  # fmt: skip
        return start + sum(
            (-_number(p) for kind in ("payments", "payouts") for e in self.entries[kind]
             if isinstance(e, data.Transaction) and e.date <= day
             for p in e.postings if p.account == held),
            ZERO,
        )  # fmt: skip

    def hub_life(self) -> None:
        rng = self.rng
        for month in range(1, 13):
            rent = _("Rent of the workspace").shown(self.lang)
            self.bank_line(dt.date(self.year, month, 5), -RENT, rent, self.account("services"),
                           {"counterparty": LANDLORD})  # fmt: skip
            last = (dt.date(self.year, month, 28) + dt.timedelta(days=4)).replace(day=1)
            self.bank_line(last - dt.timedelta(days=1), -FEES, _("Bank fees").shown(self.lang),
                           self.account("bank_fees"), {})  # fmt: skip
        self.bank_line(dt.date(self.year, 2, rng.randint(1, 27)), GIFT,
                       _("Gift {year} for the hub's activities", year=self.year).shown(self.lang),
                       self.account("gifts"),
                       {"counterparty": DONOR})  # fmt: skip

    # -- documents ---------------------------------------------------------------------

    def document_entries(self, rendered: list[dict[str, bytes]]) -> dict[str, bytes]:
        files: dict[str, bytes] = {}
        for doc, payloads in zip(self.docs, rendered, strict=True):
            paths = document_paths(doc)
            attached = {w: r for w, r in paths.items() if w != "json" and r in payloads}
            entries = build_entries(self.config, doc, attached)
            stamp_documents(entries, payloads, paths["json"], os.path.dirname(books_file_of(doc)))
            self.entries[ENTRIES_KIND].extend(entries)
            files.update(payloads)
        return files


def _render(args: tuple[HubConfig, Document]) -> dict[str, bytes]:
    return render_files(*args)


def render_all(config: HubConfig, docs: Sequence[Document]) -> list[dict[str, bytes]]:
    """The PDF, UBL and JSON of every document, on every core (the PDFs are the cost)."""
    with mapped(_render, [(config, doc) for doc in docs], min_jobs=40) as rendered:
        return rendered()


def opening_entry(config: HubConfig, day: dt.date, amount: Decimal) -> data.Transaction:
    return _txn(
        day,
        "Opening balance of the hub's current account",
        {"kind": "bank-opening"},
        [(config.main_bank.account, amount), (config.account("opening_balances"), -amount)],
    )


def generate_year(
    books: Books, rng: random.Random, year: int, history: History,
    participants: Sequence[DemoParticipant], clients: Sequence[Client], per_month: float,
    lines_for: Callable[[random.Random, str], list[LineInput]],
    opening: Decimal | None = None,
) -> int:  # fmt: skip
    """Generate ``year`` and write it through the write path; returns its entry count."""
    gen = _Year(books.config, rng, year, history, lines_for)
    unpaid, history.unpaid = history.unpaid, []
    if opening is not None:
        gen.entries["bank"].append(opening_entry(books.config, dt.date(year, 1, 1), opening))
        history.bank += opening
    gen.late_payments(unpaid)
    gen.hub_life()
    gen.invoices(participants, clients, per_month)
    gen.payouts(participants)
    gen.month_end_balances()
    files = gen.document_entries(render_all(books.config, gen.docs))
    count = sum(len(v) for v in gen.entries.values())
    with books.transaction(f"demo: generate the books of {year}") as tx:
        for relpath, payload in files.items():
            tx.write_file(relpath, payload)
        for kind, entries in gen.entries.items():
            tx.add_entries(entries, kind=kind)
    return count
