"""``report trial-balance``: the report hub's 2025 and 2026, written by hand from the
accounting model (``report_hub.py`` lists the events), checked in JSON, CSV and xlsx.

2025, by hand (D debit, C credit), from the golden year of tests/money plus four events:
a cost of P3's activity paid by the grant (50.00, bank), VAT paid to the State (30.00),
bank charges (2.50) and a bank payout to P2 ordered 12-20, debited in 2026 (40.00).

  Bank   500 − 300 + 1000 + 121 + 242 − 121 − 50 − 300 − 50 + 121 − 30 − 2.50 + 0.50 = 1131.00 D
         (debits 500 + 1000 + 121 + 242 + 121 + 0.50 = 1984.50; credits 853.50)
  Cash   300 − 24.20 + 60.50 − 35 − 30 − 1.30 = 270.00 D (debits 360.50, credits 90.50)
  451    21 + 42 − 21 + 10.50 + 21 + 16.80 − 30 = 60.30 C (debits 51.00, credits 111.30)
  Held   P1 90 − 20 − 50 = 20; P2 180 − 90 + 45 − 40 = 95; P3 90 + 35 − 35 − 30 = 25 (C)
  489    share of open invoices: I4's 80.00 C; payouts in transit: 40.00 C
  493    the grant's unspent 1000 − 300 − 50 = 650.00 C; 73 grants: 1000 − 650 = 350.00 C
  61     P1 20; P3 35 + 50 (paid by the grant) = 85; the hub's 300 (D)
  613    P1 100 + 80 − 20 = 160; P2 200 − 100 + 50 = 150; P3 100 − 35 = 65 (D)
  70     P1 100 + 80 = 180; P2 200 − 100 + 50 = 150; P3 100 (C)
  74     P1 10; P2 20 − 10 + 5 = 15; P3 10 (C)
  64     1.30 D; 65 2.50 D; 75 0.50 C; 73 gifts 500.00 C; 400 96.80 D; 411 4.20 D
  Total  2285.80 = 2285.80
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from pathlib import Path

from openpyxl import load_workbook
from report_support import Hub, report_ok

EXPECTED_2025 = {
    ("400", "Assets:Clients"): "96.80",
    ("411", "Assets:TVA-a-recuperer"): "4.20",
    ("451", "Liabilities:TVA-a-payer"): "-60.30",
    ("489", "Liabilities:Participants:P-2M8D4R"): "-95.00",
    ("489", "Liabilities:Participants:P-7K3Q9X"): "-20.00",
    ("489", "Liabilities:Participants:P-9H6T1W"): "-25.00",
    ("489", "Liabilities:Quotes-parts-en-attente:P-7K3Q9X"): "-80.00",
    ("489", "Liabilities:Virements-a-executer"): "-40.00",
    ("493", "Liabilities:Produits-a-reporter"): "-650.00",
    ("550", "Assets:Banque:Courant"): "1131.00",
    ("570", "Assets:Caisse"): "270.00",
    ("61", "Expenses:Participants:P-7K3Q9X:Couts"): "20.00",
    ("61", "Expenses:Participants:P-9H6T1W:Couts"): "85.00",
    ("61", "Expenses:Services-et-biens-divers"): "300.00",
    ("613", "Expenses:Participants:P-2M8D4R:Quote-part"): "150.00",
    ("613", "Expenses:Participants:P-7K3Q9X:Quote-part"): "160.00",
    ("613", "Expenses:Participants:P-9H6T1W:Quote-part"): "65.00",
    ("64", "Expenses:Ecarts-de-caisse"): "1.30",
    ("65", "Expenses:Frais-bancaires"): "2.50",
    ("70", "Income:Participants:P-2M8D4R:Ventes"): "-150.00",
    ("70", "Income:Participants:P-7K3Q9X:Ventes"): "-180.00",
    ("70", "Income:Participants:P-9H6T1W:Ventes"): "-100.00",
    ("73", "Income:Dons"): "-500.00",
    ("73", "Income:Subsides:Fondation-test"): "-350.00",
    ("74", "Income:Participants:P-2M8D4R:Contribution"): "-15.00",
    ("74", "Income:Participants:P-7K3Q9X:Contribution"): "-10.00",
    ("74", "Income:Participants:P-9H6T1W:Contribution"): "-10.00",
    ("75", "Income:Produits-financiers"): "-0.50",
}
# (opening, debit, credit) worked out above.
GROSS_2025 = {
    "Assets:Banque:Courant": ("0.00", "1984.50", "853.50"),
    "Assets:Caisse": ("0.00", "360.50", "90.50"),
    "Liabilities:TVA-a-payer": ("0.00", "51.00", "111.30"),
}
# 2026: the year's result waits on the retained result (14); the bank: 1131.00 opening,
# + 72.60 (I5 paid) − 40.00 (the payout debited) − 100.00 (the hub's cost) = 1063.60.
GROSS_2026 = {
    "Assets:Banque:Courant": ("1131.00", "72.60", "140.00", "1063.60"),
    "Equity:Resultat-reporte": ("-531.70", "0.00", "0.00", "-531.70"),
    "Liabilities:Virements-a-executer": ("-40.00", "40.00", "0.00", "0.00"),
    "Liabilities:Produits-a-reporter": ("-650.00", "100.00", "0.00", "-550.00"),
}


def test_trial_balance_2025_by_hand(hub: Hub) -> None:
    figures = report_ok("trial-balance", "--books", str(hub.root), "--year", "2025", "--json")
    rows = figures.json()["accounts"]
    closing = {(r["pcmn"], r["account"]): r["closing"] for r in rows if r["closing"] != "0.00"}
    assert closing == EXPECTED_2025
    by_account = {r["account"]: r for r in rows}
    for account, (opening, debit, credit) in GROSS_2025.items():
        r = by_account[account]
        assert (r["opening"], r["debit"], r["credit"]) == (opening, debit, credit), account
    total = figures.json()
    assert total["total_debit"] == total["total_credit"]
    assert sum(Decimal(v) for v in EXPECTED_2025.values()) == 0


def test_trial_balance_2026_opens_with_2025_balances(hub: Hub) -> None:
    rows = report_ok("trial-balance", "--books", str(hub.root), "--year", "2026", "--json").json()[
        "accounts"
    ]
    by_account = {r["account"]: r for r in rows}
    for account, expected in GROSS_2026.items():
        r = by_account[account]
        assert (r["opening"], r["debit"], r["credit"], r["closing"]) == expected, account
    # Income and charges open at zero in the new year.
    assert all(r["opening"] == "0.00" for r in rows if r["account"].startswith("Income:"))


def test_trial_balance_csv_is_one_line_per_account(hub: Hub, tmp_path: Path) -> None:
    out = tmp_path / "tb.csv"
    report_ok("trial-balance", "--books", str(hub.root), "--year", "2025", "--format", "csv",
              "--out", str(out))  # fmt: skip
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    assert list(rows[0]) == ["pcmn", "label", "account", "opening", "debit", "credit",
                             "closing_debit", "closing_credit"]  # fmt: skip
    bank = next(r for r in rows if r["account"] == "Assets:Banque:Courant")
    assert bank == {"pcmn": "550", "label": "Compte courant", "account": "Assets:Banque:Courant",
                    "opening": "0.00", "debit": "1984.50", "credit": "853.50",
                    "closing_debit": "1131.00", "closing_credit": "0.00"}  # fmt: skip
    total = rows[-1]
    assert (
        total["label"] == "Total"
        and total["closing_debit"] == total["closing_credit"] == "2285.80"
    )


def test_trial_balance_xlsx_cell_by_cell(hub: Hub, tmp_path: Path) -> None:
    out = tmp_path / "tb.xlsx"
    report_ok("trial-balance", "--books", str(hub.root), "--year", "2025", "--lang", "en",
              "--out", str(out))  # fmt: skip
    wb = load_workbook(out)
    assert wb.sheetnames == ["balance", "pcmn"]
    ws = wb["balance"]
    assert ws["A1"].value == "Hub Test Money ASBL — Trial balance"
    assert ws.freeze_panes == "A6"  # the header row (5) stays in view
    header = [c.value for c in ws[5]]
    assert header == ["PCMN", "Label", "Account", "Opening", "Debit", "Credit",
                      "Closing debit", "Closing credit"]  # fmt: skip
    bank = next(r for r in ws.iter_rows(min_row=6) if r[2].value == "Assets:Banque:Courant")
    assert [c.value for c in bank[3:8]] == [0, 1984.5, 853.5, 1131, 0]
    assert all(c.number_format == "#,##0.00;-#,##0.00;0.00" for c in bank[3:8])
    assert isinstance(bank[4].value, (int, float))  # a number, never text
    last = [c.value for c in list(ws.iter_rows(min_row=6))[-1]]
    assert last[1] == "Total" and last[6] == last[7] == 2285.8
    codes = {r[0].value: (r[5].value, r[6].value)
             for r in wb["pcmn"].iter_rows(min_row=6) if r[0].value}  # fmt: skip
    # One line per code: the closing debit and credit (489: held, open shares, in transit).
    assert codes["489"] == (0, 260) and codes["613"] == (375, 0) and codes["550"] == (1131, 0)


def test_the_text_trial_balance_is_unchanged(hub: Hub) -> None:
    """``coopledger trial-balance`` (issue 8) keeps its text, now computed by the frames."""
    from reports.trial_balance import render, trial_balance

    books = hub.books()
    import datetime as dt

    rows = trial_balance(books.load().entries, books.config, dt.date(2025, 1, 1),
                         dt.date(2025, 12, 31))  # fmt: skip
    text = render(rows)
    assert text.splitlines()[-1].split() == ["total", "2285.80", "2285.80"]
    assert {(r.pcmn, r.account): str(r.balance) for r in rows} == EXPECTED_2025
