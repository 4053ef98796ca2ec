"""What a command imports (issue 16): its own noun and what it runs, nothing else. Each
command is a fresh interpreter here (what a process imports is the point), its modules
listed after it ran."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from tests_support import ENTERPRISE, IBAN

from importers.model import Movement, Statement
from ledger.cli import NOUNS
from ledger.demo.coda_writer import CodaHeader, write_coda

# Run a command, then list every module the process imported (on a line of its own).
PROBE = (
    "import json, sys\n"
    "from ledger.cli import main\n"
    "code = main(sys.argv[1:])\n"
    "print('\\nMODULES ' + json.dumps(sorted(sys.modules)))\n"
    "sys.exit(code)\n"
)
# What only some commands need: documents (PDF, QR codes, XML, e-invoices), bank formats,
# spreadsheets and frames, Fava, and Babel's catalogue reader (ours reads the .po files).
HEAVY = (
    "reportlab", "pypdf", "segno", "saxonche", "lxml", "beangulp", "openpyxl", "pandas",
    "fava", "flask", "babel.messages",
)  # fmt: skip


# What `books check` reads of invoicing: the comparison of each issued document's record
# with its entry, and the postings an issued document books (no pydantic model, no PDF).
ISSUED_DOCUMENTS_CHECK = {"invoicing", "invoicing.i18n", "invoicing.integrity",
                          "invoicing.postings"}  # fmt: skip


def imported(args: list[str], env: dict[str, str], cwd: Path) -> tuple[int, set[str]]:
    proc = subprocess.run(
        [sys.executable, "-c", PROBE, *args], env=env, cwd=cwd, capture_output=True,
        text=True, timeout=120,
    )  # fmt: skip
    line = next(ln for ln in proc.stdout.splitlines() if ln.startswith("MODULES "))
    return proc.returncode, set(json.loads(line.removeprefix("MODULES ")))


def nouns_of(modules: set[str]) -> set[str]:
    return {m.removeprefix("ledger.cli.") for m in modules} & set(NOUNS)


def heavy_of(modules: set[str]) -> set[str]:
    return {m for m in modules for h in HEAVY if m == h or m.startswith(h + ".")}


def test_the_help_page_imports_no_noun_and_no_books(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    code, modules = imported(["--help"], cli_env, tmp_path)
    assert code == 0
    assert nouns_of(modules) == set()
    assert {"ledger.books", "beancount", "pydantic", "babel"} & modules == set()


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_books_check_imports_its_noun_and_no_document_machinery(
    books_dir: Path, cli_env: dict[str, str], lang: str
) -> None:
    code, modules = imported(["books", "check"], {**cli_env, "COOPLEDGER_LANG": lang}, books_dir)
    assert code == 0
    assert nouns_of(modules) == {"books"}
    assert heavy_of(modules) == set()
    assert not any(m.startswith(("importers", "reports")) for m in modules)
    # the issued documents against their entries (invoicing.integrity): no invoice model
    assert {m for m in modules if m.startswith("invoicing")} <= ISSUED_DOCUMENTS_CHECK


def test_a_usage_error_imports_only_the_noun_it_names(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    code, modules = imported(["payout", "--no-such-option"], cli_env, tmp_path)
    assert code == 2
    assert nouns_of(modules) == {"payout"}


def test_bank_import_reads_the_bank_file_without_the_documents_machinery(
    books_dir: Path, cli_env: dict[str, str]
) -> None:
    day = dt.date(2026, 1, 5)
    moves = tuple(
        Movement(ref="", bank_ref=f"R{n}", booking_date=day, value_date=day,
                 amount=Decimal(amount), currency="EUR", communication=f"Fictive {n}")
        for n, amount in enumerate(("120.00", "-30.50"))
    )  # fmt: skip
    statement = Statement(
        format="coda", account=IBAN, iban=IBAN, currency="EUR", opening_balance=Decimal(0),
        opening_date=day - dt.timedelta(days=1), closing_balance=Decimal("89.50"),
        closing_date=day, sequence="001", movements=moves,
    )  # fmt: skip
    coda = books_dir.parent / "jan.cod"
    header = CodaHeader(bank_id="539", holder="HUB TEST ASBL", company_id="0" + ENTERPRISE)
    coda.write_bytes(write_coda([statement], header, created=day))
    code, modules = imported(["bank", "import", str(coda)], cli_env, books_dir)
    assert code == 0
    assert nouns_of(modules) == {"bank"}
    documents = {"reportlab", "pypdf", "segno", "saxonche", "openpyxl", "pandas", "fava"}
    assert {m.split(".")[0] for m in modules} & documents == set()
    # a CODA file is recognised first: the other formats' readers (lxml) and beangulp's
    # command line (chardet) are not imported
    assert {m.split(".")[0] for m in modules} & {"lxml", "beangulp", "chardet"} == set()
    assert {"importers.camt", "importers.mt940_reader", "importers.bank_csv"} & modules == set()
