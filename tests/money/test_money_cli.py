"""The money commands end to end, through subprocesses, as a user runs them.

Books made with ``coopledger init``, keys under a temporary ``XDG_CONFIG_HOME``; the bank
statement is a CODA file imported with ``coopledger import`` (the real path), so the
reconciliation the import runs is exercised too.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from money_builders import CLIENT_IBANS, PAYEE_IBAN
from tests_support import run_cli

from ledger.dates import TODAY_ENV
from ledger.dates import today as calendar_today
from ledger.money.payouts import receipt_pdf

HUB_IBAN = "BE68539007547034"
D = dt.date


class Cli:
    def __init__(self, tmp: Path) -> None:
        xdg = tmp / "xdg"
        xdg.mkdir()
        self.env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith("COOPLEDGER_") or k in (TODAY_ENV, "COOPLEDGER_LANG")
        }
        self.env.update(
            XDG_CONFIG_HOME=str(xdg), BEANCOUNT_DISABLE_LOAD_CACHE="1",
            GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.invalid",
            GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@example.invalid",
        )  # fmt: skip
        self.books = tmp / "books"

    def __call__(self, *args: str, ok: bool = True, stdin: str | None = None) -> Any:
        proc = run_cli(args, env=self.env, input=stdin)
        if ok:
            assert proc.returncode == 0, f"{args}: {proc.stdout}\n{proc.stderr}"
        return proc

    def json(self, *args: str) -> Any:
        return json.loads(self(*args, "--json", "--books", str(self.books)).stdout)


def digest(root: Path) -> str:
    h = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if path.is_file() and not rel.startswith((".git/", ".coopledger/")):
            h.update(rel.encode() + path.read_bytes())
    return h.hexdigest()


def coda_file(path: Path, ogm: str) -> None:
    """A CODA statement: the invoice paid by OGM, an unexplained credit, bank fees."""
    from importers.model import Movement, Statement
    from ledger.demo.coda_writer import BANK_COSTS, CodaHeader, write_coda

    def move(n: int, day: dt.date, amount: str, **kw: object) -> Movement:
        return Movement(
            ref="",
            bank_ref=f"T{n:04d}",
            booking_date=day,
            value_date=day,
            amount=Decimal(amount),
            currency="EUR",
            **kw,
        )  # type: ignore[arg-type]

    moves = (
        move(1, D(2026, 3, 20), "200.00", counterparty_name="Client Fictif SRL",
             counterparty_account=CLIENT_IBANS[0], ogm=ogm, communication=ogm),
        move(2, D(2026, 3, 21), "30.00", counterparty_name="Inconnu Fictif",
             counterparty_account=CLIENT_IBANS[1], communication="merci"),
        move(3, D(2026, 3, 22), "-7.50", communication="FRAIS", transaction_code=BANK_COSTS),
    )  # fmt: skip
    statement = Statement(
        format="coda", account=HUB_IBAN, iban=HUB_IBAN, currency="EUR",
        opening_balance=Decimal("1000.00"), opening_date=D(2026, 3, 19),
        closing_balance=Decimal("1222.50"), closing_date=D(2026, 3, 22), sequence="001",
        movements=moves,
    )  # fmt: skip
    header = CodaHeader(bank_id="539", holder="Hub Test CLI", company_id="00403170701")
    path.write_bytes(write_coda([statement], header, created=D(2026, 3, 22)))


def test_money_commands_end_to_end(tmp_path: Path) -> None:
    cli = Cli(tmp_path)
    books = str(cli.books)
    cli("init", books, "--name", "Hub Test CLI ASBL", "--enterprise-number", "0403170701",
        "--iban", HUB_IBAN, "--start", "2026-01-01", "--address", "Rue de l'Essai 1",
        "--postal-code", "1000", "--city", "Bruxelles")  # fmt: skip
    code = cli("participant", "add", "--books", books, "--activity", "catering",
               "--date", "2026-01-05").stdout.strip().splitlines()[-1]  # fmt: skip
    client = cli.json("client", "add", "--name", "Client Fictif SRL",
                      "--address", "Rue Imaginaire 2, 1000 Bruxelles")["id"]  # fmt: skip
    inv = cli.json(
        "invoice",
        "issue",
        "--participant",
        code,
        "--client",
        client,
        "--line",
        "Repas|1|200|0",
        "--date",
        "2026-03-03",
        "--no-validate",
    )
    ogm = inv.get("ogm") or inv["document"]["ogm"]

    statement = tmp_path / "march.cod"
    coda_file(statement, ogm)
    cli("import", str(statement), "--books", books)  # reconciliation runs with it
    shown = cli.json("participant", "show", code, "--pseudonymous")
    assert shown["balance"] == "180.00"  # 200 received − 10 % contribution
    assert shown["received"] == "200.00" and shown["contribution"] == "20.00"

    listed = cli.json("reconcile", "--list")
    assert [row["open"] for row in listed["queue"]] == ["30.00", "-7.50"]
    credit, fees = (row["ref"] for row in listed["queue"])
    assert listed["queue"][1]["counterparty"] == ""  # who the hub pays is never shown

    # Walk the queue in the terminal: a gift, then the fees.
    walked = cli("reconcile", "--books", books, stdin="gifts\nbank_fees\n")
    assert "2 decision(s) booked" in walked.stdout
    assert cli.json("reconcile", "--list") == {"queue": [], "unallocated": []}

    # Nothing is matched twice: a clear error, the books unchanged.
    before = digest(cli.books)
    again = cli("reconcile", "--books", books, "--assign", fees, "bank_fees", ok=False)
    assert again.returncode == 1
    assert again.stderr.strip().count("\n") == 0
    assert "already settled" in again.stderr
    assert digest(cli.books) == before
    assert cli.json("reconcile", "--auto")["settlements"] == 0
    del credit

    # A cost with its receipt, then payouts (cash taken from the bank first: the cash box
    # is never below zero).
    cli("cash", "withdraw", "200.00", "--date", "2026-03-24", "--books", books)
    receipt = tmp_path / "ticket.pdf"
    receipt.write_bytes(receipt_pdf("Marché", "T1", "-", Decimal("30"), D(2026, 3, 25)))
    cost = cli.json("expense", "add", "--participant", code, "--amount", "30.00",
                    "--description", "ingrédients", "--receipt", str(receipt),
                    "--paid-from", "cash", "--date", "2026-03-25")  # fmt: skip
    assert (cli.books / cost["receipt"]).read_bytes().startswith(b"%PDF")  # cleaned (issue 9)
    damaged = tmp_path / "damaged.pdf"
    damaged.write_bytes(b"%PDF-1.4\n garbage garbage")
    before = digest(cli.books)
    bad = cli("expense", "add", "--books", books, "--participant", code, "--amount", "5",
              "--description", "x", "--receipt", str(damaged), "--paid-from", "cash",
              "--date", "2026-03-25", ok=False)  # fmt: skip
    assert bad.returncode == 1 and digest(cli.books) == before
    # one clear line: nothing of what the PDF library says while trying to repair it
    assert (
        bad.stderr == "coopledger: error: --receipt: not a readable PDF (damaged or truncated)\n"
    )
    too_much = cli("payout", code, "150.01", "--method", "cash", "--date", "2026-03-31",
                   "--books", books, ok=False)  # fmt: skip
    assert too_much.returncode == 1 and "more than the 150.00 EUR held" in too_much.stderr
    cli("participant", "set-payee", code, "--from-file", "-", "--books", books,
        stdin=f"iban = {PAYEE_IBAN}\nname = Beneficiaire Fictif\n")  # fmt: skip
    cli.json("payout", code, "100.00", "--method", "bank", "--date", "2026-03-31")
    cash = cli.json("payout", code, "20.00", "--method", "cash", "--date", "2026-03-31")
    assert (cli.books / cash["receipt"]).read_bytes().startswith(b"%PDF")
    out = tmp_path / "sepa.xml"
    past = cli("payout", "export", "--books", books, "--out", str(out), "--date", "2026-04-01",
               ok=False)  # fmt: skip
    assert "is in the past" in past.stderr and not out.exists()  # a bank would not execute it
    cli("payout", "export", "--books", books, "--out", str(out))
    xml = out.read_text()
    assert "pain.001.001.03" in xml and PAYEE_IBAN in xml and "100.00" in xml
    twice = cli("payout", "export", "--books", books, "--out", str(tmp_path / "again.xml"),
                ok=False)  # fmt: skip
    assert "already exported" in twice.stderr and not (tmp_path / "again.xml").exists()
    assert cli.json("payout", "list")[0]["exported"] == calendar_today().isoformat()
    assert PAYEE_IBAN not in "".join(
        p.read_text(errors="ignore") for p in cli.books.rglob("*.beancount")
    )
    shown = cli.json("participant", "show", code, "--pseudonymous")
    assert shown["balance"] == "30.00" and shown["payouts"] == "120.00"

    # A grant and what it paid for; the contribution rule.
    cli("grant", "add", "fondation-test", "--amount", "500", "--date", "2026-02-01",
        "--purpose", "outils", "--restricted", "--books", books)  # fmt: skip
    cli.json("expense", "add", "--amount", "120.00", "--description", "formation",
             "--account", "services", "--grant", "fondation-test-2026", "--paid-from", "cash",
             "--date", "2026-04-02")  # fmt: skip
    grant = cli.json("grant", "report", "fondation-test-2026")
    assert (grant["charged"], grant["remaining"]) == ("120.00", "380.00")
    bad = cli("contribution", "set-rate", "150", "--books", books, ok=False)
    assert bad.returncode == 1 and "between 0 and 100" in bad.stderr
    rate = cli("contribution", "set-rate", "12%", "--since", "2026-07-01", "--books", books)
    assert rate.stdout == "Contribution rate of the hub set to 12% from 2026-07-01.\n"
    assert cli.json("contribution", "show")["changes"][-1]["rate"] == "12"
    assert cli("check", "--books", books).returncode == 0


def test_reconcile_list_outside_books(tmp_path: Path) -> None:
    cli = Cli(tmp_path)
    proc = cli("reconcile", "--list", "--books", str(tmp_path / "nowhere"), ok=False)
    assert proc.returncode == 1 and proc.stderr.startswith("coopledger: error:")


@pytest.mark.parametrize("args", [["payout"], ["expense", "add"], ["grant", "report"]])
def test_usage_errors(tmp_path: Path, args: list[str]) -> None:
    assert Cli(tmp_path)(*args, ok=False).returncode == 2
