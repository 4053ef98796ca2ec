"""QA of the live ledger (issue 16): the unhappy paths a treasurer and an auditor meet
after a ``year close``, through the CLI, on a fictional hub.

One hub: a first year closed with one invoice paid there and one still open; the
participant is paid out in the open year what she earned in the closed one. Each defect
found has a test named after it. All data is fictional.
"""

from __future__ import annotations

import re
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from money.cli_hub import CLIENT_IBAN, Hub
from tests_support import git_state, tree_digest

from ledger.books import Books
from ledger.dates import today as calendar_today
from ledger.fava.serve import make_app

Y0 = calendar_today().year - 2
Y1 = Y0 + 1


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Hub:
    """Y0: one invoice paid, one left open; then Y0 closed."""
    hub = Hub(tmp_path_factory.mktemp("qa-live"), start=f"{Y0}-01-01")
    paid = hub.invoice("200.00", f"{Y0}-03-01")
    hub.pays(paid, f"{Y0}-03-20")
    hub.paid_invoice = paid  # type: ignore[attr-defined]
    hub.open_invoice = hub.invoice("50.00", f"{Y0}-04-01")  # type: ignore[attr-defined]
    hub.shown_y0 = hub.show()  # type: ignore[attr-defined]
    hub.run("year", "close", str(Y0))
    return hub


def test_defect_qa_live_1_participant_show_after_a_close_keeps_what_clients_paid(
    hub: Hub,
) -> None:
    """After the close, the live books carry only balances: `participant show` said
    "received from clients 0.00" beside 200 invoiced and the money held for her."""
    before = hub.shown_y0  # type: ignore[attr-defined]
    after = hub.show()
    assert Decimal(before["received"]) == Decimal("200.00")
    for key in ("sales", "received", "contribution", "payouts", "balance", "pending"):
        assert Decimal(after[key]) == Decimal(before[key]), key
    # the movements are the real ones, not the carried copies that cancel each other
    assert {m["kind"] for m in after["movements"]} >= {"payment"}
    assert "carried" not in {m["kind"] for m in after["movements"][:-1]}


def test_defect_qa_live_1_statement_spanning_the_closed_year(hub: Hub, tmp_path: Path) -> None:
    out = tmp_path / "statement.pdf"
    hub.run("participant", "statement", hub.code, "--from", f"{Y0}-01-01", "--out", str(out))
    text = subprocess.run(["pdftotext", "-layout", str(out), "-"], capture_output=True,
                          text=True, check=True).stdout  # fmt: skip
    paid = next(line for line in text.splitlines() if "Payé par vos clients" in line)
    assert "200,00" in paid  # was 0,00: the closed year's payments were not in the live books
    assert "paiement d'un client" in text


def test_defect_qa_live_2_invoice_show_of_an_invoice_settled_in_a_closed_year(hub: Hub) -> None:
    """`invoice show` of an invoice paid in a closed year said "unknown invoice"."""
    number = hub.paid_invoice["number"]  # type: ignore[attr-defined]
    shown = hub.json("invoice", "show", number)
    assert shown["status"] == "paid" and Decimal(shown["outstanding"]) == 0
    hub.refused("invoice", "show", f"{Y0}-9999", words="unknown invoice")


def test_defect_qa_live_2_invoice_list_all_years(hub: Hub) -> None:
    paid = hub.paid_invoice["number"]  # type: ignore[attr-defined]
    still_open = hub.open_invoice["number"]  # type: ignore[attr-defined]
    live = {r["number"] for r in hub.json("invoice", "list")}
    assert still_open in live and paid not in live
    every = {r["number"]: r for r in hub.json("invoice", "list", "--all-years")}
    assert {paid, still_open} <= set(every) and every[paid]["status"] == "paid"


def participants_page(root: Path, all_years: bool) -> dict[str, Decimal]:
    """The figures of the Participants page in Fava for the one participant."""
    app = make_app(Books.open(root), all_years=all_years)
    slug = app.config["LEDGERS"].first_slug()
    page = app.test_client().get(f"/{slug}/extension/Participants/").get_data(as_text=True)
    row = page[page.index("<tr data-code=") :]
    row = row[: row.index("</tr>")]
    found = re.findall(r'data-key="(\w+)" data-sort-value="([-\d.]+)"', row)
    return {key: Decimal(value) for key, value in found}


def test_defect_qa_live_3_fava_participants_page_mixes_closed_balances_and_open_flows(
    hub: Hub,
) -> None:
    """On the live books the page showed all-time sales and contribution (carried balances)
    beside what clients paid in the open year only."""
    hub.pays(hub.open_invoice, f"{Y1}-01-10", "10.00")  # type: ignore[attr-defined]
    shown = hub.show()
    every = participants_page(hub.root, all_years=True)
    for key in ("sales", "received", "contribution", "payouts"):
        assert every[key] == Decimal(shown[key]), key
    assert every["held"] == Decimal(shown["balance"])
    live = participants_page(hub.root, all_years=False)
    # since the close: nothing invoiced, 10.00 paid by the client, 1.00 of contribution
    assert (live["sales"], live["received"], live["contribution"]) == (0, Decimal("10.00"), 1)
    assert live["held"] == every["held"]


def test_a_closed_year_invoice_paid_in_the_open_year_and_paid_out(hub: Hub) -> None:
    invoice = hub.open_invoice  # type: ignore[attr-defined]
    hub.pays(invoice, f"{Y1}-01-15", "20.00")
    assert Decimal(hub.json("invoice", "show", invoice["number"])["outstanding"]) == 20
    held = Decimal(hub.show()["balance"])
    hub.refused("payout", "add", hub.code, str(held + 1), "--date", f"{Y1}-01-20",
                words="more than")  # fmt: skip
    hub.run("payout", "add", hub.code, str(held), "--date", f"{Y1}-01-20")
    assert Decimal(hub.show()["balance"]) == 0
    hub.run("books", "check")


def test_compact_twice_or_never_closed_is_one_line_and_changes_nothing(
    hub: Hub, tmp_path: Path
) -> None:
    hub.refused("books", "compact", words="already compact")
    fresh = Hub(tmp_path, start=f"{Y1}-01-01")
    fresh.refused("books", "compact", words="no year is closed")


def test_a_windows_batch_that_empties_the_cash_box_mid_batch_books_nothing(
    hub: Hub, tmp_path: Path
) -> None:
    hub.pays(hub.open_invoice, f"{Y1}-01-25", "10.00")  # type: ignore[attr-defined]
    hub.run("cash", "withdraw", "2", "--date", f"{Y1}-01-26")
    batch = tmp_path / "payouts.csv"
    batch.write_bytes(
        b"\xef\xbb\xbfparticipant;amount;method;date\r\n"
        + f"{hub.code};1,50;cash;{Y1}-02-01\r\n{hub.code};2,25;cash;{Y1}-02-02\r\n".encode()
    )
    message = hub.refused("payout", "add", "--from", str(batch), words="row 3")
    assert "cash box holds only 0.50 EUR" in message


def test_a_batch_killed_while_writing_leaves_the_books_unchanged(hub: Hub, tmp_path: Path) -> None:
    hub.run("cash", "withdraw", "10", "--date", f"{Y1}-02-03")
    batch = tmp_path / "payouts.csv"
    batch.write_text(f"participant,amount,method,date\n{hub.code},1.50,cash,{Y1}-02-05\n"
                     f"{hub.code},2.25,cash,{Y1}-02-06\n")  # fmt: skip
    before, history = tree_digest(hub.root), git_state(hub.root)
    plain = hub.env
    for point in ("after-first-file", "after-files", "after-git-add"):
        hub.env = dict(plain, COOPLEDGER_FAULT_INJECT=point)
        try:
            proc = hub.run("payout", "add", "--from", str(batch), ok=False)
        finally:
            hub.env = plain
        assert proc.returncode == 86, proc.stderr
        hub.run("books", "check")  # recovers the interrupted write
        assert tree_digest(hub.root) == before and git_state(hub.root) == history
    done = hub.run("payout", "add", "--from", str(batch))
    assert "2 payouts" in done.stdout


def test_defect_qa_live_5_credit_of_an_invoice_paid_in_a_closed_year_says_why(hub: Hub) -> None:
    """`invoice credit` of an invoice paid in a closed year said "unknown invoice" about an
    invoice the books hold. Not supported from the live books yet: the refusal says so."""
    number = hub.paid_invoice["number"]  # type: ignore[attr-defined]
    message = hub.refused("invoice", "credit", number, "--reason", "Erreur fictive", "--date",
                          f"{Y1}-03-01", "--no-validate", words="settled in a closed year")  # fmt: skip
    assert number in message and "unknown" not in message
    hub.refused("invoice", "credit", f"{Y0}-9999", "--reason", "Erreur fictive",
                "--no-validate", words="unknown invoice")  # fmt: skip


def test_defect_qa_live_8_a_date_in_a_closed_year_is_refused_as_such(
    hub: Hub, tmp_path: Path
) -> None:
    """Dated in the closed year, a payout said "0.00 EUR held" (the live books hold no
    balance before the close), a cost "the cash box holds only 0.00", an invoice "number
    … used twice (and 282 more)": the closed year's file was included again."""
    day = f"{Y0}-12-30"
    for args in (
        ("payout", "add", hub.code, "5", "--date", day),
        ("invoice", "issue", "--participant", hub.code, "--client", hub.client, "--line",
         "Prestation fictive|1|10.00|0", "--date", day, "--no-validate"),
        ("cash", "withdraw", "5", "--date", day),
        ("cash", "count", "0", "--date", day),
    ):  # fmt: skip
        message = hub.refused(*args, words=f"is in {Y0}, a closed year")
        assert "held" not in message and "twice" not in message
    batch = tmp_path / "payouts.csv"
    batch.write_text(f"participant,amount,method,date\n{hub.code},1.50,bank,{day}\n")
    hub.refused("payout", "add", "--from", str(batch), words="row 2: date")


def test_defect_qa_live_9_year_plan_of_a_closed_year_says_it_is_closed(hub: Hub) -> None:
    """`year plan` (and `year close --dry-run`) of the closed year said "Nothing blocks
    it." while `year close` refused it as already closed."""
    hub.refused("year", "plan", str(Y0), words=f"{Y0} is already closed")
    hub.refused("year", "close", str(Y0), "--dry-run", words=f"{Y0} is already closed")
    hub.refused("year", "plan", str(Y0 - 1), words="which is already closed")


def test_defect_qa_live_6_pay_or_send_an_invoice_paid_in_a_closed_year_says_why(
    hub: Hub,
) -> None:
    """`invoice pay --cash` and `invoice send` of an invoice paid in a closed year said
    "unknown invoice" about an invoice the books hold."""
    number = hub.paid_invoice["number"]  # type: ignore[attr-defined]
    for args in (("invoice", "pay", number, "--cash", "--date", f"{Y1}-03-01"),
                 ("invoice", "send", number)):  # fmt: skip
        message = hub.refused(*args, words="settled in a closed year")
        assert "unknown" not in message


def test_defect_qa_live_4_returned_payment_of_an_invoice_paid_in_a_closed_year_says_why(
    hub: Hub,
) -> None:
    """A payment of a closed year returned by the bank in the open year waits in suspense;
    `reconcile assign REF return:NUMBER` said "no invoice NUMBER in the books"."""
    invoice = hub.paid_invoice  # type: ignore[attr-defined]
    hub.statement((f"{Y1}-03-02", "-" + invoice["total"],
                   {"ogm": invoice["ogm"], "iban": CLIENT_IBAN, "text": "retour"}))  # fmt: skip
    (line,) = [q for q in hub.json("reconcile", "list")["queue"] if q["ogm"] == invoice["ogm"]]
    message = hub.refused("reconcile", "assign", line["ref"], "return:" + invoice["number"],
                          words="settled in a closed year")  # fmt: skip
    assert invoice["number"] in message
    hub.refused("reconcile", "assign", line["ref"], f"return:{Y0}-9999", words="no invoice")


def _old_layout(root: Path) -> None:
    """The books as a release before the live ledger left them after a close: every year
    included from main.beancount, no carried or history file."""
    history = (root / "history.beancount").read_text()
    years = [line for line in history.splitlines()
             if line.startswith('include "') and line.split('"')[1][:4].isdigit()]  # fmt: skip
    main = [line for line in (root / "main.beancount").read_text().splitlines()
            if line != 'include "carried.beancount"']  # fmt: skip
    (root / "main.beancount").write_text("\n".join([*main, *years]) + "\n")
    (root / "carried.beancount").unlink()
    (root / "history.beancount").unlink()
    subprocess.run(["git", "-C", str(root), "add", "-A"], check=True)
    subprocess.run(["git", "-C", str(root), "commit", "-qm", "books of an earlier release"],
                   check=True, capture_output=True)  # fmt: skip


def test_compact_then_close_the_next_year_then_verify(tmp_path: Path) -> None:
    hub = Hub(tmp_path, start=f"{Y0}-01-01")
    invoice = hub.invoice("100.00", f"{Y0}-03-01")
    hub.pays(invoice, f"{Y0}-03-20", "40.00")
    hub.run("year", "close", str(Y0))
    trial = hub.trial_balance(Y0)
    _old_layout(hub.root)
    hub.run("books", "check")
    assert "carried-" in hub.run("books", "compact").stdout
    hub.refused("books", "compact", words="already compact")
    hub.pays(invoice, f"{Y1}-02-10", "60.00")
    assert Decimal(hub.json("invoice", "show", invoice["number"])["outstanding"]) == 0
    hub.run("year", "close", str(Y1))
    assert "verified: nothing sealed" in hub.run("audit", "verify").stdout
    hub.run("books", "check", "--all-years")
    assert hub.trial_balance(Y0) == trial


def test_defect_qa_live_7_participant_report_of_a_year_of_credit_notes_only(
    tmp_path: Path,
) -> None:
    """A January credit note on a December invoice: her report of the open year said "the
    hub invoiced your clients -100.00 EUR"."""
    hub = Hub(tmp_path, start=f"{Y0}-01-01")
    invoice = hub.invoice("100.00", f"{Y0}-12-01")
    hub.run("year", "close", str(Y0))
    hub.run("invoice", "credit", invoice["number"], "--reason", "Erreur fictive", "--date",
            f"{Y1}-01-10", "--no-validate")  # fmt: skip
    report = hub.json("report", "participant", hub.code, "--year", str(Y1), "--lang", "en")
    first = report["summary"][0]
    assert "credit notes took back 100.00" in first and "-100" not in first


def test_a_partial_payment_of_a_closed_year_returned_in_the_open_year(tmp_path: Path) -> None:
    hub = Hub(tmp_path, start=f"{Y0}-01-01")
    invoice = hub.invoice("100.00", f"{Y0}-03-01")
    hub.pays(invoice, f"{Y0}-03-20", "40.00")
    hub.run("year", "close", str(Y0))
    assert Decimal(hub.show()["balance"]) == Decimal("36.00")
    hub.statement((f"{Y1}-01-15", "-40.00",
                   {"ogm": invoice["ogm"], "iban": CLIENT_IBAN, "text": "retour"}))  # fmt: skip
    assert hub.json("reconcile", "list") == {"queue": [], "unallocated": []}
    assert Decimal(hub.json("invoice", "show", invoice["number"])["outstanding"]) == 100
    shown = hub.show()
    assert Decimal(shown["balance"]) == 0 and Decimal(shown["received"]) == 0
    assert "verified: nothing sealed" in hub.run("audit", "verify").stdout
