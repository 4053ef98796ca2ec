"""Fixtures for the importer tests: private keys per test and fresh books in-process.
Helpers live in ``bank_support``."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

os.environ["BEANCOUNT_DISABLE_LOAD_CACHE"] = "1"
HERE = str(Path(__file__).resolve().parent)
if HERE not in sys.path:  # for bank_support; appended, never first (see tests/money/conftest.py)
    sys.path.append(HERE)

from bank_support import make_books  # noqa: E402

from ledger.books import Books  # noqa: E402


@pytest.fixture(autouse=True)
def _private_keys(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test's hub key lives in its own temporary folder; git has an identity."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("COOPLEDGER_KEY_FILE", str(tmp_path / "hub.key"))
    monkeypatch.setenv("GIT_AUTHOR_NAME", "coopledger tests")
    monkeypatch.setenv("GIT_AUTHOR_EMAIL", "tests@example.invalid")
    monkeypatch.setenv("GIT_COMMITTER_NAME", "coopledger tests")
    monkeypatch.setenv("GIT_COMMITTER_EMAIL", "tests@example.invalid")


@pytest.fixture
def books(tmp_path: Path) -> Books:
    """Fresh books of a test hub whose only bank account is ``bank_support.IBAN``."""
    return make_books(tmp_path / "books")
