"""The demo hub's money year: every event the accounting model knows, through the real code.

Called by ``ledger.demo.build_demo`` in two steps. Before the year's bank statements are
imported (:func:`before_statements`):

* cash taken from the bank into the cash box in January (its debit is on the statements),
  a cash sale at a market stand, an invoice paid in cash, a count at the end of June with a
  small shortfall, part of the cash deposited back at the bank in September;
* the newest participant's first costs, bought before any client paid her: charged later,
  and recovered automatically from her first client payment when the statements come in.

After the statements (:func:`populate`), which already paid most invoices (one payment
returned by the client's bank and paid again):

* the fictional foundation's restricted grant, matched to its money; hub costs charged to it;
* the interest and a supplier's refund decided by hand, so nothing of the year waits in the
  suspense account;
* participants' costs with their receipts (cash, bank, out of pocket);
* an invoice credited after it was paid: what the participant was credited is taken back,
  the client is refunded from the bank;
* bank payouts in December (exported as a pain.001 file beside the books) and a cash payout
  with its receipt to sign; then an invoice credited after its participant was paid out:
  what she must give back is booked as owed to the hub (``--recover-from-participant``);
* the count of the cash box on 31 December;
* the first statement of the next year: the payouts' and costs' debits (one payout comes
  back, its account was closed), the refund, a client's payment from which the participant's
  debt is recovered, and a client's unexplained partial payment (left in review);
* the year closed (the grant's unspent part deferred), and a cost of January charged to the
  grant, which releases part of it.
"""

from __future__ import annotations

import datetime as dt
import random
import struct
import zlib
from decimal import Decimal
from pathlib import Path

from beancount.core import data

import importers.run  # noqa: F401
from importers.model import Movement, Statement
from importers.run import import_files
from importers.service import BankFile
from invoicing.clients import read_clients
from invoicing.issue import CreditRequest, IssueRequest, issue_credit_note, issue_invoice
from invoicing.models import LineInput
from invoicing.status import invoice_statuses
from ledger.books import Books
from ledger.demo.bank import random_iban
from ledger.demo.coda_writer import CodaHeader, write_coda
from ledger.demo.days import demo_today
from ledger.entries import q2
from ledger.money.cash import book_count, book_sale, book_transfer, pay_invoice
from ledger.money.closing import close_year
from ledger.money.expenses import ExpenseRequest, book_expense
from ledger.money.grants import add_grant
from ledger.money.payouts import book_payout, export_pain001, receipt_pdf
from ledger.money.reconcile.booking import run_assign, run_auto
from ledger.money.reconcile.review import review_queue
from ledger.money.reconcile.state import State
from ledger.participants import find_participants, summarize, summarize_all

FOUNDATION_ID = "fondation-imaginaire"
FOUNDATION_TEXT = "Imaginaire Foundation"
COSTS = (
    ("ingrédients du marché", "Marché Fictif (démo)"),
    ("tissu et fils", "Mercerie Imaginaire (démo)"),
    ("produits d'entretien", "Droguerie Démo"),
    ("petit outillage", "Quincaillerie Exemple (démo)"),
)


def tiny_png() -> bytes:
    """A valid 1×1 white PNG (a 'photographed' receipt)."""

    def chunk(kind: bytes, payload: bytes) -> bytes:
        body = kind + payload
        return struct.pack(">I", len(payload)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\xff\xff")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels)
        + chunk(b"IEND", b"")
    )  # fmt: skip


def _number(p: data.Posting) -> Decimal:
    return p.units.number if p.units is not None and p.units.number is not None else Decimal(0)


def _receipt_file(folder: Path, name: str, supplier: str, amount: Decimal, day: dt.date) -> Path:
    path = folder / name
    path.write_bytes(receipt_pdf(supplier, "ticket", "-", amount, day))
    return path


def _inbox(books: Books) -> Path:
    folder = books.root.parent / f"{books.root.name}-inbox"
    folder.mkdir(exist_ok=True)
    return folder


def _today(year: int) -> dt.date:
    return demo_today(year)


# ---------------------------------------------------------------- before the statements


def before_statements(books: Books, rng: random.Random, year: int) -> None:
    """The cash box, and a cost charged later (see the module's docstring)."""
    today = _today(year)
    book_transfer(books, "withdraw", "400.00", dt.date(year, 1, 15), today)
    entries = books.load().entries
    config = books.config
    people = sorted(
        (p for p in find_participants(entries, config).values() if not p.closed),
        key=lambda p: p.opened,  # then in the order they were opened, never by code
    )
    persons = {cid for cid, c in read_clients(books).items() if not c.is_business}
    unpaid = [
        s for s in invoice_statuses(entries, config, today)
        if s.client in persons and s.outstanding > 0 and s.date.month < 5
        and s.date.year == year
    ]  # fmt: skip
    if unpaid:
        first = min(unpaid, key=lambda s: (s.date, s.number))
        pay_invoice(books, first.number, None, first.date + dt.timedelta(days=2), today)
    caterers = [p for p in people if p.activity == "catering"] or people
    if caterers:
        day = max(dt.date(year, 5, 17), caterers[0].opened)
        book_sale(books, caterers[0].code, "48.00", "vente au marché", None, day, today)
    if people:
        newest = people[-1]
        day = max(newest.opened, dt.date(year, 1, 17)) + dt.timedelta(days=3)
        receipt = _receipt_file(_inbox(books), "ticket-depart.pdf", COSTS[3][1],
                                Decimal("25.00"), day)  # fmt: skip
        book_expense(
            books,
            ExpenseRequest(amount=Decimal("25.00"), description="matériel de départ",
                           participant=newest.code, supplier=COSTS[3][1], paid_from="cash",
                           day=day, charge_later=True),
            receipt, today,
        )  # fmt: skip
    june = dt.date(year, 6, 30)
    held = State.of(books.load().entries, config).cash.balance("cash", june)
    book_count(books, str(max(held - Decimal("2.40"), Decimal(0))), june, today)
    book_transfer(books, "deposit", "100.00", dt.date(year, 9, 3), today)


# ---------------------------------------------------------------- after the statements


def _grant_line(books: Books, year: int) -> tuple[dt.date, Decimal, str] | None:
    """The foundation's credit on the statement: its date, amount and account."""
    for entry in books.load().entries:
        if (
            isinstance(entry, data.Transaction)
            and entry.meta.get("kind") == "bank"
            and entry.date.year == year
            and FOUNDATION_TEXT.lower() in str(entry.meta.get("counterparty", "")).lower()
        ):
            amount = _number(entry.postings[0])
            return entry.date, amount, str(entry.meta.get("counterparty-iban", ""))
    return None


def _grant(books: Books, year: int) -> str | None:
    found = _grant_line(books, year)
    if found is None:
        return None
    _, amount, iban = found
    booked = add_grant(
        books, FOUNDATION_ID, str(amount), dt.date(year, 3, 1),
        "Accompagnement et outils des activités", restricted=True, funder_iban=iban or None,
        today=_today(year),
    )  # fmt: skip
    return str(booked["grant"])


def _decide_the_year(books: Books, year: int) -> None:
    """What the statements of the year left in review, decided by the treasurer: the
    interest is financial income, the supplier's refund reduces the hub's services."""
    for item in review_queue(books.load().entries, books.config):
        line = item.line
        if line.date.year != year or line.suspense <= 0:
            continue
        target = "financial_income" if "INTERET" in line.communication.upper() else "services"
        run_assign(books, line.ref, target)


def _costs(books: Books, rng: random.Random, year: int, folder: Path, grant: str | None) -> None:
    today = _today(year)
    entries = books.load().entries
    state = State.of(entries, books.config)
    # In the order they were opened (the books' order), never by their random code.
    codes = [c for c, p in find_participants(entries, books.config).items() if not p.closed]
    for index, code in enumerate(codes[:4]):
        description, supplier = COSTS[index % len(COSTS)]
        day = dt.date(year, rng.randint(9, 11), rng.randint(1, 28))
        held = state.held_available(code, day)
        amount = q2(min(held / 5, Decimal(rng.randint(2000, 9000)) / 100))
        paid_from = ("cash", "bank", "participant", "bank")[index % 4]
        if paid_from == "cash":
            amount = min(amount, q2(state.cash_available(day) / 2))
        if amount <= 0:
            continue
        receipt = _receipt_file(folder, f"ticket-{index}.pdf", supplier, amount, day)
        if index == 2:
            receipt = folder / "ticket-photo.png"
            receipt.write_bytes(tiny_png())
        book_expense(
            books,
            ExpenseRequest(amount=amount, description=description, participant=code,
                           supplier=supplier, paid_from=paid_from, day=day),
            receipt, today,
        )  # fmt: skip
    if grant:
        for month, (what, price) in enumerate(
            (("formation à la gestion", "480.00"), ("logiciel de caisse", "240.00")), start=4
        ):
            day = dt.date(year, month, 12)
            book_expense(
                books,
                ExpenseRequest(amount=Decimal(price), description=what,
                               supplier="Organisme Fictif (démo)", paid_from="bank",
                               account="services", grant=grant, day=day),
                _receipt_file(folder, f"facture-{month}.pdf", "Organisme Fictif", Decimal(price),
                              day),
                today,
            )  # fmt: skip


def _paid_invoice(
    books: Books, year: int, months: tuple[int, int], by: dt.date
) -> tuple[str, str] | None:
    """A fully paid invoice of the year (issued in ``months``, every payment on it dated
    ``by`` at the latest: a credit note dated ``by`` undoes what was paid before it) not yet
    credited: its number and participant."""
    entries = books.load().entries
    for status in invoice_statuses(entries, books.config, _today(year)):
        if (
            status.status == "paid"
            and not status.credit_notes
            and status.date.year == year
            and months[0] <= status.date.month <= months[1]
            and all(p["date"] <= by.isoformat() for p in status.payments)
        ):
            return status.number, status.participant
    return None


def _credit_after_payment(books: Books, year: int) -> None:
    """A paid invoice credited in full: the participant gives back what she was credited,
    the client is owed the money (refunded from the bank in January)."""
    day = dt.date(year, 11, 20)
    found = _paid_invoice(books, year, (9, 10), by=day)
    if found is None:
        return
    number, _code = found
    issue_credit_note(
        books,
        CreditRequest(invoice=number, date=day, reason="Prestation annulée"),
        today=_today(year),
    )


def _payouts(books: Books, rng: random.Random, year: int) -> dict[str, str]:
    """Bank payouts to three participants and a cash payout; returns payout id → IBAN."""

    today = _today(year)
    entries = books.load().entries
    config = books.config
    open_codes = [c for c, p in find_participants(entries, config).items() if not p.closed]
    order = {c: n for n, c in enumerate(open_codes)}  # ties: the order opened, not the code
    rows = sorted(
        ((summarize(entries, config, c).balance, c) for c in open_codes),
        key=lambda row: (row[0], order[row[1]]),
    )
    ibans: dict[str, str] = {}
    for balance, code in rows[-3:]:
        amount = q2(balance * Decimal("0.6"))
        if amount <= 0:
            continue
        iban = random_iban(rng)
        booked = book_payout(books, code, str(amount), "bank", iban, dt.date(year, 12, 15), today)
        ibans[str(booked["payout"])] = iban
    if rows and rows[0][0] > 0:
        balance, code = rows[0]
        day = dt.date(year, 12, 18)
        state = State.of(books.load().entries, config)
        # a small hub's lowest balance may be one just paid out by bank: what is left of it
        amount = q2(min(balance / 2, state.cash_available(day), state.payable(code, day)))
        if amount > 0:
            book_payout(books, code, str(amount), "cash", None, day, today)
    return ibans


def _credit_after_payout(books: Books, year: int) -> str | None:
    """A participant paid out in December sees one of her paid invoices credited: she must
    give back more than is left, booked as owed to the hub (``--recover-from-participant``);
    a new invoice of hers, paid in January, recovers it. Returns that invoice's number."""
    today = _today(year)
    entries = books.load().entries
    config = books.config
    paid_out = {
        str(e.meta["participant"]) for e in entries if isinstance(e, data.Transaction)
        and e.meta.get("kind") == "payout" and e.date.month == 12 and e.date.year == year
    }  # fmt: skip
    summaries = summarize_all(entries, config)
    day = dt.date(year, 12, 19)
    for status in invoice_statuses(entries, config, today):
        code = status.participant
        if (
            code in paid_out and status.status == "paid" and not status.credit_notes
            and status.total * Decimal("0.85") > summaries[code].balance
            and status.date.year == year
            and all(p["date"] <= day.isoformat() for p in status.payments)
        ):  # fmt: skip
            break
    else:
        return None
    issue_credit_note(
        books,
        CreditRequest(invoice=status.number, date=day,
                      reason="Erreur de facturation", recover_from_participant=True),
        today=today,
    )  # fmt: skip
    clients = list(read_clients(books))
    issued = issue_invoice(
        books,
        IssueRequest(participant=code, client=clients[0], date=dt.date(year, 12, 22),
                     lines=[LineInput(description="Prestation de service (heure)",
                                      quantity=Decimal(4), unit_price=Decimal("25.00"),
                                      vat_rate=Decimal(0))]),
        today=today,
    )  # fmt: skip
    return issued.document.number


def _count_the_cash(books: Books, year: int) -> None:
    end = dt.date(year, 12, 31)
    held = State.of(books.load().entries, books.config).cash.balance("cash", end)
    book_count(books, str(held), end, _today(year))


def _next_statement(
    books: Books, rng: random.Random, year: int, ibans: dict[str, str], recovered: str | None
) -> None:
    """The first statement of the next year: the debits, a payout that comes back, the
    refund of a credit note, a payment that recovers a participant's debt, and a partial
    payment to review."""

    config = books.config
    entries = books.load().entries
    state = State.of(entries, config)
    bank = config.main_bank
    balance = sum(
        (_number(p) for e in entries if isinstance(e, data.Transaction)
         for p in e.postings if p.account == bank.account),
        Decimal(0),
    )  # fmt: skip
    day = dt.date(year + 1, 1, 6)
    moves: list[Movement] = []

    def add(
        amount: Decimal, text: str, who: str | None, account: str | None,
        e2e: str | None = None, ogm: str | None = None, on: dt.date = day,
    ) -> None:  # fmt: skip
        moves.append(
            Movement(
                ref="", bank_ref=f"DEMO-N{len(moves) + 1:05d}", booking_date=on,
                value_date=on, amount=amount, currency="EUR", counterparty_name=who,
                counterparty_account=account, communication=text, end_to_end_id=e2e, ogm=ogm,
            )
        )  # fmt: skip

    bounced = sorted(ibans)[:1]
    for pend in state.open_pending():
        if pend.kind == "payout" and pend.link.upper() in ibans:
            payout = pend.link.upper()
            add(pend.open, f"{payout} {pend.participant}", "Bénéficiaire", ibans[payout], payout)
            if payout in bounced:  # the participant's account was closed: it comes back
                add(-pend.open, f"RETOUR {payout} COMPTE CLOTURE", "Bénéficiaire",
                    ibans[payout], payout, on=day + dt.timedelta(days=2))  # fmt: skip
        elif pend.kind == "expense":
            add(pend.open, pend.link.upper(), "Fournisseur (démo)", None)
        elif pend.kind == "refund" and pend.credit_note:
            inv = state.invoices.get(pend.invoice)
            paid_from = sorted(state.client_ibans.get(inv.client, set())) if inv else []
            add(pend.open, f"Remboursement {pend.credit_note}", "Client (démo)",
                paid_from[0] if paid_from else None)  # fmt: skip
    invoices = {i.number: i for i in state.open_invoices()}
    if recovered in invoices:
        inv = invoices.pop(recovered)
        known = sorted(state.client_names.get(inv.client, set())) or ["Client (démo)"]
        add(inv.open, "", known[0], None, ogm=inv.ogm, on=day + dt.timedelta(days=1))
    if invoices:
        inv = invoices[min(invoices)]
        names = {ln.counterparty for ln in state.lines.values() if ln.counterparty}
        add(q2(inv.open / 3), "acompte", sorted(names)[0] if names else None, None)
    if not moves:
        return
    closing = balance + sum((m.amount for m in moves), Decimal(0))
    statement = Statement(
        format="coda", account=bank.iban, iban=bank.iban, currency="EUR",
        opening_balance=balance, opening_date=dt.date(year, 12, 31), closing_balance=closing,
        closing_date=max(m.booking_date for m in moves), sequence="001", movements=tuple(moves),
    )  # fmt: skip
    header = CodaHeader(bank_id="539", holder=config.hub.name[:26],
                        company_id="0" + config.hub.enterprise_number)  # fmt: skip
    payload = write_coda([statement], header, created=statement.closing_date)
    import_files(books, [BankFile(f"demo-{year + 1}-01.cod", payload)])


def populate(books: Books, rng: random.Random, year: int, close: bool = True) -> None:
    """Fill the demo's money year (see the module's docstring); without ``close`` the year
    is left open (the many-year demo: the treasurer closes it in the spring)."""
    today = _today(year)
    folder = _inbox(books)
    grant = _grant(books, year)
    run_auto(books)
    _decide_the_year(books, year)
    _costs(books, rng, year, folder, grant)
    _credit_after_payment(books, year)
    ibans = _payouts(books, rng, year)
    if ibans:
        # The file is written on the day of the payouts, for execution the next day.
        export_pain001(books, folder / f"payouts-{year}-12.xml", ibans,
                       execution=dt.date(year, 12, 16), today=dt.date(year, 12, 15))  # fmt: skip
    recovered = _credit_after_payout(books, year)
    _count_the_cash(books, year)
    _next_statement(books, rng, year, ibans, recovered)
    run_auto(books)
    if not close:
        return
    close_year(books, year, today=today)
    if grant:
        day = dt.date(year + 1, 1, 9)
        book_expense(
            books,
            ExpenseRequest(amount=Decimal("150.00"), description="atelier de formation",
                           supplier="Organisme Fictif (démo)", paid_from="bank",
                           account="services", grant=grant, day=day),
            _receipt_file(folder, "facture-janvier.pdf", "Organisme Fictif", Decimal("150.00"),
                          day),
            today,
        )  # fmt: skip
