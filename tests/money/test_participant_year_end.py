"""The close of a year in which a participant was closed, through the CLI.

A participant closed during the year (``participant close CODE --date D``) has every
account closed on ``D``: nothing reaches her after it. The year's close still counts her
sales, share, costs and contribution in the year's result, and carries her accounts'
balances on ``D`` (``carried.beancount``), balanced by the retained result until 31
December, where the carried totals take it back: the live books and the full history hold
the same balances on every close date. All data is fictional.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from cli_hub import Hub
from tests_support import old_layout

from ledger.dates import today as calendar_today
from ledger.integrity.carried import balances
from ledger.loader import load_ledger

Y0 = calendar_today().year - 2
Y1 = Y0 + 1
RETAINED = "Equity:Resultat-reporte"


def same_balances(root: Path, day: dt.date) -> dict[Any, Decimal]:
    """The balances of the live books on ``day``, which must be the full history's."""
    live = load_ledger(root / "main.beancount")
    full = load_ledger(root / "main.beancount", full_history=True)
    assert live.errors == [] and full.errors == []
    now = {k: v for k, v in balances(live.entries, day).items() if v}
    then = {k: v for k, v in balances(full.entries, day).items() if v}
    assert now == then
    return now


def postings_of(root: Path, code: str, *, full: bool = False) -> list[tuple[dt.date, str]]:
    """Every posting to one of ``code``'s accounts: its day, its account."""
    ledger = load_ledger(root / "main.beancount", full_history=full)
    return [
        (e.date, p.account)
        for e in ledger.entries
        if type(e).__name__ == "Transaction"
        for p in e.postings
        if code in p.account
    ]


def carried_on(root: Path, day: dt.date) -> set[str]:
    """The accounts the carried balances post on ``day`` (in the live books)."""
    ledger = load_ledger(root / "main.beancount")
    return {
        p.account
        for e in ledger.entries
        if type(e).__name__ == "Transaction" and e.date == day and e.meta.get("kind") == "carried"
        and str(e.meta.get("filename", "")).endswith("carried.beancount")
        for p in e.postings
    }  # fmt: skip


def result(trial: dict[str, Decimal]) -> Decimal:
    """The year's result (a profit is positive) from a trial balance."""
    return -sum((v for a, v in trial.items() if a.startswith(("Income", "Expenses"))), Decimal(0))


def annual(hub: Hub, year: int) -> Any:
    """The annual accounts' figures (provisional until the year is closed)."""
    figures = hub.json("report", "annual-accounts", str(year))
    figures.pop("provisional")
    return figures


def add_participant(hub: Hub, day: str) -> str:
    return str(hub.run("participant", "add", "--activity", "couture", "--date",
                       day).stdout.strip().splitlines()[-1])  # fmt: skip


def invoice_for(hub: Hub, code: str, amount: str, day: str) -> dict[str, Any]:
    return hub.json("invoice", "issue", "--participant", code, "--client", hub.client,  # type: ignore[no-any-return]
                    "--line", f"Prestation fictive|1|{amount}|0", "--date", day,
                    "--no-validate")  # fmt: skip


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Hub:
    """Y0: the hub's participant invoices 200.00, is paid, paid out in cash to zero and
    closed on Y0-03-31; a second one invoices 100.00 (paid) and stays. Not closed yet."""
    hub = Hub(tmp_path_factory.mktemp("closed-in-year"), start=f"{Y0}-01-01")
    inv = hub.her_invoice = hub.invoice("200.00", f"{Y0}-03-03")  # type: ignore[attr-defined]
    hub.pays(inv, f"{Y0}-03-10")
    hub.run("cash", "withdraw", "180.00", "--date", f"{Y0}-03-11")
    hub.run("payout", hub.code, "180.00", "--method", "cash", "--date", f"{Y0}-03-12")
    hub.run("participant", "close", hub.code, "--date", f"{Y0}-03-31")
    hub.other = add_participant(hub, f"{Y0}-02-01")  # type: ignore[attr-defined]
    other = invoice_for(hub, hub.other, "100.00", f"{Y0}-05-02")  # type: ignore[attr-defined]
    hub.pays(other, f"{Y0}-05-20")
    hub.trial_y0 = hub.trial_balance(Y0)  # type: ignore[attr-defined]
    hub.annual_y0 = annual(hub, Y0)  # type: ignore[attr-defined]
    return hub


def test_the_year_closes_with_her_activity_in_its_result(hub: Hub) -> None:
    before: dict[str, Decimal] = hub.trial_y0  # type: ignore[attr-defined]
    # Her accounts are in the year's trial balance, as the other participant's are.
    assert before[f"Income:Participants:{hub.code}:Ventes"] == Decimal("-200.00")
    assert before[f"Income:Participants:{hub.code}:Contribution"] == Decimal("-20.00")
    assert before[f"Expenses:Participants:{hub.code}:Quote-part"] == Decimal("200.00")
    plan = hub.json("year", "plan", str(Y0))
    assert plan["blockers"] == []
    summary = hub.json("year", "close", str(Y0))
    # 20.00 of her contribution and 10.00 of the other participant's: the year's result.
    assert Decimal(summary["result"]) == result(before) == Decimal("30.00")
    assert Decimal(summary["income"]) == Decimal("330.00")
    hub.run("books", "check")
    hub.run("books", "check", "--all-years")
    verified = hub.run("audit", "verify")
    assert "verified: nothing sealed or issued has changed" in verified.stdout


def test_nothing_reaches_her_after_her_close(hub: Hub) -> None:
    """In the live books (the carried balances) as in the full history, her last posting
    is on her close; the balances on 31 December are the full history's."""
    close = dt.date(Y0, 3, 31)
    live = [day for day, _account in postings_of(hub.root, hub.code)]
    assert max(live) == close  # her balances, carried on her day
    full = [day for day, _account in postings_of(hub.root, hub.code, full=True)]
    assert max(full) == dt.date(Y0, 3, 12)  # her payout, the last entry of hers
    assert carried_on(hub.root, close) == {
        f"Income:Participants:{hub.code}:Ventes", f"Income:Participants:{hub.code}:Contribution",
        f"Expenses:Participants:{hub.code}:Quote-part", RETAINED,
    }  # fmt: skip
    now = same_balances(hub.root, dt.date(Y0, 12, 31))
    assert now[(f"Income:Participants:{hub.code}:Ventes", "EUR")] == Decimal("-200.00")
    assert (RETAINED, "EUR") not in now  # the balance on her close is taken back on 31/12
    same_balances(hub.root, calendar_today())
    # A write for her is refused in one line, books unchanged.
    hub.refused("invoice", "issue", "--participant", hub.code, "--client", hub.client,
                "--line", "Prestation fictive|1|10.00|0", "--date", f"{Y1}-01-10",
                "--no-validate", words=f"closed since {Y0}-03-31")  # fmt: skip


def test_reports_of_the_closed_year_are_unchanged_by_its_close(hub: Hub) -> None:
    assert hub.trial_balance(Y0) == hub.trial_y0  # type: ignore[attr-defined]
    assert annual(hub, Y0) == hub.annual_y0  # type: ignore[attr-defined]
    shown = hub.show()
    assert (shown["status"], shown["sales"], shown["balance"]) == ("closed", "200.00", "0.00")
    # The next year starts from the result of Y0 on the retained result (14).
    opening = hub.trial_balance(Y1)
    assert opening[RETAINED] == -result(hub.trial_y0)  # type: ignore[attr-defined]
    assert not any(hub.code in account for account in opening)


def test_the_next_year_closes_with_a_participant_closed_in_it_after_the_close(hub: Hub) -> None:
    """Y1: the invoice of the participant closed in Y0 (settled in Y0) is credited by 20.00,
    the hub bearing it (her entries of Y0 recalled into the live books, on their days); the
    other participant (there before the close of Y0, her accounts carried on 31 December)
    invoices again, is paid out to zero and closed on Y1-06-30; then Y1 closes, with the
    participant closed in Y0 still carried on her own day."""
    number = hub.her_invoice["number"]  # type: ignore[attr-defined]
    hub.run("invoice", "credit", number, "--date", f"{Y1}-01-20", "--no-validate",
            "--hub-bears", "--line", "Correction fictive|1|20.00|0")  # fmt: skip
    hub.run("books", "check")
    other: str = hub.other  # type: ignore[attr-defined]
    inv = invoice_for(hub, other, "50.00", f"{Y1}-02-03")
    hub.pays(inv, f"{Y1}-02-20")
    held = hub.json("participant", "show", other, "--pseudonymous")["balance"]
    assert held == "135.00"  # 90.00 of Y0 and 45.00 of Y1
    hub.run("cash", "withdraw", held, "--date", f"{Y1}-03-01")
    hub.run("payout", other, held, "--method", "cash", "--date", f"{Y1}-03-02")
    hub.run("participant", "close", other, "--date", f"{Y1}-06-30")
    hub.run("books", "check")
    trial_y1 = hub.trial_balance(Y1)
    # the other's contribution on the 50.00 of Y1, less the 20.00 of sales the hub credited
    assert result(trial_y1) == Decimal("-15.00")
    assert hub.json("year", "plan", str(Y1))["blockers"] == []
    summary = hub.json("year", "close", str(Y1))
    assert Decimal(summary["result"]) == Decimal("-15.00")
    assert f"Income:Participants:{hub.code}:Ventes" in carried_on(hub.root, dt.date(Y0, 3, 31))
    assert f"Income:Participants:{other}:Ventes" in carried_on(hub.root, dt.date(Y1, 6, 30))
    for code, close in ((hub.code, dt.date(Y0, 3, 31)), (other, dt.date(Y1, 6, 30))):
        days = [day for day, _account in postings_of(hub.root, code)]
        assert max(days) == close, code
    now = same_balances(hub.root, dt.date(Y1, 12, 31))
    assert now[(f"Income:Participants:{other}:Ventes", "EUR")] == Decimal("-150.00")
    hub.run("books", "check")
    hub.run("books", "check", "--all-years")
    assert "verified: nothing sealed or issued has changed" in hub.run("audit", "verify").stdout
    assert hub.trial_balance(Y0) == hub.trial_y0  # type: ignore[attr-defined]
    assert hub.trial_balance(Y1) == trial_y1
    assert annual(hub, Y0) == hub.annual_y0  # type: ignore[attr-defined]
    # The open year starts from both years' result, and the live books still take writes.
    assert hub.trial_balance(Y1 + 1)[RETAINED] == Decimal("-15.00")
    hub.run("cash", "withdraw", "10.00", "--date", calendar_today().isoformat())
    hub.run("books", "check")


def test_a_payout_returned_after_her_close_is_left_for_review(tmp_path: Path) -> None:
    """Paid out by bank, debited, closed on the day of the debit; the bank brings the
    transfer back after her close: nothing is booked to her, the line waits for a decision
    and the year cannot be closed until the treasurer decides it."""
    hub = Hub(tmp_path, start=f"{Y0}-01-01")
    inv = hub.invoice("100.00", f"{Y0}-03-03")
    hub.pays(inv, f"{Y0}-03-10")
    po = hub.json("payout", hub.code, "90.00", "--method", "bank", "--date", f"{Y0}-03-12")
    po = po["payout"]
    hub.statement((f"{Y0}-03-20", "-90.00", {"e2e": po, "name": "Beneficiaire Fictif",
                                             "text": po}))  # fmt: skip
    hub.run("participant", "close", hub.code, "--date", f"{Y0}-03-20")
    hub.statement((f"{Y0}-04-02", "90.00", {"e2e": po, "name": "Beneficiaire Fictif",
                                            "text": f"retour {po}"}))  # fmt: skip
    (line,) = hub.json("reconcile", "list")["queue"]
    hub.refused("reconcile", "assign", line["ref"], po.lower(), words="is closed")
    assert max(day for day, _a in postings_of(hub.root, hub.code)) == dt.date(Y0, 3, 12)
    plan = hub.run("year", "plan", str(Y0), "--json", ok=False)
    assert plan.returncode == 1
    blockers = json.loads(plan.stdout)["blockers"]
    assert len(blockers) == 1 and "suspense" in blockers[0] and line["ref"] in blockers[0]
    hub.refused("year", "close", str(Y0), words="suspense account")
    # The treasurer books what the hub owes her on an account of its own, and the year closes.
    accounts = hub.root / "accounts.beancount"
    accounts.write_text(accounts.read_text()
                        + f"\n{Y0}-01-01 open Liabilities:Dettes-diverses EUR\n")  # fmt: skip
    hub.run("reconcile", "assign", line["ref"], "Liabilities:Dettes-diverses", "--adopt-changes")
    trial = hub.trial_balance(Y0)
    hub.run("year", "close", str(Y0))
    assert hub.trial_balance(Y0) == trial
    assert hub.trial_balance(Y1)["Liabilities:Dettes-diverses"] == Decimal("-90.00")
    same_balances(hub.root, dt.date(Y0, 12, 31))
    assert max(day for day, _a in postings_of(hub.root, hub.code)) == dt.date(Y0, 3, 20)
    hub.run("books", "check", "--all-years")
    assert "verified: nothing sealed or issued has changed" in hub.run("audit", "verify").stdout


def test_a_retained_result_opened_after_her_close_refuses_the_close(tmp_path: Path) -> None:
    """Hand-edited books whose retained result opens after her close: the close cannot
    balance her carried accounts on her day and says so in one line, books unchanged."""
    hub = Hub(tmp_path, start=f"{Y0}-01-01")
    inv = hub.invoice("100.00", f"{Y0}-01-20")
    hub.pays(inv, f"{Y0}-01-25")
    hub.run("cash", "withdraw", "90.00", "--date", f"{Y0}-01-26")
    hub.run("payout", hub.code, "90.00", "--method", "cash", "--date", f"{Y0}-01-27")
    hub.run("participant", "close", hub.code, "--date", f"{Y0}-02-01")
    accounts = hub.root / "accounts.beancount"
    text = accounts.read_text()
    opened = f"{Y0}-01-01 open {RETAINED} "
    assert opened in text
    accounts.write_text(text.replace(opened, f"{Y0}-06-01 open {RETAINED} "))
    hub.run("books", "check", "--adopt-changes")
    message = hub.refused("year", "close", str(Y0), words=f"closed on {Y0}-02-01")
    assert RETAINED in message and f"Participants:{hub.code}" in message
    accounts.write_text(text)
    hub.run("books", "check", "--adopt-changes")
    hub.run("year", "close", str(Y0))
    same_balances(hub.root, dt.date(Y0, 12, 31))


def test_books_of_an_earlier_release_compact_with_a_participant_closed(tmp_path: Path) -> None:
    """Books closed by a release before the live ledger (every year in main.beancount), a
    participant closed in their closed year with all her accounts: ``books compact``
    carries them as a close does, and the next year closes."""
    hub = Hub(tmp_path, start=f"{Y0}-01-01")
    inv = hub.invoice("100.00", f"{Y0}-03-03")
    hub.pays(inv, f"{Y0}-03-10")
    hub.run("cash", "withdraw", "90.00", "--date", f"{Y0}-03-11")
    hub.run("payout", hub.code, "90.00", "--method", "cash", "--date", f"{Y0}-03-12")
    hub.run("participant", "close", hub.code, "--date", f"{Y0}-03-31")
    hub.run("year", "close", str(Y0))
    trial = hub.trial_balance(Y0)
    old_layout(hub.root)
    hub.run("books", "check")
    assert "carried-" in hub.run("books", "compact").stdout
    assert f"Income:Participants:{hub.code}:Ventes" in carried_on(hub.root, dt.date(Y0, 3, 31))
    same_balances(hub.root, dt.date(Y0, 12, 31))
    hub.run("year", "close", str(Y1))
    same_balances(hub.root, dt.date(Y1, 12, 31))
    assert "verified: nothing sealed or issued has changed" in hub.run("audit", "verify").stdout
    hub.run("books", "check", "--all-years")
    assert hub.trial_balance(Y0) == trial
