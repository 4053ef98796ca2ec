"""A supplier e-invoice paid: its debit on a real CODA statement settles it by itself.

The hub books a supplier's invoice (``purchase import``) with the payment reference and
account the supplier asked for; the bank statement, written as a CODA file and imported
with the bank importer (which reconciles inside its own transaction), shows the debit with
that reference: reconciliation settles the cost and ``purchase list`` says ``paid``. A
debit of the right amount without the reference waits for a decision instead.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from invoicing_support import IBAN, YEAR, Hub, day
from peppol_support import LINES_STD, SUPPLIER_IBAN, set_text, supplier_document

from invoicing.issue import IssueRequest, issue_invoice
from invoicing.models import LineInput
from invoicing.ogm import format_ogm
from invoicing.purchases.booking import Charge
from invoicing.purchases.importer import Source, import_purchases
from invoicing.validation import Validator
from ledger.money.reconcile import review_queue
from ledger.participants import summarize
from ledger.view.purchases import purchase_statuses

importers_run = pytest.importorskip("importers.run")
coda_writer = pytest.importorskip("ledger.demo.coda_writer")
model = pytest.importorskip("importers.model")
TODAY = dt.date(YEAR, 12, 31)
CLIENT_IBAN = "BE91001345678976"
OTHER_IBAN = "BE77001456789042"


def statement(seq: str, opening: str, moves: list[tuple]) -> bytes:
    """A CODA file; ``moves``: (day, amount, name, iban, communication, ogm)."""
    movements = tuple(
        model.Movement(
            ref="", bank_ref=f"P{seq}{n:03d}", booking_date=d, value_date=d,
            amount=Decimal(amount), currency="EUR", counterparty_name=name,
            counterparty_account=iban, communication=text or "", ogm=ogm,
        )
        for n, (d, amount, name, iban, text, ogm) in enumerate(moves, start=1)
    )  # fmt: skip
    closing = Decimal(opening) + sum((m.amount for m in movements), Decimal(0))
    first, last = min(m.booking_date for m in movements), max(m.booking_date for m in movements)
    st = model.Statement(
        format="coda", account=IBAN, iban=IBAN, currency="EUR",
        opening_balance=Decimal(opening), opening_date=first, closing_balance=closing,
        closing_date=last, sequence=seq, movements=movements,
    )  # fmt: skip
    header = coda_writer.CodaHeader(bank_id="539", holder="Hub Test Entreprendre",
                                    company_id="00403170701")  # fmt: skip
    return bytes(coda_writer.write_coda([st], header, created=last))


def bank_import(hub: Hub, name: str, payload: bytes) -> None:
    from importers.service import BankFile

    importers_run.import_files(hub.books, [BankFile(name, payload)])


def test_supplier_invoice_paid_through_a_coda_statement(hub_factory, validator: Validator) -> None:
    hub: Hub = hub_factory("standard")
    books = hub.books
    sale = issue_invoice(books, IssueRequest(
        participant=hub.participant, client=hub.business, date=day(2, 1),
        lines=[LineInput(description="Buffet fictif", quantity=Decimal(1),
                         unit_price=Decimal("400"), vat_rate=Decimal("21"))],
    ), today=TODAY).document  # fmt: skip
    bank_import(hub, "feb.cod", statement("001", "1000.00", [
        (day(2, 10), "484.00", "Client Fictif SRL", CLIENT_IBAN, None, sale.ogm),
    ]))  # fmt: skip
    held = summarize(books.load().entries, books.config, hub.participant).balance
    assert held == Decimal("360.00")  # 400 received, 10 % contribution

    # Two supplier invoices: one for the participant's activity (an OGM), one for the hub
    # (a free reference the hub types in its transfer).
    ours = supplier_document(books.config, LINES_STD, day=day(3, 3), number="F-31", seq=31)
    [cost] = import_purchases(books, [Source("the file", ours)],
                              Charge(hub.participant, None, True), validator=validator,
                              today=TODAY)  # fmt: skip
    ogm = cost.summary["payment_ref"]
    assert ogm and len(ogm) == 12
    hub_doc = supplier_document(books.config, [("1", "80.00", "21")], day=day(3, 4),
                                number="F-32", seq=32)  # fmt: skip
    hub_doc = set_text(hub_doc, "cac:PaymentMeans/cbc:PaymentID", "INV-F32-2025")
    [own] = import_purchases(books, [Source("the file", hub_doc)], Charge(None, None, True),
                             validator=validator, today=TODAY)  # fmt: skip
    assert own.summary["payment_ref"] == "INV-F32-2025"
    third = supplier_document(books.config, [("1", "33.00", "0")], day=day(3, 5), number="F-33",
                              seq=33)  # fmt: skip
    [waits] = import_purchases(books, [Source("the file", third)], Charge(None, None, True),
                               validator=validator, today=TODAY)  # fmt: skip

    bank_import(hub, "mar.cod", statement("002", "1484.00", [
        (day(3, 20), "-170.20", "FF SRL BXL", SUPPLIER_IBAN, format_ogm(ogm), ogm),
        (day(3, 21), "-96.80", "FF SRL BXL", SUPPLIER_IBAN, "paiement INV-F32-2025", None),
        (day(3, 22), "-33.00", "Quelqu'un", OTHER_IBAN, "virement", None),
    ]))  # fmt: skip

    entries = books.load().entries
    assert not books.load().errors
    statuses = {s.record.number: s for s in purchase_statuses(entries, books.config, TODAY)}
    assert statuses["F-31"].status == "paid" and statuses["F-31"].owed == 0
    assert statuses["F-32"].status == "paid"
    assert statuses["F-33"].status == "overdue"  # no reference, another account: a decision
    settlements = [
        e for e in entries
        if getattr(e, "meta", {}).get("kind") == "settlement" and cost.link in e.links
    ]  # fmt: skip
    [settled] = settlements
    assert settled.meta["matched-by"] == "auto"
    assert [(p.account, p.units.number) for p in settled.postings] == [
        ("Assets:Compte-d-attente", Decimal("-170.20")),
        ("Liabilities:Fournisseurs", Decimal("170.20")),
    ]
    queue = review_queue(entries, books.config)
    assert [q.line.amount for q in queue] == [Decimal("-33.00")]
    assert queue[0].candidates and queue[0].candidates[0].target == waits.link
    # The participant bore her cost from what the hub held for her; the VAT is the hub's.
    assert summarize(entries, books.config, hub.participant).balance == Decimal(
        "360.00"
    ) - Decimal("145.00")
    # A business the hub paid keeps its name and account (importers/minimise.py); anyone
    # else only the last four IBAN characters.
    bank_text = (books.root / f"{YEAR}" / "bank.beancount").read_text()
    assert SUPPLIER_IBAN in bank_text and OTHER_IBAN not in bank_text


def test_supplier_credit_note_after_payment_is_a_refund_due_then_received(
    hub_factory, validator: Validator
) -> None:
    """Paid, then credited: the supplier owes the hub; its transfer back is assigned to the
    invoice's cost and the invoice ends paid for what it cost, net of the credit."""
    from ledger.money.reconcile.booking import run_assign

    hub: Hub = hub_factory("exempt")
    books = hub.books
    inv = supplier_document(books.config, LINES_STD, day=day(3, 3), number="F-41", seq=41)
    [cost] = import_purchases(books, [Source("the file", inv)], Charge(None, None, True),
                              validator=validator, today=TODAY)  # fmt: skip
    ogm = cost.summary["payment_ref"]
    bank_import(hub, "mar.cod", statement("001", "500.00", [
        (day(3, 20), "-170.20", "FF SRL BXL", SUPPLIER_IBAN, format_ogm(ogm), ogm),
    ]))  # fmt: skip
    cn = supplier_document(books.config, [("1", "10.00", "6")], day=day(3, 25), number="NC-41",
                           seq=42, credit_of=("F-41", day(3, 3)))  # fmt: skip
    import_purchases(books, [Source("the file", cn)], Charge(), validator=validator, today=TODAY)
    [status] = purchase_statuses(books.load().entries, books.config, TODAY)
    assert (status.status, status.owed) == ("refund-due", Decimal("-10.60"))
    bank_import(hub, "apr.cod", statement("002", "329.80", [
        (day(4, 2), "10.60", "Fournisseur Fictif SRL", SUPPLIER_IBAN, "remboursement NC-41", None),
    ]))  # fmt: skip
    [waiting] = review_queue(books.load().entries, books.config)
    run_assign(books, waiting.line.ref, cost.link)
    [status] = purchase_statuses(books.load().entries, books.config, TODAY)
    assert (status.status, status.owed, status.paid) == ("paid", 0, Decimal("159.60"))
    assert not books.load().errors
