"""A golden year: a fixed list of events in, the trial balance by PCMN code out.

2025 of a fictional hub in the standard VAT regime (21 %), contribution 10 %, three
participants (P1 P-7K3Q9X, P2 P-2M8D4R, P3 P-9H6T1W), every event through the real write
path. The expected trial balance below was written by hand, as the hub's accountant would,
from these events (the working is in the comments), not produced by the code under test.

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
  05-10  cost of the hub, 300.00, charged to the grant, paid by bank 05-15
  06-01  cost of P3's activity, 35.00 in cash, before any client paid her: charged later
  06-10  invoice I3, P3: 100.00 + 21.00 VAT; paid 06-20: net 100.00, contribution 10.00,
         and the 35.00 she owes recovered from it
  06-25  cash payout of 30.00 to P3
  06-30  the cash box counted: 270.00 (the books say 271.30: 1.30 short)
  08-05  invoice I4, P1: 80.00 + 16.80 VAT, not paid by the end of the year
  12-31  interest of 0.50 (decided by hand: financial income, 75)
  close  the grant's unspent 700.00 deferred (493)
"""

from __future__ import annotations

import datetime as dt
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
from ledger.money.cash import book_count, book_sale, book_transfer
from ledger.money.closing import close_year
from ledger.money.expenses import ExpenseRequest, book_expense
from ledger.money.grants import add_grant
from ledger.money.payouts import book_payout
from ledger.money.reconcile import review_queue
from ledger.money.reconcile.booking import run_assign, run_auto
from reports.trial_balance import render, trial_balance

D = dt.date
P1, P2, P3 = CODES

# Bank 500 − 300 + 1000 + 121 + 242 − 121 − 50 − 300 + 121 + 0.50 = 1213.50.
# Cash 300 − 24.20 + 60.50 − 35 − 30 − 1.30 = 270.00. VAT payable 21 + 42 − 21 + 10.50 + 21
# + 16.80 = 90.30. Held P1 90 − 20 − 50 = 20; P2 180 − 90 + 45 = 135; P3 90 + 35 − 35
# (recovered) − 30 = 25 (the owed account back at 0). Share of open invoices: I4's 80.00.
# Quote-part P1 100 + 80 − 20; P2 200 − 100 + 50; P3 100 − 35. Contribution P2 20 − 10 + 5.
# Result 534.20 = contributions 35 + own income 800.50 − own costs 301.30.
EXPECTED_2025 = """\
PCMN   account                                                 debit       credit
400    Assets:Clients                                          96.80
411    Assets:TVA-a-recuperer                                   4.20
451    Liabilities:TVA-a-payer                                              90.30
489    Liabilities:Participants:P-2M8D4R                                   135.00
489    Liabilities:Participants:P-7K3Q9X                                    20.00
489    Liabilities:Participants:P-9H6T1W                                    25.00
489    Liabilities:Quotes-parts-en-attente:P-7K3Q9X                         80.00
493    Liabilities:Produits-a-reporter                                     700.00
550    Assets:Banque:Courant                                 1213.50
570    Assets:Caisse                                          270.00
61     Expenses:Participants:P-7K3Q9X:Couts                    20.00
61     Expenses:Participants:P-9H6T1W:Couts                    35.00
61     Expenses:Services-et-biens-divers                      300.00
613    Expenses:Participants:P-2M8D4R:Quote-part              150.00
613    Expenses:Participants:P-7K3Q9X:Quote-part              160.00
613    Expenses:Participants:P-9H6T1W:Quote-part               65.00
64     Expenses:Ecarts-de-caisse                                1.30
70     Income:Participants:P-2M8D4R:Ventes                                 150.00
70     Income:Participants:P-7K3Q9X:Ventes                                 180.00
70     Income:Participants:P-9H6T1W:Ventes                                 100.00
73     Income:Dons                                                         500.00
73     Income:Subsides:Fondation-test                                      300.00
74     Income:Participants:P-2M8D4R:Contribution                            15.00
74     Income:Participants:P-7K3Q9X:Contribution                            10.00
74     Income:Participants:P-9H6T1W:Contribution                            10.00
75     Income:Produits-financiers                                            0.50
       total                                                 2315.80      2315.80
"""

# The next year opens with every balance; income and charges start again, the year's
# result waits on the retained result (14).
EXPECTED_OPENING_2026 = """\
PCMN   account                                                 debit       credit
14     Equity:Resultat-reporte                                             534.20
400    Assets:Clients                                          96.80
411    Assets:TVA-a-recuperer                                   4.20
451    Liabilities:TVA-a-payer                                              90.30
489    Liabilities:Participants:P-2M8D4R                                   135.00
489    Liabilities:Participants:P-7K3Q9X                                    20.00
489    Liabilities:Participants:P-9H6T1W                                    25.00
489    Liabilities:Quotes-parts-en-attente:P-7K3Q9X                         80.00
493    Liabilities:Produits-a-reporter                                     700.00
550    Assets:Banque:Courant                                 1213.50
570    Assets:Caisse                                          270.00
       total                                                 1584.50      1584.50
"""


def _line(amount: str) -> list[LineInput]:
    return [LineInput(description="Annulation partielle", quantity=Decimal(1),
                      unit_price=Decimal(amount), vat_rate=Decimal(21))]  # fmt: skip


def test_golden_year(tmp_path: Path, key_env: Path) -> None:
    books = new_books(tmp_path / "books", year=2025, regime="standard")
    cfg = books.config
    client = add_client(books, "Client Fictif Un SRL")
    cash = CLIENT_IBANS[0]

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
    add_grant(books, "fondation-test", "1000.00", D(2025, 2, 1), restricted=True, today=TODAY)
    bank("S-01", D(2025, 2, 5), "1000.00", counterparty="Fondation Test",
         communication="subside fondation-test-2025")  # fmt: skip
    i1 = issue_invoice(books, P1, client, "100.00", D(2025, 2, 10), vat="21")
    bank("B-01", D(2025, 2, 20), "121.00", invoice=i1.number, ogm=i1.ogm, iban=cash)
    i2 = issue_invoice(books, P2, client, "200.00", D(2025, 3, 1), vat="21")
    bank("B-02", D(2025, 3, 15), "242.00", invoice=i2.number, ogm=i2.ogm, iban=cash)
    issue_credit_note(books, CreditRequest(invoice=i2.number, lines=_line("100.00"),
                                           date=D(2025, 3, 20)), today=TODAY)  # fmt: skip
    bank("R-01", D(2025, 3, 25), "-121.00", iban=cash, communication="remboursement")
    book_expense(books, ExpenseRequest(amount=Decimal("24.20"), vat=Decimal("4.20"),
                                       description="ingrédients", participant=P1,
                                       paid_from="cash", day=D(2025, 4, 1)), today=TODAY)  # fmt: skip
    payout = book_payout(books, P1, "50.00", "bank", CLIENT_IBANS[2], D(2025, 4, 10), TODAY)
    bank("D-01", D(2025, 4, 14), "-50.00", iban=CLIENT_IBANS[2],
         extra={"end-to-end-id": payout["payout"]})  # fmt: skip
    book_sale(books, P2, "60.50", "marché", "21", D(2025, 5, 2), TODAY)
    cost = book_expense(books, ExpenseRequest(amount=Decimal("300.00"), description="formation",
                                              paid_from="bank", account="services",
                                              grant="fondation-test-2025", day=D(2025, 5, 10)),
                        today=TODAY)  # fmt: skip
    bank("D-02", D(2025, 5, 15), "-300.00", communication=cost["expense"])
    book_expense(books, ExpenseRequest(amount=Decimal("35.00"), description="matériel",
                                       participant=P3, paid_from="cash", day=D(2025, 6, 1),
                                       charge_later=True), today=TODAY)  # fmt: skip
    i3 = issue_invoice(books, P3, client, "100.00", D(2025, 6, 10), vat="21")
    bank("B-03", D(2025, 6, 20), "121.00", invoice=i3.number, ogm=i3.ogm, iban=cash)
    book_payout(books, P3, "30.00", "cash", None, D(2025, 6, 25), TODAY)
    book_count(books, "270.00", D(2025, 6, 30), TODAY)
    issue_invoice(books, P1, client, "80.00", D(2025, 8, 5), vat="21")
    bank("I-01", D(2025, 12, 31), "0.50", communication="INTERETS")
    decide("financial_income")
    close_year(books, 2025, today=D(2026, 1, 5))

    ledger = books.load()
    assert not ledger.errors, books.error_lines(ledger)
    year = trial_balance(ledger.entries, cfg, D(2025, 1, 1), D(2025, 12, 31))
    assert render(year) == EXPECTED_2025
    opening = trial_balance(ledger.entries, cfg, D(2026, 1, 1), D(2026, 1, 1))
    assert render(opening) == EXPECTED_OPENING_2026
