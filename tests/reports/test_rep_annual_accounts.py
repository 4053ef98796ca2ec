"""``report annual-accounts``: the report hub's 2025, written by hand from the accounting
model, every figure traced back to a bean-query over the books, and the PDF and xlsx read
back.

Balance sheet at 31/12/2025 (see test_rep_trial_balance for the balances):
  assets       40 clients 96.80; 41 VAT to recover 4.20; 54/58 bank 1131.00 + cash 270.00
               = 1401.00; total 1502.00
  liabilities  45 VAT payable 60.30; 47/48 held 140.00 + open shares 80.00 + payouts in
               transit 40.00 = 260.00; 492/3 the grant deferred 650.00; result 531.70;
               total 60.30 + 260.00 + 650.00 + 531.70 = 1502.00
Income statement 2025:
  70 430.00; 73 gifts 500 + grant 350 = 850.00; 74 contributions 35.00
  61 780.00 (the hub 300, participants' costs 105, their share 375); 64 1.30
  operating result 1315.00 − 781.30 = 533.70; 75 0.50; 65 2.50; result 531.70
  net of contributions: 74 → 0.00, 613 375 − 35 = 340.00, 61 745.00: the same result
Result identity: contributions 35 + own income (500 + 350 + 0.50) − own costs (300 + 1.30
  + 2.50) − participants' costs a grant paid (50) = 531.70 = the books' result
Receipts and expenses 2025 (cash basis; the withdrawal bank → cash is neither):
  gifts 500; grants 1000; other: clients 121 + 242 + 121, cash sale 60.50, interest 0.50
  = 545.00; total 2045.00
  services: P1's ingredients 24.20 (VAT included), the hub's training 300, P3's fabric 50
  (grant), P3's material 35 = 409.20; other: payouts 50 + 30 = 80, refund 121, VAT to the
  State 30, bank charges 2.50, cash short 1.30 = 234.80; total 644.00
  0 + 2045.00 − 644.00 = 1401.00, the bank and the cash box at the end of the year
Statement of assets and debts: receivables 101.00, cash 1401.00; tax 60.30, other debts
  260.00 + 650.00 = 910.00; net 531.70
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from beanquery.query import run_query
from openpyxl import load_workbook
from pypdf import PdfReader
from report_support import Hub, report, report_ok

D = Decimal
EXPECTED = {
    ("balance_sheet", "assets", "40"): "96.80",
    ("balance_sheet", "assets", "41"): "4.20",
    ("balance_sheet", "assets", "54/58"): "1401.00",
    ("balance_sheet", "total_assets"): "1502.00",
    ("balance_sheet", "liabilities", "45"): "60.30",
    ("balance_sheet", "liabilities", "47/48"): "260.00",
    ("balance_sheet", "liabilities", "492/3"): "650.00",
    ("balance_sheet", "result_of_the_year"): "531.70",
    ("income_statement", "70"): "430.00",
    ("income_statement", "73"): "850.00",
    ("income_statement", "74"): "35.00",
    ("income_statement", "61"): "780.00",
    ("income_statement", "640/8"): "1.30",
    ("income_statement", "75"): "0.50",
    ("income_statement", "65"): "2.50",
    ("income_statement", "contributions"): "35.00",
    ("income_statement", "participants_share"): "375.00",
    ("income_statement", "participants_share_net_of_contributions"): "340.00",
    ("income_statement", "participants_costs"): "105.00",
    ("income_statement", "result"): "531.70",
    ("receipts_and_expenses", "re.gifts"): "500.00",
    ("receipts_and_expenses", "re.grants"): "1000.00",
    ("receipts_and_expenses", "re.other"): "545.00",
    ("receipts_and_expenses", "re.membership"): "0.00",
    ("receipts_and_expenses", "ex.services"): "409.20",
    ("receipts_and_expenses", "ex.other"): "234.80",
    ("receipts_and_expenses", "ex.goods"): "0.00",
    ("receipts_and_expenses", "ex.remuneration"): "0.00",
    ("receipts_and_expenses", "total_receipts"): "2045.00",
    ("receipts_and_expenses", "total_expenses"): "644.00",
    ("receipts_and_expenses", "liquid_opening"): "0.00",
    ("receipts_and_expenses", "liquid_closing"): "1401.00",
    ("receipts_and_expenses", "by_sub_line", "re.other/sub.sales"): "544.50",
    ("receipts_and_expenses", "by_sub_line", "re.other/sub.other_income"): "0.50",
    ("receipts_and_expenses", "by_sub_line", "ex.other/sub.payouts"): "80.00",
    ("receipts_and_expenses", "by_sub_line", "ex.other/sub.refunds"): "121.00",
    ("receipts_and_expenses", "by_sub_line", "ex.other/sub.vat"): "30.00",
    ("receipts_and_expenses", "by_sub_line", "ex.other/sub.other_charges"): "3.80",
    ("assets_and_debts", "40/41"): "101.00",
    ("assets_and_debts", "54/58"): "1401.00",
    ("assets_and_debts", "45"): "60.30",
    ("assets_and_debts", "46, 47/48, 492/3"): "910.00",
    ("result_identity", "contributions"): "35.00",
    ("result_identity", "contributions_from_metadata"): "35.00",
    ("result_identity", "own_income"): "850.50",
    ("result_identity", "own_costs"): "303.80",
    ("result_identity", "participants_costs_paid_by_grants"): "50.00",
    ("result_identity", "computed"): "531.70",
    ("result_identity", "books_result"): "531.70",
    ("appendix", "held_for_participants"): "140.00",
    ("appendix", "share_of_open_invoices"): "80.00",
    ("appendix", "payouts_in_transit"): "40.00",
    ("appendix", "deferred_grants"): "650.00",
    ("appendix", "refunds_due"): "0.00",
    ("appendix", "owed_by_participants"): "0.00",
    ("appendix", "restricted_funds"): "0.00",
    ("appendix", "grants_promised"): "0.00",
}
IN_2025 = "date >= 2025-01-01 AND date <= 2025-12-31"
AT_END = "date <= 2025-12-31"
PCMN = "str(open_meta(account, 'pcmn'))"
ROLE = "str(open_meta(account, 'role'))"
KIND = "str(entry_meta('kind'))"
# Each figure as the sum of a bean-query over the books (sign: as the report shows it).
TRACES: dict[tuple[str, ...], list[tuple[int, str]]] = {
    ("balance_sheet", "assets", "40"): [(1, f"{AT_END} AND {PCMN} ~ '^40'")],
    ("balance_sheet", "assets", "41"): [(1, f"{AT_END} AND {PCMN} ~ '^41'")],
    ("balance_sheet", "assets", "54/58"): [(1, f"{AT_END} AND {PCMN} ~ '^5[4-8]'")],
    ("balance_sheet", "total_assets"): [(1, f"{AT_END} AND {PCMN} ~ '^(2|3|4[01]|5|49[01])'")],
    ("balance_sheet", "liabilities", "45"): [(-1, f"{AT_END} AND {PCMN} ~ '^45'")],
    ("balance_sheet", "liabilities", "47/48"): [(-1, f"{AT_END} AND {PCMN} ~ '^4[78]'")],
    ("balance_sheet", "liabilities", "492/3"): [(-1, f"{AT_END} AND {PCMN} ~ '^49[23]'")],
    ("balance_sheet", "result_of_the_year"): [(-1, f"{IN_2025} AND {PCMN} ~ '^[67]'")],
    ("income_statement", "70"): [(-1, f"{IN_2025} AND {PCMN} ~ '^70'")],
    ("income_statement", "73"): [(-1, f"{IN_2025} AND {PCMN} ~ '^73'")],
    ("income_statement", "74"): [(-1, f"{IN_2025} AND {PCMN} ~ '^74'")],
    ("income_statement", "61"): [(1, f"{IN_2025} AND {PCMN} ~ '^61'")],
    ("income_statement", "640/8"): [(1, f"{IN_2025} AND {PCMN} ~ '^64'")],
    ("income_statement", "75"): [(-1, f"{IN_2025} AND {PCMN} ~ '^75'")],
    ("income_statement", "65"): [(1, f"{IN_2025} AND {PCMN} ~ '^65'")],
    ("income_statement", "contributions"): [
        (-1, f"{IN_2025} AND {ROLE} = 'participant_contribution'")
    ],
    ("income_statement", "participants_share"): [
        (1, f"{IN_2025} AND {ROLE} = 'participant_share'")
    ],
    ("income_statement", "participants_share_net_of_contributions"): [
        (1, f"{IN_2025} AND {ROLE} = 'participant_share'"),
        (1, f"{IN_2025} AND {ROLE} = 'participant_contribution'"),
    ],
    ("income_statement", "participants_costs"): [
        (1, f"{IN_2025} AND {ROLE} = 'participant_costs'")
    ],
    ("income_statement", "result"): [(-1, f"{IN_2025} AND {PCMN} ~ '^[67]'")],
    # Cash basis: the money itself, by what it was for.
    ("receipts_and_expenses", "re.gifts"): [(-1, f"{IN_2025} AND account = 'Income:Dons'")],
    ("receipts_and_expenses", "re.grants"): [
        (-1, f"{IN_2025} AND {ROLE} = 'grants_receivable' AND number < 0")
    ],
    ("receipts_and_expenses", "by_sub_line", "re.other/sub.sales"): [
        (-1, f"{IN_2025} AND account = 'Assets:Clients' AND {KIND} = 'bank'"),
        (1, f"{IN_2025} AND account = 'Assets:Caisse' AND {KIND} = 'cash-sale'"),
    ],
    ("receipts_and_expenses", "by_sub_line", "re.other/sub.other_income"): [
        (-1, f"{IN_2025} AND {PCMN} ~ '^75'")
    ],
    ("receipts_and_expenses", "ex.services"): [
        (
            1,
            f"{IN_2025} AND {KIND} = 'expense' AND {PCMN} ~ '^61' AND {ROLE} != 'participant_share'",
        ),
        (1, f"{IN_2025} AND {KIND} = 'expense' AND {ROLE} = 'vat_recoverable'"),
    ],
    ("receipts_and_expenses", "by_sub_line", "ex.other/sub.payouts"): [
        (1, f"{IN_2025} AND {ROLE} = 'payouts_pending' AND number > 0"),
        (-1, f"{IN_2025} AND account = 'Assets:Caisse' AND {KIND} = 'payout'"),
    ],
    ("receipts_and_expenses", "by_sub_line", "ex.other/sub.refunds"): [
        (1, f"{IN_2025} AND {ROLE} = 'refunds_due' AND number > 0")
    ],
    ("receipts_and_expenses", "by_sub_line", "ex.other/sub.vat"): [
        (1, f"{IN_2025} AND {ROLE} = 'vat_payable' AND {KIND} = 'settlement'")
    ],
    ("receipts_and_expenses", "by_sub_line", "ex.other/sub.other_charges"): [
        (1, f"{IN_2025} AND {PCMN} ~ '^6[45]'")
    ],
    ("receipts_and_expenses", "liquid_closing"): [(1, f"{AT_END} AND {PCMN} ~ '^5[4-7]'")],
    ("assets_and_debts", "40/41"): [(1, f"{AT_END} AND {PCMN} ~ '^4[01]'")],
    ("assets_and_debts", "54/58"): [(1, f"{AT_END} AND {PCMN} ~ '^5[4-8]'")],
    ("assets_and_debts", "45"): [(-1, f"{AT_END} AND {PCMN} ~ '^45'")],
    ("assets_and_debts", "46, 47/48, 492/3"): [
        (-1, f"{AT_END} AND {PCMN} ~ '^(46|4[78]|49[23])'")
    ],
    ("result_identity", "contributions"): [
        (-1, f"{IN_2025} AND {ROLE} = 'participant_contribution'")
    ],
    ("result_identity", "own_income"): [
        (-1, f"{IN_2025} AND account ~ '^Income:' AND NOT account ~ ':Participants:'")
    ],
    ("result_identity", "own_costs"): [
        (1, f"{IN_2025} AND account ~ '^Expenses:' AND NOT account ~ ':Participants:'")
    ],
    ("result_identity", "participants_costs_paid_by_grants"): [
        (
            1,
            f"{IN_2025} AND {ROLE} = 'participant_costs' AND {KIND} = 'expense' AND str(entry_meta('grant')) != 'None'",
        )
    ],
    ("result_identity", "books_result"): [(-1, f"{IN_2025} AND account ~ '^(Income|Expenses):'")],
    ("appendix", "held_for_participants"): [(-1, f"{AT_END} AND {ROLE} = 'participant_held'")],
    ("appendix", "share_of_open_invoices"): [(-1, f"{AT_END} AND {ROLE} = 'participant_pending'")],
    ("appendix", "payouts_in_transit"): [(-1, f"{AT_END} AND {ROLE} = 'payouts_pending'")],
    ("appendix", "deferred_grants"): [(-1, f"{AT_END} AND {ROLE} = 'deferred_income'")],
}


def _get(figures: dict[str, Any], path: tuple[str, ...]) -> str:
    value: Any = figures
    for key in path:
        value = value[key]
    return str(value["amount"] if isinstance(value, dict) else value)


def _bql(entries: list[Any], options: dict[str, Any], where: str) -> Decimal:
    _types, rows = run_query(entries, options, f"SELECT sum(number) WHERE {where}")
    return rows[0][0] or D(0) if rows else D(0)


@pytest.fixture
def annual(hub: Hub) -> dict[str, Any]:
    return report_ok("annual-accounts", "2025", "--books", str(hub.root), "--json").json()  # type: ignore[no-any-return]


def test_annual_accounts_2025_as_written_by_hand(annual: dict[str, Any]) -> None:
    assert {path: _get(annual, path) for path in EXPECTED} == EXPECTED
    assert annual["model"] == "simplified" and annual["provisional"] is False
    assert annual["result_identity"]["holds"] is True
    assert annual["appendix"]["participants_with_a_balance"] == 3
    (grant,) = annual["appendix"]["grants"]
    assert (grant["grant"], grant["amount"], grant["received"], grant["charged"],
            grant["deferred"]) == ("fondation-test-2025", "1000.00", "1000.00", "350.00",
                                   "650.00")  # fmt: skip
    # Every rubric not written above is empty.
    written = {path[2] for path in EXPECTED if path[0] == "balance_sheet" and len(path) == 3}
    for side in ("assets", "liabilities"):
        for code, line in annual["balance_sheet"][side].items():
            if code not in written:
                assert line["amount"] == "0.00", (side, code)


def test_every_figure_traced_to_a_bean_query(hub: Hub, annual: dict[str, Any]) -> None:
    ledger = hub.books().load(full_history=True)  # 2025 is closed: the full history
    for path, queries in TRACES.items():
        total = sum(
            (sign * _bql(ledger.entries, ledger.options, where) for sign, where in queries), D(0)
        )
        assert f"{total:.2f}" == _get(annual, path), path
    # What the traces do not cover is empty in the books too: no other class 1-5 balance.
    rest = _bql(ledger.entries, ledger.options,
                f"{AT_END} AND {PCMN} ~ '^[1-5]' AND NOT {PCMN} ~ '^(40|41|45|4[78]|49[23]|5[4-8])'")  # fmt: skip
    assert rest == 0
    # The money left and came in: receipts − expenses = what the bank and the cash box moved.
    moved = _bql(ledger.entries, ledger.options, f"{IN_2025} AND {PCMN} ~ '^5[4-7]'")
    figures = annual["receipts_and_expenses"]
    assert D(figures["total_receipts"]) - D(figures["total_expenses"]) == moved


def test_pdf_of_the_closed_year_reads_back(hub: Hub, tmp_path: Path) -> None:
    out = tmp_path / "aa.pdf"
    report_ok("annual-accounts", "2025", "--books", str(hub.root), "--out", str(out))
    reader = PdfReader(out)
    pages = [" ".join(p.extract_text().replace("\u202f", " ").split()) for p in reader.pages]
    text = " ".join(pages)
    assert "PROVISOIRE" not in text
    for words in ("Comptes annuels", "État des recettes et des dépenses", "Bilan",
                  "Compte de résultats", "Identité du résultat", "Annexe", "531,70",
                  "1 502,00", "2 045,00", "Quote-part nette des contributions",
                  "L'identité est vérifiée", "N° d'entreprise 0403.170.701"):  # fmt: skip
        assert words in text, words
    assert all("Hub Test Money ASBL" in page for page in pages)  # the footer of every page


def test_an_open_year_is_provisional_on_every_page(hub: Hub, tmp_path: Path) -> None:
    for fmt in ("pdf", "xlsx"):
        out = tmp_path / f"aa.{fmt}"
        run = report_ok("annual-accounts", "2026", "--books", str(hub.root), "--lang", "nl",
                        "--format", fmt, "--out", str(out))  # fmt: skip
        assert "VOORLOPIG" in run.stderr
    pages = [p.extract_text() for p in PdfReader(tmp_path / "aa.pdf").pages]
    assert len(pages) > 3 and all("VOORLOPIG — boekjaar niet afgesloten" in p for p in pages)
    wb = load_workbook(tmp_path / "aa.xlsx")
    assert all(ws["A3"].value == "VOORLOPIG — boekjaar niet afgesloten" for ws in wb.worksheets)
    figures = report_ok("annual-accounts", "2026", "--books", str(hub.root), "--json").json()
    assert figures["provisional"] is True
    # 2026: contribution 7.20 on I5; the hub's cost 100.00 paid by the deferred grant.
    assert figures["income_statement"]["result"] == "7.20"
    assert (
        figures["result_identity"]["own_income"]
        == figures["result_identity"]["own_costs"]
        == "100.00"
    )
    assert figures["appendix"]["deferred_grants"] == "550.00"


def test_xlsx_one_sheet_per_part_cell_by_cell(hub: Hub, tmp_path: Path) -> None:
    out = tmp_path / "aa.xlsx"
    report_ok("annual-accounts", "2025", "--books", str(hub.root), "--lang", "en",
              "--format", "xlsx", "--out", str(out))  # fmt: skip
    wb = load_workbook(out)
    assert wb.sheetnames == ["summary", "receipts-expenses", "assets-debts", "balance-sheet",
                             "income-statement", "result-identity", "appendix", "size",
                             "traceability"]  # fmt: skip
    bs = wb["balance-sheet"]
    assert bs.freeze_panes == "A6"
    rows = {r[1].value: (r[0].value, r[2].value, r[3].value) for r in bs.iter_rows(min_row=6)}
    assert rows["Cash at bank and in hand"] == ("54/58", "54-58", 1401)
    assert rows["Total assets"][2] == 1502 and rows["Total liabilities"][2] == 1502
    assert bs.cell(row=6, column=4).number_format == "#,##0.00;-#,##0.00;0.00"
    inc = {
        r[1].value: (r[3].value, r[4].value) for r in wb["income-statement"].iter_rows(min_row=6)
    }
    assert inc["Other operating income"] == (35, 0)
    assert inc["of which participants' share (fees to third parties, 613)"] == (375, 340)
    assert inc["Result of the year"] == (531.7, 531.7)
    trace = wb["traceability"]
    accounts = {r[1].value: r[3].value for r in trace.iter_rows(min_row=6) if r[1].value}
    assert accounts["Liabilities:Produits-a-reporter"].startswith("492/3 ")
    assert accounts["Expenses:Participants:P-2M8D4R:Quote-part"].startswith("61 ")


def test_model_declared_in_hub_toml_comes_first(hub_copy: Hub) -> None:
    path = hub_copy.root / "hub.toml"
    path.write_text(
        path.read_text() + '\n[annual_accounts]\nmodel = "micro"\naverage_fte = "1.5"\n'
    )
    import subprocess

    subprocess.run(["git", "-C", str(hub_copy.root), "commit", "-qam", "micro model"], check=True)
    figures = report_ok("annual-accounts", "2025", "--books", str(hub_copy.root), "--json").json()
    assert figures["model"] == "micro" and figures["size"]["figures"]["fte"] == "1.5"
    assert figures["size"]["simplified"]["exceeded"] == 0


def test_defect_a_participant_subtree_that_does_not_net_is_refused(hub_copy: Hub) -> None:
    """A hand edit that breaks the result identity (a participant's sale without its share)
    fails the annual accounts with one line naming her accounts — if the plugin let it
    through; here plugins.money reports it first, and reports refuse books with errors."""
    extra = hub_copy.root / "2025" / "manual.beancount"
    extra.write_text(
        '2025-12-30 * "vente à la main"\n  kind: "manual"\n'
        "  Assets:Clients  10.00 EUR\n  Income:Participants:P-7K3Q9X:Ventes  -10.00 EUR\n"
    )
    main = hub_copy.root / "main.beancount"
    main.write_text(main.read_text() + 'include "2025/manual.beancount"\n')
    run = report("annual-accounts", "2025", "--books", str(hub_copy.root), "--json")
    assert run.code == 1 and run.stdout == ""
    line = run.stderr.strip()
    assert "\n" not in line and line.startswith("coopledger: error: ")
    assert "error" in line and "Traceback" not in run.stderr


def test_the_identity_check_names_the_subtree(hub: Hub) -> None:
    """The check itself, on entries a plugin would refuse: one line naming the code."""
    from beancount.core import data
    from money_builders import bank_entry  # noqa: F401  (the builders' path is set)

    from ledger.entries import posting
    from ledger.errors import InputError
    from reports.annual import compute
    from reports.frame import fold
    from reports.period import Period

    books = hub.books()
    entries = list(books.load().entries)
    broken = data.Transaction(
        data.new_metadata("<test>", 0, {"kind": "manual"}), dt.date(2025, 12, 30), "*", None,
        "vente à la main", frozenset(), frozenset(),
        [posting("Assets:Clients", D("10.00")),
         posting("Income:Participants:P-7K3Q9X:Ventes", D("-10.00"))],
    )  # fmt: skip
    with pytest.raises(InputError, match=r"result identity fails.*P-7K3Q9X"):
        compute(fold([*entries, broken], books.config), Period.of_year(2025))
