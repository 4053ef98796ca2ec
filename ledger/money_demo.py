"""The demo hub's money year: costs with receipts, a grant, payouts, reconciliation.

Called by ``ledger.demo.build_demo`` after the invoices were issued and a year of bank
statements imported (which already settled what the statements could settle). Every step
goes through the real commands' code paths and the write path:

* the fictional foundation's grant that arrived in March is booked (restricted, with the
  foundation's account so reconciliation recognises the money), and hub costs are
  charged to it;
* costs of participants' activities with their receipts (tiny generated PDFs and one PNG),
  paid in cash, by bank, or out of the participant's pocket;
* bank payouts in December (exported as a pain.001 file beside the books) and a cash
  payout with its receipt to sign;
* a first statement of the next year showing the payout and supplier debits, plus a
  client's unexplained partial payment, imported through the real import path;
* ``reconcile --auto``: payouts, supplier payments and the grant are matched; what is
  left waits in the review queue.
"""

from __future__ import annotations

import datetime as dt
import random
import struct
import zlib
from decimal import Decimal
from pathlib import Path

from beancount.core import data

from ledger.books import Books
from ledger.contributions import q2
from ledger.expenses import ExpenseRequest, book_expense
from ledger.grants import add_grant
from ledger.money_cli import run_auto
from ledger.participants import find_participants, summarize
from ledger.payouts import book_payout, export_pain001, receipt_pdf

FOUNDATION_ID = "fondation-imaginaire"
FOUNDATION_TEXT = "Fondation Imaginaire"
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
    )  # fmt: skip
    return str(booked["grant"])


def _costs(books: Books, rng: random.Random, year: int, folder: Path, grant: str | None) -> None:
    from ledger.reconcile import State

    entries = books.load().entries
    state = State.of(entries, books.config)
    codes = sorted(c for c, p in find_participants(entries, books.config).items() if not p.closed)
    for index, code in enumerate(codes[:4]):
        description, supplier = COSTS[index % len(COSTS)]
        day = dt.date(year, rng.randint(9, 11), rng.randint(1, 28))
        held = state.held_available(code, day)
        amount = q2(min(held / 5, Decimal(rng.randint(2000, 9000)) / 100))
        if amount <= 0:
            continue
        paid_from = ("cash", "bank", "participant", "bank")[index % 4]
        receipt = _receipt_file(folder, f"ticket-{index}.pdf", supplier, amount, day)
        if index == 2:
            receipt = folder / "ticket-photo.png"
            receipt.write_bytes(tiny_png())
        book_expense(
            books,
            ExpenseRequest(amount=amount, description=description, participant=code,
                           supplier=supplier, paid_from=paid_from, day=day),
            receipt,
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
            )  # fmt: skip


def _payouts(books: Books, rng: random.Random, year: int) -> dict[str, str]:
    """Bank payouts to three participants and a cash payout; returns payout id → IBAN."""
    from importers.demo import random_iban

    entries = books.load().entries
    config = books.config
    rows = sorted(
        (summarize(entries, config, c).balance, c)
        for c, p in find_participants(entries, config).items()
        if not p.closed
    )
    ibans: dict[str, str] = {}
    for balance, code in rows[-3:]:
        amount = q2(balance * Decimal("0.6"))
        if amount <= 0:
            continue
        iban = random_iban(rng)
        booked = book_payout(books, code, str(amount), "bank", iban, dt.date(year, 12, 15))
        ibans[str(booked["payout"])] = iban
    if rows and rows[0][0] > 0:
        balance, code = rows[0]
        book_payout(books, code, str(q2(balance / 2)), "cash", None, dt.date(year, 12, 18))
    return ibans


def _next_statement(books: Books, rng: random.Random, year: int, ibans: dict[str, str]) -> None:
    """The first statement of the next year: the debits, and a partial payment to review."""
    from importers.coda_writer import CodaHeader, write_coda
    from importers.model import Movement, Statement
    from importers.run import import_files
    from importers.service import BankFile
    from ledger.reconcile import State

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

    def add(amount: Decimal, text: str, who: str | None, account: str | None,
            e2e: str | None = None) -> None:  # fmt: skip
        moves.append(
            Movement(
                ref="", bank_ref=f"DEMO-N{len(moves) + 1:05d}", booking_date=day,
                value_date=day, amount=amount, currency="EUR", counterparty_name=who,
                counterparty_account=account, communication=text, end_to_end_id=e2e,
            )
        )  # fmt: skip

    for pend in state.open_pending():
        if pend.kind == "payout" and pend.link.upper() in ibans:
            payout = pend.link.upper()
            add(pend.open, f"{payout} {pend.participant}", "Bénéficiaire", ibans[payout], payout)
        elif pend.kind == "expense":
            add(pend.open, pend.link.upper(), "Fournisseur (démo)", None)
    open_invoices = sorted(state.open_invoices(), key=lambda i: i.number)
    if open_invoices:
        inv = open_invoices[0]
        names = {ln.counterparty for ln in state.lines.values() if ln.counterparty}
        add(q2(inv.open / 3), "acompte", sorted(names)[0] if names else None, None)
    if not moves:
        return
    closing = balance + sum((m.amount for m in moves), Decimal(0))
    statement = Statement(
        format="coda", account=bank.iban, iban=bank.iban, currency="EUR",
        opening_balance=balance, opening_date=dt.date(year, 12, 31), closing_balance=closing,
        closing_date=day, sequence="001", movements=tuple(moves),
    )  # fmt: skip
    header = CodaHeader(bank_id="539", holder=config.hub.name[:26],
                        company_id="0" + config.hub.enterprise_number)  # fmt: skip
    payload = write_coda([statement], header, created=day)
    import_files(books, [BankFile(f"demo-{year + 1}-01.cod", payload)])


def populate(books: Books, rng: random.Random, year: int) -> None:
    """Fill the demo's money year (see the module's docstring)."""
    folder = books.root.parent / f"{books.root.name}-inbox"
    folder.mkdir(exist_ok=True)
    grant = _grant(books, year)
    run_auto(books)
    _costs(books, rng, year, folder, grant)
    ibans = _payouts(books, rng, year)
    if ibans:
        export_pain001(books, folder / f"payouts-{year}-12.xml", ibans,
                       execution=dt.date(year, 12, 16))  # fmt: skip
    try:
        import importers.run  # noqa: F401
    except ImportError:
        pass  # without the bank importer, the payouts simply stay pending
    else:
        _next_statement(books, rng, year, ibans)
    run_auto(books)
