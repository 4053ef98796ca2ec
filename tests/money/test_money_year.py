"""The defects of issue 8, each as a regression test through the command line.

Every euro right through the hub's year: a credit note after the money moved, cash, the
year end, a restricted grant, payouts in transit, dates, a cost before any client paid.
Refusals are one line naming what is wrong, and leave the books byte-identical. (Defect 7,
the opening balance of a first statement, belongs to the bank importers: issue 15.)
"""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from cli_hub import CLIENT_IBAN, PAYEE_IBAN, Hub

from ledger.dates import today as calendar_today

D = Decimal
TODAY = calendar_today()
TOMORROW = (TODAY + dt.timedelta(days=1)).isoformat()
YESTERDAY = (TODAY - dt.timedelta(days=1)).isoformat()


def result_of(balances: dict[str, Decimal]) -> Decimal:
    """The hub's result in a trial balance (credit positive)."""
    return -sum((v for a, v in balances.items() if a.startswith(("Income:", "Expenses:"))), D(0))


def test_defect_8_1_credit_note_after_payment_takes_back_the_share(tmp_path: Path) -> None:
    hub = Hub(tmp_path)
    hub.run("cash", "withdraw", "200.00", "--date", "2026-03-01")
    inv = hub.invoice("122.50", "2026-03-03")
    hub.statement(("2026-03-02", "-200.00", {"text": "RETRAIT"}),
                  ("2026-03-10", "122.50", {"ogm": inv["ogm"], "name": "Client Fictif SRL",
                                            "iban": CLIENT_IBAN}))  # fmt: skip
    assert hub.show()["balance"] == "110.25"
    hub.run("payout", hub.code, "100.00", "--method", "cash", "--date", "2026-03-12")

    # She was paid out since: taking back the 110.25 she was credited is refused, with what
    # to do, and nothing changes.
    message = hub.refused("invoice", "credit", inv["number"], "--date", "2026-03-20",
                          "--no-validate", words="--recover-from-participant")  # fmt: skip
    assert "110.25" in message and "10.25" in message

    hub.run("invoice", "credit", inv["number"], "--date", "2026-03-20", "--no-validate",
            "--recover-from-participant")  # fmt: skip
    shown = hub.show()
    assert (shown["balance"], shown["received"], shown["contribution"]) == ("0.00", "0.00", "0.00")
    assert (shown["owed"], shown["pending"]) == ("100.00", "0.00")
    assert shown["movements"][-1]["kind"] == "credit-reversal"

    # The refund to the client: the tool proposes (and books) the credit note's refund.
    hub.statement(("2026-03-21", "-122.50", {"iban": CLIENT_IBAN, "text": "remboursement"}))
    assert hub.json("reconcile", "--list") == {"queue": [], "unallocated": []}
    balances = hub.trial_balance(2026)
    assert result_of(balances) == 0  # the hub refunded 122.50 and keeps nothing of it
    assert balances[f"Assets:Participants-a-recuperer:{hub.code}"] == D("100.00")
    assert "Liabilities:Remboursements-dus" not in balances
    hub.run("check")

    # What she owes is recovered from her next client payment.
    second = hub.invoice("50.00", "2026-04-01")
    hub.pays(second, "2026-04-10")
    shown = hub.show()
    assert (shown["balance"], shown["owed"]) == ("0.00", "55.00")  # 45.00 recovered


def test_defect_8_1_without_a_payout_nothing_stays_held(tmp_path: Path) -> None:
    """The refund assigned with ``return:inv-…`` (the path of the defect) ends right too."""
    hub = Hub(tmp_path)
    inv = hub.invoice("122.50", "2026-03-03")
    hub.pays(inv, "2026-03-10")
    hub.run("invoice", "credit", inv["number"], "--date", "2026-03-20", "--no-validate")
    shown = hub.show()
    assert (shown["balance"], shown["received"], shown["owed"]) == ("0.00", "0.00", "0")
    hub.statement(("2026-03-21", "-122.50", {"iban": CLIENT_IBAN, "text": "retour"}))
    queue = hub.json("reconcile", "--list")["queue"]
    if queue:  # decided by hand as the defect's treasurer did
        hub.run("reconcile", "--assign", queue[0]["ref"], f"return:inv-{inv['number']}")
    assert hub.json("reconcile", "--list") == {"queue": [], "unallocated": []}
    (row,) = hub.json("invoice", "list")
    assert (row["status"], row["outstanding"]) == ("credited", "0.00")
    balances = hub.trial_balance(2026)
    assert result_of(balances) == 0
    assert "Assets:Clients" not in balances and "Liabilities:Remboursements-dus" not in balances
    assert hub.show()["balance"] == "0.00"
    hub.run("check")


def _git_commit_all(root: Path, message: str) -> None:
    subprocess.run(["git", "-C", str(root), "commit", "-qam", message], check=True,
                   capture_output=True)  # fmt: skip


def test_defect_8_2_credit_note_is_computed_from_the_ledger(tmp_path: Path) -> None:
    hub = Hub(tmp_path)
    inv = hub.invoice("25.00", "2026-03-03")
    record = hub.root / "documents" / "invoices" / "2026" / f"{inv['number']}.json"
    original = record.read_text()
    forged = json.loads(original)
    forged["lines"][0]["unit_price"] = forged["lines"][0]["net"] = "2500.00"
    forged["totals"].update(net="2500.00", gross="2500.00")
    forged["totals"]["groups"][0]["base"] = "2500.00"
    record.write_text(json.dumps(forged))
    # Committed behind coopledger's back (an uncommitted edit is refused earlier, as a
    # conflict): the credit is still computed from the ledger, not from the record.
    _git_commit_all(hub.root, "forge the record")
    message = hub.refused("invoice", "credit", inv["number"], "--date", "2026-03-05",
                          "--no-validate", words="does not match invoice")  # fmt: skip
    assert "2026/invoices.beancount:" in message  # the entry that says what was invoiced
    record.write_text(original)
    _git_commit_all(hub.root, "put the record back")

    hub.refused("invoice", "credit", inv["number"], "--line", "Trop|1|30|0", "--date",
                "2026-03-05", "--no-validate", words="exceeds what is left")  # fmt: skip
    hub.run("invoice", "credit", inv["number"], "--line", "Geste|1|10|0", "--date",
            "2026-03-05", "--no-validate")  # fmt: skip
    note = hub.json("invoice", "list")[0]
    assert note["outstanding"] == "15.00"
    hub.refused("invoice", "credit", "NC2026-0001", "--date", "2026-03-06", "--no-validate",
                words="is a credit note")  # fmt: skip

    # A hand edit of the books that credits more than was invoiced is reported where it is.
    books = hub.root / "2026" / "invoices.beancount"
    text = books.read_text()
    head, _, tail = text.partition('credit-note: "NC2026-0001"')
    books.write_text(head + 'credit-note: "NC2026-0001"' + tail.replace("10.00 EUR", "40.00 EUR"))
    check = hub.run("check", ok=False)
    assert check.returncode == 1
    assert "2026/invoices.beancount:" in check.stderr
    assert "credit more than it was issued for" in check.stderr


def test_defect_8_3_the_cash_box_never_goes_below_zero(tmp_path: Path) -> None:
    hub = Hub(tmp_path)
    inv = hub.invoice("200.00", "2026-03-03")
    hub.pays(inv, "2026-03-10")
    hub.refused("payout", hub.code, "50.00", "--method", "cash", "--date", "2026-03-12",
                words="holds only 0.00 EUR")  # fmt: skip
    hub.refused("expense", "add", "--participant", hub.code, "--amount", "20", "--description",
                "ingrédients", "--paid-from", "cash", "--date", "2026-03-12",
                words="20.00 EUR in cash")  # fmt: skip
    hub.run("cash", "withdraw", "100.00", "--date", "2026-03-11")
    hub.run("payout", hub.code, "50.00", "--method", "cash", "--date", "2026-03-12")
    hub.refused("expense", "add", "--amount", "60", "--description", "fournitures",
                "--paid-from", "cash", "--date", "2026-03-13", words="holds only 50.00 EUR")  # fmt: skip
    hub.refused("cash", "count", "beaucoup", "--date", "2026-03-14", words="AMOUNT: not an amount")
    counted = hub.json("cash", "count", "45.00", "--date", "2026-03-14")
    assert (counted["books"], counted["difference"]) == ("50.00", "-5.00")
    book = hub.json("cash", "book")
    assert [r["balance"] for r in book][-1] == "45.00"
    hub.run("check")

    # A hand edit that takes more out of the box than was in it: reported where it is.
    payouts = hub.root / "2026" / "payouts.beancount"
    text = payouts.read_text()
    assert text.count("50.00 EUR") == 2  # the payout's two postings
    payouts.write_text(text.replace("50.00 EUR", "500.00 EUR"))
    check = hub.run("check", ok=False)
    assert "2026/payouts.beancount:" in check.stderr and "the cash box would hold" in check.stderr


def test_a_year_with_a_negative_cash_day_is_not_closed(tmp_path: Path) -> None:
    hub = Hub(tmp_path, start="2025-01-01")
    inv = hub.invoice("200.00", "2025-03-03")
    hub.pays(inv, "2025-03-10")
    hub.run("cash", "withdraw", "100.00", "--date", "2025-03-11")
    hub.statement(("2025-03-11", "-100.00", {"text": "RETRAIT"}))
    hub.run("payout", hub.code, "50.00", "--method", "cash", "--date", "2025-03-12")
    payouts = hub.root / "2025" / "payouts.beancount"
    payouts.write_text(payouts.read_text().replace("50.00 EUR", "150.00 EUR"))  # by hand
    _git_commit_all(hub.root, "a hand edit, committed behind coopledger's back")
    message = hub.refused("close-year", "2025", words="the cash box ends 2025-03-12")
    assert "-50.00 EUR" in message
    dry = hub.run("close-year", "2025", "--dry-run", "--json", ok=False)
    assert dry.returncode == 1  # something blocks it
    assert any("error(s)" in line for line in json.loads(dry.stdout)["blockers"])


def test_defect_8_4_the_share_of_open_invoices_is_never_the_hubs(tmp_path: Path) -> None:
    hub = Hub(tmp_path, start="2025-01-01")
    unpaid = hub.invoice("300.00", "2025-11-03")
    paid = hub.invoice("200.00", "2025-11-04")
    hub.pays(paid, "2025-11-20")
    balances = hub.trial_balance(2025)
    assert result_of(balances) == D("20.00")  # its contribution, nothing of the open 300.00
    assert balances[f"Liabilities:Quotes-parts-en-attente:{hub.code}"] == D("-300.00")
    plan = hub.run("close-year", "2025", "--dry-run")
    assert "would book 0 entry(ies)" in plan.stdout and "Nothing blocks it" in plan.stdout
    closed = hub.json("close-year", "2025")
    assert closed["result"] == "20.00"  # no cut-off entry was needed
    hub.pays(unpaid, "2026-01-15")
    assert result_of(hub.trial_balance(2026)) == D("30.00")  # its contribution, in 2026
    hub.run("check")


def test_defect_8_5_a_restricted_grant_is_income_as_it_is_spent(tmp_path: Path) -> None:
    hub = Hub(tmp_path, start="2025-01-01")
    hub.run("grant", "add", "fondation-test", "--amount", "1000", "--date", "2025-02-01",
            "--restricted")  # fmt: skip
    hub.statement(("2025-02-10", "1000.00", {"name": "Fondation Test", "iban": PAYEE_IBAN,
                                             "text": "subside fondation-test-2025"}))  # fmt: skip
    cost = hub.json("expense", "add", "--amount", "300", "--description", "formation",
                    "--grant", "fondation-test-2025", "--date", "2025-03-01")  # fmt: skip
    hub.statement(("2025-03-05", "-300.00", {"text": cost["expense"]}))
    plan = hub.json("close-year", "2025", "--dry-run")
    assert plan["blockers"] == [] and [e["kind"] for e in plan["entries"]] == ["grant-deferral"]
    assert plan["entries"][0]["amount"] == "700.00"
    hub.run("close-year", "2025")
    balances = hub.trial_balance(2025)
    assert balances["Income:Subsides:Fondation-test"] == D("-300.00")
    assert balances["Liabilities:Produits-a-reporter"] == D("-700.00")
    assert result_of(balances) == 0  # the grant paid exactly the year's cost
    hub.run("expense", "add", "--amount", "200", "--description", "atelier", "--grant",
            "fondation-test-2025", "--date", "2026-01-10")  # fmt: skip
    later = hub.trial_balance(2026)
    assert later["Income:Subsides:Fondation-test"] == D("-200.00")  # released as spent
    assert later["Liabilities:Produits-a-reporter"] == D("-500.00")
    assert hub.json("grant", "report", "fondation-test-2025")["deferred"] == "500.00"


def test_defect_8_6_payouts_in_transit_are_not_in_suspense(tmp_path: Path) -> None:
    hub = Hub(tmp_path, start="2025-01-01")
    inv = hub.invoice("200.00", "2025-11-03")
    hub.pays(inv, "2025-11-20")
    hub.run("payout", hub.code, "100.00", "--method", "bank", "--date",
            "2025-12-20")  # fmt: skip
    hub.statement(("2025-12-22", "45.00", {"name": "Inconnu Fictif", "text": "merci"}))
    message = hub.refused("close-year", "2025", words="45.00 EUR of 2025 still waits")
    assert "suspense" in message
    assert hub.run("close-year", "2025", "--dry-run", ok=False).returncode == 1
    ref = hub.json("reconcile", "--list")["queue"][0]["ref"]
    hub.run("reconcile", "--assign", ref, "gifts")
    hub.run("close-year", "2025")
    rows = {r["account"]: r for r in hub.json("trial-balance", "2025")}
    assert rows["Liabilities:Virements-a-executer"]["pcmn"] == "489"
    assert rows["Liabilities:Virements-a-executer"]["credit"] == "100.00"
    assert not any(r["pcmn"] == "499" for r in rows.values())


def test_defect_8_8_one_dates_policy_for_every_command(tmp_path: Path) -> None:
    hub = Hub(tmp_path)
    inv = hub.invoice("200.00", "2026-03-03")
    hub.pays(inv, "2026-03-10")
    hub.run("cash", "withdraw", "100.00", "--date", "2026-03-11")
    for args in (
        ("payout", hub.code, "10", "--method", "cash"),
        ("payout", hub.code, "10", "--method", "bank"),
        ("expense", "add", "--amount", "5", "--description", "x", "--paid-from", "cash"),
        ("grant", "add", "fondation-test", "--amount", "100"),
        ("cash", "withdraw", "10"),
        ("cash", "sale", "10", "--participant", hub.code),
        ("cash", "count", "100"),
        ("participant", "add", "--activity", "couture"),
        (
            "invoice",
            "issue",
            "--participant",
            hub.code,
            "--client",
            hub.client,
            "--line",
            "x|1|10|0",
            "--no-validate",
        ),
    ):
        hub.refused(*args, "--date", TOMORROW, words=f"--date {TOMORROW} is in the future")
    hub.run("payout", hub.code, "50.00", "--method", "bank", "--date",
            "2026-03-12")  # fmt: skip
    out = tmp_path / "sepa.xml"
    hub.refused("payout", "export", "--out", str(out),
                "--date", YESTERDAY, words=f"--date {YESTERDAY} is in the past")  # fmt: skip
    assert not out.exists()
    hub.run("payout", "export", "--out", str(out),
            "--date", TOMORROW)  # fmt: skip
    assert f"<ReqdExctnDt>{TOMORROW}</ReqdExctnDt>" in out.read_text()


def test_defect_8_9_a_cost_before_any_payment_is_charged_later(tmp_path: Path) -> None:
    hub = Hub(tmp_path)
    hub.run("cash", "withdraw", "100.00", "--date", "2026-02-01")
    hub.refused("expense", "add", "--participant", hub.code, "--amount", "30", "--description",
                "matériel", "--paid-from", "cash", "--date", "2026-02-03",
                words="--charge-later")  # fmt: skip
    hub.run("expense", "add", "--participant", hub.code, "--amount", "30", "--description",
            "matériel", "--paid-from", "cash", "--date", "2026-02-03", "--charge-later")  # fmt: skip
    shown = hub.show()
    assert (shown["balance"], shown["owed"], shown["costs_charged"]) == ("0", "30.00", "30.00")
    inv = hub.invoice("100.00", "2026-02-10")
    hub.pays(inv, "2026-02-20")
    shown = hub.show()
    assert (shown["balance"], shown["owed"]) == ("60.00", "0.00")  # 90.00 − 30.00 recovered
    payment = next(m for m in shown["movements"] if m["kind"] == "payment")
    assert payment["owed"] == "-30.00"
    hub.refused("payout", hub.code, "60.01", "--method", "cash", "--date", "2026-02-21",
                words="more than the 60.00 EUR held")  # fmt: skip
    hub.run("check")


@pytest.mark.parametrize(
    ("kind", "edits", "words"),
    [
        # an allocation's contribution lowered (and the balance held raised to match)
        ("payments", [("Liabilities:Participants:{code}", "20.00", "2.00"),
                      ("Income:Participants:{code}:Contribution", "-20.00", "-2.00")],
         "moves 200.00 EUR received and 2.00 EUR"),
        # a sale's share left out of what the participant is owed: the hub keeps it
        ("invoices", [("Expenses:Participants:{code}:Quote-part", "200.00", "150.00"),
                      ("Liabilities:Quotes-parts-en-attente:{code}", "-200.00", "-150.00")],
         "in the hub's result"),
    ],
)  # fmt: skip
def test_a_hand_edit_breaking_an_invariant_is_reported_with_its_file_and_line(
    tmp_path: Path, kind: str, edits: list[tuple[str, str, str]], words: str
) -> None:
    hub = Hub(tmp_path)
    inv = hub.invoice("200.00", "2026-03-03")
    hub.pays(inv, "2026-03-10")
    path = hub.root / "2026" / f"{kind}.beancount"
    text = path.read_text()
    for account, old, new in edits:
        pattern = rf"({re.escape(account.format(code=hub.code))}\s+){re.escape(old)} EUR"
        text, count = re.subn(pattern, rf"\g<1>{new} EUR", text, count=1)
        assert count == 1, (pattern, text)
    path.write_text(text)
    check = hub.run("check", ok=False)
    assert check.returncode == 1
    assert f"2026/{kind}.beancount:" in check.stderr and words in check.stderr, check.stderr


def test_the_cash_book_through_the_command_line(tmp_path: Path) -> None:
    """Cash taken from the bank, a cash sale, an invoice paid in cash in two parts, a
    deposit matched on the statement, a count: every line of the cash book, and the
    participant's share of each."""
    hub = Hub(tmp_path)
    withdrawn = hub.json("cash", "withdraw", "150.00", "--date", "2026-04-01")
    sale = hub.json("cash", "sale", "40.00", "--participant", hub.code, "--description",
                    "marché", "--date", "2026-04-02")  # fmt: skip
    assert sale["contribution"] == "4.00"
    inv = hub.invoice("60.00", "2026-04-03")
    hub.json("invoice", "pay", inv["number"], "--cash", "--amount", "20.00", "--date",
             "2026-04-04")  # fmt: skip
    hub.refused("invoice", "pay", inv["number"], "--cash", "--amount", "40.01", "--date",
                "2026-04-05", words="more than the 40.00 EUR still due")  # fmt: skip
    hub.refused("invoice", "pay", inv["number"], "--date", "2026-04-05", words="--cash")
    hub.json("invoice", "pay", inv["number"], "--cash", "--date", "2026-04-05")
    assert hub.json("invoice", "list")[0]["status"] == "paid"
    deposit = hub.json("cash", "deposit", "100.00", "--date", "2026-04-06")
    shown = hub.show()
    assert (shown["balance"], shown["received"], shown["contribution"]) == ("90.00", "100.00",
                                                                            "10.00")  # fmt: skip
    # The statement: the withdrawal's debit a day later (matched by itself), the deposit
    # with its id typed by the bank clerk (matched by itself too).
    hub.statement(("2026-04-02", "-150.00", {"text": "RETRAIT BANCONTACT"}),
                  ("2026-04-07", "100.00", {"text": f"VERSEMENT {deposit['cash']}"}))  # fmt: skip
    assert hub.json("reconcile", "--list") == {"queue": [], "unallocated": []}
    balances = hub.trial_balance(2026)
    assert "Assets:Virements-internes" not in balances  # both transfers settled
    assert balances["Assets:Caisse"] == D("150.00") + D("40.00") + D("60.00") - D("100.00")
    book = hub.json("cash", "book")
    assert [r["id"] for r in book] == [withdrawn["cash"], sale["cash"], "CASH-2026-0003",
                                       "CASH-2026-0004", deposit["cash"]]  # fmt: skip
    count = hub.json("cash", "count", "150.00", "--date", "2026-04-08")
    assert count["difference"] == "0.00"
    hub.run("check")
