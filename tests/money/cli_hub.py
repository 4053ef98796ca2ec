"""A fictional hub driven through the ``coopledger`` command line, as a treasurer uses it.

Books made with ``coopledger init``, keys under a temporary ``XDG_CONFIG_HOME``; bank
statements written as CODA files and imported with ``coopledger import`` (the real path,
which reconciles what it can). All names, IBANs and amounts are fictional.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
from decimal import Decimal
from pathlib import Path
from typing import Any

from tests_support import git_state, run_cli, tree_digest

from ledger.dates import TODAY_ENV

HUB_IBAN = "BE68539007547034"
CLIENT_IBAN = "BE21001234567803"
PAYEE_IBAN = "BE48001123456727"


class Hub:
    """One hub's books, one participant and one client, and its bank account."""

    def __init__(self, tmp: Path, start: str = "2026-01-01", regime: str = "exempt") -> None:
        xdg = tmp / "xdg"
        xdg.mkdir(exist_ok=True)
        self.tmp = tmp
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
        self.root = tmp / "books"
        self.statements = 0
        self.bank_balance = Decimal("1000.00")
        self.last_day = dt.date.fromisoformat(start) - dt.timedelta(days=1)
        vat = ["--vat-number", "BE0403170701"] if regime != "exempt" else []
        self.run("init", str(self.root), "--name", "Hub Fictif ASBL", "--enterprise-number",
                 "0403170701", "--iban", HUB_IBAN, "--start", start, "--address",
                 "Rue de l'Essai 1, 1000 Bruxelles", "--vat-regime", regime, *vat,
                 books=False)  # fmt: skip
        year = start[:4]
        self.code = self.run("participant", "add", "--activity", "catering", "--date",
                             f"{year}-01-05").stdout.strip().splitlines()[-1]  # fmt: skip
        # Her payout account, in the roster (never an argument: issue 9).
        self.run("participant", "set-payee", self.code, "--from-file", "-",
                 stdin=f"iban = {PAYEE_IBAN}\nname = Beneficiaire Fictif\n")  # fmt: skip
        self.client = self.json("client", "add", "--name", "Client Fictif SRL", "--address",
                                "Rue Imaginaire 2, 1000 Bruxelles")["id"]  # fmt: skip

    # -- running commands -------------------------------------------------------------

    def run(
        self, *args: str, ok: bool = True, books: bool = True, stdin: str | None = None
    ) -> subprocess.CompletedProcess[str]:
        extra = ["--books", str(self.root)] if books else []
        proc = run_cli([*args, *extra], env=self.env, input=stdin)
        if ok:
            assert proc.returncode == 0, f"{args}: {proc.stdout}\n{proc.stderr}"
        return proc

    def json(self, *args: str) -> Any:
        return json.loads(self.run(*args, "--json").stdout)

    def refused(self, *args: str, words: str) -> str:
        """Run a command that must be refused: one line naming what is wrong, the books
        byte-identical (files and git history)."""
        before, history = tree_digest(self.root), git_state(self.root)
        proc = self.run(*args, ok=False)
        assert proc.returncode == 1, proc.stdout + proc.stderr
        message = proc.stderr.strip()
        assert "\n" not in message and message.startswith("coopledger: error: "), message
        assert "Traceback" not in proc.stderr
        assert words.lower() in message.lower(), message
        assert tree_digest(self.root) == before and git_state(self.root) == history
        return message

    def show(self) -> dict[str, str]:
        return self.json("participant", "show", self.code, "--pseudonymous")  # type: ignore[no-any-return]

    def invoice(self, amount: str, day: str, vat: str = "0") -> dict[str, Any]:
        return self.json("invoice", "issue", "--participant", self.code, "--client", self.client,  # type: ignore[no-any-return]
                         "--line", f"Prestation fictive|1|{amount}|{vat}", "--date", day,
                         "--no-validate")  # fmt: skip

    def trial_balance(self, year: int) -> dict[str, Decimal]:
        """account → balance (debit positive) of the year's trial balance."""
        rows = self.json("trial-balance", str(year))
        return {r["account"]: Decimal(r["debit"]) - Decimal(r["credit"]) for r in rows}

    # -- the bank -----------------------------------------------------------------------

    def statement(
        self, *moves: tuple[str, str, dict[str, str]]
    ) -> subprocess.CompletedProcess[str]:
        """Import a CODA statement of ``(date, amount, fields)`` movements; fields may give
        ``ogm``, ``text``, ``name``, ``iban``, ``e2e``."""
        from importers.model import Movement, Statement
        from ledger.demo.coda_writer import CodaHeader, write_coda

        self.statements += 1
        movements = []
        for n, (day, amount, fields) in enumerate(moves, start=1):
            when = dt.date.fromisoformat(day)
            movements.append(
                Movement(
                    ref="", bank_ref=f"S{self.statements:03d}-{n:03d}", booking_date=when,
                    value_date=when, amount=Decimal(amount), currency="EUR",
                    counterparty_name=fields.get("name"), counterparty_account=fields.get("iban"),
                    communication=fields.get("text") or fields.get("ogm"), ogm=fields.get("ogm"),
                    end_to_end_id=fields.get("e2e"),
                )
            )  # fmt: skip
        closing = self.bank_balance + sum((m.amount for m in movements), Decimal(0))
        last = max(m.booking_date for m in movements)
        statement = Statement(
            format="coda", account=HUB_IBAN, iban=HUB_IBAN, currency="EUR",
            opening_balance=self.bank_balance, opening_date=self.last_day,
            closing_balance=closing, closing_date=last, sequence=f"{self.statements:03d}",
            movements=tuple(movements),
        )  # fmt: skip
        header = CodaHeader(bank_id="539", holder="Hub Fictif", company_id="00403170701")
        path = self.tmp / f"statement-{self.statements:03d}.cod"
        path.write_bytes(write_coda([statement], header, created=last))
        self.bank_balance, self.last_day = closing, last
        return self.run("import", str(path))

    def pays(self, invoice: dict[str, Any], day: str, amount: str | None = None) -> None:
        """The client pays ``invoice`` by bank, with its structured communication."""
        self.statement((day, amount or invoice["total"],
                        {"ogm": invoice["ogm"], "name": "Client Fictif SRL", "iban": CLIENT_IBAN}))  # fmt: skip
