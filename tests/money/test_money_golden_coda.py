"""The golden month again, with the statements as real CODA files through ``import``.

Same story as ``test_money_golden_month`` (a standard-VAT hub, five invoices, one credited),
but the bank's two statements are CODA files imported with the bank importer, which runs
reconciliation inside its own transaction (``reconcile_new_entries``). Decisions are then
taken with ``reconcile --assign``. The reconciliation entries must be exactly the golden
file (``COOPLEDGER_UPDATE_GOLDEN=1`` rewrites it after a deliberate change).
"""

from __future__ import annotations

import datetime as dt
import os
from decimal import Decimal
from pathlib import Path

import pytest
from money_builders import CLIENT_IBANS, CODES, PAYEE_IBAN, add_client, fill_cash, new_books
from money_builders import issue as issue_invoice

from ledger.books import Books
from ledger.money.expenses import ExpenseRequest, book_expense
from ledger.money.payouts import book_payout
from ledger.money.reconcile.booking import run_assign, run_auto
from ledger.participants import summarize

importers_run = pytest.importorskip("importers.run")
coda_writer = pytest.importorskip("ledger.demo.coda_writer")
model = pytest.importorskip("importers.model")

GOLDEN = Path(__file__).parent / "golden" / "month-coda-payments.beancount"
HUB_IBAN = "BE68539007547034"
D = dt.date


def statement(seq: str, opening: str, start: dt.date, moves: list[tuple]) -> bytes:
    """A CODA file of one statement; ``moves``: (day, amount, name, iban, text, ogm, e2e)."""
    movements = tuple(
        model.Movement(
            ref="", bank_ref=f"G{seq}{n:03d}", booking_date=day, value_date=day,
            amount=Decimal(amount), currency="EUR", counterparty_name=name,
            counterparty_account=iban, communication=text or "", ogm=ogm, end_to_end_id=e2e,
        )
        for n, (day, amount, name, iban, text, ogm, e2e) in enumerate(moves, start=1)
    )  # fmt: skip
    closing = Decimal(opening) + sum((m.amount for m in movements), Decimal(0))
    last = max(m.booking_date for m in movements)
    st = model.Statement(
        format="coda", account=HUB_IBAN, iban=HUB_IBAN, currency="EUR",
        opening_balance=Decimal(opening), opening_date=start, closing_balance=closing,
        closing_date=last, sequence=seq, movements=movements,
    )  # fmt: skip
    header = coda_writer.CodaHeader(bank_id="539", holder="Hub Test Money",
                                    company_id="00403170701")  # fmt: skip
    return bytes(coda_writer.write_coda([st], header, created=last))


def do_import(books: Books, name: str, payload: bytes) -> None:
    from importers.service import BankFile

    importers_run.import_files(books, [BankFile(name, payload)])


def queue_refs(books: Books) -> dict[str, str]:
    from ledger.money.reconcile import review_queue

    return {q.line.amount.to_eng_string(): q.line.ref
            for q in review_queue(books.load().entries, books.config)}  # fmt: skip


def test_golden_month_through_coda_import(tmp_path: Path, key_env: Path) -> None:
    books = new_books(tmp_path / "books", regime="standard")
    p1, p2, p3 = CODES
    c1 = add_client(books, "Client Fictif Un SRL")
    c2 = add_client(books, "Client Fictif Deux SRL")
    i1 = issue_invoice(books, p1, c1, "100.00", D(2026, 3, 2), vat="21")  # 121.00
    i2 = issue_invoice(books, p2, c2, "50.00", D(2026, 3, 3), vat="21")  # 60.50
    i3 = issue_invoice(books, p2, c2, "80.00", D(2026, 3, 4), vat="21")  # 96.80
    i4 = issue_invoice(books, p1, c1, "200.00", D(2026, 3, 9), vat="21")  # 242.00
    from invoicing.issue import CreditRequest, issue_credit_note

    i5 = issue_invoice(books, p3, c1, "300.00", D(2026, 3, 10), vat="21")  # 363.00
    issue_credit_note(books, CreditRequest(invoice=i5.number, date=D(2026, 3, 11)),
                      today=D(2026, 12, 31))  # fmt: skip

    one, two = CLIENT_IBANS[0], CLIENT_IBANS[1]
    do_import(books, "march-1.cod", statement("001", "1000.00", D(2026, 3, 1), [
        (D(2026, 3, 10), "121.00", "Client Fictif Un", one, i1.ogm, i1.ogm, None),
        (D(2026, 3, 12), "157.30", "Client Deux", two,
         f"factures {i2.number} et {i3.number}", None, None),
        (D(2026, 3, 15), "100.00", "Client Fictif Un", one, "acompte", None, None),
        (D(2026, 3, 18), "363.00", "Client Fictif Un", one, i5.ogm, i5.ogm, None),
    ]))  # fmt: skip
    assert run_auto(books) == []  # the import reconciled what it could already
    assert list(queue_refs(books)) == ["100.00"]  # "acompte": which invoice? a decision
    run_assign(books, queue_refs(books)["100.00"], i4.number)

    fill_cash(books, "100.00", D(2026, 3, 1))  # the cash box is never below zero
    book_expense(books, ExpenseRequest(amount=Decimal("24.20"), vat=Decimal("4.20"),
                                       description="ingrédients", participant=p1,
                                       paid_from="cash", day=D(2026, 3, 21)))  # fmt: skip
    book_payout(books, p1, "50.00", "bank", PAYEE_IBAN, D(2026, 3, 28))

    do_import(books, "march-2.cod", statement("002", "1741.30", D(2026, 3, 18), [
        (D(2026, 3, 20), "142.00", "Client Fictif Un", one, i4.ogm, i4.ogm, None),
        (D(2026, 3, 25), "-363.00", "Client Fictif Un", one, "remboursement", None, None),
        (D(2026, 3, 26), "-7.50", None, None, "FRAIS", None, None),
        (D(2026, 3, 27), "45.00", "Inconnu", None, "merci", None, None),
        (D(2026, 3, 30), "-50.00", "Beneficiaire", PAYEE_IBAN, "PO-2026-0001", None,
         "PO-2026-0001"),
    ]))  # fmt: skip
    assert run_auto(books) == []
    refs = queue_refs(books)
    assert sorted(refs) == ["-7.50", "45.00"]
    run_assign(books, refs["-7.50"], "bank_fees")

    text = (books.root / "2026" / "payments.beancount").read_text()
    if os.environ.get("COOPLEDGER_UPDATE_GOLDEN"):
        GOLDEN.write_text(text)
    assert text == GOLDEN.read_text()

    s1 = summarize(books.load().entries, books.config, p1)
    assert (s1.received, s1.contribution, s1.costs, s1.payouts, s1.balance) == (
        Decimal("300.00"), Decimal("30.00"), Decimal("20.00"), Decimal("50.00"),
        Decimal("200.00"),
    )  # fmt: skip
    s2 = summarize(books.load().entries, books.config, p2)
    assert (s2.received, s2.contribution, s2.balance) == (130, 13, 117)
    assert summarize(books.load().entries, books.config, p3).balance == 0
    ledger = books.load()
    assert not ledger.errors
    # An auditor finds the bank line of every entry by its bank-ref, as the bank gave it.
    from beancount.core import data as bc

    txns = [e for e in ledger.entries if isinstance(e, bc.Transaction)]
    line_ref = {next(lk for lk in e.links if lk.startswith("bank-")): e.meta["bank-ref"]
                for e in txns if e.meta.get("kind") == "bank" and e.links}  # fmt: skip
    for e in txns:
        if e.meta.get("kind") in ("payment", "settlement"):
            link = next(lk for lk in e.links if lk.startswith("bank-"))
            assert e.meta["bank-ref"] == line_ref[link], e
    bank_text = "".join(p.read_text() for p in (books.root / "2026").glob("*.beancount"))
    assert PAYEE_IBAN not in bank_text  # the participant's account never enters the books
