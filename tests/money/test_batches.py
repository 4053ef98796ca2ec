"""``payout add --from FILE`` and ``expense add --from FILE`` (issue 16, batches): many
payouts or costs in one write, all or none, through the command line.

The file conventions are those of ``invoice issue --from`` (TOML tables or a CSV header);
every amount goes through the one amount parser, every text through the roster guard, and
one bad row in a hundred leaves the books byte-identical with one line naming the row.
"""

from __future__ import annotations

import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from cli_hub import PAYEE_IBAN, Hub
from tests_support import git_state, tree_digest

from ledger.money.payouts import receipt_pdf

D = Decimal


def commits(hub: Hub) -> list[str]:
    log = subprocess.run(["git", "-C", str(hub.root), "log", "--format=%s"],
                         capture_output=True, text=True, check=True).stdout  # fmt: skip
    return log.splitlines()


@pytest.fixture
def hub(tmp_path: Path) -> Hub:
    """A participant with 180.00 EUR held (an invoice of 200.00 paid, 10 % contribution)
    and her payout account in the roster; 100.00 EUR in the cash box."""
    hub = Hub(tmp_path)
    hub.env["COOPLEDGER_LANG"] = "en"  # the messages checked here are the English ones
    invoice = hub.invoice("200.00", "2026-03-03")
    hub.pays(invoice, "2026-03-10")
    hub.run("cash", "withdraw", "100.00", "--date", "2026-03-11")
    assert hub.show()["balance"] == "180.00"
    return hub


def payouts_toml(*rows: tuple[str, str, str, str]) -> str:
    return "\n".join(
        f'[[payouts]]\nparticipant = "{code}"\namount = {amount}\nmethod = "{method}"\n'
        f"date = {day}\n"
        for code, amount, method, day in rows
    )


def write(hub: Hub, name: str, text: str) -> Path:
    path = hub.tmp / name
    path.write_text(text, encoding="utf-8")
    return path


# ---------------------------------------------------------------- payouts


def test_payout_batch_books_every_row_in_one_write(hub: Hub) -> None:
    path = write(hub, "payouts.toml", payouts_toml(
        (hub.code, "50.00", "bank", "2026-03-20"),
        (hub.code, '"20,50"', "cash", "2026-03-20"),  # a decimal comma, as typed
        (hub.code, "30", "bank", "2026-03-21"),
    ))  # fmt: skip
    before = len(commits(hub))
    booked = hub.json("payout", "add", "--from", str(path))["payouts"]
    assert len(commits(hub)) == before + 1  # one write
    assert [p["payout"] for p in booked] == ["PO-2026-0001", "PO-2026-0002", "PO-2026-0003"]
    assert [p["amount"] for p in booked] == ["50.00", "20.50", "30.00"]
    assert (hub.root / booked[1]["receipt"]).read_bytes().startswith(b"%PDF")
    assert booked[0]["iban-last4"] == PAYEE_IBAN[-4:]  # from the roster
    assert hub.show()["balance"] == "79.50"
    waiting = hub.json("payout", "list")
    assert [p["payout"] for p in waiting] == ["PO-2026-0001", "PO-2026-0003"]
    assert hub.run("check").returncode == 0
    text = "".join(p.read_text() for p in hub.root.rglob("*.beancount"))
    assert PAYEE_IBAN not in text


def test_payout_batch_from_csv_with_defaults_from_the_options(hub: Hub) -> None:
    path = write(hub, "payouts.csv", f"participant;amount\n{hub.code};12,34\n{hub.code};10\n")
    out = hub.run("payout", "add", "--from", str(path), "--method", "cash",
                  "--date", "2026-03-25").stdout  # fmt: skip
    assert "2 payouts booked in one write" in out
    assert hub.show()["balance"] == "157.66"
    assert hub.json("payout", "list") == []  # both in cash: nothing waits for the bank


def test_payout_batch_one_bad_row_in_100_books_nothing(hub: Hub) -> None:
    rows = [(hub.code, f"1.{n:02d}", "bank", "2026-03-20") for n in range(100)]
    rows[56] = ("P-ZZZZZZ", "1.56", "bank", "2026-03-20")  # nobody has this code
    path = write(hub, "payouts.toml", payouts_toml(*rows))
    message = hub.refused("payout", "add", "--from", str(path), words="payout 57")
    assert "unknown participant" in message and "nothing was booked" in message
    assert hub.json("payout", "list") == []


def test_payout_batch_checks_each_row_with_the_rows_before_it(hub: Hub) -> None:
    path = write(hub, "payouts.csv", "participant,amount,date\n"
                 f"{hub.code},100.00,2026-03-20\n{hub.code},90.00,2026-03-21\n")  # fmt: skip
    message = hub.refused("payout", "add", "--from", str(path), words="row 3")
    assert "more than the 80.00 EUR held" in message


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        ("1.005", "at most 2 decimals"),  # a third decimal
        ("-5.00", "must not be negative"),
        ("0", "more than zero"),
        ("12.50 EUR", "not an amount"),
    ],
)
def test_payout_batch_refuses_a_bad_amount_naming_the_row(
    hub: Hub, amount: str, words: str
) -> None:
    path = write(hub, "payouts.csv", f"participant,amount\n{hub.code},5\n{hub.code},{amount}\n")
    message = hub.refused("payout", "add", "--from", str(path), words="row 3: amount")
    assert words in message and amount not in message.split("amount:")[1]


def test_payout_batch_refuses_a_repeated_row(hub: Hub) -> None:
    path = write(hub, "payouts.toml", payouts_toml(
        (hub.code, "10.00", "bank", "2026-03-20"), (hub.code, "5.00", "bank", "2026-03-20"),
        (hub.code, '"10,00"', "bank", "2026-03-20"),  # row 1 again, written otherwise
    ))  # fmt: skip
    message = hub.refused("payout", "add", "--from", str(path), words="payout 3")
    assert "the same payout as" in message and "payout 1" in message


def test_payout_batch_refuses_personal_values_in_any_cell(hub: Hub) -> None:
    path = write(hub, "payouts.csv", f"participant,amount,method\n{PAYEE_IBAN},5,bank\n")
    message = hub.refused("payout", "add", "--from", str(path), words="row 2")
    assert PAYEE_IBAN not in message
    path = write(hub, "payouts.toml", '[[payouts]]\nparticipant = "x"\namount = 5\niban = "y"\n')
    hub.refused("payout", "add", "--from", str(path), words="unknown key(s) iban")
    path = write(hub, "payouts.csv", "participant,amount,name\nx,5,y\n")
    hub.refused("payout", "add", "--from", str(path), words="unknown column(s) name")


def test_payout_batch_then_a_returned_payout(hub: Hub) -> None:
    path = write(hub, "payouts.toml", payouts_toml(
        (hub.code, "60.00", "bank", "2026-03-20"), (hub.code, "40.00", "bank", "2026-03-20"),
    ))  # fmt: skip
    hub.run("payout", "add", "--from", str(path))
    hub.run("payout", "export", "--out", str(hub.tmp / "po.xml"))
    hub.statement(
        ("2026-03-23", "-60.00", {"iban": PAYEE_IBAN, "text": "PO-2026-0001",
                                  "e2e": "PO-2026-0001"}),
        ("2026-03-23", "-40.00", {"iban": PAYEE_IBAN, "text": "PO-2026-0002",
                                  "e2e": "PO-2026-0002"}),
    )  # fmt: skip
    assert hub.json("payout", "list") == []  # both debits settled their payouts
    assert hub.show()["balance"] == "80.00"
    # The second transfer bounces: the bank brings it back, the participant has it again.
    hub.statement(("2026-03-26", "40.00", {"iban": PAYEE_IBAN, "text": "RETOUR PO-2026-0002",
                                           "e2e": "PO-2026-0002"}))  # fmt: skip
    queue = hub.json("reconcile", "--list")["queue"]
    if queue:  # not recognised by itself: the treasurer says what it is
        (line,) = queue
        hub.run("reconcile", "--assign", line["ref"], "po-2026-0002")
    assert hub.show()["balance"] == "120.00"
    (back,) = hub.json("payout", "list")
    assert (back["payout"], back["status"]) == ("PO-2026-0002", "returned")
    assert hub.run("check").returncode == 0


# ---------------------------------------------------------------- expenses


def expenses_toml(hub: Hub, receipt: str) -> str:
    return (
        f'[[expenses]]\nparticipant = "{hub.code}"\namount = "30,00"\n'
        f'description = "ingrédients"\npaid_from = "cash"\ndate = 2026-03-25\n'
        f'receipt = "{receipt}"\n\n'
        f'[[expenses]]\namount = 12.40\ndescription = "papeterie"\naccount = "services"\n'
        f'supplier = "Papeterie Fictive"\ndate = 2026-03-26\n\n'
        f'[[expenses]]\nparticipant = "{hub.code}"\namount = 200\ndescription = "four"\n'
        f"charge_later = true\ndate = 2026-03-27\n"
    )


def test_expense_batch_books_every_row_in_one_write(hub: Hub) -> None:
    (hub.tmp / "ticket.pdf").write_bytes(
        receipt_pdf("Marché", "T1", "-", D("30"), __import__("datetime").date(2026, 3, 25))
    )
    path = write(hub, "costs.toml", expenses_toml(hub, "ticket.pdf"))
    before = len(commits(hub))
    booked = hub.json("expense", "add", "--from", str(path))["expenses"]
    assert len(commits(hub)) == before + 1
    assert [e["expense"] for e in booked] == ["EXP-2026-0001", "EXP-2026-0002", "EXP-2026-0003"]
    assert [e["amount"] for e in booked] == ["30.00", "12.40", "200.00"]
    assert (hub.root / booked[0]["receipt"]).read_bytes().startswith(b"%PDF")
    shown = hub.show()
    assert shown["balance"] == "150.00"  # 180 − 30; the 200 is owed, charged later
    assert hub.run("check").returncode == 0
    # The costs paid by bank wait for their debit; the statement settles them.
    hub.statement(("2026-03-30", "-12.40", {"text": "EXP-2026-0002"}))
    assert hub.json("reconcile", "--list")["queue"] == []
    assert hub.run("check").returncode == 0


def test_expense_batch_from_csv(hub: Hub) -> None:
    path = write(hub, "costs.csv", "amount,description,participant,paid_from,date\n"
                 f"5,café,{hub.code},participant,2026-03-25\n"
                 f"7,50,thé,{hub.code},participant,2026-03-25\n")  # fmt: skip
    # "7,50" in a comma-separated file is two cells: the row has one cell too many
    hub.refused("expense", "add", "--from", str(path), words="row 3: more cells")
    path.write_text("amount;description;participant;paid_from;date\n"
                    f"5;café;{hub.code};participant;2026-03-25\n"
                    f"7,50;thé;{hub.code};participant;2026-03-25\n")  # fmt: skip
    out = hub.run("expense", "add", "--from", str(path)).stdout
    assert "2 costs booked in one write" in out
    assert hub.show()["balance"] == "180.00"  # paid by the participant: unchanged


def test_expense_batch_one_bad_row_in_100_books_nothing(hub: Hub) -> None:
    rows = ["amount,description,participant,paid_from,date"]
    rows += [f"1.00,fourniture {n},{hub.code},participant,2026-03-25" for n in range(100)]
    rows[57] = f"1.00,pour Beneficiaire Fictif,{hub.code},participant,2026-03-25"  # a name
    path = write(hub, "costs.csv", "\n".join(rows) + "\n")
    message = hub.refused("expense", "add", "--from", str(path), words="row 58")
    assert "Beneficiaire" not in message and "nothing was" in message


@pytest.mark.parametrize(
    ("row", "words"),
    [
        ("P-ZZZZZZ,1.00,x,participant", "unknown participant"),
        ("{code},1.005,x,participant", "at most 2 decimals"),
        ("{code},-1.00,x,participant", "must not be negative"),
        ("{code},1.00,IBAN " + PAYEE_IBAN + ",participant", "row 3"),
        ("{code},500.00,x,bank", "below zero"),  # more than is held for her
        ("{code},1.00,x,pocket", "--paid-from must be one of"),
    ],
)
def test_expense_batch_refuses_an_adversarial_row(hub: Hub, row: str, words: str) -> None:
    text = "participant,amount,description,paid_from\n" + f"{hub.code},2.00,ok,participant\n"
    path = write(hub, "costs.csv", text + row.format(code=hub.code) + "\n")
    message = hub.refused("expense", "add", "--from", str(path), words=words)
    assert "row 3" in message and PAYEE_IBAN not in message


def test_expense_batch_refuses_a_repeated_row(hub: Hub) -> None:
    line = f"{hub.code},2.00,café,participant,2026-03-25\n"
    path = write(hub, "costs.csv", "participant,amount,description,paid_from,date\n"
                 + line + line)  # fmt: skip
    hub.refused("expense", "add", "--from", str(path), words="the same cost as")


def test_batch_options_and_files_refused_in_one_line(hub: Hub) -> None:
    path = write(hub, "costs.csv", "amount,description\n1,x\n")
    hub.refused("expense", "add", "--from", str(path), "--amount", "5", words="--amount")
    hub.refused("payout", "add", hub.code, "--from", str(path), words="no CODE or AMOUNT")
    hub.refused("payout", "add", "--from", str(hub.tmp / "missing.toml"), words="cannot read")
    empty = write(hub, "empty.toml", "")
    hub.refused("payout", "add", "--from", str(empty), words="[[payouts]]")
    before, history = tree_digest(hub.root), git_state(hub.root)
    assert hub.run("expense", "add", ok=False).returncode == 2  # a usage error, as before
    assert tree_digest(hub.root) == before and git_state(hub.root) == history


# ---------------------------------------------------------------- a payee changed (qa D5)

OTHER_IBAN = "BE71096123456769"  # fictional, valid
NEW_IBAN = "BE62510007547061"


def second_participant(hub: Hub) -> str:
    """Another participant with 90.00 EUR held (a cash sale) and her payout account."""
    code = hub.run("participant", "add", "--activity", "couture", "--date",
                   "2026-01-05").stdout.strip().splitlines()[-1]  # fmt: skip
    hub.run("cash", "sale", "100", "--participant", code, "--date", "2026-03-12")
    hub.run("participant", "set-payee", code, "--from-file", "-",
            stdin=f"iban = {OTHER_IBAN}\nname = Testa Payee\n")  # fmt: skip
    return code


def set_payee_refused(hub: Hub, code: str, iban: str, words: str) -> str:
    before, history = tree_digest(hub.root), git_state(hub.root)
    proc = hub.run("participant", "set-payee", code, "--from-file", "-", ok=False,
                   stdin=f"iban = {iban}\nname = Testa Payee\n")  # fmt: skip
    message = proc.stderr.strip()
    assert proc.returncode == 1 and "\n" not in message and "Traceback" not in proc.stderr
    assert words in message, message
    assert iban not in message and iban[4:] not in message
    assert tree_digest(hub.root) == before and git_state(hub.root) == history
    return message


def test_qa_d5_set_payee_is_refused_while_a_bank_payout_waits_for_export(hub: Hub) -> None:
    """Changing her account while a payout waits made every later export fail; now the
    change is refused, naming the payout and the way out (export it, or cancel it)."""
    hub.run("payout", "add", hub.code, "50.00", "--method", "bank", "--date", "2026-03-20")
    message = set_payee_refused(hub, hub.code, NEW_IBAN, "PO-2026-0001")
    assert "payout cancel PO-2026-0001" in message and "…6727" in message
    # The same account (a corrected name) is no change of account.
    hub.run("participant", "set-payee", hub.code, "--from-file", "-",
            stdin=f"iban = {PAYEE_IBAN}\nname = Beneficiaire Corrige\n")  # fmt: skip
    # Once exported, the order is the bank's: her account may change for the next ones.
    hub.run("payout", "export", "--out", str(hub.tmp / "po.xml"))
    hub.run("participant", "set-payee", hub.code, "--from-file", "-",
            stdin=f"iban = {NEW_IBAN}\nname = Beneficiaire Fictif\n")  # fmt: skip


def test_qa_d5_export_leaves_out_a_payout_whose_account_changed(
    hub: Hub, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Books where her account changed while her payout waited (an earlier version let
    it): the export writes the others' payouts and names hers, one line, never the IBAN."""
    other = second_participant(hub)
    hub.run("payout", "add", hub.code, "50.00", "--method", "bank", "--date", "2026-03-20")
    hub.run("payout", "add", other, "50.00", "--method", "bank", "--date", "2026-03-20")
    from unittest import mock

    from ledger.books import Books
    from ledger.participants.payees import set_payee

    monkeypatch.setenv("XDG_CONFIG_HOME", hub.env["XDG_CONFIG_HOME"])
    with mock.patch("ledger.participants.payees.refuse_while_ordered"):
        set_payee(Books.open(hub.root), hub.code, NEW_IBAN, "Beneficiaire Fictif")
    out = hub.tmp / "po.xml"
    proc = hub.run("payout", "export", "--out", str(out))
    xml = out.read_text()
    assert OTHER_IBAN in xml and NEW_IBAN not in xml and "PO-2026-0002" in xml
    assert "PO-2026-0001" not in xml
    (line,) = proc.stderr.strip().splitlines()
    assert "PO-2026-0001" in line and "6727" in line and "payout cancel PO-2026-0001" in line
    assert NEW_IBAN not in proc.stdout + proc.stderr and NEW_IBAN[4:] not in line
    waiting = {p["payout"]: p["exported"] for p in hub.json("payout", "list")}
    assert waiting["PO-2026-0001"] is None and waiting["PO-2026-0002"] is not None
    # Nothing left to export but hers: refused in one line, the books unchanged.
    hub.refused("payout", "export", "--out", str(hub.tmp / "again.xml"), words="payout cancel")
    assert not (hub.tmp / "again.xml").exists()
    # The way out: cancel it, order it again to the new account, export.
    hub.run("payout", "cancel", "PO-2026-0001")
    hub.run("payout", "add", hub.code, "50.00", "--method", "bank")
    hub.run("payout", "export", "--out", str(hub.tmp / "new.xml"))
    assert NEW_IBAN in (hub.tmp / "new.xml").read_text()
    assert hub.run("check").returncode == 0


def test_qa_d5_payout_cancel_reverses_a_payout_not_exported(hub: Hub) -> None:
    hub.run("payout", "add", hub.code, "50.00", "--method", "bank", "--date", "2026-03-20")
    ledger = hub.root / "2026" / "payouts.beancount"
    ordered = ledger.read_text()
    cancelled = hub.json("payout", "cancel", "po-2026-0001")
    assert (cancelled["payout"], cancelled["amount"]) == ("PO-2026-0001", "50.00")
    assert ledger.read_text().startswith(ordered)  # a new entry; the order is never edited
    assert 'kind: "payout-cancel"' in ledger.read_text()
    assert "^po-2026-0001" in ledger.read_text().removeprefix(ordered)
    shown = hub.show()
    assert (shown["balance"], shown["payouts"]) == ("180.00", "0.00")
    assert hub.json("payout", "list") == []  # no longer waits: nothing for the bank to show
    assert hub.run("check").returncode == 0
    hub.run("participant", "statement", hub.code, "--out", str(hub.tmp / "st.pdf"))
    # Nothing is cancelled twice, nor once the bank has it, nor a cash payout.
    hub.refused("payout", "cancel", "PO-2026-0001", words="already cancelled")
    hub.refused("payout", "cancel", "PO-2026-0009", words="no payout 'PO-2026-0009'")
    # a name typed where the id goes is never repeated (QA of stop 22, round 2)
    hub.refused("payout", "cancel", "Fictivia Testa", words="(what was typed is not repeated)")
    hub.run("payout", "add", hub.code, "30.00", "--method", "cash", "--date", "2026-03-21")
    hub.refused("payout", "cancel", "PO-2026-0002", words="paid in cash")
    hub.run("payout", "add", hub.code, "40.00", "--method", "bank", "--date", "2026-03-21")
    hub.run("payout", "export", "--out", str(hub.tmp / "po.xml"))
    hub.refused("payout", "cancel", "PO-2026-0003", words="was exported for the bank")
    hub.statement(("2026-03-23", "-40.00", {"iban": PAYEE_IBAN, "text": "PO-2026-0003",
                                            "e2e": "PO-2026-0003"}))  # fmt: skip
    hub.refused("payout", "cancel", "PO-2026-0003", words="debited by the bank")
    assert hub.show()["balance"] == "110.00"
    assert hub.run("check").returncode == 0


def test_qa22_a_hand_written_payout_cancellation_is_checked(hub: Hub) -> None:
    """A cancellation written by hand: of an exported payout (the bank may pay it too), or
    a second one of the same payout — both put money back on her balance the bank pays
    out; each is named at its line."""
    hub.run("payout", "add", hub.code, "50.00", "--method", "bank", "--date", "2026-03-20")
    hub.run("payout", "cancel", "PO-2026-0001")
    ledger = hub.root / "2026" / "payouts.beancount"
    text = ledger.read_text()
    start = text.rindex("\n\n", 0, text.index('kind: "payout-cancel"')) + 2
    cancel = text[start:].split("\n\n")[0] + "\n"
    ledger.write_text(text + "\n" + cancel)  # the same payout cancelled twice
    line = len(text.splitlines()) + 2
    check = hub.run("check", ok=False)
    assert check.returncode == 1
    assert (f"2026/payouts.beancount:{line}: a payout cancellation: it gives back more than "
            "PO-2026-0001 took") in check.stderr  # fmt: skip
    ledger.write_text(text)
    hub.run("payout", "add", hub.code, "40.00", "--method", "bank", "--date", "2026-03-21")
    hub.run("payout", "export", "--out", str(hub.tmp / "po.xml"))
    exported = ledger.read_text()
    ledger.write_text(exported + "\n" + cancel.replace("PO-2026-0001", "PO-2026-0002")
                      .replace("po-2026-0001", "po-2026-0002").replace("50.00", "40.00"))  # fmt: skip
    check = hub.run("check", ok=False)
    assert check.returncode == 1
    assert "a payout cancellation: PO-2026-0002 was exported for the bank" in check.stderr
    ledger.write_text(exported)
    assert hub.run("check").returncode == 0
