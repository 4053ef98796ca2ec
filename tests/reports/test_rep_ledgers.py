"""``report general-ledger`` and ``report journals``: every movement with its running
balance; journals numbered without gaps, the same numbers as the auditor's export.

The report hub's 2025 journals, by hand (report_hub.py): sales VEN = I1, I2, its credit
note, I3, I4 (5 entries); purchases ACH = the four costs; cash CAI = the withdrawal's cash
side, the cash sale, the cash payout, the cash difference (4); the bank BQ1 = the 13 bank
lines (G-01, W-01, S-01, B-01, B-02, R-01, D-01, D-02, D-03, B-03, V-01, F-01, I-01); the
rest (allocations, settlements, the grant, the payouts ordered, the deferral…) is OD.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

from openpyxl import load_workbook
from report_support import Hub, report_ok
from tests_support import run_cli


def _csv(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))


def test_journals_2025_by_hand(hub: Hub, tmp_path: Path) -> None:
    figures = report_ok("journals", "--books", str(hub.root), "--year", "2025", "--json").json()
    entries = {j["journal"]: j["entries"] for j in figures["journals"]}
    assert entries["VEN"] == 5 and entries["ACH"] == 4 and entries["CAI"] == 4
    assert entries["BQ1"] == 13
    assert "AN" not in entries  # the first year opens with nothing
    assert all(j["debit"] == j["credit"] for j in figures["journals"])
    out = tmp_path / "j.csv"
    report_ok("journals", "--books", str(hub.root), "--year", "2025", "--format", "csv",
              "--out", str(out))  # fmt: skip
    rows = _csv(out)
    numbers: dict[str, list[int]] = defaultdict(list)
    for r in rows:
        n = int(r["number"])
        if not numbers[r["journal"]] or numbers[r["journal"]][-1] != n:
            numbers[r["journal"]].append(n)
    assert all(ns == list(range(1, len(ns) + 1)) for ns in numbers.values())
    sales = [r for r in rows if r["journal"] == "VEN"]
    assert [r["piece"] for r in sales if r["account"] == "Assets:Clients"] == [
        "2025-0001", "2025-0002", "NC2025-0001", "2025-0003", "2025-0004"
    ]  # fmt: skip
    first = next(r for r in sales if r["piece"] == "2025-0001")
    assert first["documents"].split() == [
        "documents/invoices/2025/2025-0001.pdf", "documents/invoices/2025/2025-0001.xml"
    ]  # fmt: skip
    assert first["narration"].startswith("Invoice 2025-0001")
    receipt = next(r for r in rows if r["piece"] == "exp-2025-0002")
    assert (
        receipt["journal"] == "ACH"
        and "documents/receipts/2025/exp-2025-0002.pdf" in receipt["documents"]
    )


def test_the_opening_journal_of_2026(hub: Hub) -> None:
    figures = report_ok("journals", "--books", str(hub.root), "--year", "2026", "--json").json()
    journals = {j["journal"]: j for j in figures["journals"]}
    # Opening balances: every balance-sheet account of 31/12/2025 and the retained result.
    assert journals["AN"]["debit"] == journals["AN"]["credit"] == "1502.00"
    assert next(iter(journals)) == "AN"


def test_journals_share_their_numbers_with_the_audit_export(hub: Hub, tmp_path: Path) -> None:
    proc = run_cli(["audit", "export", "--books", str(hub.root), "--tag", "close-2025",
                    "--out", str(tmp_path / "audit")])  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    with (tmp_path / "audit" / "journal.tsv").open(encoding="utf-8") as handle:
        audit = [r for r in csv.DictReader(handle, delimiter="\t") if r["JournalCode"] != "AN"]
    out = tmp_path / "j.csv"
    report_ok("journals", "--books", str(hub.root), "--year", "2025", "--format", "csv",
              "--out", str(out))  # fmt: skip

    def key(
        journal: str, number: str, piece: str, account: str, debit: str, credit: str
    ) -> tuple[str, ...]:
        return (
            journal,
            number,
            piece,
            account,
            f"{Decimal(debit or 0):.2f}",
            f"{Decimal(credit or 0):.2f}",
        )

    ours = sorted(key(r["journal"], r["number"], r["piece"], r["account"], r["debit"], r["credit"])
                  for r in _csv(out))  # fmt: skip
    theirs = sorted(key(r["JournalCode"], r["EcritureNum"], r["PieceRef"], r["Compte"],
                        r["Debit"], r["Credit"]) for r in audit)  # fmt: skip
    assert ours == theirs


def test_general_ledger_runs_every_account_to_its_balance(hub: Hub, tmp_path: Path) -> None:
    figures = report_ok(
        "general-ledger", "--books", str(hub.root), "--year", "2025", "--json"
    ).json()
    cash = next(a for a in figures["accounts"] if a["account"] == "Assets:Caisse")
    # 300 in, 24.20 out, 60.50 in, 35 out, 30 out, 1.30 out: six movements, 270.00.
    assert (cash["opening"], cash["debit"], cash["credit"], cash["closing"], cash["movements"]) == (
        "0.00", "360.50", "90.50", "270.00", 6
    )  # fmt: skip
    out = tmp_path / "gl.xlsx"
    report_ok("general-ledger", "--books", str(hub.root), "--year", "2025", "--out", str(out))
    ws = load_workbook(out)["general-ledger"]
    lines = [
        [c.value for c in r] for r in ws.iter_rows(min_row=6) if r[1].value == "Assets:Caisse"
    ]
    balances = [line[10] for line in lines]
    assert balances == [0, 300, 275.8, 336.3, 301.3, 271.3, 270, 270]
    assert lines[1][3] == "CAI" and lines[1][2].date().isoformat() == "2025-01-10"
    assert ws.cell(row=7, column=3).number_format == "yyyy-mm-dd"
