"""QA of the live ledger (issue 16): the unhappy paths a treasurer and an auditor meet
after a ``year close``, through the CLI, on a fictional hub.

One hub: a first year closed with one invoice paid there and one still open; the
participant is paid out in the open year what she earned in the closed one. Each defect
found has a test named after it. All data is fictional.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from money.cli_hub import CLIENT_IBAN, Hub
from tests_support import git_state, old_layout, tree_digest

from ledger.books import Books
from ledger.dates import today as calendar_today
from ledger.fava.serve import make_app
from ledger.integrity.carried import RECALLED_FILE

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
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
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


def test_compact_then_close_the_next_year_then_verify(tmp_path: Path) -> None:
    hub = Hub(tmp_path, start=f"{Y0}-01-01")
    invoice = hub.invoice("100.00", f"{Y0}-03-01")
    hub.pays(invoice, f"{Y0}-03-20", "40.00")
    hub.run("year", "close", str(Y0))
    trial = hub.trial_balance(Y0)
    old_layout(hub.root)
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


# ---------------------------------------------------------------- defects 4-6: corrections of
# an invoice settled in a closed year, booked in the open year (docs/operations.md, "The live
# books and the full history"). Were refused in one line ("settled in a closed year").


def _sealed(root: Path) -> dict[str, str]:
    """The digests of what a close sealed: the closed year's folder (its files, its chain),
    the carried file and the full history's main file."""
    return {k: v for k, v in tree_digest(root).items()
            if k.startswith(f"{Y0}/") or k in ("carried.beancount", "history.beancount")}  # fmt: skip


def _all_checks_pass(hub: Hub) -> None:
    assert "no errors" in hub.run("books", "check").stdout
    assert "no errors" in hub.run("books", "check", "--all-years").stdout
    assert "verified: nothing sealed" in hub.run("audit", "verify").stdout


@pytest.fixture(scope="module")
def settled(tmp_path_factory: pytest.TempPathFactory) -> Hub:
    """Y0: invoices A (200.00) and B (80.00) paid in full, C (50.00) left open; Y0 closed.
    A and B are not carried (settled, not the last of their series): the live books do
    not hold them."""
    tmp = tmp_path_factory.mktemp("qa-live-settled")
    hub = Hub(tmp, start=f"{Y0}-01-01")
    hub.env["XDG_DATA_HOME"] = str(tmp / "xdg-data")  # the outbox of `invoice send`
    for name, amount, month in (("a", "200.00", "03"), ("b", "80.00", "04")):
        invoice = hub.invoice(amount, f"{Y0}-{month}-01")
        hub.pays(invoice, f"{Y0}-{month}-20")
        setattr(hub, name, invoice)
    hub.c = hub.invoice("50.00", f"{Y0}-05-01")  # type: ignore[attr-defined]
    hub.run("year", "close", str(Y0))
    live = {r["number"] for r in hub.json("invoice", "list")}
    assert hub.a["number"] not in live and hub.b["number"] not in live  # type: ignore[attr-defined]
    hub.sealed = _sealed(hub.root)  # type: ignore[attr-defined]
    return hub


def test_defect_qa_live_5_credit_after_the_close_of_an_invoice_paid_in_the_closed_year(
    settled: Hub,
) -> None:
    """A client disputes in February an invoice of last year, paid before the close: the
    credit note is issued in the open year (PCMN: booked in the year it is issued), the
    participant gives back what she was credited, the client's refund is due."""
    hub, number = settled, settled.a["number"]  # type: ignore[attr-defined]
    held = Decimal(hub.show()["balance"])
    note = hub.json("invoice", "credit", number, "--reason", "Erreur fictive", "--date",
                    f"{Y1}-02-10", "--no-validate")  # fmt: skip
    assert note["invoice"] == number and note["number"].endswith("-0001")  # the first of Y1
    assert note["date"] == f"{Y1}-02-10"
    assert Decimal(hub.show()["balance"]) == held - Decimal("180.00")  # 200 less the 10 %
    shown = hub.json("invoice", "show", number)
    assert shown["status"] == "credited" and shown["credit_notes"] == [note["number"]]
    assert (hub.root / RECALLED_FILE).is_file()
    assert _sealed(hub.root) == hub.sealed  # type: ignore[attr-defined]
    _all_checks_pass(hub)
    verify = hub.run("audit", "verify").stdout
    assert "entries recalled since the close are the full history's own" in verify
    # crediting it again, or more than it was: refused in one line, books unchanged
    hub.refused("invoice", "credit", number, "--reason", "Erreur fictive", "--date",
                f"{Y1}-02-11", "--no-validate", words="is fully credited")  # fmt: skip
    hub.refused("invoice", "credit", number, "--line", "Prestation fictive|1|5.00|0",
                "--reason", "Erreur fictive", "--date", f"{Y1}-02-11", "--no-validate",
                words="exceeds what is left to credit")  # fmt: skip
    hub.refused("invoice", "credit", f"{Y0}-9999", "--reason", "Erreur fictive",
                "--no-validate", words="unknown invoice")  # fmt: skip


def test_defect_qa_live_5_a_partial_credit_then_more_than_the_rest(settled: Hub) -> None:
    hub, number = settled, settled.b["number"]  # type: ignore[attr-defined]
    hub.run("invoice", "credit", number, "--line", "Prestation fictive|1|30.00|0", "--reason",
            "Erreur fictive", "--date", f"{Y1}-02-12", "--no-validate")  # fmt: skip
    hub.refused("invoice", "credit", number, "--line", "Prestation fictive|1|50.01|0",
                "--reason", "Erreur fictive", "--date", f"{Y1}-02-13", "--no-validate",
                words="exceeds what is left to credit")  # fmt: skip
    shown = hub.json("invoice", "show", number)
    assert Decimal(shown["credited"]) == Decimal("30.00")
    _all_checks_pass(hub)


def test_defect_qa_live_6_resend_and_pay_an_invoice_settled_in_a_closed_year(
    settled: Hub,
) -> None:
    """`invoice send` of an invoice of a closed year sends it again (a PDF to a private
    client); a cash payment of an invoice paid in full says so (not "unknown invoice");
    one still open at the close is paid in cash as before."""
    hub = settled
    number = hub.a["number"]  # type: ignore[attr-defined]
    sent = hub.json("invoice", "send", number)
    assert sent[0]["ok"] and Path(sent[0]["files"][0]).is_file()
    hub.refused("invoice", "pay", hub.b["number"], "--cash", "--date", f"{Y1}-03-01",  # type: ignore[attr-defined]
                words=hub.b["number"])  # fmt: skip
    still_open = hub.c["number"]  # type: ignore[attr-defined]
    hub.run("invoice", "pay", still_open, "--cash", "--amount", "20.00", "--date", f"{Y1}-03-01")
    assert Decimal(hub.json("invoice", "show", still_open)["outstanding"]) == 30
    hub.refused("invoice", "pay", f"{Y0}-9999", "--cash", "--date", f"{Y1}-03-01",
                words="unknown invoice")  # fmt: skip
    assert _sealed(hub.root) == hub.sealed  # type: ignore[attr-defined]
    _all_checks_pass(hub)


def test_defect_qa_live_4_returned_payment_of_an_invoice_paid_in_a_closed_year(
    tmp_path: Path,
) -> None:
    """A payment of a closed year returned by the bank in the open year waits in suspense;
    `reconcile assign REF return:NUMBER` books it: the invoice is due again, the
    participant gives back her share, and the client then pays in cash."""
    hub = Hub(tmp_path, start=f"{Y0}-01-01")
    invoice = hub.invoice("80.00", f"{Y0}-03-01")
    hub.pays(invoice, f"{Y0}-03-20")
    disputed = hub.invoice("60.00", f"{Y0}-03-05")
    hub.pays(disputed, f"{Y0}-03-25")
    hub.invoice("50.00", f"{Y0}-05-01")  # the last of the series is carried, not these
    hub.run("year", "close", str(Y0))
    sealed = _sealed(hub.root)
    held = Decimal(hub.show()["balance"])
    hub.statement((f"{Y1}-03-02", "-80.00",
                   {"ogm": invoice["ogm"], "iban": CLIENT_IBAN, "text": "retour"}))  # fmt: skip
    (line,) = [q for q in hub.json("reconcile", "list")["queue"] if q["ogm"] == invoice["ogm"]]
    hub.refused("reconcile", "assign", line["ref"], f"return:{Y0}-9999", words="no invoice")
    hub.run("reconcile", "assign", line["ref"], "return:" + invoice["number"])
    assert hub.json("reconcile", "list") == {"queue": [], "unallocated": []}
    assert Decimal(hub.json("invoice", "show", invoice["number"])["outstanding"]) == 80
    assert Decimal(hub.show()["balance"]) == held - Decimal("72.00")
    hub.run("invoice", "pay", invoice["number"], "--cash", "--date", f"{Y1}-03-05")
    assert Decimal(hub.json("invoice", "show", invoice["number"])["outstanding"]) == 0
    assert Decimal(hub.show()["balance"]) == held
    assert sealed == _sealed(hub.root)
    _all_checks_pass(hub)
    # credited in Y1, its refund still due at the next close: carried by that close
    hub.run("invoice", "credit", disputed["number"], "--reason", "Erreur fictive", "--date",
            f"{Y1}-06-01", "--no-validate")  # fmt: skip
    # the next close carries what is still needed and empties the recalled file
    hub.run("year", "close", str(Y1))
    assert not [ln for ln in (hub.root / RECALLED_FILE).read_text().splitlines()
                if ln and not ln.startswith(";")]  # fmt: skip
    assert f"inv-{disputed['number']}" in (hub.root / "carried.beancount").read_text()
    assert hub.json("invoice", "show", disputed["number"])["status"] == "credited"
    _all_checks_pass(hub)


def test_a_hand_edit_of_the_recalled_entries_is_an_error_of_the_live_books(
    settled: Hub, tmp_path: Path
) -> None:
    """recalled.beancount may only hold sealed entries as their chain has them, each day
    cancelled: a copy changed by hand (a total lowered), committed, is named by `books
    check`; `--all-years` and `audit verify` still read the sealed entries themselves."""
    root = tmp_path / "books"
    subprocess.run(["cp", "-a", str(settled.root), str(root)], check=True)
    hub = Hub.__new__(Hub)
    hub.__dict__.update(settled.__dict__, root=root)
    path = root / RECALLED_FILE
    if not path.is_file():  # run alone: invoice A is recalled by its credit note
        hub.run("invoice", "credit", hub.a["number"], "--reason", "Erreur fictive",  # type: ignore[attr-defined]
                "--date", f"{Y1}-02-10", "--no-validate")  # fmt: skip
    text = path.read_text()
    assert "200.00 EUR" in text
    path.write_text(text.replace("Assets:Clients                                 200.00 EUR",
                                 "Assets:Clients                                 199.00 EUR", 1)
                    .replace("Income:Participants:" + hub.code + ":Ventes           -200.00 EUR",
                             "Income:Participants:" + hub.code + ":Ventes           -199.00 EUR",
                             1))  # fmt: skip
    subprocess.run(["git", "-C", str(root), "commit", "-qam", "hand edit"], check=True)
    check = hub.run("books", "check", ok=False)
    assert check.returncode != 0 and "is not an entry sealed in" in check.stdout + check.stderr
    assert "no errors" in hub.run("books", "check", "--all-years").stdout
    verify = hub.run("audit", "verify", ok=False)
    assert verify.returncode != 0 and "recalled entry not in the full history" in verify.stdout
    # and no write goes on from such books (the sealing plugin's error, there before)
    hub.refused("cash", "withdraw", "1", "--date", f"{Y1}-04-01",
                words="is not an entry sealed in")  # fmt: skip


def test_defect_b_a_committed_hand_edit_of_a_closed_year_stops_every_write(
    settled: Hub, tmp_path: Path
) -> None:
    """A closed year's file edited and committed by hand was reported by `books check`
    and `audit verify`, but the writes went on: now each refuses in one line."""
    root = tmp_path / "books"
    subprocess.run(["cp", "-a", str(settled.root), str(root)], check=True)
    hub = Hub.__new__(Hub)
    hub.__dict__.update(settled.__dict__, root=root)
    bank = root / f"{Y0}" / "bank.beancount"
    bank.write_text(bank.read_text().replace("200.00 EUR", "190.00 EUR", 1))
    subprocess.run(["git", "-C", str(root), "commit", "-qam", "hand edit"], check=True)
    assert hub.run("books", "check", ok=False).returncode != 0
    hub.refused("cash", "withdraw", "1", "--date", f"{Y1}-04-01",
                words=f"{Y0}/bank.beancount changed since close-{Y0}")  # fmt: skip
    hub.refused("invoice", "credit", hub.c["number"], "--reason", "Erreur fictive",  # type: ignore[attr-defined]
                "--date", f"{Y1}-04-01", "--no-validate", words="change refused")  # fmt: skip


def test_defect_a_year_plan_of_a_later_year_names_the_year_of_the_suspense(
    tmp_path: Path,
) -> None:
    """`year plan 2099` said the suspense of Y1 was "25.00 EUR of 2099"."""
    hub = Hub(tmp_path, start=f"{Y1}-01-01")
    hub.statement((f"{Y1}-02-01", "25.00", {"text": "virement inconnu"}))
    plan = hub.run("year", "plan", "2099", ok=False).stdout
    assert f"25.00 EUR of {Y1} still waits" in plan and "of 2099" not in plan


# ---------------------------------------------------------------- QA f2: issued documents


def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True)


def _drop_blocks(path: Path, link: str) -> None:
    """The entries linked ``link`` taken out of ``path`` (a hand edit)."""
    blocks = path.read_text().split("\n\n")
    path.write_text("\n\n".join(b for b in blocks if link not in b))


@pytest.fixture
def issued(tmp_path: Path) -> Hub:
    """An open year with three invoices."""
    hub = Hub(tmp_path, start=f"{Y1}-01-01")
    hub.issued = [hub.invoice("200.00", f"{Y1}-{m}-01") for m in ("02", "03", "04")]  # type: ignore[attr-defined]
    return hub


def test_qa_f2_1a_an_issued_invoice_removed_by_hand_is_reported_and_its_number_never_reused(
    issued: Hub,
) -> None:
    """Removing the last invoice's entries passed `books check` and `audit verify`, and the
    next `invoice issue` gave its number to another document (or failed, unexplained)."""
    hub, number = issued, issued.issued[-1]["number"]  # type: ignore[attr-defined]
    books_file = hub.root / f"{Y1}" / "invoices.beancount"
    stem = f"documents/invoices/{Y1}/{number}"
    _drop_blocks(books_file, f"^inv-{number}")
    # not adopted: the files stay, no entry issues them
    hub.refused("books", "check", "--adopt-changes", words=f"{stem}.json: an issued document")
    _git(hub.root, "commit", "-qam", "x")
    check = hub.run("books", "check", ok=False)
    assert check.returncode == 1 and f"{stem}.pdf: an issued document no entry" in check.stderr
    hub.refused("invoice", "issue", "--participant", hub.code, "--client", hub.client,
                "--line", "Autre|1|5|0", "--date", f"{Y1}-05-01", "--no-validate",
                words=f"{stem}.pdf already exists: number {number} was issued")  # fmt: skip
    verify = hub.run("audit", "verify", ok=False).stdout
    assert f"number {number} was issued and commit" in verify
    # the files removed too: the live check cannot tell, git history can
    _git(hub.root, "rm", "-q", f"{stem}.json", f"{stem}.pdf")
    _git(hub.root, "commit", "-qm", "y")
    verify = hub.run("audit", "verify", ok=False).stdout
    assert f"{stem}.pdf: commit" in verify and "an issued document is never removed" in verify
    hub.refused("invoice", "issue", "--participant", hub.code, "--client", hub.client,
                "--line", "Autre|1|5|0", "--date", f"{Y1}-05-01", "--no-validate",
                words=f"number {number} was issued before: git history has")  # fmt: skip


def test_qa_f2_1b_an_issued_invoice_changed_by_hand_is_reported_at_its_line(
    issued: Hub,
) -> None:
    """The four amounts of an issued invoice changed by hand: `books check` said OK,
    `invoice show` printed two totals, `invoice credit` blamed the JSON record."""
    hub, number = issued, issued.issued[-1]["number"]  # type: ignore[attr-defined]
    books_file = hub.root / f"{Y1}" / "invoices.beancount"
    text = books_file.read_text()
    head = f'{Y1}-04-01 * "'
    start = text.index(head)
    end = text.index("\n\n", start)
    books_file.write_text(text[:start] + text[start:end].replace("200.00 EUR", "300.00 EUR")
                          + text[end:])  # fmt: skip
    _git(hub.root, "commit", "-qam", "x")
    line = next(i for i, t in enumerate(books_file.read_text().splitlines(), 1)
                if t.startswith(head))  # fmt: skip
    check = hub.run("books", "check", ok=False)
    assert check.returncode == 1
    assert (f"{Y1}/invoices.beancount:{line}: invoice {number} no longer says what was issued"
            in check.stderr)  # fmt: skip
    assert "Assets:Clients 300.00 ≠ 200.00" in check.stderr
    hub.refused("invoice", "show", number, words="no longer says what was issued")
    hub.refused("invoice", "credit", number, "--no-validate", "--date", f"{Y1}-06-01",
                words=f"invoice {number} in the books ({Y1}/invoices.beancount:{line})")  # fmt: skip


def test_qa_f2_2_a_closed_years_document_changed_stops_the_live_check_and_every_write(
    settled: Hub, tmp_path: Path
) -> None:
    """A closed year's issued document edited or removed: `books check` said OK and the
    writes went on; only `--all-years` and `audit verify` saw it."""
    root = tmp_path / "books"
    subprocess.run(["cp", "-a", str(settled.root), str(root)], check=True)
    hub = Hub.__new__(Hub)
    hub.__dict__.update(settled.__dict__, root=root)
    folder = f"documents/invoices/{Y0}"
    a, b = (getattr(hub, n)["number"] for n in ("a", "b"))
    record = root / folder / f"{a}.json"
    record.write_text(record.read_text().replace("Client Fictif", "Client Change"))
    (root / folder / f"{b}.pdf").unlink()
    for commit in (False, True):
        if commit:
            _git(root, "commit", "-qam", "hand edit")
        check = hub.run("books", "check", ok=False)
        assert check.returncode == 1
        assert f"{folder}/{a}.json changed since close-{Y0}" in check.stderr
        assert f"{folder}/{b}.pdf is gone since close-{Y0}" in check.stderr
    hub.refused("cash", "withdraw", "1", "--date", f"{Y1}-04-01",
                words=f"{folder}/{a}.json changed since close-{Y0}")  # fmt: skip


def test_qa22_a_record_rewritten_with_its_entry_and_digest_is_found_in_history(
    issued: Hub,
) -> None:
    """Round 2 of the QA of stop 22: the record, its entry and the entry's record-sha256
    forged together pass the comparison of entry and record; the history says the record
    was written once, and `audit verify` names the commit that changed it."""
    import hashlib
    import json

    hub, number = issued, issued.issued[-1]["number"]  # type: ignore[attr-defined]
    rel = f"documents/invoices/{Y1}/{number}.json"
    record_path = hub.root / rel
    old_raw = record_path.read_bytes()
    record = json.loads(old_raw)
    record["totals"]["net"] = record["totals"]["gross"] = "300.00"
    for group in record["totals"].get("groups") or []:
        group["base"] = "300.00"
    new_raw = json.dumps(record, indent=2).encode()
    record_path.write_bytes(new_raw)
    books_file = hub.root / f"{Y1}" / "invoices.beancount"
    text = books_file.read_text()
    head = f'{Y1}-04-01 * "'
    start = text.index(head)
    end = text.index("\n\n", start)
    block = text[start:end].replace("200.00 EUR", "300.00 EUR")
    block = block.replace(hashlib.sha256(old_raw).hexdigest(), hashlib.sha256(new_raw).hexdigest())
    books_file.write_text(text[:start] + block + text[end:])
    _git(hub.root, "commit", "-qam", "a forgery")
    verify = hub.run("audit", "verify", ok=False)
    assert verify.returncode == 1
    assert (
        f"{rel}" in verify.stdout and "changed this document after it was written" in verify.stdout
    )
