"""What a command imports (issue 16): its own noun and what it runs, nothing else. Each
command is a fresh interpreter here (what a process imports is the point), its modules
listed after it ran."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from ledger.cli import NOUNS

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
    assert not any(m.startswith(("invoicing", "importers", "reports")) for m in modules)


def test_a_usage_error_imports_only_the_noun_it_names(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    code, modules = imported(["payout", "--no-such-option"], cli_env, tmp_path)
    assert code == 2
    assert nouns_of(modules) == {"payout"}
