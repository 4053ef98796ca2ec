"""A golden month: statements, invoices and decisions in, exact books out.

March 2026 of a fictional hub in the standard VAT regime (21 %), contribution 10 %:
five invoices (one credited in full), nine bank lines — payments by structured
communication, a payment for two invoices found by its text, a partial payment typed by
hand and its balance, a payment on a credited invoice and its refund, bank fees decided by
hand, a payout debited, and an unknown credit that stays in review — a cost with its
receipt, a bank payout. The settlement and allocation entries must be exactly the golden
file; the balances are checked by hand below (see the numbers in the comments).

Set ``COOPLEDGER_UPDATE_GOLDEN=1`` to rewrite the golden file after a deliberate change.
"""

from __future__ import annotations

import datetime as dt
import os
from decimal import Decimal
from pathlib import Path

from money_builders import (
    CLIENT_IBANS,
    CODES,
    PAYEE_IBAN,
    add_client,
    bank_entry,
    fill_cash,
    import_bank,
    new_books,
)
from money_builders import issue as issue_invoice

from invoicing.issue import CreditRequest, issue_credit_note
from invoicing.ogm import format_ogm
from ledger.books import Books
from ledger.money.expenses import ExpenseRequest, book_expense
from ledger.money.payouts import book_payout, receipt_pdf
from ledger.money.reconcile import review_queue
from ledger.money.reconcile.booking import run_assign, run_auto
from ledger.participants import summarize

GOLDEN = Path(__file__).parent / "golden" / "month-payments.beancount"
D = dt.date


def balance(books: Books, account: str) -> Decimal:
    total = Decimal(0)
    for entry in books.load().entries:
        for p in getattr(entry, "postings", []):
            if p.account == account:
                total += p.units.number
    return total


def test_golden_month(tmp_path: Path, key_env: Path) -> None:
    books = new_books(tmp_path / "books", regime="standard")
    cfg = books.config
    p1, p2, p3 = CODES
    c1 = add_client(books, "Client Fictif Un SRL")
    c2 = add_client(books, "Client Fictif Deux SRL")
    i1 = issue_invoice(books, p1, c1, "100.00", D(2026, 3, 2), vat="21")  # 121.00
    i2 = issue_invoice(books, p2, c2, "50.00", D(2026, 3, 3), vat="21")  # 60.50
    i3 = issue_invoice(books, p2, c2, "80.00", D(2026, 3, 4), vat="21")  # 96.80
    i4 = issue_invoice(books, p1, c1, "200.00", D(2026, 3, 9), vat="21")  # 242.00
    i5 = issue_invoice(books, p3, c1, "300.00", D(2026, 3, 10), vat="21")  # 363.00
    issue_credit_note(
        books, CreditRequest(invoice=i5.number, date=D(2026, 3, 11), reason="Annulation"),
        today=D(2026, 12, 31),
    )  # fmt: skip

    # The first statement, as the importer books it.
    import_bank(
        books,
        bank_entry(cfg, "2026-03-B01", D(2026, 3, 10), "121.00", invoice=i1.number, ogm=i1.ogm,
                   counterparty="Client Fictif Un", iban=CLIENT_IBANS[0]),
        bank_entry(cfg, "2026-03-B02", D(2026, 3, 12), "157.30", counterparty="Client Deux",
                   iban=CLIENT_IBANS[1],
                   communication=f"factures {i2.number} et {i3.number}"),
        bank_entry(cfg, "2026-03-B03", D(2026, 3, 15), "100.00", counterparty="Client Fictif Un",
                   iban=CLIENT_IBANS[0], communication=f"acompte {format_ogm(i4.ogm)}"),
        bank_entry(cfg, "2026-03-B05", D(2026, 3, 18), "363.00", invoice=i5.number, ogm=i5.ogm,
                   counterparty="Client Fictif Un", iban=CLIENT_IBANS[0]),
    )  # fmt: skip
    first = run_auto(books)
    assert [e.meta["kind"] for e in first] == [  # in bank order: B01, B02 (two), B03, B05
        "payment", "settlement", "settlement", "payment", "payment",
        "settlement", "payment", "payment",
    ]  # fmt: skip

    pdf = tmp_path / "ticket.pdf"
    pdf.write_bytes(
        receipt_pdf("Fournisseur fictif", "T-1", "-", Decimal("20.00"), D(2026, 3, 21))
    )
    fill_cash(books, "100.00", D(2026, 3, 1))  # the cash box is never below zero
    book_expense(
        books,
        ExpenseRequest(amount=Decimal("24.20"), vat=Decimal("4.20"), description="ingrédients",
                       participant=p1, paid_from="cash", day=D(2026, 3, 21)),
        pdf,
    )  # fmt: skip
    book_payout(books, p1, "50.00", "bank", PAYEE_IBAN, D(2026, 3, 28))

    # The second statement.
    import_bank(
        books,
        bank_entry(cfg, "2026-03-B04", D(2026, 3, 20), "142.00", invoice=i4.number, ogm=i4.ogm,
                   counterparty="Client Fictif Un", iban=CLIENT_IBANS[0]),
        bank_entry(cfg, "2026-03-B06", D(2026, 3, 25), "-363.00", counterparty="Client Fictif Un",
                   iban=CLIENT_IBANS[0], communication="remboursement"),
        bank_entry(cfg, "2026-03-B07", D(2026, 3, 26), "-7.50", communication="frais"),
        bank_entry(cfg, "2026-03-B08", D(2026, 3, 27), "45.00", counterparty="Inconnu",
                   communication="merci"),
        bank_entry(cfg, "2026-03-B09", D(2026, 3, 30), "-50.00", iban=PAYEE_IBAN,
                   communication="PO-2026-0001"),
    )  # fmt: skip
    second = run_auto(books)
    assert len(second) == 3  # allocation of B04, refund B06, payout B09
    assert run_auto(books) == []  # nothing twice

    # Decisions: the fees by hand; the unknown credit waits.
    queue = review_queue(books.load().entries, cfg)
    assert [q.line.ref for q in queue] == ["2026-03-B07", "2026-03-B08"]
    run_assign(books, "2026-03-B07", "bank_fees")

    text = (books.root / "2026" / "payments.beancount").read_text()
    if os.environ.get("COOPLEDGER_UPDATE_GOLDEN"):
        GOLDEN.parent.mkdir(exist_ok=True)
        GOLDEN.write_text(text)
    assert text == GOLDEN.read_text()

    # Balances, by hand. P1: 100 − 10 on i1; i4 paid 100 then 142 of 242:
    # net 82.64 (c 8.26) then 117.36 (c 11.74); cost 20.00 (VAT 4.20 recovered); payout 50.
    s1 = summarize(books.load().entries, cfg, p1)
    assert s1.received == Decimal("300.00")
    assert s1.contribution == Decimal("30.00")
    assert s1.costs == Decimal("20.00")
    assert s1.payouts == Decimal("50.00")
    assert s1.balance == Decimal("300.00") - 30 - 20 - 50 == Decimal("200.00")
    s2 = summarize(books.load().entries, cfg, p2)
    assert (s2.received, s2.contribution, s2.balance) == (130, 13, 117)
    s3 = summarize(books.load().entries, cfg, p3)
    assert (s3.received, s3.balance) == (0, 0)
    assert balance(books, cfg.account("clients")) == 0
    assert balance(books, cfg.account("refunds_due")) == 0
    assert balance(books, cfg.account("payouts_pending")) == 0
    assert balance(books, cfg.account("suspense")) == Decimal("-45.00")  # B08 waits
    assert (
        balance(books, cfg.main_bank.account)
        == Decimal("121.00")
        + Decimal("157.30")
        + 100
        + 363
        + 142
        - 363
        - Decimal("7.50")
        + 45
        - 50
    )
    assert not books.load().errors
