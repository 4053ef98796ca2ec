"""No identity ever leaves the roster.

Participants are onboarded with fictional aliases, then every command is run. None of the
alias strings may appear anywhere in the books tree, the whole git history, or any
command's output — except ``participant show`` run with the hub key, whose job is to say
who a code is.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

ALIASES = ["Fictive Sierra Tango (test)", "Fictive Uniform Victor (test)", "Whiskey-Xray Fictive"]


def scan_tree(root: Path, needles: list[str]) -> list[str]:
    hits = []
    for path in root.rglob("*"):
        if path.is_file() and ".git" not in path.relative_to(root).parts:
            data = path.read_bytes()
            hits += [
                f"{path}: {n}"
                for n in needles
                if n.encode() in data or n.lower().encode() in data.lower()
            ]
    return hits


def test_aliases_never_leave_the_roster(cli, books_dir: Path) -> None:  # type: ignore[no-untyped-def]
    b = ("--books", str(books_dir))
    outputs: list[str] = []

    def run(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        proc = cli(*args, *b, check=check)
        outputs.append(proc.stdout + proc.stderr)
        return proc

    codes = [
        run(
            "participant",
            "add",
            "--alias",
            alias,
            "--activity",
            "catering",
            "--date",
            "2026-02-01",
        ).stdout.splitlines()[-1]
        for alias in ALIASES
    ]
    run("participant", "list")
    run("participant", "list", "--json")
    for code in codes:
        run("participant", "show", code, "--pseudonymous")
        run("participant", "show", code, "--pseudonymous", "--json")
    run("participant", "close", codes[2], "--date", "2026-03-01")
    run("participant", "close", codes[2], check=False)  # an error path
    run("participant", "show", "P-000000", check=False)
    run(
        "participant",
        "add",
        "--activity",
        ALIASES[0] + " catering",
        "--alias",
        ALIASES[0],
        check=False,
    )
    run("check")
    run("check", "--json")

    # participant show with the key does reveal the alias: that is its purpose.
    revealed = json.loads(cli("participant", "show", codes[0], *b, "--json").stdout)
    assert revealed["alias"] == ALIASES[0]

    assert scan_tree(books_dir, ALIASES) == []
    history = subprocess.run(
        ["git", "-C", str(books_dir), "log", "-p", "--all", "--format=%an %ae %s %b"],
        capture_output=True, text=True, errors="replace", check=True,
    ).stdout  # fmt: skip
    assert len(history) > 1000
    for alias in ALIASES:
        assert alias.lower() not in history.lower()
        for output in outputs:
            assert alias.lower() not in output.lower(), output


def pdf_texts(root: Path) -> dict[str, str]:
    from pypdf import PdfReader

    return {
        str(p): "\n".join(page.extract_text() or "" for page in PdfReader(p).pages)
        for p in root.rglob("*.pdf")
    }


def test_every_command_keeps_identities_in_the_roster(
    cli, books_dir: Path, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    """The whole product, end to end, with a roster full of fictional identities."""
    import datetime as dt
    from decimal import Decimal

    from importers.coda_writer import CodaHeader, write_coda
    from importers.model import Movement, Statement
    from ledger.books import Books
    from ledger.serve import make_app

    b = ("--books", str(books_dir))
    outputs: list[str] = []

    def run(*args: str, check: bool = True, input: str | None = None) -> str:
        proc = cli(*args, *b, check=check, input=input)
        outputs.append(proc.stdout + proc.stderr)
        return proc.stdout

    def run_json(*args: str) -> dict:  # type: ignore[type-arg]
        return json.loads(run(*args, "--json"))

    hub = books_dir / "hub.toml"
    hub.write_text(
        hub.read_text().replace('address = ""', "address = \"Rue de l'Exemple 1\"")
        .replace('postal_code = ""', 'postal_code = "1030"').replace('city = ""', 'city = "Schaerbeek"')
    )  # fmt: skip
    cli("check", "--adopt-changes", *b)  # a hand edit: committed under its own message
    codes = [
        run(
            "participant",
            "add",
            "--alias",
            alias,
            "--activity",
            "catering",
            "--date",
            "2026-01-05",
        ).splitlines()[-1]
        for alias in ALIASES
    ]
    client = run_json("client", "add", "--name", "Client Fictif SRL", "--enterprise-number", "0403170701",
                      "--address", "Rue Imaginaire 2, 1000 Bruxelles")["id"]  # fmt: skip
    person = run_json(
        "client", "add", "--name", "Personne Fictive", "--address", "Rue Test 3, 1000 Bruxelles"
    )["id"]
    inv = run_json("invoice", "issue", "--participant", codes[0], "--client", client,
                   "--line", "Repas traiteur|10|20|0", "--date", "2026-03-03", "--no-validate")  # fmt: skip
    run_json("invoice", "issue", "--participant", codes[1], "--client", person,
             "--line", "Retouche|1|45|0", "--date", "2026-03-04", "--no-validate")  # fmt: skip
    run(
        "invoice",
        "credit",
        inv["number"],
        "--line",
        "Repas traiteur|1|20|0",
        "--reason",
        "un repas de moins",
    )
    run("invoice", "list")
    run("invoice", "list", "--json")
    run("invoice", "show", inv["number"])

    # The client pays by OGM on the bank statement; the bank also shows fees.
    movements = (
        Movement(ref="", bank_ref="T0001", booking_date=dt.date(2026, 3, 20), value_date=dt.date(2026, 3, 20),
                 amount=Decimal("180.00"), currency="EUR", counterparty_name="Client Fictif SRL",
                 counterparty_account="BE71096123456769", ogm=inv["ogm"], communication=inv["ogm"]),
        Movement(ref="", bank_ref="T0002", booking_date=dt.date(2026, 3, 21), value_date=dt.date(2026, 3, 21),
                 amount=Decimal("-2.50"), currency="EUR", communication="FRAIS"),
    )  # fmt: skip
    statement = Statement(
        format="coda", account="BE68539007547034", iban="BE68539007547034", currency="EUR",
        opening_balance=Decimal("0.00"), opening_date=dt.date(2026, 3, 19),
        closing_balance=Decimal("177.50"), closing_date=dt.date(2026, 3, 21), sequence="001",
        movements=movements,
    )  # fmt: skip
    coda = tmp_path / "march.cod"
    coda.write_bytes(write_coda([statement], CodaHeader(bank_id="539", holder="Hub Test", company_id="00403170701"),
                                created=dt.date(2026, 3, 21)))  # fmt: skip
    run("import", str(coda), "--dry-run")
    run("import", str(coda), "--json")
    run("reconcile", "--list", "--json")
    run("reconcile", input="bank_fees\n")
    run("reconcile", "--auto")

    receipt = tmp_path / "ticket.png"
    receipt.write_bytes(
        bytes.fromhex(
            "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
            "1f15c4890000000d49444154789c6300010000050001"
            "0d0a2db40000000049454e44ae426082"
        )
    )
    run("cash", "withdraw", "100.00", "--date", "2026-03-21")  # the cash box is never below zero
    run("expense", "add", "--participant", codes[0], "--amount", "12.00", "--description", "ingrédients",
        "--receipt", str(receipt), "--paid-from", "cash", "--date", "2026-03-22")  # fmt: skip
    run("payout", codes[0], "50.00", "--method", "cash", "--date", "2026-03-25")
    bank_payout = run_json("payout", codes[0], "40.00", "--method", "bank", "--iban", "BE71096123456769",
                           "--date", "2026-03-26")  # fmt: skip
    run("payout", "list")
    run("payout", "export", "--out", str(tmp_path / "sepa.xml"),
        "--iban", f"{bank_payout['payout']}=BE71096123456769", "--name", f"{bank_payout['payout']}={ALIASES[0]}")  # fmt: skip
    run(
        "grant",
        "add",
        "fondation-fictive",
        "--amount",
        "500",
        "--date",
        "2026-02-01",
        "--restricted",
    )
    run("grant", "list")
    run("contribution", "show")
    run("participant", "list", "--json")
    for code in codes:
        run("participant", "show", code, "--pseudonymous", "--json")
        run("participant", "statement", code, "--out", str(tmp_path / f"{code}.pdf"))
    run("check", "--json")

    app = make_app(Books.open(books_dir), read_only=True)
    client_app = app.test_client()
    for page in ("income_statement/", "balance_sheet/", "journal/", "extension/Participants/",
                 "api/income_statement", "errors/", "documents/"):  # fmt: skip
        response = client_app.get(f"/hub-test-asbl/{page}")
        assert response.status_code == 200, page
        outputs.append(response.get_data(as_text=True))

    needles = [a.lower() for a in ALIASES]
    assert scan_tree(books_dir, ALIASES) == []
    for path, text in {**pdf_texts(books_dir), **pdf_texts(tmp_path)}.items():
        assert not any(n in text.lower() for n in needles), path
    history = subprocess.run(
        ["git", "-C", str(books_dir), "log", "-p", "--all", "--format=%an %ae %s %b"],
        capture_output=True, text=True, errors="replace", check=True,
    ).stdout.lower()  # fmt: skip
    assert not any(n in history for n in needles)
    for output in outputs:
        assert not any(n in output.lower() for n in needles), output[:300]
