"""Closing a year seals it: no entry of a closed year can change any more."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

ENTRIES = """\
2025-03-01 * "don" ^gift-1
  kind: "grant"
  Assets:Caisse            250.00 EUR
  Income:Dons             -250.00 EUR

2025-06-01 * "frais"
  Expenses:Frais-bancaires   12.50 EUR
  Assets:Caisse             -12.50 EUR
"""


@pytest.fixture
def books_2025(cli, tmp_path: Path) -> Path:  # type: ignore[no-untyped-def]
    root = tmp_path / "books25"
    cli("init", str(root), "--name", "Hub Test ASBL", "--enterprise-number", "0403170701",
        "--iban", "BE68539007547034", "--start", "2025-01-01")  # fmt: skip
    (root / "2025").mkdir()
    (root / "2025" / "manual.beancount").write_text(ENTRIES)
    main = root / "main.beancount"
    main.write_text(main.read_text() + 'include "2025/manual.beancount"\n')
    subprocess.run(["git", "-C", str(root), "add", "-A"], check=True, env=cli.env)
    subprocess.run(
        ["git", "-C", str(root), "commit", "-qm", "manual entries"], check=True, env=cli.env
    )
    return root


def test_close_year_seals_and_tags(cli, books_2025: Path) -> None:  # type: ignore[no-untyped-def]
    b = ("--books", str(books_2025))
    summary = json.loads(cli("close-year", "2025", *b, "--json").stdout)
    assert summary["result"] == "237.50" and summary["income"] == "250.00"
    assert len(summary["digest"]) == 64
    tag = subprocess.run(["git", "-C", str(books_2025), "tag", "-n5", "close-2025"],
                         capture_output=True, text=True, check=True).stdout  # fmt: skip
    assert summary["digest"] in tag
    cli("check", *b)
    again = cli("close-year", "2025", *b, check=False)
    assert again.returncode == 1 and "already closed" in again.stderr


def test_editing_a_closed_year_is_detected(cli, books_2025: Path) -> None:  # type: ignore[no-untyped-def]
    b = ("--books", str(books_2025))
    cli("close-year", "2025", *b)
    manual = books_2025 / "2025" / "manual.beancount"
    original = manual.read_text()
    # The year is out of the live books: the live check sees that its file changed ...
    manual.write_text("\n".join(reversed(original.split("\n\n"))) + "\n")
    proc = cli("check", *b, check=False)
    assert proc.returncode == 1 and "2025/manual.beancount changed since close-2025" in proc.stderr
    # ... the full history's seal is kept by reformatting or moving lines ...
    cli("check", "--all-years", *b)
    # ... changing an amount breaks it, and check names the changed entry and its fields.
    manual.write_text(original.replace("12.50", "21.50"))
    proc = cli("check", "--all-years", *b, check=False)
    assert proc.returncode == 1
    assert "2025/manual.beancount:6: this entry changed after 2025 was closed" in proc.stderr
    assert "posting[0].units, posting[1].units" in proc.stderr and "21.50" not in proc.stderr
    manual.write_text(original)
    cli("check", *b)
    cli("check", "--all-years", *b)


def test_no_command_can_add_to_a_closed_year(cli, books_2025: Path, snapshot_books) -> None:  # type: ignore[no-untyped-def]
    b = ("--books", str(books_2025))
    code = cli("participant", "add", *b, "--date", "2025-02-01").stdout.splitlines()[-1]
    cli("close-year", "2025", *b)
    snapshot_books.take(books_2025)
    proc = cli("participant", "close", code, *b, "--date", "2025-12-15", check=False)
    assert proc.returncode == 1 and "closed" in proc.stderr
    snapshot_books.assert_unchanged()
    cli("participant", "close", code, *b, "--date", "2026-01-15")  # an open year is fine


def test_a_year_not_yet_ended_cannot_be_closed(cli, books_2025: Path) -> None:  # type: ignore[no-untyped-def]
    proc = cli("close-year", "2999", "--books", str(books_2025), check=False)
    assert proc.returncode == 1 and "has not ended yet" in proc.stderr
