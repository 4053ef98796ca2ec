"""A year of bank statements for the demo hub, imported through the real import path.

The demo's bank writes weekly CODA statements, delivered as one file per month (CODA
allows several statements in a file). They pay most invoices found in the books by their
OGM — some late, some in two parts, some with only the invoice number typed in the free
communication — and carry what a hub's account also sees: bank fees, the workspace's
rent, a grant from a fictional foundation, a supplier's refund, interest. Two import rules
are added to ``hub.toml`` (fees, rent) so the demo shows rules at work. Every name is
plainly fictional; IBANs are random with valid check digits.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from beancount.core import data

from importers.model import Movement, Statement
from importers.run import import_files
from importers.service import BankFile
from importers.text import belgian_bban_to_iban, format_ogm
from invoicing.clients import read_clients
from ledger.books import Books
from ledger.config import ImportRule
from ledger.demo.coda_writer import BANK_COSTS, CodaHeader, write_coda
from ledger.i18n import _, hub_lang

OPENING_BALANCE = Decimal("8250.00")
FEES = Decimal("-7.50")
RENT = Decimal("-450.00")
GRANT = Decimal("12000.00")
LANDLORD = "Propriétaire Démo SPRL"
FOUNDATION = "Imaginaire Foundation"  # its legal form ends it: a business (minimise.is_business)
SUPPLIER = "Fournisseur Fictif SA (démo)"
FEES_TEXT = "FRAIS DE GESTION DU COMPTE"


@dataclass(frozen=True)
class _Invoice:
    number: str
    date: dt.date
    due: dt.date
    amount: Decimal
    ogm: str | None
    client: str


def random_iban(rng: random.Random) -> str:
    """A random Belgian IBAN with valid check digits (no real bank behind it)."""
    while True:
        base = rng.randint(100_000_000, 999_999_999)
        bban = f"9{base:09d}"[:10]
        check = int(bban) % 97 or 97
        iban = belgian_bban_to_iban(f"{bban}{check:02d}")
        if iban:
            return iban


def _invoices(entries: list[data.Directive]) -> list[_Invoice]:
    """Issued invoices and what is left of them after credit notes and payments already in
    the books (e.g. paid in cash)."""
    credited: dict[str, Decimal] = defaultdict(Decimal)
    found = []
    for entry in entries:
        if not isinstance(entry, data.Transaction):
            continue
        kind = entry.meta.get("kind")
        gross = sum(
            (
                p.units.number
                for p in entry.postings
                if p.account == "Assets:Clients" and p.units and p.units.number is not None
            ),
            Decimal(0),
        )
        if kind not in ("invoice", "payment") and gross:
            credited[str(entry.meta.get("invoice"))] -= gross  # credited or paid already
        if kind == "invoice":
            due = entry.meta.get("due")
            found.append(
                _Invoice(
                    number=str(entry.meta.get("invoice")),
                    date=entry.date,
                    due=due if isinstance(due, dt.date) else entry.date + dt.timedelta(days=30),
                    amount=gross,
                    ogm=str(entry.meta["ogm"]) if entry.meta.get("ogm") else None,
                    client=str(entry.meta.get("client", "")),
                )
            )
    out = []
    for inv in found:
        left = inv.amount - credited.get(inv.number, Decimal(0))
        if left > 0:
            out.append(_Invoice(inv.number, inv.date, inv.due, left, inv.ogm, inv.client))
    return out


def _client_names(books: Books) -> dict[str, str]:
    return {cid: client.name for cid, client in read_clients(books).items()}


class _Year:
    """The movements of the demo's bank account over one year."""

    def __init__(self, rng: random.Random, year: int) -> None:
        self.rng = rng
        self.year = year
        self.end = dt.date(year, 12, 31)
        self.movements: list[Movement] = []
        self.ibans: dict[str, str] = {}

    def iban(self, who: str) -> str:
        if who not in self.ibans:
            self.ibans[who] = random_iban(self.rng)
        return self.ibans[who]

    def add(self, day: dt.date, amount: Decimal, text: str = "", ogm: str | None = None,
            who: str | None = None, code: str | None = None) -> None:  # fmt: skip
        if day.year != self.year:
            return
        self.movements.append(
            Movement(
                ref="",
                bank_ref=f"DEMO{len(self.movements) + 1:06d}",
                booking_date=day,
                value_date=day,
                amount=amount,
                currency="EUR",
                counterparty_name=who,
                counterparty_account=self.iban(who) if who else None,
                communication=format_ogm(ogm) if ogm else text,
                ogm=ogm,
                transaction_code=code,
            )
        )

    def payments(self, invoices: list[_Invoice], names: dict[str, str]) -> None:
        rng, days = self.rng, dt.timedelta
        for inv in invoices:
            who = names.get(inv.client) or f"Client {inv.client} (démo)"
            roll = rng.random()
            if roll < 0.60:  # on time, with the OGM
                self.add(inv.date + days(rng.randint(2, 28)), inv.amount, ogm=inv.ogm, who=who)
            elif roll < 0.70:  # late
                self.add(inv.due + days(rng.randint(10, 60)), inv.amount, ogm=inv.ogm, who=who)
            elif roll < 0.78:  # in two parts
                first = (inv.amount / 2).quantize(Decimal("0.01"))
                self.add(inv.date + days(rng.randint(5, 20)), first, ogm=inv.ogm, who=who)
                self.add(inv.date + days(rng.randint(30, 70)), inv.amount - first, ogm=inv.ogm,
                         who=who)  # fmt: skip
            elif roll < 0.88:  # no OGM: the invoice number typed as free text
                text = f"Facture {inv.number} merci"
                self.add(inv.date + days(rng.randint(3, 30)), inv.amount, text=text, who=who)
            # else: not paid by the end of the year

    def cash_box(self, entries: list[data.Directive]) -> None:
        """The bank's side of the cash book: withdrawals and deposits, on their day."""
        for entry in entries:
            if isinstance(entry, data.Transaction) and entry.meta.get("kind") == "cash-transfer":
                amount = Decimal(str(entry.meta["amount"]))
                if entry.meta.get("direction") == "withdraw":
                    self.add(entry.date, -amount, "RETRAIT D'ESPECES BANCONTACT")
                else:
                    self.add(entry.date, amount, "VERSEMENT D'ESPECES")

    def returned(self) -> None:
        """One client's payment comes back (its bank returns it), then is paid again."""
        paid = [m for m in self.movements if m.ogm and m.amount > 0]
        if not paid:
            return
        first = min(paid, key=lambda m: m.booking_date)
        back = first.booking_date + dt.timedelta(days=4)
        self.movements.append(
            first.model_copy(
                update={"bank_ref": f"DEMO{len(self.movements) + 1:06d}", "amount": -first.amount,
                        "booking_date": back, "value_date": back,
                        "communication": f"RETOUR {first.communication}"}
            )
        )  # fmt: skip
        # Paid again in a later month's file than the return: the statements are weekly and
        # filed by the month their week ends in; a return and its new payment in one file
        # would leave the return's match to reconciliation's order (the new payment
        # allocated first is an overpayment, and the return then has two candidates).
        week_end = back + dt.timedelta(days=6 - back.weekday())
        next_file = (week_end.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        again = max(back + dt.timedelta(days=12), next_file + dt.timedelta(days=5))
        self.add(again, first.amount, ogm=first.ogm, who=first.counterparty_name)

    def hub_life(self) -> None:
        rng = self.rng
        for month in range(1, 13):
            first = dt.date(self.year, month, 1)
            self.add(first + dt.timedelta(days=4), RENT, f"Loyer espace de travail {month:02d}/"
                     f"{self.year}", who=LANDLORD)  # fmt: skip
            last = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
            self.add(last - dt.timedelta(days=1), FEES, FEES_TEXT, code=BANK_COSTS)
        self.add(dt.date(self.year, 3, rng.randint(10, 20)), GRANT,
                 f"Subside {self.year} projet hub entrepreneurial", who=FOUNDATION)  # fmt: skip
        self.add(dt.date(self.year, 6, rng.randint(3, 25)), Decimal("35.20"),
                 "Remboursement note de credit 4471", who=SUPPLIER)  # fmt: skip
        self.add(dt.date(self.year, 12, 31), Decimal("1.23"), "INTERETS CREDITEURS")

    def statements(self, iban: str, opening: Decimal) -> dict[int, list[Statement]]:
        """Weekly statements (Monday to Sunday), grouped by the month they end in."""
        by_week: dict[tuple[int, int], list[Movement]] = defaultdict(list)
        for m in sorted(self.movements, key=lambda m: m.booking_date):
            by_week[m.booking_date.isocalendar()[:2]].append(m)
        balance, previous = opening, dt.date(self.year - 1, 12, 31)
        out: dict[int, list[Statement]] = defaultdict(list)
        for number, week in enumerate(sorted(by_week), start=1):
            moves = by_week[week]
            closing_day = max(m.booking_date for m in moves)
            closing = balance + sum((m.amount for m in moves), Decimal(0))
            out[closing_day.month].append(
                Statement(
                    format="coda",
                    account=iban,
                    iban=iban,
                    currency="EUR",
                    opening_balance=balance,
                    opening_date=previous,
                    closing_balance=closing,
                    closing_date=closing_day,
                    sequence=f"{number:03d}",
                    movements=tuple(moves),
                )
            )
            balance, previous = closing, closing_day
        return out


def _add_rules(books: Books, year: _Year) -> None:
    """Two import rules in hub.toml, written through the write path."""
    config = books.config.model_copy(deep=True)
    lang = hub_lang(config.invoicing.default_lang)  # the rules' narrations: the hub's language
    wanted = [
        ImportRule(account=config.account("bank_fees"), contains=FEES_TEXT,
                   narration=_("Bank fees").shown(lang)),
        ImportRule(account=config.account("services"), counterparty_iban=year.iban(LANDLORD),
                   narration=_("Rent of the workspace").shown(lang)),
    ]  # fmt: skip
    if all(rule in config.import_rules for rule in wanted):
        return
    config.import_rules.extend(r for r in wanted if r not in config.import_rules)
    with books.transaction("demo: import rules for bank fees and rent") as tx:
        tx.write_config(config)
    books.config = config


def populate(books: Books, rng: random.Random, year: int) -> None:
    """Write and import a year of CODA statements of the hub's main bank account."""
    bank = books.config.main_bank
    movements = _Year(rng, year)
    _add_rules(books, movements)
    entries = books.load().entries
    movements.payments(_invoices(entries), _client_names(books))
    movements.returned()
    movements.cash_box(entries)
    movements.hub_life()
    header = CodaHeader(bank_id="539", holder=books.config.hub.name[:26],
                        company_id="0" + books.config.hub.enterprise_number,
                        description="Compte courant (démo)")  # fmt: skip
    # The account's balance on the books at the end of the year before (the opening of a
    # new account for the one-year demo).
    before = [
        Decimal(p.units.number) for e in entries if isinstance(e, data.Transaction)
        and e.date.year < year for p in e.postings
        if p.account == bank.account and p.units is not None and p.units.number is not None
    ]  # fmt: skip
    opening = sum(before, Decimal(0)) if before else OPENING_BALANCE
    for month, statements in sorted(movements.statements(bank.iban, opening).items()):
        created = statements[-1].closing_date
        payload = write_coda(statements, header, created=created)
        import_files(books, [BankFile(f"demo-{year}-{month:02d}.cod", payload)])
