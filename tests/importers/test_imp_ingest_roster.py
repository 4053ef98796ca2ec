"""beangulp's importers check what the bank wrote against the roster, as ``coopledger
import`` does: their settings come from the books (``importers.ingest.settings_from_books``,
the hub key at hand), and without the roster they refuse on beangulp's one line.

Run as a user runs them: an ``import.py`` in a subprocess, ``extract`` and ``archive``.
Every name and account here is fictional (valid check digits only).
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from bank_support import IBAN, REPO, camt, coda, day, move, statement
from beangulp import exceptions
from test_imp_qa_13_15 import NEEDLES, books_text, copy_of, leaks, roster_books, write

from importers.ingest import CodaImporter, all_importers, settings_from_books
from importers.service import BankFile, plan_import
from importers.settings import BankRef, ImportSettings
from ledger.books import Books

__all__ = ["roster_books"]  # the fixture (one participant in the roster), used below

HER_IBAN = "BE26068888888829"  # the participant's payout IBAN (test_imp_qa_13_15.ROSTER)
# What the bank writes that is shaped like what the books keep: her name with a legal form
# (a business's, to the shapes), her own IBAN beside a business's name, and a reference
# made of her name and digits (a code, to the shapes).
MOVEMENTS = [
    move(day(3, 2), "40.00", "Zorabella Fictivia", who="Zorabella Fictivia SRL", iban=HER_IBAN),
    move(day(3, 3), "-25.00", "Remboursement", who="Traiteur Imaginaire SRL", iban=HER_IBAN),
]
KEPT_META = re.compile(r"^\s+((?:counterparty[-a-z0-9]*|bank-ref|references): .*)$", re.M)


def statements() -> dict[str, bytes]:
    """A CODA and a camt.053 statement of the hub naming her where the shapes keep a name."""
    xml = camt(statement(4, "100.00", MOVEMENTS), "08")
    xml = xml.replace(b"<AcctSvcrRef>CAMT-004-1</AcctSvcrRef>",
                      b"<AcctSvcrRef>FICTIVIA2026</AcctSvcrRef>")  # fmt: skip
    assert b"FICTIVIA2026" in xml
    return {"march.cod": coda(statement(3, "100.00", MOVEMENTS)), "march.xml": xml}


def import_py(tmp_path: Path, books: Path) -> Path:
    """The ``import.py`` of importers/ingest.py's docstring, for ``books``."""
    return write(tmp_path, "import.py", (
        "from importers.archive import Ingest\n"
        "from importers.ingest import all_importers, settings_from_books\n"
        f"settings = settings_from_books({str(books)!r})\n"
        "Ingest(all_importers(settings), settings.recipients)()\n"
    ))  # fmt: skip


def beangulp(script: Path, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(script), *args], capture_output=True, text=True,
                          timeout=120, cwd=REPO, env=env)  # fmt: skip


def test_extract_with_the_books_settings_keeps_no_value_of_the_roster(
    cli, roster_books: Path, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    files = [write(tmp_path, name, payload) for name, payload in statements().items()]
    # Without the roster the shapes alone keep her: what settings built by hand gave.
    shapes = ImportSettings.from_config(Books.open(roster_books).config)
    shapes_only = [
        e.meta
        for path in files
        for e in plan_import([BankFile.read(str(path))], [], shapes).entries
    ]
    kept = " ".join(str(m) for m in shapes_only).lower()
    assert "zorabella fictivia srl" in kept and HER_IBAN.lower() in kept and "fictivia2026" in kept

    script = import_py(tmp_path, roster_books)
    out = beangulp(script, "extract", *map(str, files), env=cli.env)
    assert out.returncode == 0, out.stderr
    assert leaks(out.stdout + out.stderr) == [] and "Traceback" not in out.stderr
    assert out.stdout.count('counterparty-iban-last4: "8829"') == 2 * len(MOVEMENTS)
    assert 'counterparty: "Traiteur Imaginaire SRL"' not in out.stdout  # not with her IBAN
    assert "bank-ref: " in out.stdout  # the movements are there, with the bank's codes

    # Exactly what `coopledger import` keeps of each file in the same books.
    for path in files:
        alone = beangulp(script, "extract", str(path), env=cli.env)
        books = copy_of(roster_books, tmp_path, f"imported-{path.name}")
        cli("import", "--books", str(books), str(path))
        assert leaks(books_text(books)) == []
        bank = (books / "2026" / "bank.beancount").read_text()
        assert KEPT_META.findall(alone.stdout) == KEPT_META.findall(bank) != []


def test_extract_and_archive_without_the_hub_key_are_refused_on_one_line(
    cli, roster_books: Path, tmp_path: Path, snapshot_books
) -> None:  # type: ignore[no-untyped-def]
    files = [write(tmp_path, name, payload) for name, payload in statements().items()]
    documents = tmp_path / "documents"
    documents.mkdir()
    script = import_py(tmp_path, roster_books)
    no_key = {**cli.env, "COOPLEDGER_KEY_FILE": str(tmp_path / "absent.key")}
    snapshot_books.take(roster_books)

    out = beangulp(script, "extract", *map(str, files), env=no_key)
    assert out.returncode == 1
    assert "Traceback" not in out.stderr and "Exception in importer code" not in out.stderr
    refusals = [ln.strip() for ln in out.stderr.splitlines() if "needs the hub key" in ln]
    assert len(refusals) == len(files)  # one line per file, under beangulp's ERROR
    assert all(r.endswith("give the key with COOPLEDGER_KEY_FILE") for r in refusals)
    assert "bank-ref" not in out.stdout and "counterparty" not in out.stdout
    assert leaks(out.stdout + out.stderr) == []

    stored = beangulp(script, "archive", str(files[0]), "-o", str(documents), env=no_key)
    assert stored.returncode == 1 and "Traceback" not in stored.stderr
    (line,) = stored.stderr.strip().splitlines()
    assert line.startswith("Error: a bank import needs the hub key")
    assert leaks(stored.stdout + stored.stderr) == []
    assert files[0].exists() and not any(documents.rglob("*"))

    # identify reads nothing into the books: it still says which importer takes a file
    seen = beangulp(script, "identify", *map(str, files), env=no_key)
    assert seen.returncode == 0 and "coopledger.coda" in seen.stdout
    snapshot_books.assert_unchanged()


def test_settings_of_no_books_are_refused_on_one_line(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    files = [write(tmp_path, name, payload) for name, payload in statements().items()]
    out = beangulp(import_py(tmp_path, tmp_path / "nowhere"), "extract", *map(str, files),
                   env=cli.env)  # fmt: skip
    assert out.returncode == 1 and "Traceback" not in out.stderr
    refusals = [ln.strip() for ln in out.stderr.splitlines() if "no such books directory" in ln]
    assert len(refusals) == len(files) and leaks(out.stdout + out.stderr) == []


def test_settings_built_by_hand_carry_no_roster_and_extract_refuses_them(
    books: Books, tmp_path: Path
) -> None:
    """An ``ImportSettings`` written in ``import.py`` (how the docstring used to build them),
    or read from ``hub.toml`` alone: the shapes alone would keep her name and IBAN, so
    extract refuses, naming what to do; the account of a file (the encrypted archive's
    path), which puts nothing into the books, is still given."""
    path = write(tmp_path, "march.cod", statements()["march.cod"])
    by_hand = ImportSettings(banks=(BankRef(IBAN, "Assets:Banque:Courant"),))
    for settings in (by_hand, ImportSettings.from_config(books.config)):
        assert not settings.known.guard.with_roster
        (importer,) = [i for i in all_importers(settings) if i.identify(str(path))]
        with pytest.raises(exceptions.Error) as caught:
            importer.extract(str(path), [])
        message = str(caught.value)
        assert "\n" not in message and "settings_from_books(BOOKS)" in message
        assert "COOPLEDGER_KEY_FILE" in message
        assert [n for n in NEEDLES if n in message.lower()] == []
        assert importer.account(str(path)) == "Assets:Banque:Courant"


def test_settings_from_books_are_those_of_coopledger_import(
    roster_books: Path, tmp_path: Path
) -> None:
    """The books' bank accounts, recipients and the roster's guard (the key is at hand);
    an importer built on them extracts (in process, beangulp's own way)."""
    settings = settings_from_books(roster_books)
    books = Books.open(roster_books)
    assert settings.refused is None and settings.known.guard.with_roster
    assert [b.iban for b in settings.banks] == [IBAN]
    assert settings.recipients == tuple(books.config.roster.recipients)
    assert settings.known.guard.matches_roster("ZORABELLA")
    path = write(tmp_path, "march.cod", statements()["march.cod"])
    entries = CodaImporter(settings).extract(str(path), [])
    assert entries and leaks(" ".join(str(e.meta) for e in entries)) == []
