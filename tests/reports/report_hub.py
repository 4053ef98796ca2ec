"""The fixed small hub every report test reads: two years of a fictional hub in the standard
VAT regime (21 %), contribution 10 % (12 % from 2025-07-01), three participants (P1
P-7K3Q9X, P2 P-2M8D4R, P3 P-9H6T1W), every event through the real write path.

2025 (closed) is the golden year of ``tests/money/test_money_golden_year.py`` and four more
events; 2026 stays open (its reports are provisional).

  01-05  a gift of 500.00 arrives on the bank (decided by hand: gifts, 73)
  01-10  300.00 taken from the bank into the cash box (the debit matched to it)
  02-01  a restricted grant of 1,000.00 (73), its money on 02-05
  02-10  invoice I1, P1: 100.00 + 21.00 VAT; paid 02-20 (net 100.00, contribution 10.00)
  03-01  invoice I2, P2: 200.00 + 42.00 VAT; paid 03-15 (net 200.00, contribution 20.00)
  03-20  credit note on I2 after payment, half: 100.00 + 21.00 VAT. P2 gives back the net
         100.00 less its contribution 10.00; the client is owed 121.00, refunded 03-25
  04-01  cost of P1's activity, 24.20 of which 4.20 VAT (recoverable), paid in cash
  04-10  bank payout of 50.00 to P1, debited 04-14
  05-02  cash sale by P2: 60.50 = 50.00 + 10.50 VAT (contribution 5.00)
  05-10  cost of the hub, 300.00, charged to the grant, paid by bank 05-15 (with a receipt)
  05-20  cost of P3's activity, 50.00, charged to the grant, paid by bank 05-25
  06-01  cost of P3's activity, 35.00 in cash, before any client paid her: charged later
  06-10  invoice I3, P3: 100.00 + 21.00 VAT; paid 06-20: net 100.00, contribution 10.00,
         and the 35.00 she owes recovered from it
  06-25  cash payout of 30.00 to P3
  06-30  the cash box counted: 270.00 (the books say 271.30: 1.30 short)
  08-05  invoice I4, P1: 80.00 + 16.80 VAT, not paid by the end of the year
  10-20  30.00 of VAT paid to the State (decided by hand: vat_payable)
  11-30  bank charges of 2.50 (decided by hand: bank_fees)
  12-20  bank payout of 40.00 to P2, not debited by the end of the year
  12-31  interest of 0.50 (decided by hand: financial income, 75)
  close  the grant's unspent 650.00 deferred (493)

2026 (open):

  01-10  invoice I5, P1: 60.00 + 12.60 VAT; paid 01-20 (net 60.00, contribution 12 %: 7.20)
  01-15  the payout of 40.00 to P2 debited
  02-01  cost of the hub, 100.00, charged to the grant (releases 100.00 of 493), paid 02-05

All names, IBANs and amounts are fictional.
"""

from __future__ import annotations

import datetime as dt
import shutil
from decimal import Decimal
from pathlib import Path

from money_builders import (
    CLIENT_IBANS,
    CODES,
    TODAY,
    add_client,
    bank_entry,
    import_bank,
    new_books,
)
from money_builders import issue as issue_invoice

from invoicing.issue import CreditRequest, issue_credit_note
from invoicing.models import LineInput
from ledger.books import Books
from ledger.money.cash import book_count, book_sale, book_transfer
from ledger.money.closing import close_year
from ledger.money.expenses import ExpenseRequest, book_expense
from ledger.money.grants import add_grant
from ledger.money.payouts import book_payout
from ledger.money.reconcile import review_queue, run_assign, run_auto

D = dt.date
P1, P2, P3 = CODES
GRANT = "fondation-test-2025"
CLIENT_VAT = "BE0202239951"  # valid checksum, fictional


def _line(amount: str) -> list[LineInput]:
    return [
        LineInput(
            description="Annulation partielle",
            quantity=Decimal(1),
            unit_price=Decimal(amount),
            vat_rate=Decimal(21),
        )
    ]


def _receipt(path: Path) -> Path:
    """A one-page fictional receipt (PDF)."""
    from reportlab.pdfgen.canvas import Canvas

    canvas = Canvas(str(path))
    canvas.drawString(72, 720, "Formation fictive - recu 300.00 EUR")
    canvas.save()
    return path


def build(root: Path, work: Path) -> Books:
    """The books of the report hub (see the module's docstring)."""
    books = new_books(root, year=2025, regime="standard")
    cfg = books.config
    from invoicing.clients import add_client as _add

    client = _add(
        books,
        {
            "name": "Client Fictif Un SRL",
            "vat_number": CLIENT_VAT,
            "address": "Rue Imaginaire 2, 1000 Bruxelles",
        },
    ).id
    private = add_client(books, "Cliente Privée Fictive")
    iban = CLIENT_IBANS[0]

    def bank(ref: str, day: dt.date, amount: str, **kw: object) -> None:
        import_bank(books, bank_entry(cfg, ref, day, amount, **kw))  # type: ignore[arg-type]
        run_auto(books)

    def decide(target: str) -> None:
        (item,) = review_queue(books.load().entries, cfg)
        run_assign(books, item.line.ref, target)

    bank("G-01", D(2025, 1, 5), "500.00", counterparty="Donateur Fictif")
    decide("gifts")
    book_transfer(books, "withdraw", "300.00", D(2025, 1, 10), TODAY)
    bank("W-01", D(2025, 1, 10), "-300.00", communication="RETRAIT")
    add_grant(
        books,
        "fondation-test",
        "1000.00",
        D(2025, 2, 1),
        purpose="ateliers",
        restricted=True,
        today=TODAY,
    )
    bank(
        "S-01",
        D(2025, 2, 5),
        "1000.00",
        counterparty="Fondation Test",
        communication=f"subside {GRANT}",
    )
    i1 = issue_invoice(books, P1, client, "100.00", D(2025, 2, 10), vat="21")
    bank("B-01", D(2025, 2, 20), "121.00", invoice=i1.number, ogm=i1.ogm, iban=iban)
    i2 = issue_invoice(books, P2, client, "200.00", D(2025, 3, 1), vat="21")
    bank("B-02", D(2025, 3, 15), "242.00", invoice=i2.number, ogm=i2.ogm, iban=iban)
    issue_credit_note(
        books,
        CreditRequest(invoice=i2.number, lines=_line("100.00"), date=D(2025, 3, 20)),
        today=TODAY,
    )
    bank("R-01", D(2025, 3, 25), "-121.00", iban=iban, communication="remboursement")
    book_expense(
        books,
        ExpenseRequest(
            amount=Decimal("24.20"),
            vat=Decimal("4.20"),
            description="ingrédients",
            participant=P1,
            paid_from="cash",
            day=D(2025, 4, 1),
        ),
        today=TODAY,
    )
    payout = book_payout(books, P1, "50.00", "bank", CLIENT_IBANS[2], D(2025, 4, 10), TODAY)
    bank(
        "D-01",
        D(2025, 4, 14),
        "-50.00",
        iban=CLIENT_IBANS[2],
        extra={"end-to-end-id": payout["payout"]},
    )
    book_sale(books, P2, "60.50", "marché", "21", D(2025, 5, 2), TODAY)
    cost = book_expense(
        books,
        ExpenseRequest(
            amount=Decimal("300.00"),
            description="formation",
            paid_from="bank",
            account="services",
            grant=GRANT,
            day=D(2025, 5, 10),
        ),
        receipt=_receipt(work / "recu.pdf"),
        today=TODAY,
    )
    bank("D-02", D(2025, 5, 15), "-300.00", communication=cost["expense"])
    cost = book_expense(
        books,
        ExpenseRequest(
            amount=Decimal("50.00"),
            description="tissus",
            participant=P3,
            paid_from="bank",
            grant=GRANT,
            day=D(2025, 5, 20),
        ),
        today=TODAY,
    )
    bank("D-03", D(2025, 5, 25), "-50.00", communication=cost["expense"])
    book_expense(
        books,
        ExpenseRequest(
            amount=Decimal("35.00"),
            description="matériel",
            participant=P3,
            paid_from="cash",
            day=D(2025, 6, 1),
            charge_later=True,
        ),
        today=TODAY,
    )
    i3 = issue_invoice(books, P3, private, "100.00", D(2025, 6, 10), vat="21")
    bank("B-03", D(2025, 6, 20), "121.00", invoice=i3.number, ogm=i3.ogm, iban=iban)
    book_payout(books, P3, "30.00", "cash", None, D(2025, 6, 25), TODAY)
    book_count(books, "270.00", D(2025, 6, 30), TODAY)
    issue_invoice(books, P1, client, "80.00", D(2025, 8, 5), vat="21")
    bank("V-01", D(2025, 10, 20), "-30.00", communication="TVA T3")
    decide("vat_payable")
    bank("F-01", D(2025, 11, 30), "-2.50", communication="FRAIS")
    decide("bank_fees")
    in_transit = book_payout(books, P2, "40.00", "bank", CLIENT_IBANS[1], D(2025, 12, 20), TODAY)
    bank("I-01", D(2025, 12, 31), "0.50", communication="INTERETS")
    decide("financial_income")
    close_year(books, 2025, today=D(2026, 1, 5))
    # 2026, open.
    i5 = issue_invoice(books, P1, client, "60.00", D(2026, 1, 10), vat="21")
    bank(
        "D-04",
        D(2026, 1, 15),
        "-40.00",
        iban=CLIENT_IBANS[1],
        extra={"end-to-end-id": in_transit["payout"]},
    )
    bank("B-05", D(2026, 1, 20), "72.60", invoice=i5.number, ogm=i5.ogm, iban=iban)
    cost = book_expense(
        books,
        ExpenseRequest(
            amount=Decimal("100.00"),
            description="location",
            paid_from="bank",
            account="services",
            grant=GRANT,
            day=D(2026, 2, 1),
        ),
        today=TODAY,
    )
    bank("D-05", D(2026, 2, 5), "-100.00", communication=cost["expense"])
    ledger = books.load()
    assert not ledger.errors, books.error_lines(ledger)
    return books


def copy_books(source: Path, target: Path) -> Books:
    shutil.copytree(source, target, symlinks=True)
    return Books.open(target)
