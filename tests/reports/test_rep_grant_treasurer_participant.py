"""``report grant``, ``report treasurer`` and ``report participant`` on the report hub.

Grant fondation-test-2025 (restricted, 1,000.00, received 02-05), by hand:
  2025  the hub's training 300.00 (EXP-2025-0002, with its receipt), P3's fabric 50.00
        (EXP-2025-0003): spent 350.00; deferred at the close 650.00; remaining 650.00
  2026  the hub's rent 100.00 (EXP-2026-0001): spent 450.00 in all; 550.00 remaining
Treasurer, December 2025: bank 1131.00 in the books; invoice I4 (96.80, due 2025-09-04)
  overdue; nothing waits for review; cash 270.00, counted 270.00 on 06-30 (over a month
  ago: count it); the payout PO-2025-0003 of 40.00 to P2 in transit; 2025 closed.
Participant P1 (P-7K3Q9X), 2025: invoiced 100 + 80 = 180.00; her clients paid 100.00;
  contribution 10.00 (10 %); her costs 20.00; paid out 50.00; the hub keeps 20.00; her
  share of the unpaid I4, 80.00, still to come.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from money_builders import TODAY
from openpyxl import load_workbook
from pypdf import PdfReader
from report_support import Hub, report, report_ok

from ledger.money.grants import add_grant


def _text(path: Path) -> str:
    return " ".join(
        " ".join(p.extract_text().replace("\u202f", " ").split()) for p in PdfReader(path).pages
    )


def test_grant_report_by_hand(hub: Hub) -> None:
    figures = report_ok("grant", "fondation-test-2025", "--books", str(hub.root), "--year",
                        "2025", "--json").json()  # fmt: skip
    (g,) = figures["grants"]
    assert {k: g[k] for k in ("granted", "received", "spent_before", "spent_period", "spent",
                              "deferred", "remaining")} == {
        "granted": "1000.00", "received": "1000.00", "spent_before": "0.00",
        "spent_period": "350.00", "spent": "350.00", "deferred": "650.00", "remaining": "650.00",
    }  # fmt: skip
    assert g["by_category"] == {"61 Coûts de l'activité": "50.00", "61 Services": "300.00"}
    assert g["by_activity"] == {"P-9H6T1W (catering)": "50.00", "le hub (coûts communs)": "300.00"}
    assert [(c["expense"], c["amount"], c["receipt"]) for c in g["costs"]] == [
        ("EXP-2025-0002", "300.00", "documents/receipts/2025/exp-2025-0002.pdf"),
        ("EXP-2025-0003", "50.00", ""),
    ]
    later = report_ok("grant", "--books", str(hub.root), "--year", "2026", "--json").json()
    (g,) = later["grants"]
    assert (g["spent_before"], g["spent_period"], g["remaining"], g["deferred"]) == (
        "350.00",
        "100.00",
        "550.00",
        "550.00",
    )


def test_several_grants_side_by_side(hub_copy: Hub, tmp_path: Path) -> None:
    books = hub_copy.books()
    add_grant(books, "commune-test", "400.00", dt.date(2026, 3, 1), purpose="local",
              today=TODAY)  # fmt: skip
    out = tmp_path / "g.xlsx"
    report_ok("grant", "--books", str(hub_copy.root), "--year", "2026", "--lang", "en",
              "--out", str(out))  # fmt: skip
    wb = load_workbook(out)
    assert wb.sheetnames == ["summary", "fondation-test-2025", "commune-test-2026"]
    ws = wb["summary"]
    assert [c.value for c in ws[5]] == ["Label", "fondation-test-2025", "commune-test-2026"]
    rows = {r[0].value: (r[1].value, r[2].value) for r in ws.iter_rows(min_row=6)}
    assert rows["Granted"] == (1000, 400) and rows["Received"] == (1000, 0)
    assert rows["Remaining"] == (550, 400)
    pdf = tmp_path / "g.pdf"
    report_ok("grant", "--books", str(hub_copy.root), "--year", "2026", "--lang", "en",
              "--format", "pdf", "--out", str(pdf))  # fmt: skip
    text = _text(pdf)
    assert "Grant report" in text and "commune-test-2026" in text and "fondation-test-2025" in text
    assert "never a name" in text


def test_treasurer_december_2025(hub: Hub, tmp_path: Path) -> None:
    f = report_ok("treasurer", "--books", str(hub.root), "--month", "2025-12", "--json").json()
    assert f["banks"] == [{"journal": "BQ1", "account": "Assets:Banque:Courant",
                           "books": "1131.00", "statement_date": "", "bank": None,
                           "difference": None}]  # fmt: skip
    assert [
        (i["number"], i["status"], i["outstanding"], i["participant"]) for i in f["open_invoices"]
    ] == [("2025-0004", "overdue", "96.80", "P-7K3Q9X")]
    assert f["review"] == {"waiting": [], "unallocated": []}
    assert f["cash"] == {"books": "270.00", "last_count": {"date": "2025-06-30", "counted": "270.00",
                                                           "books_then": "270.00"}}  # fmt: skip
    assert f["payouts_in_transit"] == [{"payout": "PO-2025-0003", "date": "2025-12-20",
                                        "participant": "P-2M8D4R", "amount": "40.00"}]  # fmt: skip
    assert f["close"] == {"year": 2025, "closed": True, "blockers": []}
    assert f["month"]["total_receipts"] == "0.50" and f["month"]["total_expenses"] == "0.00"
    out = tmp_path / "t.pdf"
    report_ok("treasurer", "--books", str(hub.root), "--month", "2025-12", "--out", str(out))
    text = _text(out)
    for words in ("Rapport du trésorier", "1 facture(s) en retard, pour 96,80 EUR",
                  "Aucun comptage de caisse depuis plus d'un mois", "PO-2025-0003", "…8976",
                  "2025 est clôturé et scellé"):  # fmt: skip
        assert words in text, words


def test_treasurer_january_2026(hub: Hub) -> None:
    f = report_ok("treasurer", "--books", str(hub.root), "--month", "2026-01", "--json").json()
    # I5 was paid on 01-20; I4 of 2025 is still open, overdue.
    assert [(i["number"], i["status"]) for i in f["open_invoices"]] == [("2025-0004", "overdue")]
    assert f["payouts_in_transit"] == []
    # January: I5 paid (72.60 in), the payout debited (40.00 out).
    assert (f["month"]["total_receipts"], f["month"]["total_expenses"]) == ("72.60", "40.00")


def test_participant_year_in_three_languages(hub: Hub, tmp_path: Path) -> None:
    f = report_ok("participant", "P-7K3Q9X", "--books", str(hub.root), "--year", "2025",
                  "--json").json()  # fmt: skip
    assert {k: f[k] for k in ("invoiced", "received", "contribution", "costs", "payouts",
                              "held_closing", "pending_closing", "owed_closing")} == {
        "invoiced": "180.00", "received": "100.00", "contribution": "10.00", "costs": "20.00",
        "payouts": "50.00", "held_closing": "20.00", "pending_closing": "80.00",
        "owed_closing": "0.00",
    }  # fmt: skip
    assert f["summary"] == [
        "En 2025, le hub a facturé 180,00 EUR à vos clients pour votre travail (sans la TVA).",
        "Vos clients ont payé 100,00 EUR (sans la TVA).",
        "Le hub a gardé 10,00 EUR comme contribution, soit 10,0 % de ce que vos clients ont payé.",
        "Le hub a payé 20,00 EUR de coûts pour votre activité, repris sur votre argent.",
        "Le hub vous a versé 50,00 EUR.",
        "Le 31 décembre 2025, le hub garde 20,00 EUR pour vous.",
        "Vos clients doivent encore payer des factures : votre part, 80,00 EUR, vous reviendra "
        "quand ils paieront.",
    ]
    for lang, words in (("nl", "Op 31 december 2025 houdt de hub 20,00 EUR voor je bij."),
                        ("en", "On 31 December 2025, the hub keeps 20.00 EUR for you.")):  # fmt: skip
        out = tmp_path / f"p-{lang}.pdf"
        report_ok("participant", "P-7K3Q9X", "--books", str(hub.root), "--year", "2025",
                  "--lang", lang, "--out", str(out))  # fmt: skip
        text = _text(out)
        assert words in text and "P-7K3Q9X" in text


def test_participant_with_a_payout_in_transit_and_a_cost_charged_later(hub: Hub) -> None:
    p2 = report_ok("participant", "P-2M8D4R", "--books", str(hub.root), "--year", "2025",
                   "--lang", "en", "--json").json()  # fmt: skip
    assert "40.00 EUR of it is still on its way to your account." in p2["summary"]
    p3 = report_ok("participant", "P-9H6T1W", "--books", str(hub.root), "--year", "2025",
                   "--json").json()  # fmt: skip
    # Her 35.00 of material was charged later and recovered from I3: a cost like any other.
    assert (p3["costs"], p3["received"], p3["held_closing"]) == ("35.00", "100.00", "25.00")


def test_unknown_participant_and_grant_are_one_line(hub: Hub) -> None:
    run = report("participant", "P-ZZZZZZ", "--books", str(hub.root), "--year", "2025")
    assert run.code == 1 and run.stderr == "coopledger: error: unknown participant P-ZZZZZZ\n"
    run = report("grant", "fondation-nope-2025", "--books", str(hub.root), "--year", "2025")
    assert run.code == 1 and run.stderr == (
        "coopledger: error: no grant (what was typed is not repeated) in the books (see 'coopledger grant list')\n"
    )
